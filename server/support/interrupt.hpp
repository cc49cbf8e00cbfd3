#pragma once
// How a request that waits (a long poll) learns that its wait should end
// early: the server began to stop, or the client closed its connection.
// The transport implements it for each connection, and watches the
// connection only while somebody is subscribed: requests that never wait
// cost nothing. No I/O types here, so the handlers and stores that wait
// stay free of the transport.

#include <functional>
#include <memory>

namespace authsim::support {

class interrupt_source {
 public:
  // Calls `wake` at most once, from any thread, when the wait should end
  // (at once when that is already so). The subscription lasts as long as
  // the returned handle.
  [[nodiscard]] virtual std::shared_ptr<void> subscribe(std::function<void()> wake) = 0;

 protected:
  interrupt_source() = default;
  interrupt_source(const interrupt_source&) = default;
  interrupt_source& operator=(const interrupt_source&) = default;
  ~interrupt_source() = default;
};

}  // namespace authsim::support

#pragma once
// The part of a connection that is reached from outside its coroutine: the
// shutdown, which closes it when it is idle and wakes a long poll it is
// serving, and a waiting handler, which subscribes (support::interrupt_source)
// to learn that the server is stopping or that the client has gone.
//
// Touched only on the connection's executor (its strand, or the io_context
// when one thread runs it): the tracker's closer posts there, the session
// and its handlers run there.

#include "support/async.hpp"
#include "support/interrupt.hpp"
#include "transport/connection_tracker.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <functional>
#include <memory>
#include <optional>

namespace authsim::transport {

class connection_state final : public support::interrupt_source,
                               public std::enable_shared_from_this<connection_state> {
 public:
  // `cancel_reads` ends a pending wait for a request (shutdown closing an
  // idle connection). `socket` (may be null, e.g. for a test stream) is
  // watched for the client's close while a handler waits.
  connection_state(net::any_io_executor executor, std::function<void()> cancel_reads, net::ip::tcp::socket* socket,
                   connection_tracker& tracker);

  // Registers with the tracker (after construction: the closer refers to
  // the state through a weak pointer).
  void track();
  // The socket changed (moved into a TLS stream).
  void set_socket(net::ip::tcp::socket* socket, std::function<void()> cancel_reads);

  // The session is waiting for a request (or hanging): shutdown may close it.
  void set_idle(bool idle) { idle_ = idle; }
  // The connection is over: nothing may reach its socket any more, and the
  // tracker no longer counts it.
  void close();

  // On shutdown, on the connection's executor.
  void shutdown();

  std::shared_ptr<void> subscribe(std::function<void()> wake) override;

 private:
  void watch_for_close();
  void wake_once();

  net::any_io_executor executor_;
  std::function<void()> cancel_reads_;
  net::ip::tcp::socket* socket_;
  connection_tracker& tracker_;
  std::optional<connection_tracker::registration> registration_;
  bool idle_ = true;
  bool watching_ = false;  // a wait for the socket to turn readable is pending
  std::function<void()> wake_;  // the subscribed waiter, while there is one
};

}  // namespace authsim::transport

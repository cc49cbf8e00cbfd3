#pragma once
// A wake-up that one coroutine awaits and any thread may raise: a long poll
// waiting for the journal to grow, the shutdown waiting for the last
// connection to end. The waiter sleeps on a timer that raise() cancels, so
// it wakes on the notification itself, never by polling.
//
// Thread-safe: raise() from any thread; wait_until() on the event's
// executor, by one waiter at a time. Create it with std::make_shared
// (raise keeps it alive until the wake-up has run).

#include "support/async.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <memory>

namespace authsim::support {

class event : public std::enable_shared_from_this<event> {
 public:
  explicit event(const net::any_io_executor& executor) : timer_(executor) {}

  void raise();

  // Returns once raise() was called since the last wait returned (or is
  // called meanwhile), or at `deadline`. It may also return early after a
  // raise that an earlier wait already saw, so the waiter looks again at
  // what it waits for, and waits again if need be.
  net::awaitable<void> wait_until(std::chrono::steady_clock::time_point deadline);

 private:
  net::steady_timer timer_;
  std::atomic<bool> raised_{false};
};

}  // namespace authsim::support

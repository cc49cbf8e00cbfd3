#include "support/event.hpp"

#include <boost/asio/post.hpp>

namespace authsim::support {

void event::raise() {
  if (!raised_.exchange(true)) {
    // The timer belongs to the waiter's executor: it is cancelled there.
    net::post(timer_.get_executor(), [self = shared_from_this()] { self->timer_.cancel(); });
  }
}

net::awaitable<void> event::wait_until(std::chrono::steady_clock::time_point deadline) {
  if (raised_.exchange(false)) {
    co_return;
  }
  timer_.expires_at(deadline);
  // Ends at the deadline, or cancelled by raise(): either way the waiter
  // looks again.
  co_await timer_.async_wait(use_tuple);
  raised_.store(false);
}

}  // namespace authsim::support

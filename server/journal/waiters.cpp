#include "journal/waiters.hpp"

#include "support/event.hpp"

#include <boost/asio/this_coro.hpp>

#include <atomic>
#include <memory>

namespace authsim::journal {

void waiters::wake_all() {
  // Each waiter only posts its wake-up: cheap enough to do under the lock.
  const std::lock_guard lock(mutex_);
  for (const auto& [id, wake] : table_) {
    wake();
  }
}

net::awaitable<std::uint64_t> waiters::wait(const std::function<net::awaitable<std::uint64_t>()>& count,
                                            std::uint64_t wanted, std::chrono::steady_clock::time_point deadline,
                                            support::interrupt_source* interrupts) {
  const std::function<bool(std::uint64_t)> done = [wanted](std::uint64_t n) { return n >= wanted; };
  co_return co_await wait_for(count, done, deadline, interrupts);
}

net::awaitable<std::uint64_t> waiters::wait_change(const std::function<net::awaitable<std::uint64_t>()>& count,
                                                   std::uint64_t from, std::chrono::steady_clock::time_point deadline,
                                                   support::interrupt_source* interrupts) {
  const std::function<bool(std::uint64_t)> done = [from](std::uint64_t n) { return n != from; };
  co_return co_await wait_for(count, done, deadline, interrupts);
}

net::awaitable<std::uint64_t> waiters::wait_for(const std::function<net::awaitable<std::uint64_t>()>& count,
                                                const std::function<bool(std::uint64_t)>& done,
                                                std::chrono::steady_clock::time_point deadline,
                                                support::interrupt_source* interrupts) {
  const auto wake = std::make_shared<support::event>(co_await net::this_coro::executor);
  const auto interrupted = std::make_shared<std::atomic<bool>>(false);
  std::uint64_t id = 0;
  {
    const std::lock_guard lock(mutex_);
    id = next_++;
    table_.emplace(id, [wake] { wake->raise(); });
  }
  // Registered before the first count, so that an entry added in between
  // wakes it. However the wait ends (an answer, or the coroutine destroyed
  // on shutdown), the waiter leaves the table.
  struct leave {
    waiters& table;
    std::uint64_t id;
    ~leave() {
      const std::lock_guard lock(table.mutex_);
      table.table_.erase(id);
    }
  } const registered{*this, id};
  std::shared_ptr<void> subscription;
  if (interrupts != nullptr) {
    subscription = interrupts->subscribe([wake, interrupted] {
      interrupted->store(true);
      wake->raise();
    });
  }
  for (;;) {
    const std::uint64_t n = co_await count();
    if (done(n) || interrupted->load() || std::chrono::steady_clock::now() >= deadline) {
      co_return n;
    }
    co_await wake->wait_until(deadline);
  }
}

}  // namespace authsim::journal

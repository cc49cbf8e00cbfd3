#pragma once
// The long polls waiting for a journal to grow (GET /__admin/requests/wait),
// for both journals: each waiter sleeps on its own wake-up, every added
// entry wakes them all, and each looks again at its count. No polling.
//
// Thread-safe: one mutex guards the table; wake_all() from any thread.

#include "support/async.hpp"
#include "support/interrupt.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>

namespace authsim::journal {

class waiters {
 public:
  void wake_all();
  // Awaits `count` until it reaches `wanted`, the deadline passes, or
  // `interrupts` (may be null) says the wait should end; answers the
  // count then. `count` is awaited again after each wake-up.
  net::awaitable<std::uint64_t> wait(const std::function<net::awaitable<std::uint64_t>()>& count,
                                     std::uint64_t wanted, std::chrono::steady_clock::time_point deadline,
                                     support::interrupt_source* interrupts);
  // The same, until `count` is no longer `from`.
  net::awaitable<std::uint64_t> wait_change(const std::function<net::awaitable<std::uint64_t>()>& count,
                                            std::uint64_t from, std::chrono::steady_clock::time_point deadline,
                                            support::interrupt_source* interrupts);

 private:
  net::awaitable<std::uint64_t> wait_for(const std::function<net::awaitable<std::uint64_t>()>& count,
                                         const std::function<bool(std::uint64_t)>& done,
                                         std::chrono::steady_clock::time_point deadline,
                                         support::interrupt_source* interrupts);

  std::mutex mutex_;
  std::map<std::uint64_t, std::function<void()>> table_;
  std::uint64_t next_ = 0;
};

}  // namespace authsim::journal

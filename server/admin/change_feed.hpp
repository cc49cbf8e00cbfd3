#pragma once
// What the dashboard (GET /__admin/ui) waits on besides the journal: a
// counter of changes to payments, webhook events and their attempts,
// waybills and pushes (any replica's, with shared state), the clock, and
// every admin call that changes something. GET /__admin/changes long-polls
// it, so that the page refreshes when something happened instead of on a
// timer.
//
// A cursor names this process and the count ("3f9a0c1e-42"): a cursor from
// another replica or an earlier run says nothing about this one's count,
// so a wait on it answers at the next change here.
//
// Thread-safe: bump() from any thread; the count is atomic and the waiters
// table has its own mutex.

#include "journal/waiters.hpp"
#include "support/async.hpp"
#include "support/interrupt.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace authsim::admin {

class change_feed {
 public:
  change_feed();

  // Something changed: every waiter wakes.
  void bump();
  [[nodiscard]] std::string cursor() const;
  // The count in `cursor` when it is this process's, nullopt otherwise
  // (another replica's, an earlier run's, or not a cursor at all).
  [[nodiscard]] std::optional<std::uint64_t> count_of(std::string_view cursor) const;
  // Waits until the count passes `after` (nullopt: until the next change),
  // the deadline, or `interrupts` (may be null); true when it changed.
  net::awaitable<bool> async_wait(std::optional<std::uint64_t> after, std::chrono::steady_clock::time_point deadline,
                                  support::interrupt_source* interrupts);

 private:
  const std::string instance_;
  std::atomic<std::uint64_t> count_{0};
  journal::waiters waiters_;
};

}  // namespace authsim::admin

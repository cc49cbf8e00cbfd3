#pragma once
// The request journal kept in Redis, so that every replica reads and
// long-polls the same one: one stream bounded to --journal-size entries
// (XADD … MAXLEN), a hash of counts per (path, outcome), and an
// announcement on the sandbox's journal channel per entry, which wakes the
// long polls of every replica.
//
// Adding never waits: the exchange is encoded as it came (rendered to JSON
// only when some replica reads it) and sent behind every command this
// replica sent before, so it reaches Redis
// before any later call of this replica (a read of the journal through
// the same replica always finds it); its reply is not awaited. An entry
// that cannot be sent (Redis down) is counted with the commands the
// backend could not send (authsim_state_unsent_total), never retried.
//
// Thread-safe: every call is a Redis call; the waiters guard themselves.

#include "journal/store.hpp"
#include "redis/backend.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>

namespace authsim::redis {

class shared_journal final : public journal::store {
 public:
  shared_journal(backend& b, std::size_t capacity);

  net::awaitable<void> async_add(journal::entry_key key, std::shared_ptr<const journal::payload> entry) override;
  bool try_add(journal::entry_key& key, std::shared_ptr<const journal::payload>& entry) override;
  net::awaitable<std::vector<json::object>> async_list(std::size_t limit, const journal::filter& f) override;
  net::awaitable<std::uint64_t> async_count(const journal::filter& f) override;
  net::awaitable<std::uint64_t> async_wait(const journal::filter& f, std::uint64_t count,
                                           std::chrono::steady_clock::time_point deadline,
                                           support::interrupt_source* interrupts) override;
  net::awaitable<std::uint64_t> async_wait_change(const journal::filter& f, std::uint64_t from,
                                                  std::chrono::steady_clock::time_point deadline,
                                                  support::interrupt_source* interrupts) override;
  net::awaitable<void> async_clear() override;
  net::awaitable<std::size_t> async_size() override;
  [[nodiscard]] std::size_t capacity() const override { return capacity_; }

 private:
  backend& backend_;
  const std::size_t capacity_;
  const std::string stream_;
  const std::string sequence_;
  const std::string counts_;
  journal::waiters waiters_;  // woken by the journal channel
};

}  // namespace authsim::redis

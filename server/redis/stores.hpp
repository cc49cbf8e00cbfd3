#pragma once
// The stores of run-time state kept in a shared Redis: Credit Pay codes,
// UOCS tokens and the scenarios' call counters and rate-limit windows.
// Each operation is one round trip, and each check-and-change one script,
// so that of two replicas redeeming one code exactly one succeeds, and a
// rate limit lets exactly N calls through whatever replica they reach.
// They keep the memory stores' rules (retention after expiry, capacity,
// listing oldest first); simulated times are taken from the caller, as
// there.
//
// Thread-safe: every call is a Redis call; the only local state is the
// eviction count last seen.

#include "redis/backend.hpp"
#include "state/clock.hpp"
#include "state/code_store.hpp"
#include "state/scenario_counters.hpp"
#include "state/token_store.hpp"

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace authsim::redis {

class shared_code_store final : public state::code_store {
 public:
  shared_code_store(backend& b, const state::clock& clock, std::size_t capacity,
                    std::int64_t retention_ms = state::memory_code_store::default_retention_ms);

  net::awaitable<void> async_issue(state::code_record record, std::int64_t now_ms) override;
  net::awaitable<state::redeem_result> async_redeem(const std::string& ident_code, std::int64_t now_ms,
                                                    std::int64_t keep_until_ms) override;
  net::awaitable<std::optional<state::code_record>> async_find(const std::string& ident_code,
                                                               std::int64_t now_ms) override;
  net::awaitable<state::code_listing> async_list(const state::code_filter& filter, std::size_t limit,
                                                 std::int64_t now_ms) override;
  net::awaitable<std::size_t> async_size(std::int64_t now_ms) override;
  net::awaitable<void> async_clear() override;
  [[nodiscard]] std::uint64_t evicted() const override { return evicted_.load(std::memory_order_relaxed); }

 private:
  backend& backend_;
  const state::clock& clock_;
  const std::size_t capacity_;
  const std::int64_t retention_ms_;
  std::atomic<std::uint64_t> evicted_{0};
};

class shared_token_store final : public state::token_store {
 public:
  shared_token_store(backend& b, const state::clock& clock, std::size_t capacity,
                     std::int64_t retention_ms = state::memory_token_store::default_retention_ms);

  net::awaitable<void> async_issue(state::token_record record, std::int64_t now_ms) override;
  net::awaitable<state::token_lookup> async_find(const std::string& token, std::int64_t now_ms) override;
  net::awaitable<state::token_listing> async_list(const state::token_filter& filter, std::size_t limit,
                                                  std::int64_t now_ms) override;
  net::awaitable<std::size_t> async_size(std::int64_t now_ms) override;
  net::awaitable<void> async_clear() override;
  [[nodiscard]] std::uint64_t evicted() const override { return evicted_.load(std::memory_order_relaxed); }

 private:
  backend& backend_;
  const state::clock& clock_;
  const std::size_t capacity_;
  const std::int64_t retention_ms_;
  std::atomic<std::uint64_t> evicted_{0};
};

class shared_scenario_counters final : public state::scenario_counters {
 public:
  explicit shared_scenario_counters(backend& b) : backend_(b) {}
  net::awaitable<state::walk_result> async_walk(const state::walk_request& request) override;
  net::awaitable<void> async_clear(const std::optional<std::string>& scenario) override;

 private:
  backend& backend_;
};

}  // namespace authsim::redis

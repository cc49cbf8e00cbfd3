#pragma once
// The run-time state of fault-injection scenarios: how many times each rule
// matched in each session ("calls 1 and 2 fail"), and the rate-limit
// windows of the rules that have one.
//
// The engine decides which rules of the chosen scenario match a request
// (method, path, headers, body: no state needed) and hands them over in
// order; async_walk then counts and tests each, and hits its window, until
// one applies: count-and-test and window-hit for the whole request in one
// operation, so that a store shared between replicas can do it atomically
// in one round trip.

#include "support/async.hpp"

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

namespace authsim::state {

// Which calls of a rule it applies to, counting from 1 the calls whose
// other conditions held. Every given bound must hold.
struct call_range {
  std::int64_t from = 1;
  std::optional<std::int64_t> to;
  std::optional<std::int64_t> every;

  [[nodiscard]] bool admits(std::int64_t call) const {
    return call >= from && (!to || call <= *to) && (!every || call % *every == 0);
  }
};

// A rate limit's window: at most `limit` calls per `window_ms` for one
// value of its key (an api-key, a client address...).
struct window_spec {
  std::string key;
  std::int64_t limit = 1;
  std::int64_t window_ms = 1'000;
};

// A rule whose static conditions held for the request.
struct rule_step {
  std::size_t rule = 0;  // its index in the scenario
  std::optional<call_range> calls;
  bool chance = true;  // its probability draw passed (or it has none)
  std::optional<window_spec> limit;
};

struct walk_request {
  std::string scenario;
  std::string session;  // the X-Authsim-Session header, or empty
  std::int64_t now_ms = 0;
  std::vector<rule_step> steps;  // in the scenario's order
};

struct walk_result {
  std::optional<std::size_t> chosen;  // index into steps of the rule that applies
  bool rate_limited = false;          // it applies because its window is full
  std::int64_t window_end_ms = 0;     // when that window ends
};

class scenario_counters {
 public:
  scenario_counters() = default;
  scenario_counters(const scenario_counters&) = delete;
  scenario_counters& operator=(const scenario_counters&) = delete;
  virtual ~scenario_counters() = default;

  // For each step in order: count the call; skip the rule when the count
  // is outside its range or its draw failed; with a rate limit, count the
  // call in its window and skip the rule while within the limit;
  // otherwise the rule applies and the walk stops. Awaited at once.
  virtual net::awaitable<walk_result> async_walk(const walk_request& request) = 0;
  // Forgets the counts and windows of one scenario, or of all (nullopt).
  virtual net::awaitable<void> async_clear(const std::optional<std::string>& scenario) = 0;
};

// Thread-safe: one mutex guards both tables. Sessions and rate keys come
// from clients, so the tables are bounded: past 100000 entries each, idle
// sessions and ended windows go first.
class memory_scenario_counters final : public scenario_counters {
 public:
  walk_result walk(const walk_request& request);
  void clear(const std::optional<std::string>& scenario);

  net::awaitable<walk_result> async_walk(const walk_request& request) override;
  net::awaitable<void> async_clear(const std::optional<std::string>& scenario) override;

 private:
  using counter_key = std::tuple<std::string, std::size_t, std::string>;  // scenario, rule, session
  using window_key = std::tuple<std::string, std::size_t, std::string, std::string>;  // + rate key value
  struct counter {
    std::int64_t calls = 0;
    std::int64_t last_used_ms = 0;
  };
  struct window {
    std::int64_t start_ms = 0;
    std::int64_t count = 0;
    std::int64_t window_ms = 0;
  };
  void bound_tables(std::int64_t now_ms);

  std::mutex mutex_;
  std::map<counter_key, counter> counters_;
  std::map<window_key, window> windows_;
};

}  // namespace authsim::state

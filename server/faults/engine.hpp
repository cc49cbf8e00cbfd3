#pragma once
// Decides, for each request, whether a scenario rule takes over its answer:
// which scenario applies (the X-Authsim-Scenario header, else the active
// one), which rule matches first, and what that rule does (delay, answer,
// connection fault, rate limit). It never touches a socket: the transport
// carries the decision out.
//
// Thread-safe: one mutex guards the loaded set, the active name, the call
// counters, the rate-limit windows and the random generator. Each decision
// holds it briefly and does no I/O.

#include "faults/scenario.hpp"
#include "http/message.hpp"
#include "state/clock.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <tuple>
#include <vector>

namespace authsim::faults {

inline constexpr const char* scenario_header = "X-Authsim-Scenario";
inline constexpr const char* session_header = "X-Authsim-Session";
inline constexpr const char* rule_header = "X-Authsim-Rule";

struct decision {
  std::string rule_label;  // "SCENARIO#INDEX"; empty: answer normally
  std::chrono::milliseconds delay{0};
  std::optional<http::response> answer;  // from "respond", placeholders filled
  std::optional<fault> failure;          // a connection-level fault to carry out
  bool rate_limited = false;
  std::string rate_detail;        // "at most 3 calls per 10000 ms per api-key"
  std::int64_t retry_after_s = 0;
  std::string unknown_scenario;   // the header named no loaded scenario

  [[nodiscard]] bool applies() const { return !rule_label.empty(); }
};

// What "malformed_body" makes of an answer: status 200 and the body cut in
// the middle, so the JSON does not parse (Content-Length stays truthful).
void make_malformed(http::response& res);

struct scenario_info {
  std::string name;
  std::string description;
  std::size_t rules = 0;
};

class engine {
 public:
  // `endpoints`: the simulated endpoints' paths, which match.endpoint may
  // name. `date_utc_offset_minutes`: for {{date}}.
  engine(std::filesystem::path dir, std::vector<std::string> endpoints, const state::clock& clock,
         int date_utc_offset_minutes, std::uint64_t seed);

  // The first load, at start-up; throws fixtures::fixture_error.
  void load();
  // Re-reads the directory. On success the new set replaces the old, the
  // counters start again, and an active scenario that no longer exists is
  // deactivated; returns nullopt. On failure the old set stays and the
  // error (file, JSON path, reason) is returned.
  std::optional<std::string> reload();

  // Makes `name` the active scenario (nullopt: none), its call counters and
  // rate-limit windows starting afresh. False when unknown.
  bool select(const std::optional<std::string>& name);
  [[nodiscard]] std::optional<std::string> active() const;
  [[nodiscard]] std::vector<scenario_info> list() const;
  [[nodiscard]] std::uint64_t seed() const { return seed_; }
  // The loaded names, "a, b, c", or "none": for messages.
  [[nodiscard]] std::string names() const;

  // Forgets every call counter and rate-limit window.
  void reset_counters();

  decision decide(const http::request& req);

 private:
  using counter_key = std::tuple<std::string, std::size_t, std::string>;  // scenario, rule, session
  using window_key = std::tuple<std::string, std::size_t, std::string, std::string>;  // + rate key value
  struct window {
    std::int64_t start_ms = 0;
    std::int64_t count = 0;
    std::int64_t window_ms = 0;
  };
  struct counter {
    std::int64_t calls = 0;
    std::int64_t last_used_ms = 0;
  };

  std::chrono::milliseconds sample(const delay& d);
  void bound_tables(std::int64_t now_ms);

  std::filesystem::path dir_;
  std::vector<std::string> endpoints_;
  const state::clock& clock_;
  int date_offset_minutes_;
  std::uint64_t seed_;

  mutable std::mutex mutex_;
  scenario_set scenarios_;
  std::optional<std::string> active_;
  std::map<counter_key, counter> counters_;
  std::map<window_key, window> windows_;
  std::mt19937_64 random_;
};

}  // namespace authsim::faults

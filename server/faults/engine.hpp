#pragma once
// Decides, for each request, whether a scenario rule takes over its answer:
// which scenario applies (the X-Authsim-Scenario header, else the active
// one), which rule matches first, and what that rule does (delay, answer,
// connection fault, rate limit). It never touches a socket: the request
// pipeline carries the decision out.
//
// The rules' static conditions are matched here; the call counts and
// rate-limit windows live in a state::scenario_counters, which counts for
// the whole request in one operation, and the active scenario's name in a
// state::active_scenario.
//
// Thread-safe: one mutex guards the loaded set and the random generator,
// held briefly and never across a wait.

#include "faults/scenario.hpp"
#include "http/message.hpp"
#include "state/active_scenario.hpp"
#include "state/clock.hpp"
#include "state/scenario_counters.hpp"
#include "support/async.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <string>
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

// The state a scenario engine keeps between requests.
struct engine_state {
  const state::clock& clock;
  state::active_scenario& active;
  state::scenario_counters& counters;
};

class engine {
 public:
  // `endpoints`: the simulated endpoints' paths, which match.endpoint may
  // name. `date_utc_offset_minutes`: for {{date}}.
  engine(std::filesystem::path dir, std::vector<std::string> endpoints, engine_state state,
         int date_utc_offset_minutes, std::uint64_t seed);

  // The first load, at start-up; throws fixtures::fixture_error.
  void load();
  // Re-reads the directory. On success the new set replaces the old, the
  // counters start again, and an active scenario that no longer exists is
  // deactivated; returns nullopt. On failure the old set stays and the
  // error (file, JSON path, reason) is returned.
  net::awaitable<std::optional<std::string>> reload();

  // Makes `name` the active scenario (nullopt: none), its call counters and
  // rate-limit windows starting afresh. False when unknown.
  net::awaitable<bool> select(std::optional<std::string> name);
  [[nodiscard]] std::optional<std::string> active() const { return state_.active.get(); }
  [[nodiscard]] std::vector<scenario_info> list() const;
  [[nodiscard]] std::uint64_t seed() const { return seed_; }
  // The loaded names, "a, b, c", or "none": for messages.
  [[nodiscard]] std::string names() const;

  // Forgets every call counter and rate-limit window.
  net::awaitable<void> reset_counters();

  // False when no scenario can apply to the request (no scenario header,
  // none active, or an admin call): its decision is empty, and asking for
  // it can be skipped.
  [[nodiscard]] bool may_apply(const http::request& req) const;
  // The request is awaited at once: it outlives the call.
  net::awaitable<decision> decide(const http::request& req);
  // What the active scenario does to an outbound call of this type in this
  // lane (a Credit Pay webhook to a platform, or with `push` a UOCS push to
  // an app): the first rule matching it (and winning its probability draw)
  // decides; nullopt when none does, or no scenario is active. Outbound
  // calls do not carry the X-Authsim-Scenario header of a request, so only
  // the active scenario applies.
  [[nodiscard]] std::optional<webhook_fault> decide_webhook(const std::string& type, const std::string& lane,
                                                            bool push = false);

 private:
  // The scenario that applies to the request, when one does; `d` says why
  // none does when the header names an unknown one.
  std::shared_ptr<const scenario> choose(const http::request& req, decision& d) const;
  // A uniform draw in [0, 1) from the seeded generator.
  double draw();
  std::chrono::milliseconds sample(const delay& d);

  std::filesystem::path dir_;
  std::vector<std::string> endpoints_;
  engine_state state_;
  int date_offset_minutes_;
  std::uint64_t seed_;

  mutable std::mutex mutex_;
  scenario_set scenarios_;
  std::mt19937_64 random_;
};

}  // namespace authsim::faults

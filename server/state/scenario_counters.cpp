#include "state/scenario_counters.hpp"

namespace authsim::state {

namespace {

constexpr std::size_t max_counters = 100'000;
constexpr std::size_t max_windows = 100'000;

}  // namespace

void memory_scenario_counters::bound_tables(std::int64_t now_ms) {
  if (counters_.size() > max_counters) {
    // Sessions idle for ten minutes go first; a run in progress keeps its
    // counts unless clients keep inventing session ids faster than that.
    std::erase_if(counters_, [&](const auto& e) { return e.second.last_used_ms + 600'000 <= now_ms; });
    if (counters_.size() > max_counters) {
      counters_.clear();
    }
  }
  if (windows_.size() > max_windows) {
    std::erase_if(windows_, [&](const auto& e) { return e.second.start_ms + e.second.window_ms <= now_ms; });
    if (windows_.size() > max_windows) {
      windows_.clear();
    }
  }
}

walk_result memory_scenario_counters::walk(const walk_request& request) {
  const std::int64_t now = request.now_ms;
  const std::lock_guard lock(mutex_);
  bound_tables(now);
  walk_result out;
  for (std::size_t i = 0; i < request.steps.size(); ++i) {
    const rule_step& step = request.steps[i];
    counter& c = counters_[counter_key{request.scenario, step.rule, request.session}];
    c.last_used_ms = now;
    const std::int64_t call = ++c.calls;
    if ((step.calls && !step.calls->admits(call)) || !step.chance) {
      continue;
    }
    if (step.limit) {
      window& w = windows_[window_key{request.scenario, step.rule, request.session, step.limit->key}];
      if (w.count == 0 || now >= w.start_ms + step.limit->window_ms || now < w.start_ms) {
        w = {now, 0, step.limit->window_ms};
      }
      if (++w.count <= step.limit->limit) {
        continue;  // within the limit: this rule lets the request through
      }
      out.rate_limited = true;
      out.window_end_ms = w.start_ms + step.limit->window_ms;
    }
    out.chosen = i;
    return out;
  }
  return out;
}

void memory_scenario_counters::clear(const std::optional<std::string>& scenario) {
  const std::lock_guard lock(mutex_);
  if (!scenario) {
    counters_.clear();
    windows_.clear();
    return;
  }
  std::erase_if(counters_, [&](const auto& e) { return std::get<0>(e.first) == *scenario; });
  std::erase_if(windows_, [&](const auto& e) { return std::get<0>(e.first) == *scenario; });
}

net::awaitable<walk_result> memory_scenario_counters::async_walk(const walk_request& request) {
  co_return walk(request);
}

net::awaitable<void> memory_scenario_counters::async_clear(const std::optional<std::string>& scenario) {
  clear(scenario);
  co_return;
}

}  // namespace authsim::state

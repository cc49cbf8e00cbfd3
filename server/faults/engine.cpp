#include "faults/engine.hpp"

#include "admin/paths.hpp"
#include "creditpay/identify_request.hpp"
#include "faults/placeholders.hpp"
#include "faults/scenario_loader.hpp"
#include "fixtures/json_reader.hpp"
#include "http/json_body.hpp"
#include "support/aliases.hpp"
#include "support/crypto.hpp"
#include "support/text.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <cmath>

namespace authsim::faults {

namespace {

constexpr std::size_t max_session_id = 128;

// The request body as JSON, parsed once and only when a rule needs it.
class lazy_body {
 public:
  explicit lazy_body(const std::string& raw) : raw_(raw) {}
  const json::object* get() {
    if (!parsed_) {
      parsed_ = true;
      result_ = http::parse_json_object(raw_);
    }
    return result_.problem == http::body_problem::none ? &result_.object : nullptr;
  }

 private:
  const std::string& raw_;
  bool parsed_ = false;
  http::json_body result_;
};

bool static_match(const match& m, const http::request& req, lazy_body& body) {
  if (m.webhook) {
    return false;  // an outbound event's rule
  }
  if (m.endpoint && req.path() != *m.endpoint) {
    return false;
  }
  if (m.method && req.method != *m.method) {
    return false;
  }
  for (const auto& [name, value] : m.headers) {
    const std::string* h = req.headers.find(name);
    if (h == nullptr || *h != value) {
      return false;
    }
  }
  for (const auto& [name, value] : m.query) {
    if (req.query_param(name) != value) {
      return false;
    }
  }
  if (!m.body.empty()) {
    const json::object* obj = body.get();
    if (obj == nullptr) {
      return false;
    }
    const json::value root(*obj);
    for (const auto& [pointer, expected] : m.body) {
      boost::system::error_code ec;
      const json::value* found = root.find_pointer(pointer, ec);
      if (found == nullptr || *found != expected) {
        return false;
      }
    }
  }
  return true;
}

std::string rate_key_value(rate_key key, const http::request& req, lazy_body& body) {
  switch (key) {
    case rate_key::api_key: {
      const std::string* h = req.headers.find("api-key");
      return h != nullptr ? *h : std::string();
    }
    case rate_key::plat_id: return creditpay::platform_id(req).value_or("");
    case rate_key::user_id: {
      const json::object* obj = body.get();
      const json::value* v = obj != nullptr ? obj->if_contains("userId") : nullptr;
      return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
    }
    case rate_key::client: return req.remote_address;
  }
  return {};
}

// Keys come from clients; long ones are shortened to a digest so that a
// window costs little memory whatever the client sends.
std::string bounded_key(std::string key) {
  constexpr std::size_t max_key = 64;
  if (key.size() <= max_key) {
    return key;
  }
  return "sha256:" + support::hex_encode(support::hmac(support::hmac_algorithm::sha256, "authsim-rate-key", key));
}

http::response render(const respond& r, const http::request& req, lazy_body& body, std::int64_t now_ms,
                      int date_offset_minutes) {
  placeholder_values values;
  values.req = &req;
  if (const std::string* trace = req.headers.find("trace")) values.trace = *trace;
  values.id = support::random_hex(16);
  const json::object* obj = body.get();
  const json::value* request_id = obj != nullptr ? obj->if_contains("requestId") : nullptr;
  values.request_id = request_id != nullptr && request_id->is_string() && !request_id->get_string().empty()
                          ? std::string(request_id->get_string())
                          : support::random_hex(16);
  values.now_ms = std::to_string(now_ms);
  values.date = support::format_date_time(now_ms, date_offset_minutes);

  http::response res;
  res.status = r.status;
  if (r.body) {
    json::value filled = *r.body;
    fill_placeholders(filled, values);
    res.body = json::serialize(filled);
    res.headers.set("Content-Type", "application/json");
  } else {
    res.body = fill_placeholders(*r.raw_body, values);
    res.headers.set("Content-Type", "text/plain; charset=utf-8");
  }
  for (const auto& [name, value] : r.headers) {
    // Request values can hold CR or LF (percent-decoded query parameters):
    // they must not split the answer's header block.
    std::string filled = fill_placeholders(value, values);
    for (char& c : filled) {
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
        c = ' ';
      }
    }
    res.headers.set(name, std::move(filled));
  }
  return res;
}

}  // namespace

void make_malformed(http::response& res) {
  res.status = 200;
  res.headers.set("Content-Type", "application/json");
  if (res.body.size() < 2) {
    res.body = "{";
  } else {
    res.body.resize(res.body.size() / 2);
  }
  // Half of some JSON texts is still JSON ("123456" → "123"); never let the
  // promised parse failure slip.
  boost::system::error_code ec;
  json::parse(res.body, ec);
  if (!ec) {
    res.body += '{';
  }
}

engine::engine(std::filesystem::path dir, std::vector<std::string> endpoints, engine_state state,
               int date_utc_offset_minutes, std::uint64_t seed)
    : dir_(std::move(dir)),
      endpoints_(std::move(endpoints)),
      state_(state),
      date_offset_minutes_(date_utc_offset_minutes),
      seed_(seed),
      random_(seed) {}

void engine::load() {
  scenario_set loaded = load_scenarios(dir_, endpoints_);
  const std::lock_guard lock(mutex_);
  scenarios_ = std::move(loaded);
}

net::awaitable<std::optional<std::string>> engine::reload() {
  scenario_set loaded;
  try {
    loaded = load_scenarios(dir_, endpoints_);
  } catch (const std::exception& e) {
    // fixture_error above all; anything else (the file system) is reported
    // the same way, never allowed to take the server down.
    co_return std::string(e.what());
  }
  bool active_gone = false;
  {
    const std::lock_guard lock(mutex_);
    scenarios_ = std::move(loaded);
    const auto active = state_.active.get();
    active_gone = active && scenarios_.find(*active) == scenarios_.end();
  }
  const std::optional<std::string> all;
  co_await state_.counters.async_clear(all);
  if (active_gone) {
    const std::optional<std::string> none;
    co_await state_.active.async_set(none);
  }
  co_return std::nullopt;
}

net::awaitable<bool> engine::select(std::optional<std::string> name) {
  if (name) {
    const std::lock_guard lock(mutex_);
    if (scenarios_.find(*name) == scenarios_.end()) {
      co_return false;
    }
  }
  if (name) {
    // Activating a scenario starts it afresh: "calls 1-2 fail" means the
    // first two calls after this selection.
    co_await state_.counters.async_clear(name);
  }
  co_await state_.active.async_set(name);
  co_return true;
}

namespace {

std::string join_names(const scenario_set& set) {
  std::string out;
  for (const auto& [name, s] : set) {
    out += (out.empty() ? "" : ", ") + name;
  }
  return out.empty() ? "none" : out;
}

}  // namespace

std::string engine::names() const {
  const std::lock_guard lock(mutex_);
  return join_names(scenarios_);
}

std::vector<scenario_info> engine::list() const {
  const std::lock_guard lock(mutex_);
  std::vector<scenario_info> out;
  for (const auto& [name, s] : scenarios_) {
    out.push_back({name, s->description, s->rules.size()});
  }
  return out;
}

net::awaitable<void> engine::reset_counters() {
  const std::optional<std::string> all;
  co_await state_.counters.async_clear(all);
}

std::chrono::milliseconds engine::sample(const delay& d) {
  const std::lock_guard lock(mutex_);
  switch (d.type) {
    case delay::kind::fixed: return std::chrono::milliseconds(d.fixed_ms);
    case delay::kind::uniform:
      return std::chrono::milliseconds(std::uniform_int_distribution<std::int64_t>(d.min_ms, d.max_ms)(random_));
    case delay::kind::lognormal: {
      std::lognormal_distribution<double> dist(std::log(d.median_ms), d.sigma);
      const double ms = std::min(dist(random_), static_cast<double>(d.cap_ms));
      return std::chrono::milliseconds(static_cast<std::int64_t>(std::llround(ms)));
    }
  }
  return std::chrono::milliseconds(0);
}

bool engine::may_apply(const http::request& req) const {
  if (req.path().starts_with(admin::prefix)) {
    return false;
  }
  return req.headers.find(scenario_header) != nullptr || state_.active.get().has_value();
}

std::shared_ptr<const scenario> engine::choose(const http::request& req, decision& d) const {
  const std::string* named = req.headers.find(scenario_header);
  const std::optional<std::string> active = named == nullptr ? state_.active.get() : std::nullopt;
  const std::lock_guard lock(mutex_);
  if (named != nullptr) {
    if (*named == "none") {
      return nullptr;
    }
    const auto it = scenarios_.find(*named);
    if (it == scenarios_.end()) {
      d.unknown_scenario = "'" + support::excerpt(*named, 64) + "' (loaded: " + join_names(scenarios_) +
                           "; 'none' turns scenarios off for this request)";
      return nullptr;
    }
    return it->second;
  }
  if (active) {
    // A reload that dropped the active scenario deactivates it; until then
    // (or on another replica's stale name) nothing applies.
    const auto it = scenarios_.find(*active);
    return it == scenarios_.end() ? nullptr : it->second;
  }
  return nullptr;
}

std::optional<webhook_fault> engine::decide_webhook(const std::string& type, const std::string& lane, bool push) {
  const std::optional<std::string> active = state_.active.get();
  if (!active) {
    return std::nullopt;
  }
  std::shared_ptr<const scenario> s;
  {
    const std::lock_guard lock(mutex_);
    const auto it = scenarios_.find(*active);
    if (it == scenarios_.end()) {
      return std::nullopt;
    }
    s = it->second;
  }
  for (const rule& r : s->rules) {
    const match& m = r.when;
    // A platform names Credit Pay's lanes, an app UOCS's.
    if (!m.webhook || !r.outbound || (*m.webhook != "*" && *m.webhook != type) ||
        (m.platform && (push || *m.platform != lane)) || (m.app && (!push || *m.app != lane))) {
      continue;
    }
    if (m.probability && draw() >= *m.probability) {
      continue;
    }
    return r.outbound;
  }
  return std::nullopt;
}

double engine::draw() {
  const std::lock_guard lock(mutex_);
  return std::uniform_real_distribution<double>(0.0, 1.0)(random_);
}

namespace {

// The rules of `s` whose static conditions hold for the request, in order,
// with their probability draws and rate-limit keys: what the counters walk.
template <class Draw>
state::walk_request plan(const scenario& s, const http::request& req, lazy_body& body, std::int64_t now_ms,
                         Draw&& draw) {
  state::walk_request walk;
  walk.scenario = s.name;
  const std::string* session_value = req.headers.find(session_header);
  walk.session = session_value != nullptr ? session_value->substr(0, max_session_id) : std::string();
  walk.now_ms = now_ms;
  for (std::size_t i = 0; i < s.rules.size(); ++i) {
    const rule& r = s.rules[i];
    if (!static_match(r.when, req, body)) {
      continue;
    }
    state::rule_step step;
    step.rule = i;
    step.calls = r.when.calls;
    if (r.when.probability) {
      step.chance = draw() < *r.when.probability;
    }
    if (r.limit) {
      step.limit = state::window_spec{bounded_key(rate_key_value(r.limit->key, req, body)), r.limit->limit,
                                      r.limit->window_ms};
    }
    walk.steps.push_back(std::move(step));
  }
  return walk;
}

}  // namespace

net::awaitable<decision> engine::decide(const http::request& req) {
  decision d;
  if (req.path().starts_with(admin::prefix)) {
    co_return d;
  }
  const std::shared_ptr<const scenario> chosen = choose(req, d);
  if (!chosen) {
    co_return d;
  }
  lazy_body body(req.body);
  const state::walk_request walk = plan(*chosen, req, body, state_.clock.now_ms(), [this] { return draw(); });
  if (walk.steps.empty()) {
    co_return d;
  }
  const state::walk_result result = co_await state_.counters.async_walk(walk);
  if (!result.chosen) {
    co_return d;
  }
  const std::size_t index = walk.steps[*result.chosen].rule;
  const rule& r = chosen->rules[index];
  const std::int64_t now = walk.now_ms;
  if (result.rate_limited) {
    d.rate_limited = true;
    d.retry_after_s = std::max<std::int64_t>(1, (result.window_end_ms - now + 999) / 1000);
    d.rate_detail = "at most " + std::to_string(r.limit->limit) + " calls per " + std::to_string(r.limit->window_ms) +
                    " ms per " + rate_key_name(r.limit->key) + "; retry after " + std::to_string(d.retry_after_s) +
                    " s";
  }
  d.rule_label = chosen->name + "#" + std::to_string(index);
  if (r.wait) {
    d.delay = sample(*r.wait);
  }
  if (r.answer) {
    d.answer = render(*r.answer, req, body, now, date_offset_minutes_);
  }
  d.failure = r.failure;
  co_return d;
}

}  // namespace authsim::faults

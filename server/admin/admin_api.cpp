#include "admin/admin_api.hpp"

#include "admin/answers.hpp"
#include "http/json_body.hpp"
#include "http/json_response.hpp"
#include "support/aliases.hpp"
#include "support/json_kind.hpp"
#include "support/log.hpp"
#include "support/text.hpp"
#include "support/validate.hpp"
#include "support/version.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <charconv>

namespace authsim::admin {
using steady = std::chrono::steady_clock;

namespace {

constexpr const char* platforms_prefix = "/__admin/platforms/";
constexpr std::size_t max_state_items = 1000;

// The journal filter from ?path= and ?outcome=; `error` for a bad outcome.
journal::filter filter_of(const http::request& req, std::optional<http::response>& error) {
  journal::filter f;
  f.path = text_param(req, "path");
  f.outcome = text_param(req, "outcome");
  if (f.outcome && *f.outcome != "ok" && *f.outcome != "rejected" && *f.outcome != "fault") {
    error = error_answer(400, "INVALID_QUERY",
                         "query parameter 'outcome' must be ok, rejected or fault, got '" +
                             support::excerpt(*f.outcome, 40) + "'");
  }
  return f;
}

json::object filter_json(const journal::filter& f) {
  return {{"path", f.path ? json::value(*f.path) : json::value(nullptr)},
          {"outcome", f.outcome ? json::value(*f.outcome) : json::value(nullptr)}};
}

}  // namespace

admin_api::admin_api(admin_parts parts) : parts_(std::move(parts)), started_(steady::now()) {}

void admin_api::register_routes(http::router& r, const access_guard& guard) const {
  using sync_call = http::response (admin_api::*)(const http::request&) const;
  using async_call = net::awaitable<http::response> (admin_api::*)(const http::request&) const;
  auto add = [&](const char* method, const char* path, sync_call fn) {
    r.add_route(method, path, guard.wrap([this, fn](const http::request& req) { return (this->*fn)(req); }));
  };
  auto add_async = [&](const char* method, const char* path, async_call fn) {
    r.add_async_route(method, path,
                      guard.wrap([this, fn](const http::request& req) { return (this->*fn)(req); }));
  };
  add_async("GET", "/__admin/health", &admin_api::health);
  add_async("POST", "/__admin/reset", &admin_api::reset);
  add_async("GET", "/__admin/state", &admin_api::state);
  add_async("GET", "/__admin/requests", &admin_api::requests);
  add_async("DELETE", "/__admin/requests", &admin_api::clear_requests);
  add_async("GET", "/__admin/requests/wait", &admin_api::wait);
  add_async("GET", "/__admin/changes", &admin_api::changes);
  add_async("GET", "/__admin/platforms", &admin_api::platforms);
  add("GET", "/__admin/clock", &admin_api::clock);
  add_async("PUT", "/__admin/clock", &admin_api::move_clock);
  add_async("GET", "/__admin/metrics", &admin_api::metrics);
  for (const char* method : {"GET", "PUT"}) {
    r.add_async_prefix_route(method, platforms_prefix,
                             guard.wrap([this](const http::request& req) { return platform(req); }));
  }
}

net::awaitable<http::response> admin_api::health(const http::request&) const {
  const auto& f = *parts_.fixtures;
  std::size_t accounts = 0;
  for (const auto& app : f.apps) {
    accounts += app.accounts.size();
  }
  json::object fixtures;
  fixtures["platforms"] = f.platforms.size();
  fixtures["apps"] = f.apps.size();
  fixtures["accounts"] = accounts;
  fixtures["stubs"] = f.stubs.size();
  fixtures["scenarios"] = parts_.engine.list().size();
  json::object state;
  if (parts_.describe_state) {
    state = co_await parts_.describe_state();
  } else {
    state["backend"] = "memory";
  }
  // A replica whose shared state does not answer cannot serve: 503, so
  // that a load balancer's readiness check takes it out of rotation.
  const json::value* connected = state.if_contains("connected");
  const bool up = connected == nullptr || (connected->is_bool() && connected->get_bool());
  json::object body;
  body["status"] = up ? "ok" : "state_unavailable";
  body["version"] = support::version();
  body["uptime_ms"] = std::chrono::duration_cast<std::chrono::milliseconds>(steady::now() - started_).count();
  body["fixtures"] = std::move(fixtures);
  body["state"] = std::move(state);
  co_return http::json_response(up ? 200 : 503, body);
}

net::awaitable<http::response> admin_api::reset(const http::request&) const {
  co_await parts_.codes.async_clear();
  co_await parts_.tokens.async_clear();
  co_await parts_.journal.async_clear();
  co_await parts_.engine.reset_counters();
  if (parts_.waybills != nullptr) {
    co_await parts_.waybills->async_clear();
  }
  if (parts_.payments != nullptr) {
    co_await parts_.payments->async_clear();
  }
  if (parts_.deliveries != nullptr) {
    co_await parts_.deliveries->async_clear();
  }
  support::log_line("admin reset: codes, tokens, journal, scenario counters, payments, waybills and their deliveries forgotten");
  co_return http::json_response(200, json::object{{"reset", true}});
}

net::awaitable<http::response> admin_api::state(const http::request& req) const {
  std::optional<http::response> error;
  const auto limit = int_param(req, "limit", max_state_items, 1, max_state_items, error);
  if (error) {
    co_return std::move(*error);
  }
  const std::int64_t now = parts_.clock.now_ms();
  const auto platform = text_param(req, "platform");
  const auto custom_no = text_param(req, "custom_no");
  const auto user_id = text_param(req, "userId");

  // A filter on one kind of entry leaves the other kind out.
  state::code_listing codes;
  if (!user_id) {
    const state::code_filter wanted{platform, custom_no};
    codes = co_await parts_.codes.async_list(wanted, static_cast<std::size_t>(limit), now);
  }
  state::token_listing tokens;
  if (!platform && !custom_no) {
    const state::token_filter wanted{user_id};
    tokens = co_await parts_.tokens.async_list(wanted, static_cast<std::size_t>(limit), now);
  }

  json::array code_items;
  for (const auto& c : codes.items) {
    json::object o;
    o["ident_code"] = c.ident_code;
    o["platform"] = c.plat_id;
    o["custom_no"] = c.custom_no;
    o["status"] = state::code_status_name(state::status_of(c, now));
    o["issued_at_ms"] = c.issued_at_ms;
    o["expires_at_ms"] = c.expires_at_ms;
    o["redeemed_at_ms"] = c.redeemed_at_ms ? json::value(*c.redeemed_at_ms) : json::value(nullptr);
    o["callback_url"] = c.callback_url;
    o["client_ip"] = c.client_ip;
    o["lang"] = c.lang;
    o["session_sign"] = c.session_sign ? json::value(*c.session_sign) : json::value(nullptr);
    o["credit_limit"] = c.credit ? json::value(state::to_json(*c.credit)) : json::value(nullptr);
    code_items.push_back(std::move(o));
  }
  json::array token_items;
  for (const auto& t : tokens.items) {
    json::object o;
    o["token"] = t.token;
    o["userId"] = t.user_id;
    o["appKey"] = t.app_key;
    o["status"] = now < t.expires_at_ms ? "valid" : "expired";
    o["issued_at_ms"] = t.issued_at_ms;
    o["expires_at_ms"] = t.expires_at_ms;
    token_items.push_back(std::move(o));
  }
  json::object body;
  body["now_ms"] = now;
  body["codes"] = json::object{{"count", codes.count}, {"items", std::move(code_items)}};
  body["tokens"] = json::object{{"count", tokens.count}, {"items", std::move(token_items)}};
  co_return http::json_response(200, body);
}

net::awaitable<http::response> admin_api::requests(const http::request& req) const {
  std::optional<http::response> error;
  const auto filter = filter_of(req, error);
  const auto limit =
      int_param(req, "limit", 100, 1, static_cast<std::int64_t>(parts_.journal.capacity()), error);
  if (error) {
    co_return std::move(*error);
  }
  json::array entries;
  for (auto& e : co_await parts_.journal.async_list(static_cast<std::size_t>(limit), filter)) {
    entries.push_back(std::move(e));
  }
  json::object body;
  body["filter"] = filter_json(filter);
  body["total"] = co_await parts_.journal.async_count(filter);
  body["capacity"] = parts_.journal.capacity();
  body["entries"] = std::move(entries);
  co_return http::json_response(200, body);
}

net::awaitable<http::response> admin_api::clear_requests(const http::request&) const {
  co_await parts_.journal.async_clear();
  co_return http::json_response(200, json::object{{"cleared", true}});
}

net::awaitable<http::response> admin_api::wait(const http::request& req) const {
  std::optional<http::response> error;
  const auto filter = filter_of(req, error);
  const auto count = int_param(req, "count", 1, 1, 1'000'000, error);
  const auto timeout_ms = int_param(req, "timeout_ms", 5'000, 0, 60'000, error);
  // ?changed_from=N: until the count is no longer N (the dashboard's feed:
  // a new request, or a reset or clear that took the count back to 0).
  const auto changed_from = text_param(req, "changed_from")
                                ? std::optional(int_param(req, "changed_from", 0, 0, INT64_MAX, error))
                                : std::nullopt;
  if (changed_from && text_param(req, "count")) {
    error = error_answer(400, "INVALID_QUERY", "query parameters 'count' and 'changed_from' exclude each other");
  }
  const auto capacity = static_cast<std::int64_t>(parts_.journal.capacity());
  const auto limit = int_param(req, "limit", changed_from ? std::min<std::int64_t>(100, capacity) : std::min(count, capacity),
                               1, capacity, error);
  if (error) {
    co_return std::move(*error);
  }
  const auto start = steady::now();
  const auto deadline = start + std::chrono::milliseconds(timeout_ms);
  std::uint64_t total = 0;
  bool satisfied = false;
  if (changed_from) {
    const auto from = static_cast<std::uint64_t>(*changed_from);
    total = co_await parts_.journal.async_wait_change(filter, from, deadline, req.interrupts);
    satisfied = total != from;
  } else {
    const auto wanted = static_cast<std::uint64_t>(count);
    total = co_await parts_.journal.async_wait(filter, wanted, deadline, req.interrupts);
    satisfied = total >= wanted;
  }
  json::array entries;
  for (auto& e : co_await parts_.journal.async_list(static_cast<std::size_t>(limit), filter)) {
    entries.push_back(std::move(e));
  }
  json::object body;
  body["satisfied"] = satisfied;
  body["count"] = total;
  if (changed_from) {
    body["changed_from"] = *changed_from;
  } else {
    body["wanted"] = count;
  }
  body["waited_ms"] = std::chrono::duration_cast<std::chrono::milliseconds>(steady::now() - start).count();
  body["filter"] = filter_json(filter);
  body["entries"] = std::move(entries);
  co_return http::json_response(200, body);
}

net::awaitable<http::response> admin_api::changes(const http::request& req) const {
  std::optional<http::response> error;
  const auto timeout_ms = int_param(req, "timeout_ms", 25'000, 0, 60'000, error);
  if (error) {
    co_return std::move(*error);
  }
  const auto after = text_param(req, "after");
  const auto start = steady::now();
  bool changed = false;
  if (after) {
    const auto deadline = start + std::chrono::milliseconds(timeout_ms);
    changed = co_await parts_.changes->async_wait(parts_.changes->count_of(*after), deadline, req.interrupts);
  }
  json::object body;
  body["cursor"] = parts_.changes->cursor();
  body["changed"] = changed;
  body["waited_ms"] = std::chrono::duration_cast<std::chrono::milliseconds>(steady::now() - start).count();
  co_return http::json_response(200, body);
}

net::awaitable<http::response> admin_api::platforms(const http::request&) const {
  json::array items;
  for (const auto& p : parts_.fixtures->platforms) {
    const auto mode = parts_.modes.get(p.plat_id);
    const auto ends = parts_.endpoints.get(p.plat_id);
    json::object o;
    o["platId"] = p.plat_id;
    o["name"] = p.name;
    o["mode"] = mode ? json::value(fixtures::verification_mode_name(*mode)) : json::value(nullptr);
    o["webhook_url"] = ends && ends->webhook_url ? json::value(*ends->webhook_url) : json::value(nullptr);
    o["credit_limit_url"] = ends && ends->credit_limit_url ? json::value(*ends->credit_limit_url) : json::value(nullptr);
    items.push_back(std::move(o));
  }
  json::object body;
  body["count"] = items.size();
  body["items"] = std::move(items);
  co_return http::json_response(200, body);
}

http::response admin_api::clock(const http::request&) const {
  const std::int64_t offset = parts_.clock.offset_ms();
  json::object body;
  body["now_ms"] = parts_.clock.now_ms();
  body["offset_ms"] = offset;
  body["mode"] = offset == 0 ? "real" : "shifted";
  return http::json_response(200, body);
}

namespace {

// Why a clock shared through Redis refuses an offset this far back, or
// nullopt when it takes it.
std::optional<std::string> below_min_offset(const state::clock& clock, std::int64_t offset, const std::string& key) {
  const std::optional<std::int64_t> lowest = clock.min_offset_ms();
  if (!lowest || offset >= *lowest) {
    return std::nullopt;
  }
  return key + " would set the clock " + std::to_string(-offset / 86'400'000) +
         " days before real time; with shared state (--state redis) it may go back at most " +
         std::to_string(-*lowest / 86'400'000) + " days, as records' clean-up in Redis runs on real time";
}

}  // namespace

net::awaitable<http::response> admin_api::move_clock(const http::request& req) const {
  const http::json_body parsed = http::parse_json_object(req.body);
  const char* usage = "expected exactly one of {\"advance_ms\": N}, {\"set_ms\": T} or {\"mode\": \"real\"}";
  if (parsed.problem != http::body_problem::none || parsed.object.size() != 1) {
    co_return error_answer(400, "INVALID_BODY", usage);
  }
  const auto& [key, value] = *parsed.object.begin();
  constexpr std::int64_t ten_years_ms = 10LL * 366 * 24 * 3600 * 1000;
  if (key == "advance_ms") {
    if (!value.is_int64() || value.get_int64() < -ten_years_ms || value.get_int64() > ten_years_ms) {
      co_return error_answer(400, "INVALID_FIELD", "advance_ms must be an integer of milliseconds within ±10 years");
    }
    const std::int64_t target = parts_.clock.now_ms() + value.get_int64();
    if (target < 0 || target > 9'999'999'999'999) {
      co_return error_answer(400, "INVALID_FIELD",
                          "advance_ms would move the clock outside 1970 to 2286 (13-digit milliseconds)");
    }
    if (const auto refusal = below_min_offset(parts_.clock, parts_.clock.offset_ms() + value.get_int64(), key)) {
      co_return error_answer(400, "INVALID_FIELD", *refusal);
    }
    co_await parts_.clock.async_advance(value.get_int64());
  } else if (key == "set_ms") {
    if (!value.is_int64() || value.get_int64() < 0 || value.get_int64() > 9'999'999'999'999) {
      co_return error_answer(400, "INVALID_FIELD",
                          "set_ms must be an integer of milliseconds since 1970 (13 digits at most)");
    }
    const std::int64_t offset = value.get_int64() - (parts_.clock.now_ms() - parts_.clock.offset_ms());
    if (const auto refusal = below_min_offset(parts_.clock, offset, key)) {
      co_return error_answer(400, "INVALID_FIELD", *refusal);
    }
    co_await parts_.clock.async_set(value.get_int64());
  } else if (key == "mode") {
    if (!value.is_string() || value.get_string() != "real") {
      co_return error_answer(400, "INVALID_FIELD", "mode must be \"real\" (back to the system clock)");
    }
    co_await parts_.clock.async_reset();
  } else {
    co_return error_answer(400, "INVALID_BODY", std::string(usage) + ", got key '" + support::excerpt(key, 40) + "'");
  }
  support::log_line("clock moved: offset now " + std::to_string(parts_.clock.offset_ms()) + " ms");
  if (parts_.clock_moved) {
    parts_.clock_moved();
  }
  co_return clock(req);
}

net::awaitable<http::response> admin_api::metrics(const http::request&) const {
  const std::int64_t now = parts_.clock.now_ms();
  state::metrics::gauges g;
  g.live_codes = co_await parts_.codes.async_size(now);
  g.live_tokens = co_await parts_.tokens.async_size(now);
  g.journal_entries = co_await parts_.journal.async_size();
  g.codes_evicted = parts_.codes.evicted();
  g.tokens_evicted = parts_.tokens.evicted();
  g.log_lines_dropped = support::log_lines_dropped();
  g.webhook_events_pending = parts_.deliveries != nullptr ? co_await parts_.deliveries->async_pending() : 0;
  g.uptime_seconds = std::chrono::duration<double>(steady::now() - started_).count();
  if (parts_.state_gauges) {
    parts_.state_gauges(g);
  }
  http::response res;
  res.status = 200;
  res.headers.set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
  res.body = parts_.metrics.render(g);
  co_return res;
}

net::awaitable<http::response> admin_api::platform(const http::request& req) const {
  const std::string_view rest = req.path().substr(std::string_view(platforms_prefix).size());
  const std::size_t slash = rest.rfind('/');
  if (slash != std::string_view::npos && slash > 0) {
    const std::string plat_id = http::percent_decode(rest.substr(0, slash));
    const std::string_view what = rest.substr(slash + 1);
    if (what == "verification") {
      co_return co_await verification(req, plat_id);
    }
    if (what == "endpoints") {
      co_return co_await endpoints(req, plat_id);
    }
  }
  co_return error_answer(404, "NOT_FOUND",
                         "expected /__admin/platforms/{platId}/verification or /__admin/platforms/{platId}/endpoints");
}

net::awaitable<http::response> admin_api::verification(const http::request& req, const std::string& plat_id) const {
  if (req.method == "PUT") {
    const http::json_body parsed = http::parse_json_object(req.body);
    const json::value* mode = parsed.problem == http::body_problem::none ? parsed.object.if_contains("mode") : nullptr;
    const auto wanted = mode != nullptr && mode->is_string()
                            ? fixtures::parse_verification_mode(std::string_view(mode->get_string()))
                            : std::nullopt;
    if (!wanted) {
      co_return error_answer(400, "INVALID_BODY",
                             "expected {\"mode\": \"enforce\"}, {\"mode\": \"log-only\"} or {\"mode\": \"off\"}");
    }
    if (!co_await parts_.modes.async_set(plat_id, *wanted)) {
      co_return error_answer(404, "UNKNOWN_PLATFORM", "no platform '" + support::excerpt(plat_id) + "' in the fixtures");
    }
    support::log_line("platform " + plat_id + ": signature verification " + fixtures::verification_mode_name(*wanted));
  }
  const auto current = parts_.modes.get(plat_id);
  if (!current) {
    co_return error_answer(404, "UNKNOWN_PLATFORM", "no platform '" + support::excerpt(plat_id) + "' in the fixtures");
  }
  co_return http::json_response(200,
                                json::object{{"platId", plat_id}, {"mode", fixtures::verification_mode_name(*current)}});
}

namespace {

json::value url_or_null(const std::optional<std::string>& url) {
  return url ? json::value(*url) : json::value(nullptr);
}

}  // namespace

net::awaitable<http::response> admin_api::endpoints(const http::request& req, const std::string& plat_id) const {
  std::optional<state::endpoints> current;
  if (req.method == "PUT") {
    const http::json_body parsed = http::parse_json_object(req.body);
    if (parsed.problem != http::body_problem::none) {
      co_return error_answer(400, "INVALID_BODY",
                             "expected a JSON object such as {\"webhook_url\": \"http://127.0.0.1:9000/hook\", "
                             "\"credit_limit_url\": null}");
    }
    state::endpoints_change change;
    for (const auto& member : parsed.object) {
      const std::string_view key = member.key();
      if (key != "webhook_url" && key != "credit_limit_url") {
        co_return error_answer(400, "INVALID_BODY",
                               "unknown field '" + support::excerpt(key) +
                                   "': only 'webhook_url' and 'credit_limit_url' can be set");
      }
    }
    std::optional<std::string> problem = read_endpoint(parsed.object, "webhook_url", change.webhook_url);
    if (!problem) problem = read_endpoint(parsed.object, "credit_limit_url", change.credit_limit_url);
    if (problem) {
      co_return error_answer(400, "INVALID_BODY", *problem);
    }
    current = co_await parts_.endpoints.async_change(plat_id, change);
    if (current) {
      support::log_line("platform " + plat_id + ": webhook_url " + current->webhook_url.value_or("(none)") +
                        ", credit_limit_url " + current->credit_limit_url.value_or("(none)"));
    }
  } else {
    current = parts_.endpoints.get(plat_id);
  }
  if (!current) {
    co_return error_answer(404, "UNKNOWN_PLATFORM", "no platform '" + support::excerpt(plat_id) + "' in the fixtures");
  }
  co_return http::json_response(200, json::object{{"platId", plat_id},
                                                  {"webhook_url", url_or_null(current->webhook_url)},
                                                  {"credit_limit_url", url_or_null(current->credit_limit_url)}});
}

}  // namespace authsim::admin

#include "uocs/api.hpp"

#include "http/json_body.hpp"
#include "http/json_response.hpp"
#include "journal/exchange.hpp"
#include "support/aliases.hpp"
#include "support/crypto.hpp"
#include "support/json_kind.hpp"
#include "support/json_writer.hpp"
#include "support/terms.hpp"
#include "support/text.hpp"
#include "uocs/tracking_page.hpp"

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/object.hpp>

#include <algorithm>
#include <stdexcept>

namespace authsim::uocs {

namespace {

std::string new_request_id() { return support::random_hex(16); }

// The waybill calls' paths in each revision.
struct call_path {
  call which;
  fixtures::uocs_revision revision;
  const char* path;
};
const std::vector<call_path> paths = {
    {call::capacity, fixtures::uocs_revision::r2024_12, "/uocs-tes/waybill/api/carrierWaybill"},
    {call::create, fixtures::uocs_revision::r2024_12, "/uocs-tes/waybill/api/createWaybill"},
    {call::details, fixtures::uocs_revision::r2024_12, "/uocs-tes/waybill/api/selectOrderDetails"},
    {call::tracking, fixtures::uocs_revision::r2024_12, "/uocs-tes/waybill/api/orderH5View"},
    {call::capacity, fixtures::uocs_revision::r2025, "/uocs-ces/openApi/carrierWaybill"},
    {call::create, fixtures::uocs_revision::r2025, "/uocs-ces/openApi/createWaybill"},
    {call::details, fixtures::uocs_revision::r2025, "/uocs-ces/openApi/selectWaybillDetails"},
    {call::tracking, fixtures::uocs_revision::r2025, "/uocs-ces/openApi/selectWaybillH5View"},
    {call::cancel, fixtures::uocs_revision::r2025, "/uocs-ces/openApi/cancelWaybill"},
};

// The waybill calls' answers carry "params": null, as the upstream's
// examples do; the login's do not.
bool with_params(const http::request& req) { return !req.path().starts_with(auth_prefix); }

// A token's expiry, as the messages write it.
std::string utc(std::int64_t ms) { return support::format_date_time(ms, 0) + " UTC"; }

// The path of `which` in `revision`; nullptr when that revision has none.
const char* path_of(call which, fixtures::uocs_revision revision) {
  for (const auto& p : paths) {
    if (p.which == which && p.revision == revision) {
      return p.path;
    }
  }
  return nullptr;
}

// The revision whose paths `path` is under.
fixtures::uocs_revision revision_of_path(std::string_view path) {
  return path.starts_with(service_prefix_2025) ? fixtures::uocs_revision::r2025 : fixtures::uocs_revision::r2024_12;
}

// A body's requestId (`value`, null when absent) echoed when it is a
// non-empty string; otherwise a fresh one.
std::string request_id_of(const json::value* value) {
  if (value != nullptr && value->is_string() && !value->get_string().empty()) {
    return std::string(value->get_string());
  }
  return new_request_id();
}

// The requestId of a body that may not be a JSON object.
std::string request_id_of(const json::object* body) {
  return request_id_of(body != nullptr ? body->if_contains("requestId") : nullptr);
}

}  // namespace

bool models_path(std::string_view path) {
  return path == login_path ||
         std::any_of(paths.begin(), paths.end(), [&](const call_path& p) { return path == p.path; });
}

api::api(std::shared_ptr<const fixtures::fixture_set> fixtures, const state::clock& clock, state::token_store& tokens,
         waybills& book, std::string public_base_url)
    : fixtures_(std::move(fixtures)),
      clock_(clock),
      tokens_(tokens),
      waybills_(book),
      public_base_url_(std::move(public_base_url)) {}

void api::register_routes(http::router& r) const {
  auto renderer = [this](const http::request& req, const http::failure& f) { return render_failure(req, f); };
  r.add_family(auth_prefix, renderer);
  r.add_family(service_prefix, renderer);
  r.add_family(service_prefix_2025, renderer);
  r.add_async_route("POST", login_path, [this](const http::request& req) { return login(req); });
  for (const auto& p : paths) {
    r.add_async_route("POST", p.path, [this, which = p.which, revision = p.revision](const http::request& req) {
      return waybill_call(req, which, revision);
    });
  }
  r.add_async_template_route("GET", tracking_path, [this](const http::request& req) { return tracking(req); });
  for (const auto& s : fixtures_->stubs) {
    r.add_async_route(s.method, s.path, [this, &s](const http::request& req) { return stub(req, s); });
  }
}

http::response api::envelope(unsigned status, const std::string& request_id, const char* error_code,
                             const std::string& error_message, std::string_view obj, bool params) const {
  support::json_object_writer body;
  body.string("requestId", request_id).boolean("success", error_code == nullptr).null("business");
  body.string_or_null("errorCode", error_code);
  if (error_code != nullptr) {
    body.string("errorMessage", error_message);
  } else {
    body.null("errorMessage");
  }
  if (params) {
    body.null("params");
  }
  body.string("date", support::format_date_time(clock_.now_ms(), fixtures_->uocs.date_utc_offset_minutes))
      .string("version", "1.0")
      .object("obj", obj);
  http::response res = http::json_text_response(status, body.finish());
  res.note.business = journal::business_result{std::nullopt, error_code == nullptr};
  return res;
}

http::response api::render_failure(const http::request& req, const http::failure& f) const {
  http::response res = envelope(f.status, new_request_id(), published_code(class_of(f.kind), revision_of_path(req.path())),
                                f.message.in(http::request_language(req)), "null", with_params(req));
  res.note.check = f.name;
  return res;
}

http::response api::reject(const http::request& req, const std::string& request_id, error_id id,
                           std::initializer_list<std::string_view> args, fixtures::uocs_revision revision) const {
  return reject(req, request_id, refusal{id, std::vector<std::string>(args.begin(), args.end())}, revision);
}

http::response api::reject(const http::request& req, const std::string& request_id, const refusal& r,
                           fixtures::uocs_revision revision) const {
  const error_info& e = info(r.id);
  const bool zh = http::request_language(req) == http::language::zh_cn;
  http::response res = envelope(200, request_id, published_code(e.cls, revision),
                                support::substitute_terms(zh ? e.zh : e.en, r.args, zh), "null", with_params(req));
  res.note.check = e.cause;
  return res;
}

api::login_check api::check_login(const http::request& req) const {
  // The parsed body lives only in this call: its nodes come from the stack
  // (a plain function's: a coroutine's frame would be on the heap).
  unsigned char arena[2048];
  json::monotonic_resource memory(arena, sizeof arena);
  const http::json_body parsed = http::parse_json_object(req.body, &memory);
  if (parsed.problem != http::body_problem::none) {
    return reject(req, new_request_id(), error_id::invalid_json,
                  {http::describe_problem(parsed).in(http::request_language(req))});
  }
  const json::object& obj = parsed.object;
  // A parameter error is written in the revision of the app the body names
  // (2024-12 when it names none); looked up on a refusal only.
  auto rev = [&] {
    const json::value* key = obj.if_contains("appKey");
    const fixtures::uocs_app* named = key != nullptr && key->is_string() ? fixtures_->find_app(key->get_string()) : nullptr;
    return named != nullptr ? named->revision : fixtures::uocs_revision::r2024_12;
  };

  // requestId is optional and echoed; a missing one is generated, so every
  // answer carries one the caller can quote. Login refuses one that is not
  // a string.
  const json::value* given_id = obj.if_contains("requestId");
  if (given_id != nullptr && !given_id->is_null() && !given_id->is_string()) {
    return reject(req, new_request_id(), error_id::invalid_parameter,
                  {"requestId", support::term("a string"), support::term(support::json_kind_name(*given_id))}, rev());
  }
  const std::string request_id = request_id_of(given_id);

  // Required strings, in the order of the upstream's parameter table.
  static constexpr const char* required[] = {"appKey", "appSecret", "deviceId", "hostName", "ip", "userId",
                                             "password"};
  std::string values[std::size(required)];
  for (std::size_t i = 0; i < std::size(required); ++i) {
    const json::string* s = nullptr;
    switch (http::string_field(obj, required[i], s)) {
      case http::field_problem::none: values[i].assign(s->data(), s->size()); break;
      case http::field_problem::missing:
        return reject(req, request_id, error_id::missing_parameter, {required[i]}, rev());
      case http::field_problem::empty:
        return reject(req, request_id, error_id::invalid_parameter,
                      {required[i], "a non-empty string", "an empty string"}, rev());
      case http::field_problem::wrong_type:
        return reject(req, request_id, error_id::invalid_parameter,
                      {required[i], support::term("a string"), support::term(support::json_kind_name(obj.at(required[i])))}, rev());
    }
  }
  const std::string& app_key = values[0];
  const std::string& app_secret = values[1];
  const std::string& user_id = values[5];
  const std::string& password = values[6];

  const fixtures::uocs_app* app = fixtures_->find_app(app_key);
  if (app == nullptr) {
    return reject(req, request_id, error_id::app_key_invalid, {support::excerpt(app_key)}, rev());
  }
  if (!support::constant_time_equal(app_secret, app->app_secret)) {
    return reject(req, request_id, error_id::app_secret_invalid, {app->app_key}, app->revision);
  }
  const fixtures::uocs_account* account = app->find_account(user_id);
  if (account == nullptr) {
    return reject(req, request_id, error_id::user_not_found, {support::excerpt(user_id), app->app_key}, app->revision);
  }
  if (!support::constant_time_equal(password, account->password)) {
    return reject(req, request_id, error_id::password_invalid, {account->user_id}, app->revision);
  }

  const std::int64_t now = clock_.now_ms();
  login_check out;
  state::token_record& record = out.record;
  record.token = "DEF_A3_" + support::random_hex(16) + std::to_string(now);
  out.app = app;
  record.app_key = app->app_key;
  record.user_id = account->user_id;
  record.request_id = request_id;
  record.issued_at_ms = now;
  record.expires_at_ms = now + fixtures_->uocs.token_ttl_ms;
  return out;
}

net::awaitable<http::response> api::login(const http::request& req) const {
  login_check checked = check_login(req);
  if (checked.refusal) {
    co_return std::move(*checked.refusal);
  }
  // 2025 names the account `ak` in the answer.
  const bool ak = checked.app->revision == fixtures::uocs_revision::r2025;
  support::json_object_writer result;
  result.string(ak ? "ak" : "userId", checked.record.user_id).string("token", checked.record.token);
  std::string request_id = checked.record.request_id;
  const std::int64_t now = checked.record.issued_at_ms;
  if (!tokens_.try_issue(checked.record, now)) {
    co_await tokens_.async_issue(std::move(checked.record), now);
  }
  http::response res = envelope(200, request_id, nullptr, {}, result.finish());
  res.note.check = "ok";
  co_return res;
}



net::awaitable<api::token_check> api::check_token(const http::request& req, const std::string& request_id,
                                                  fixtures::uocs_revision revision) const {
  token_check out;
  const std::string* token = req.headers.find("token");
  if (token == nullptr || token->empty()) {
    out.refusal = reject(req, request_id, error_id::token_missing, {}, revision);
    co_return out;
  }
  const std::int64_t now = clock_.now_ms();
  const state::token_lookup found = co_await tokens_.async_find(*token, now);
  switch (found.status) {
    case state::token_status::unknown:
      out.refusal = reject(req, request_id, error_id::token_invalid, {journal::redact_header("token", *token)}, revision);
      break;
    case state::token_status::expired:
      out.refusal = reject(req, request_id, error_id::token_expired, {utc(found.record.expires_at_ms), utc(now)}, revision);
      break;
    case state::token_status::valid: out.record = found.record; break;
  }
  co_return out;
}

net::awaitable<http::response> api::stub(const http::request& req, const fixtures::uocs_stub& stub) const {
  const http::json_body parsed = http::parse_json_object(req.body);
  const std::string request_id = request_id_of(parsed.problem == http::body_problem::none ? &parsed.object : nullptr);
  token_check token = co_await check_token(req, request_id, revision_of_path(req.path()));
  if (token.refusal) {
    co_return std::move(*token.refusal);
  }
  const std::int64_t now = clock_.now_ms();
  support::json_object_writer body;
  body.string("requestId", request_id)
      .boolean("success", true)
      .value("business", stub.business)
      .null("errorCode")
      .null("errorMessage");
  if (with_params(req)) {
    body.null("params");
  }
  body.string("date", support::format_date_time(now, fixtures_->uocs.date_utc_offset_minutes))
      .string("version", "1.0")
      .value("obj", stub.obj);
  http::response res = http::json_text_response(200, body.finish());
  res.note.business = journal::business_result{std::nullopt, true};
  res.note.check = "ok (stub " + stub.name + ", user " + token.record.user_id + ")";
  co_return res;
}

net::awaitable<http::response> api::waybill_call(const http::request& req, call which,
                                                 fixtures::uocs_revision path_revision) const {
  unsigned char arena[4096];
  json::monotonic_resource memory(arena, sizeof arena);
  const http::json_body parsed = http::parse_json_object(req.body, &memory);
  const bool object = parsed.problem == http::body_problem::none;
  const std::string request_id = request_id_of(object ? &parsed.object : nullptr);
  // The token first, as the upstream's gateway checks it before the body.
  token_check token = co_await check_token(req, request_id, path_revision);
  if (token.refusal) {
    co_return std::move(*token.refusal);
  }
  const fixtures::uocs_app* app = fixtures_->find_app(token.record.app_key);
  if (app == nullptr) {
    co_return reject(req, request_id, error_id::app_key_invalid, {token.record.app_key}, path_revision);
  }
  if (app->revision != path_revision) {
    const char* right = path_of(which, app->revision);
    if (right == nullptr) {
      co_return reject(req, request_id, error_id::not_in_revision,
                       {app->app_key, fixtures::uocs_revision_name(app->revision), req.path(),
                        fixtures::uocs_revision_name(path_revision)},
                       path_revision);
    }
    co_return reject(req, request_id, error_id::wrong_revision,
                     {app->app_key, fixtures::uocs_revision_name(app->revision), right, req.path()}, path_revision);
  }
  if (!object) {
    co_return reject(req, request_id, error_id::invalid_json,
                     {http::describe_problem(parsed).in(http::request_language(req))}, path_revision);
  }
  co_return co_await answer_waybill_call(req, request_id, which, path_revision, *app, token.record, parsed.object);
}

net::awaitable<http::response> api::answer_waybill_call(const http::request& req, const std::string& request_id, call which,
                                        fixtures::uocs_revision revision, const fixtures::uocs_app& app,
                                        const state::token_record& token, const json::object& body) const {
  auto refuse = [&](const refusal& r) { return reject(req, request_id, r, revision); };
  auto developer = [&](const std::string& dev_code) -> std::optional<refusal> {
    if (app.has_developer(dev_code)) {
      return std::nullopt;
    }
    std::string known;
    for (const auto& d : app.developers) {
      known += (known.empty() ? "" : ", ") + d;
    }
    return refusal{error_id::unknown_developer,
                   {support::excerpt(dev_code, 64), app.app_key, known.empty() ? support::both("none", "无") : known}};
  };
  auto ok = [&](std::string obj, const char* check) {
    http::response res = envelope(200, request_id, nullptr, {}, obj, true);
    res.note.check = check;
    return res;
  };
  const std::int64_t now = clock_.now_ms();

  if (which == call::capacity) {
    auto read = read_capacity(body);
    if (auto* r = std::get_if<refusal>(&read)) {
      co_return refuse(*r);
    }
    const auto& q = std::get<capacity_request>(read);
    if (auto r = developer(q.dev_code)) {
      co_return refuse(*r);
    }
    auto planned = plan_route(*fixtures_, q);
    if (auto* r = std::get_if<refusal>(&planned)) {
      co_return refuse(*r);
    }
    const route& way = std::get<route>(planned);
    support::json_object_writer obj;
    obj.number("gpsType", q.gps_type).number("goodsType", q.goods_type);
    for (const auto& [prefix, st] : {std::pair{"takeoff", way.takeoff}, std::pair{"landing", way.landing}}) {
      const std::string p(prefix);
      obj.string(p + "Code", st->code)
          .string(p + "Lon", st->lon)
          .string(p + "Lat", st->lat)
          .string(p + "Name", st->name)
          .string(p + "Addr", st->addr)
          .string(p + "Tel", st->tel);
    }
    obj.number("flightTime", way.flight_minutes);
    co_return ok(obj.finish(), "ok (carriable)");
  }

  if (which == call::create) {
    auto read = read_create(body);
    if (auto* r = std::get_if<refusal>(&read)) {
      co_return refuse(*r);
    }
    const auto& q = std::get<create_request>(read);
    if (auto r = developer(q.dev_code)) {
      co_return refuse(*r);
    }
    auto checked = check_route(*fixtures_, q);
    if (auto* r = std::get_if<refusal>(&checked)) {
      co_return refuse(*r);
    }
    auto made = co_await waybills_.async_create(app, token.user_id, q, std::get<route>(checked));
    if (auto* r = std::get_if<refusal>(&made)) {
      co_return refuse(*r);
    }
    const waybill& w = std::get<waybill>(made);
    support::json_object_writer obj;
    obj.string("fyCode", w.fy_code).string("sendCode", w.send_code);
    co_return ok(obj.finish(), "ok (waybill created)");
  }

  auto read = read_ref(body, which == call::cancel);
  if (auto* r = std::get_if<refusal>(&read)) {
    co_return refuse(*r);
  }
  const auto& q = std::get<waybill_ref>(read);
  if (auto r = developer(q.dev_code)) {
    co_return refuse(*r);
  }
  const std::optional<waybill> found = co_await waybills_.async_find(q.fy_code);
  if (!found) {
    co_return refuse(refusal{error_id::unknown_waybill, {support::excerpt(q.fy_code, 64)}});
  }
  if (found->app_key != app.app_key) {
    co_return refuse(refusal{error_id::other_apps_waybill, {found->fy_code, found->app_key, app.app_key}});
  }
  if (which == call::details) {
    co_return ok(details_obj(*found, now), "ok");
  }
  if (which == call::tracking) {
    support::json_object_writer obj;
    obj.string("url", public_base_url_ + tracking_prefix + found->fy_code).string("fyCode", found->fy_code);
    http::response res = ok(obj.finish(), "ok");
    co_return res;
  }
  auto cancelled = co_await waybills_.async_cancel(q.fy_code, q.reason);
  if (auto* r = std::get_if<refusal>(&cancelled)) {
    co_return refuse(*r);
  }
  co_return ok("1", "ok (waybill cancelled)");
}

std::string api::details_obj(const waybill& w, std::int64_t now) const {
  const int offset = fixtures_->uocs.date_utc_offset_minutes;
  auto time_of = [&](int status) -> std::optional<std::string> {
    const auto at = w.reached_by(status, now);
    return at ? std::optional(support::format_date_time(*at, offset)) : std::nullopt;
  };

  const int status = w.status_at(now);
  const bool picked = w.reached_by(1, now).has_value();
  const bool flown = w.reached_by(2, now).has_value();
  const bool landed = w.reached_by(3, now).has_value();
  support::json_object_writer o;
  o.string("fyCode", w.fy_code).string("bizCode", w.request.biz_code);
  o.string_or_null("uavId", picked ? std::optional(w.uav_id) : std::nullopt);
  o.string_or_null("taskId", picked ? std::optional(w.task_id) : std::nullopt);
  o.string_or_null("takeoffCode", flown ? std::optional(w.takeoff_code()) : std::nullopt);
  o.string_or_null("takeoffTime", time_of(2));
  o.string_or_null("receiveTime", time_of(1));
  o.string_or_null("sendTime", time_of(4));
  o.string_or_null("landingCode", landed ? std::optional(w.landing_code()) : std::nullopt);
  o.string_or_null("landingTime", time_of(3));
  o.string_or_null("pickUpCode", landed ? std::optional(w.pick_up_code) : std::nullopt);
  o.number("orderStatus", status).number("taskStatus", w.task_status_at(now)).string("sendCode", w.send_code);
  o.string_or_null("exceptionReason", status == status_exception ? std::optional(w.exception_reason) : std::nullopt);
  return o.finish();
}

net::awaitable<http::response> api::tracking(const http::request& req) const {
  const std::string fy_code(http::template_segment(tracking_path, req.path(), 0));
  const std::int64_t now = clock_.now_ms();
  const std::optional<waybill> w = co_await waybills_.async_find(fy_code);
  http::response res;
  res.status = w ? 200 : 404;
  res.headers.set("Content-Type", "text/html; charset=utf-8");
  res.headers.set("Cache-Control", "no-store");
  res.headers.set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'");
  res.body = render_tracking_page(fy_code, w, *fixtures_, now);
  res.note.check = w ? "ok" : "UNKNOWN_WAYBILL";
  co_return res;
}

}  // namespace authsim::uocs

#include "uocs/api.hpp"

#include "http/json_body.hpp"
#include "http/json_response.hpp"
#include "journal/exchange.hpp"
#include "support/aliases.hpp"
#include "support/crypto.hpp"
#include "support/json_kind.hpp"
#include "support/json_writer.hpp"
#include "support/text.hpp"

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/object.hpp>

#include <stdexcept>

namespace authsim::uocs {

namespace {

const std::vector<error_info> catalogue = {
    {error_id::invalid_json, "INVALID_JSON", "the request body must be a JSON object: {0}",
     "请求体必须是 JSON 对象：{0}"},
    {error_id::missing_parameter, "MISSING_PARAMETER", "missing required parameter '{0}'",
     "缺少必填参数 '{0}'"},
    {error_id::invalid_parameter, "INVALID_PARAMETER", "parameter '{0}' must be {1}, got {2}",
     "参数 '{0}' 应为 {1}，实际为 {2}"},
    {error_id::app_key_invalid, "APP_KEY_INVALID", "appKey '{0}' is not a known app",
     "appKey '{0}' 不是已配置的应用"},
    {error_id::app_secret_invalid, "APP_SECRET_INVALID", "appSecret does not match the secret of app '{0}'",
     "appSecret 与应用 '{0}' 的秘钥不一致"},
    {error_id::user_not_found, "USER_NOT_FOUND", "userId '{0}' is not an account of app '{1}'",
     "userId '{0}' 不是应用 '{1}' 的账号"},
    {error_id::password_invalid, "PASSWORD_INVALID", "password does not match account '{0}'",
     "password 与账号 '{0}' 的密码不一致"},
    {error_id::token_missing, "TOKEN_MISSING",
     "missing header 'token': log in with POST /apis-auth/login/auth and send its obj.token",
     "缺少请求头 'token'：请先调用 POST /apis-auth/login/auth 登录并携带返回的 obj.token"},
    {error_id::token_invalid, "TOKEN_INVALID", "header 'token' holds a token this simulator never issued: '{0}'",
     "请求头 'token' 中的令牌不是本模拟器签发的：'{0}'"},
    {error_id::token_expired, "TOKEN_EXPIRED", "the token expired at {0} (server time {1}); log in again",
     "令牌已于 {0} 过期（服务器时间 {1}）；请重新登录"},
};

const error_info& info(error_id id) {
  for (const auto& e : catalogue) {
    if (e.id == id) {
      return e;
    }
  }
  throw std::logic_error("uocs error id without a catalogue entry");
}

std::string new_request_id() { return support::random_hex(16); }

}  // namespace

const std::vector<error_info>& all_errors() { return catalogue; }

api::api(std::shared_ptr<const fixtures::fixture_set> fixtures, const state::clock& clock, state::token_store& tokens)
    : fixtures_(std::move(fixtures)), clock_(clock), tokens_(tokens) {}

void api::register_routes(http::router& r) const {
  auto renderer = [this](const http::request& req, const http::failure& f) { return render_failure(req, f); };
  r.add_family(auth_prefix, renderer);
  r.add_family(service_prefix, renderer);
  r.add_async_route("POST", login_path, [this](const http::request& req) { return login(req); });
  for (const auto& s : fixtures_->stubs) {
    r.add_async_route(s.method, s.path, [this, &s](const http::request& req) { return stub(req, s); });
  }
}

http::response api::envelope(unsigned status, const std::string& request_id, const char* error_code,
                             const std::string& error_message, std::string_view obj) const {
  support::json_object_writer body;
  body.string("requestId", request_id).boolean("success", error_code == nullptr).null("business");
  body.string_or_null("errorCode", error_code);
  if (error_code != nullptr) {
    body.string("errorMessage", error_message);
  } else {
    body.null("errorMessage");
  }
  body.string("date", support::format_date_time(clock_.now_ms(), fixtures_->uocs.date_utc_offset_minutes))
      .string("version", "1.0")
      .object("obj", obj);
  http::response res = http::json_text_response(status, body.finish());
  res.note.business = journal::business_result{std::nullopt, error_code == nullptr};
  return res;
}

http::response api::render_failure(const http::request& req, const http::failure& f) const {
  return envelope(f.status, new_request_id(), f.name, f.message.in(http::request_language(req)),
                  "null");
}

http::response api::reject(const http::request& req, const std::string& request_id, error_id id,
                           std::initializer_list<std::string_view> args) const {
  const error_info& e = info(id);
  const bool zh = http::request_language(req) == http::language::zh_cn;
  http::response res = envelope(200, request_id, e.code, support::substitute(zh ? e.zh : e.en, args), "null");
  res.note.check = e.code;
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

  // requestId is optional and echoed; a missing one is generated, so every
  // answer carries one the caller can quote.
  std::string request_id;
  if (const json::value* v = obj.if_contains("requestId"); v != nullptr && !v->is_null()) {
    const json::string* s = v->if_string();
    if (s == nullptr) {
      return reject(req, new_request_id(), error_id::invalid_parameter,
                    {"requestId", "a string", support::json_kind_name(*v)});
    }
    request_id.assign(s->data(), s->size());
  }
  if (request_id.empty()) {
    request_id = new_request_id();
  }

  // Required strings, in the order of the upstream's parameter table.
  static constexpr const char* required[] = {"appKey", "appSecret", "deviceId", "hostName", "ip", "userId",
                                             "password"};
  std::string values[std::size(required)];
  for (std::size_t i = 0; i < std::size(required); ++i) {
    const json::string* s = nullptr;
    switch (http::string_field(obj, required[i], s)) {
      case http::field_problem::none: values[i].assign(s->data(), s->size()); break;
      case http::field_problem::missing:
        return reject(req, request_id, error_id::missing_parameter, {required[i]});
      case http::field_problem::empty:
        return reject(req, request_id, error_id::invalid_parameter,
                      {required[i], "a non-empty string", "an empty string"});
      case http::field_problem::wrong_type:
        return reject(req, request_id, error_id::invalid_parameter,
                      {required[i], "a string", support::json_kind_name(obj.at(required[i]))});
    }
  }
  const std::string& app_key = values[0];
  const std::string& app_secret = values[1];
  const std::string& user_id = values[5];
  const std::string& password = values[6];

  const fixtures::uocs_app* app = fixtures_->find_app(app_key);
  if (app == nullptr) {
    return reject(req, request_id, error_id::app_key_invalid, {support::excerpt(app_key)});
  }
  if (!support::constant_time_equal(app_secret, app->app_secret)) {
    return reject(req, request_id, error_id::app_secret_invalid, {app->app_key});
  }
  const fixtures::uocs_account* account = app->find_account(user_id);
  if (account == nullptr) {
    return reject(req, request_id, error_id::user_not_found, {support::excerpt(user_id), app->app_key});
  }
  if (!support::constant_time_equal(password, account->password)) {
    return reject(req, request_id, error_id::password_invalid, {account->user_id});
  }

  const std::int64_t now = clock_.now_ms();
  login_check out;
  state::token_record& record = out.record;
  record.token = "DEF_A3_" + support::random_hex(16) + std::to_string(now);
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
  support::json_object_writer result;
  result.string("userId", checked.record.user_id).string("token", checked.record.token);
  std::string request_id = checked.record.request_id;
  const std::int64_t now = checked.record.issued_at_ms;
  if (!tokens_.try_issue(checked.record, now)) {
    co_await tokens_.async_issue(std::move(checked.record), now);
  }
  http::response res = envelope(200, request_id, nullptr, {}, result.finish());
  res.note.check = "ok";
  co_return res;
}



net::awaitable<http::response> api::stub(const http::request& req, const fixtures::uocs_stub& stub) const {
  // requestId is echoed from a JSON body that has one, as login does.
  std::string request_id;
  const http::json_body parsed = http::parse_json_object(req.body);
  if (parsed.problem == http::body_problem::none) {
    if (const json::value* v = parsed.object.if_contains("requestId"); v != nullptr && v->is_string()) {
      request_id = std::string(v->get_string());
    }
  }
  if (request_id.empty()) {
    request_id = new_request_id();
  }
  const std::string* token = req.headers.find("token");
  if (token == nullptr || token->empty()) {
    co_return reject(req, request_id, error_id::token_missing, {});
  }
  const std::int64_t now = clock_.now_ms();
  const state::token_lookup found = co_await tokens_.async_find(*token, now);
  switch (found.status) {
    case state::token_status::unknown:
      co_return reject(req, request_id, error_id::token_invalid, {journal::redact_header("token", *token)});
    case state::token_status::expired: {
      auto when = [](std::int64_t ms) { return support::format_date_time(ms, 0) + " UTC"; };
      co_return reject(req, request_id, error_id::token_expired, {when(found.record.expires_at_ms), when(now)});
    }
    case state::token_status::valid: break;
  }
  support::json_object_writer body;
  body.string("requestId", request_id)
      .boolean("success", true)
      .value("business", stub.business)
      .null("errorCode")
      .null("errorMessage")
      .string("date", support::format_date_time(now, fixtures_->uocs.date_utc_offset_minutes))
      .string("version", "1.0")
      .value("obj", stub.obj);
  http::response res = http::json_text_response(200, body.finish());
  res.note.business = journal::business_result{std::nullopt, true};
  res.note.check = "ok (stub " + stub.name + ", user " + found.record.user_id + ")";
  co_return res;
}

}  // namespace authsim::uocs

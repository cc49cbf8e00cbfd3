#include "uocs/errors.hpp"

#include <stdexcept>

namespace authsim::uocs {

namespace {

using enum code_class;

const std::vector<error_info> catalogue = {
    {error_id::invalid_json, "INVALID_JSON", parameter, "the request body must be a JSON object: {0}",
     "请求体必须是 JSON 对象：{0}"},
    {error_id::missing_parameter, "MISSING_PARAMETER", parameter, "missing required parameter '{0}'",
     "缺少必填参数 '{0}'"},
    {error_id::invalid_parameter, "INVALID_PARAMETER", parameter, "parameter '{0}' must be {1}, got {2}",
     "参数 '{0}' 应为{1}，实际为{2}"},
    {error_id::app_key_invalid, "APP_KEY_INVALID", unauthorized, "appKey '{0}' is not a known app",
     "appKey '{0}' 不是已配置的应用"},
    {error_id::app_secret_invalid, "APP_SECRET_INVALID", unauthorized,
     "appSecret does not match the secret of app '{0}'", "appSecret 与应用 '{0}' 的秘钥不一致"},
    {error_id::user_not_found, "USER_NOT_FOUND", unauthorized, "userId '{0}' is not an account of app '{1}'",
     "userId '{0}' 不是应用 '{1}' 的账号"},
    {error_id::password_invalid, "PASSWORD_INVALID", unauthorized, "password does not match account '{0}'",
     "'password' 与账号 '{0}' 的密码不一致"},
    {error_id::token_missing, "TOKEN_MISSING", token_empty,
     "missing header 'token': log in with POST /apis-auth/login/auth and send its obj.token",
     "缺少请求头 'token'：请先调用 POST /apis-auth/login/auth 登录并携带返回的 obj.token"},
    {error_id::token_invalid, "TOKEN_INVALID", code_class::token_invalid,
     "header 'token' holds a token this simulator never issued: '{0}'; log in again",
     "请求头 'token' 中的令牌不是本模拟器签发的：'{0}'；请重新登录"},
    {error_id::token_expired, "TOKEN_EXPIRED", code_class::token_invalid,
     "the token expired at {0} (server time {1}); log in again", "令牌已于 {0} 过期（服务器时间 {1}）；请重新登录"},
    {error_id::wrong_revision, "WRONG_REVISION", unauthorized,
     "app '{0}' uses UOCS API revision {1}: call {2}, not {3}", "应用 '{0}' 使用 UOCS 接口版本 {1}：请调用 {2}，而不是 {3}"},
    {error_id::not_in_revision, "NOT_IN_REVISION", unauthorized,
     "app '{0}' uses UOCS API revision {1}, which has no {2} (it is in revision {3} only)",
     "应用 '{0}' 使用 UOCS 接口版本 {1}，该版本没有 {2}（仅 {3} 版本提供）"},
    {error_id::unknown_developer, "UNKNOWN_DEVELOPER", unauthorized,
     "devCode '{0}' is not a developer account of app '{1}' (its accounts: {2})",
     "devCode '{0}' 不是应用 '{1}' 的开发者账号（其账号：{2}）"},
    {error_id::unknown_waybill, "UNKNOWN_WAYBILL", parameter,
     "fyCode '{0}' is not a waybill (never created, or forgotten after a reset)",
     "fyCode '{0}' 不是已创建的运单（未创建，或已被重置清除）"},
    {error_id::other_apps_waybill, "OTHER_APPS_WAYBILL", unauthorized,
     "waybill '{0}' belongs to app '{1}', not to this token's app '{2}'",
     "运单 '{0}' 属于应用 '{1}'，不属于当前令牌的应用 '{2}'"},
    {error_id::unknown_station, "UNKNOWN_STATION", parameter, "{0} '{1}' is not a station code (stations: {2})",
     "{0} '{1}' 不是航站编码（航站：{2}）"},
    {error_id::station_too_far, "STATION_TOO_FAR", parameter,
     "{0} is {1} m from station {2}, which serves points within {3} m",
     "{0} 距离航站 {2} {1} 米，超出其 {3} 米的服务范围"},
    {error_id::out_of_service_area, "OUT_OF_SERVICE_AREA", parameter,
     "the {0} point ({1}, {2}) is outside every station's service area: the nearest, {3}, is {4} m away and serves "
     "{5} m",
     "{0}地址 ({1}, {2}) 不在任何航站的服务范围内：最近的航站 {3} 相距 {4} 米，服务范围 {5} 米"},
    {error_id::overweight, "OVERWEIGHT", parameter, "goodsWeight {0} g is over the {1} g a drone carries",
     "goodsWeight {0} 克超过无人机的载重上限 {1} 克"},
    {error_id::duplicate_biz_code, "DUPLICATE_BIZ_CODE", parameter,
     "bizCode '{0}' was already used by devCode '{1}' (waybill {2})", "bizCode '{0}' 已被 devCode '{1}' 使用（运单 {2}）"},
    {error_id::cancel_not_allowed, "CANCEL_NOT_ALLOWED", parameter,
     "waybill {0} is {1}: a waybill can be cancelled only before pickup (orderStatus 0)",
     "运单 {0} 当前为{2}：仅揽件前（orderStatus 0）可取消"},
};

}  // namespace

const char* published_code(code_class c, fixtures::uocs_revision r) {
  switch (c) {
    case parameter: return r == fixtures::uocs_revision::r2025 ? "10001" : "10002";
    case interface: return "10006";
    case token_empty: return "09020101";
    case code_class::token_invalid: return "09020102";
    case unauthorized: return "09020206";
  }
  return "10006";
}

const std::vector<error_info>& all_errors() { return catalogue; }

const error_info& info(error_id id) {
  for (const auto& e : catalogue) {
    if (e.id == id) {
      return e;
    }
  }
  throw std::logic_error("uocs error id without a catalogue entry");
}

code_class class_of(http::failure_kind kind) {
  switch (kind) {
    case http::failure_kind::bad_request:
    case http::failure_kind::body_too_large:
    case http::failure_kind::header_too_large:
    case http::failure_kind::unknown_scenario: return parameter;
    default: return interface;
  }
}

}  // namespace authsim::uocs

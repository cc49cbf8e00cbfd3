#include "creditpay/messages.hpp"

#include "support/terms.hpp"
#include "support/text.hpp"

#include <stdexcept>

namespace authsim::creditpay {

namespace {

// Kept in the order of the checks; codes group by cause: 400xx request
// shape, 401xx authentication, 4002x code redemption, 500 what the
// platform's own endpoint did (the upstream's one documented error code).
const std::vector<error_info> catalogue = {
    {error_id::missing_plat_id, "missing_plat_id", 400, 40001,
     "missing query parameter 'platId' (the platform id; 'plat_id' is also accepted)",
     "缺少查询参数 'platId'（平台唯一 ID；也接受 'plat_id'）"},
    {error_id::missing_trace, "missing_trace", 400, 40002,
     "missing required header 'trace' (your trace id, echoed back in the answer)",
     "缺少必需的请求头 'trace'（链路追踪 ID，会在响应中原样返回）"},
    {error_id::unknown_platform, "unknown_platform", 401, 40101,
     "unknown platform: platId '{0}' is not configured in this simulator's fixtures",
     "未知平台：platId '{0}' 未在模拟器的夹具文件中配置"},
    {error_id::missing_api_key, "missing_api_key", 401, 40102,
     "missing required header 'api-key' (the platform's API key)",
     "缺少必需的请求头 'api-key'（平台密钥）"},
    {error_id::api_key_mismatch, "api_key_mismatch", 401, 40103,
     "header 'api-key' does not match the API key of platform '{0}'",
     "请求头 'api-key' 与平台 '{0}' 的密钥不一致"},
    {error_id::missing_signature, "missing_signature", 401, 40104,
     "missing required header 'signature' ({0} in {1} of the path '{2}' followed by the raw body)",
     "缺少必需的请求头 'signature'（对路径 '{2}' 加原始请求体计算的 {0}，{1} 编码）"},
    {error_id::signature_mismatch, "signature_mismatch", 401, 40105,
     "signature mismatch: expected {0} in {1} ({2} characters) of the signed path '{3}' followed by "
     "the raw body ({4} bytes), keyed with the platform's signature key; received {5} characters",
     "签名不一致：应为使用平台签名密钥对签名路径 '{3}' 加原始请求体（{4} 字节）计算的 {0}，"
     "{1} 编码（{2} 个字符）；收到的签名为 {5} 个字符"},
    {error_id::body_empty, "body_empty", 400, 40010,
     "the request body is empty; expected a JSON object",
     "请求体为空；应为 JSON 对象"},
    {error_id::body_not_json, "body_not_json", 400, 40010,
     "the request body is not valid JSON (stopped at byte {0}: {1})",
     "请求体不是合法的 JSON（在第 {0} 字节处停止：{1}）"},
    {error_id::body_duplicate_key, "body_duplicate_key", 400, 40010,
     "the request body holds the key '{0}' twice; send each field once",
     "请求体中键 '{0}' 出现了两次；每个字段只能传一次"},
    {error_id::body_not_object, "body_not_object", 400, 40011,
     "the request body must be a JSON object, got {0}",
     "请求体必须是 JSON 对象，实际为{0}"},
    {error_id::missing_field, "missing_field", 400, 40012,
     "missing required field '{0}' in the body",
     "请求体缺少必填字段 '{0}'"},
    {error_id::wrong_type, "wrong_type", 400, 40013,
     "field '{0}' must be {1}, got {2}",
     "字段 '{0}' 的类型应为{1}，实际为{2}"},
    {error_id::empty_field, "empty_field", 400, 40014,
     "field '{0}' must not be empty",
     "字段 '{0}' 不能为空"},
    {error_id::conflicting_custom_no, "conflicting_custom_no", 400, 40014,
     "fields 'custom_no' ('{0}') and 'customer_no' ('{1}') are both present and differ; send one of them",
     "字段 'custom_no'（'{0}'）与 'customer_no'（'{1}'）同时存在且不一致；请只传其中一个"},
    {error_id::token_expire_format, "token_expire_format", 400, 40014,
     "field 'token_expire' must be a 13-digit timestamp in milliseconds, written as an integer, got {0}",
     "字段 'token_expire' 必须是写成整数的 13 位毫秒时间戳，实际为 {0}"},
    {error_id::token_expire_past, "token_expire_past", 400, 40014,
     "field 'token_expire' ({0}) is already in the past (server time {1})",
     "字段 'token_expire'（{0}）已过期（服务器时间 {1}）"},
    {error_id::callback_url_invalid, "callback_url_invalid", 400, 40014,
     "field 'callback_url' must be an absolute http:// or https:// URL, got '{0}'",
     "字段 'callback_url' 必须是 http:// 或 https:// 开头的完整 URL，实际为 '{0}'"},
    {error_id::client_ip_invalid, "client_ip_invalid", 400, 40014,
     "field 'client_ip' must be an IPv4 or IPv6 address, got '{0}'",
     "字段 'client_ip' 必须是 IPv4 或 IPv6 地址，实际为 '{0}'"},
    {error_id::field_too_long, "field_too_long", 400, 40014,
     "field '{0}' is {1} bytes long; at most {2} are accepted",
     "字段 '{0}' 长 {1} 字节；最多接受 {2} 字节"},
    {error_id::url_invalid, "url_invalid", 400, 40014,
     "field '{0}' must be an absolute http:// or https:// URL, got '{1}'",
     "字段 '{0}' 必须是 http:// 或 https:// 开头的完整 URL，实际为 '{1}'"},
    {error_id::amount_invalid, "amount_invalid", 400, 40014,
     "field '{0}' must be a non-negative amount such as \"10001.23\" (a string or a number), got {1}",
     "字段 '{0}' 必须是非负金额，例如 \"10001.23\"（字符串或数字），实际为 {1}"},
    {error_id::currency_invalid, "currency_invalid", 400, 40014,
     "field '{0}' must be a 3-letter currency code such as CNY, got '{1}'",
     "字段 '{0}' 必须是 3 个大写字母的币种代码，例如 CNY，实际为 '{1}'"},
    {error_id::too_many_cards, "too_many_cards", 400, 40014,
     "field 'credit_limit_available_cards' holds {0} cards; at most {1} are accepted",
     "字段 'credit_limit_available_cards' 含 {0} 张卡；最多接受 {1} 张"},
    {error_id::credit_limit_incomplete, "credit_limit_incomplete", 400, 40012,
     "field '{0}' is given without '{1}'; the credit data needs both",
     "传了字段 '{0}' 却没有 '{1}'；授信额数据需要两者同时提供"},
    {error_id::credit_limit_tag_unmatched, "credit_limit_tag_unmatched", 400, 40014,
     "field 'credit_limit_tag' ('{0}') names none of the cards in 'credit_limit_available_cards' (their tags: {1})",
     "字段 'credit_limit_tag'（'{0}'）与 'credit_limit_available_cards' 中任何一张卡的 'tag' 都不对应（现有的 'tag'：{1}）"},
    {error_id::ident_code_unknown, "ident_code_unknown", 400, 40020,
     "unknown ident_code '{0}': it was never issued by this simulator (or was forgotten long after expiring)",
     "未知的 ident_code '{0}'：本模拟器未签发过该授权码（或已过期很久被清除）"},
    {error_id::ident_code_expired, "ident_code_expired", 400, 40021,
     "ident_code '{0}' expired at {1} (server time {2}); ask for a new one",
     "ident_code '{0}' 已于 {1} 过期（服务器时间 {2}）；请重新获取"},
    {error_id::ident_code_redeemed, "ident_code_redeemed", 400, 40022,
     "ident_code '{0}' was already redeemed at {1}; a code works only once",
     "ident_code '{0}' 已于 {1} 使用过；授权码只能使用一次"},
    {error_id::missing_authorization, "missing_authorization", 401, 40106,
     "missing required header 'authorization' ('Bearer ' followed by the open_token that "
     "/dg/v1/identify/redirect answered)",
     "缺少必需的请求头 'authorization'（'Bearer ' 加 /dg/v1/identify/redirect 返回的 open_token）"},
    {error_id::authorization_not_bearer, "authorization_not_bearer", 401, 40107,
     "header 'authorization' must be 'Bearer ' followed by the open_token, got '{0}'",
     "请求头 'authorization' 必须是 'Bearer ' 加 open_token，实际为 '{0}'"},
    {error_id::open_token_malformed, "open_token_malformed", 401, 40107,
     "the open_token is not a JWT this simulator issues: {0}",
     "open_token 不是本模拟器签发的 JWT：{0}"},
    {error_id::open_token_bad_signature, "open_token_bad_signature", 401, 40108,
     "the open_token's signature does not match: it was not issued by this simulator, or was changed "
     "(or the fixtures' jwt_secret changed since)",
     "open_token 的签名不一致：它不是本模拟器签发的，或已被改动（或夹具文件的 jwt_secret 已更换）"},
    {error_id::open_token_expired, "open_token_expired", 401, 40109,
     "the open_token expired at {0} (server time {1}); redeem a new ident_code",
     "open_token 已于 {0} 过期（服务器时间 {1}）；请重新兑换 ident_code"},
    {error_id::open_token_code_gone, "open_token_code_gone", 401, 40110,
     "the open_token is good, but its ident_code '{0}' is no longer held by this simulator "
     "(more than --max-codes codes were issued since, or the state was reset); log in again",
     "open_token 有效，但其 ident_code '{0}' 已不在本模拟器中（此后签发的授权码超过了 --max-codes，"
     "或状态已被重置）；请重新登录"},
    {error_id::credit_limit_unset, "credit_limit_unset", 500, 500,
     "platform '{0}' has no credit-limit endpoint, and the identify request carried no credit_limit_* "
     "fields: set credit_limit_url (PUT /__admin/platforms/{0}/endpoints or the fixtures) or send the "
     "credit data with identify",
     "平台 '{0}' 未配置授信额接口，获取授权码时也未传 credit_limit_* 字段：请设置 credit_limit_url"
     "（PUT /__admin/platforms/{0}/endpoints 或夹具文件），或在获取授权码时传入授信额数据"},
    {error_id::credit_limit_call_failed, "credit_limit_call_failed", 500, 500,
     "the platform's credit-limit endpoint {0} gave no answer: {1}",
     "平台授信额接口 {0} 没有返回结果：{1}"},
    {error_id::credit_limit_contract, "credit_limit_contract", 500, 500,
     "the platform's credit-limit endpoint {0} answered outside the contract: {1}",
     "平台授信额接口 {0} 的返回不符合约定：{1}"},
};

}  // namespace

const std::vector<error_info>& all_errors() { return catalogue; }

const error_info& info(error_id id) {
  for (const auto& e : catalogue) {
    if (e.id == id) {
      return e;
    }
  }
  throw std::logic_error("creditpay error id without a catalogue entry");
}

int failure_code(http::failure_kind kind) {
  switch (kind) {
    case http::failure_kind::not_found: return 40400;
    case http::failure_kind::method_not_allowed: return 40500;
    case http::failure_kind::body_too_large: return 41300;
    case http::failure_kind::header_too_large: return 43100;
    case http::failure_kind::bad_request: return 40000;
    case http::failure_kind::unknown_scenario: return 40003;
    case http::failure_kind::rate_limited: return 42900;
    case http::failure_kind::state_unavailable: return 50301;
    case http::failure_kind::internal: return 50000;
  }
  return 50000;
}

std::string rejection::message(http::language lang) const {
  const error_info& e = info(id);
  const bool zh = lang == http::language::zh_cn;
  return support::substitute_terms(zh ? e.zh : e.en, args, zh);
}

}  // namespace authsim::creditpay

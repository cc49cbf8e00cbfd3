#include "creditpay/api.hpp"

#include "creditpay/cashier_page.hpp"
#include "creditpay/credit_limit_query.hpp"
#include "creditpay/identify_request.hpp"
#include "creditpay/signature_diagnostics.hpp"
#include "creditpay/signing.hpp"
#include "http/json_response.hpp"
#include "support/aliases.hpp"
#include "support/crypto.hpp"
#include "support/json_writer.hpp"
#include "support/jwt.hpp"
#include "support/terms.hpp"
#include "support/text.hpp"

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace authsim::creditpay {

namespace {

std::string describe_time(std::int64_t ms) {
  return support::format_date_time(ms, 0) + " UTC (" + std::to_string(ms) + ")";
}

// The session's identifiers that the upstream's cashier data shows and
// its pages never explain: derived from the fixtures' jwt_secret and the
// code, so that they are stable for one login and differ between logins
// (user_id is stable per platform user).
std::string derived_hex(const std::string& secret, const std::string& label, std::size_t length) {
  return support::hex_encode(support::hmac(support::hmac_algorithm::sha256, secret, label)).substr(0, length);
}

std::string user_id_of(const std::string& secret, const std::string& plat_id, const std::string& custom_no) {
  return derived_hex(secret, "user_id\n" + plat_id + "\n" + custom_no, 24);
}

std::string session_secret_of(const std::string& secret, const std::string& ident_code) {
  return derived_hex(secret, "secret\n" + ident_code, 6);
}

// Nine letters and digits, as the upstream's example `field_seat`.
std::string field_seat_of(const std::string& secret, const std::string& ident_code) {
  static constexpr std::string_view alphabet = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  const std::string mac = support::hmac(support::hmac_algorithm::sha256, secret, "field_seat\n" + ident_code);
  std::string out;
  for (std::size_t i = 0; i < 9; ++i) {
    out.push_back(alphabet[static_cast<unsigned char>(mac[i]) % alphabet.size()]);
  }
  return out;
}

// "Bearer <token>" (the scheme in any letter case, RFC 7235) → the token.
std::optional<std::string_view> bearer_token(std::string_view header) {
  constexpr std::string_view scheme = "bearer ";
  if (header.size() <= scheme.size() || !support::iequals(header.substr(0, scheme.size()), scheme)) {
    return std::nullopt;
  }
  std::string_view token = header.substr(scheme.size());
  while (!token.empty() && token.front() == ' ') {
    token.remove_prefix(1);
  }
  if (token.empty()) {
    return std::nullopt;
  }
  return token;
}

// "a; b; c" of the first few violations, and how many more the journal has.
std::string summarize_violations(const std::vector<std::string>& violations) {
  constexpr std::size_t shown = 3;
  std::string out;
  for (std::size_t i = 0; i < violations.size() && i < shown; ++i) {
    out += (i == 0 ? "" : "; ") + violations[i];
  }
  if (violations.size() > shown) {
    out += "; and " + std::to_string(violations.size() - shown) + " more (see the journal)";
  }
  return out;
}

}  // namespace

http::response envelope(unsigned status, int code, const std::string& msg, std::string_view data,
                        const http::request& req) {
  support::json_object_writer body;
  body.number("code", code).string("msg", msg).object("data", data);
  const std::string* trace = req.headers.find("trace");
  if (trace != nullptr && !trace->empty()) {
    body.string("trace", support::valid_utf8(*trace));
  } else {
    body.null("trace");
  }
  http::response res = http::json_text_response(status, body.finish());
  res.note.business = journal::business_result{code, std::nullopt};
  return res;
}

api::api(std::shared_ptr<const fixtures::fixture_set> fixtures, const state::clock& clock, state::code_store& codes,
         const state::verification_modes& modes, const state::platform_endpoints& endpoints,
         outbound::client& outbound, std::string public_base_url)
    : fixtures_(std::move(fixtures)),
      clock_(clock),
      codes_(codes),
      modes_(modes),
      endpoints_(endpoints),
      outbound_(outbound),
      public_base_url_(std::move(public_base_url)) {}

void api::register_routes(http::router& r) const {
  r.add_family(path_prefix, [this](const http::request& req, const http::failure& f) {
    return render_failure(req, f);
  });
  r.add_async_route("POST", identify_path, [this](const http::request& req) { return identify(req); });
  r.add_async_route("POST", redirect_path, [this](const http::request& req) { return redirect(req); });
  r.add_async_route("GET", cashier_path, [this](const http::request& req) { return cashier(req); });
  r.add_async_route("POST", fetch_data_path, [this](const http::request& req) { return fetch_data(req); });
}

net::awaitable<http::response> api::cashier(const http::request& req) const {
  http::response res;
  res.headers.set("Content-Type", "text/html; charset=utf-8");
  res.headers.set("Cache-Control", "no-store");
  const std::optional<std::string> code = req.query_param("ident_code");
  if (!code || code->empty()) {
    res.status = 400;
    res.headers.set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:");
    res.body = render_cashier_missing_code();
    res.note.check = "missing_ident_code";
    co_return res;
  }
  const std::int64_t now = clock_.now_ms();
  const std::optional<state::code_record> record = co_await codes_.async_find(*code, now);
  const fixtures::platform* platform = record ? fixtures_->find_platform(record->plat_id) : nullptr;
  // The page's one script runs by nonce; nothing else may run or load.
  const std::string nonce = support::random_hex(16);
  // Card icons come from the platform, wherever it keeps them.
  res.headers.set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; script-src 'nonce-" +
                                                 nonce + "'; connect-src 'self'; img-src http: https: data:");
  res.body = render_cashier_page(*code, record, platform, now, nonce);
  res.note.check = std::string("code_") + code_state_name(state_of(record, now));
  co_return res;
}

http::response api::render_failure(const http::request& req, const http::failure& f) const {
  return envelope(f.status, failure_code(f.kind), f.message.in(http::request_language(req)), "null", req);
}

http::response api::reject(const http::request& req, const rejection& r) const {
  const error_info& e = info(r.id);
  http::response res = envelope(e.http_status, e.code, r.message(http::request_language(req)), "null", req);
  res.note.check = e.name;
  return res;
}

net::awaitable<http::response> api::identify(const http::request& req) const {
  const std::optional<std::string> plat_id = platform_id(req);
  if (!plat_id) {
    co_return reject(req, {error_id::missing_plat_id, {}});
  }
  const std::string* trace = req.headers.find("trace");
  if (trace == nullptr || trace->empty()) {
    co_return reject(req, {error_id::missing_trace, {}});
  }
  const fixtures::platform* platform = fixtures_->find_platform(*plat_id);
  if (platform == nullptr) {
    co_return reject(req, {error_id::unknown_platform, {support::excerpt(*plat_id)}});
  }
  const std::string* api_key = req.headers.find("api-key");
  if (api_key == nullptr || api_key->empty()) {
    co_return reject(req, {error_id::missing_api_key, {}});
  }
  if (!support::constant_time_equal(*api_key, platform->api_key)) {
    co_return reject(req, {error_id::api_key_mismatch, {platform->plat_id}});
  }
  // Signature, as the platform's verification mode says: enforce refuses
  // a bad one, log-only records it for the journal and goes on, off skips.
  const fixtures::verification_mode mode = modes_.get(platform->plat_id).value_or(platform->verification);
  std::shared_ptr<signature_diagnostics> diagnostics;
  if (mode != fixtures::verification_mode::off) {
    const std::string* signature = req.headers.find("signature");
    const signature_check check =
        verify_signature(*platform, req.target, req.body, signature != nullptr ? *signature : std::string_view());
    if (signature == nullptr || signature->empty() || !check.ok) {
      // The exact input and both signatures: for the admin journal only,
      // never for the answer.
      const scheme_description scheme = describe_scheme(*platform);
      diagnostics = std::make_shared<signature_diagnostics>();
      diagnostics->signed_path = check.path;
      diagnostics->algorithm = scheme.algorithm;
      diagnostics->encoding = scheme.encoding;
      if (signature != nullptr) {
        diagnostics->received = *signature;
      }
      diagnostics->expected = check.expected;
      diagnostics->verification = fixtures::verification_mode_name(mode);
      if (mode == fixtures::verification_mode::enforce) {
        const bool missing = signature == nullptr || signature->empty();
        http::response res =
            missing ? reject(req, {error_id::missing_signature, {scheme.algorithm, scheme.encoding, check.path}})
                    : reject(req, {error_id::signature_mismatch,
                                   {scheme.algorithm, scheme.encoding, std::to_string(scheme.length), check.path,
                                    std::to_string(check.body_bytes), std::to_string(signature->size())}});
        res.note.diagnostics = std::move(diagnostics);
        co_return res;
      }
    }
  }

  const std::int64_t now = clock_.now_ms();
  identify_parse parsed = parse_identify_body(req.body, now);
  // A signature problem let through by log-only stays visible in the journal
  // whatever the body check says next.
  auto with_logged_signature = [&](http::response res) {
    if (diagnostics) {
      res.note.diagnostics = diagnostics;
      res.note.check += " (signature mismatch let through: log-only)";
    }
    return res;
  };
  if (parsed.error) {
    co_return with_logged_signature(reject(req, *parsed.error));
  }
  identify_body& body = *parsed.body;
  // The language the platform asked for, handed back in the credit-limit
  // query's `lang` header; the upstream's default when none was given.
  const std::string* lang_header = req.headers.find("lang");
  std::string lang = lang_header != nullptr && !lang_header->empty() ? *lang_header : std::string(default_lang);
  if (lang.size() > identify_limits::lang_bytes) {
    co_return with_logged_signature(
        reject(req, {error_id::field_too_long,
                     {"lang (header)", std::to_string(lang.size()), std::to_string(identify_limits::lang_bytes)}}));
  }

  state::code_record record;
  record.ident_code = support::random_hex(16);
  record.plat_id = platform->plat_id;
  record.custom_no = std::move(body.custom_no);
  record.customer_token = std::move(body.customer_token);
  record.callback_url = std::move(body.callback_url);
  record.client_ip = std::move(body.client_ip);
  record.lang = std::move(lang);
  record.issued_at_ms = now;
  record.expires_at_ms = now + fixtures_->creditpay.code_ttl_ms;
  record.session_sign = std::move(body.session_sign);
  record.credit = std::move(body.credit);

  support::json_object_writer data;
  data.string("ident_code", record.ident_code)
      .string("url", public_base_url_ + "/dg/oauth?ident_code=" + record.ident_code);
  if (!codes_.try_issue(record, now)) {
    co_await codes_.async_issue(std::move(record), now);
  }
  http::response res = envelope(200, 0, "success", data.finish(), req);
  res.note.check = "ok";
  co_return with_logged_signature(std::move(res));
}

net::awaitable<http::response> api::redirect(const http::request& req) const {
  const std::string* trace = req.headers.find("trace");
  if (trace == nullptr || trace->empty()) {
    co_return reject(req, {error_id::missing_trace, {}});
  }
  const redirect_parse parsed = parse_redirect_body(req.body);
  if (parsed.error) {
    co_return reject(req, *parsed.error);
  }
  const std::int64_t now = clock_.now_ms();
  // The code stays readable as long as its open token is good: fetch_data
  // reads it.
  const std::int64_t token_end_ms = (now / 1000 + fixtures_->creditpay.open_token_ttl_s) * 1000;
  const state::redeem_result result = co_await codes_.async_redeem(parsed.ident_code, now, token_end_ms);
  const std::string code = support::excerpt(parsed.ident_code, 64);
  switch (result.outcome) {
    case state::redeem_outcome::unknown:
      co_return reject(req, {error_id::ident_code_unknown, {code}});
    case state::redeem_outcome::expired:
      co_return reject(req, {error_id::ident_code_expired,
                          {code, describe_time(result.record.expires_at_ms), describe_time(now)}});
    case state::redeem_outcome::already_redeemed:
      co_return reject(req, {error_id::ident_code_redeemed,
                          {code, describe_time(result.record.redeemed_at_ms.value_or(0))}});
    case state::redeem_outcome::redeemed:
      break;
  }
  const state::code_record& record = result.record;
  const std::int64_t iat = now / 1000;
  json::object claims;
  claims["platformId"] = record.plat_id;
  claims["platformUserId"] = record.custom_no;
  claims["userId"] = user_id_of(fixtures_->creditpay.jwt_secret, record.plat_id, record.custom_no);
  claims["secret"] = session_secret_of(fixtures_->creditpay.jwt_secret, record.ident_code);
  claims["identCode"] = record.ident_code;
  claims["iat"] = iat;
  claims["exp"] = iat + fixtures_->creditpay.open_token_ttl_s;
  support::json_object_writer data;
  data.string("open_token", "Bearer " + support::jwt_sign_hs256(claims, fixtures_->creditpay.jwt_secret));
  http::response res = envelope(200, 0, "success", data.finish(), req);
  res.note.check = "ok";
  co_return res;
}

net::awaitable<http::response> api::fetch_data(const http::request& req) const {
  const std::string* trace = req.headers.find("trace");
  if (trace == nullptr || trace->empty()) {
    co_return reject(req, {error_id::missing_trace, {}});
  }
  const std::string* authorization = req.headers.find("authorization");
  if (authorization == nullptr || authorization->empty()) {
    co_return reject(req, {error_id::missing_authorization, {}});
  }
  const std::optional<std::string_view> token = bearer_token(*authorization);
  if (!token) {
    co_return reject(req, {error_id::authorization_not_bearer, {support::excerpt(*authorization, 16)}});
  }
  const std::string& secret = fixtures_->creditpay.jwt_secret;
  const support::jwt_check jwt = support::jwt_verify_hs256(*token, secret);
  if (jwt.problem == support::jwt_problem::malformed) {
    co_return reject(req, {error_id::open_token_malformed, {support::term(jwt.detail)}});
  }
  if (jwt.problem == support::jwt_problem::bad_signature) {
    co_return reject(req, {error_id::open_token_bad_signature, {}});
  }
  const json::value* exp = jwt.claims.if_contains("exp");
  const json::value* ident = jwt.claims.if_contains("identCode");
  if (exp == nullptr || !exp->is_int64() || ident == nullptr || !ident->is_string()) {
    co_return reject(req, {error_id::open_token_malformed, {support::both("its claims lack an integer exp or a string identCode",
                                                                      "其声明缺少整数 'exp' 或字符串 'identCode'")}});
  }
  const std::int64_t now = clock_.now_ms();
  const std::int64_t exp_ms = exp->get_int64() * 1000;
  if (now >= exp_ms) {
    co_return reject(req, {error_id::open_token_expired, {describe_time(exp_ms), describe_time(now)}});
  }
  const std::string ident_code(ident->get_string());
  const std::optional<state::code_record> record = co_await codes_.async_find(ident_code, now);
  if (!record || !record->redeemed_at_ms) {
    co_return reject(req, {error_id::open_token_code_gone, {support::excerpt(ident_code, 64)}});
  }
  const fixtures::platform* platform = fixtures_->find_platform(record->plat_id);
  if (platform == nullptr) {
    co_return reject(req, {error_id::unknown_platform, {support::excerpt(record->plat_id)}});
  }

  // The identify request's credit data wins; without it the platform is
  // asked now.
  std::optional<state::credit_limit> credit = record->credit;
  std::shared_ptr<outbound_call_detail> call;
  if (!credit) {
    const std::optional<state::endpoints> endpoints = endpoints_.get(platform->plat_id);
    if (!endpoints || !endpoints->credit_limit_url) {
      co_return reject(req, {error_id::credit_limit_unset, {platform->plat_id}});
    }
    const std::string& url = *endpoints->credit_limit_url;
    // Bounded by the fixtures' outbound deadlines; a server that stops
    // gives the call its shutdown timeout, then cancels it.
    outbound::request query = credit_limit_request(*platform, fixtures_->creditpay, url, *record, now);
    outbound::answer answer = co_await outbound_.async_post(query);
    credit_answer_check checked;
    std::optional<rejection> refusal;
    if (!answer.answered()) {
      refusal = rejection{error_id::credit_limit_call_failed, {url, answer.detail}};
    } else {
      checked = check_credit_answer(answer, *platform);
      if (!checked.credit) {
        refusal = rejection{error_id::credit_limit_contract, {url, summarize_violations(checked.violations)}};
      }
    }
    // The journal keeps the call, whatever came of it.
    call = std::make_shared<outbound_call_detail>(std::move(query), std::move(answer), std::move(checked.violations));
    if (refusal) {
      http::response res = reject(req, *refusal);
      res.note.diagnostics = std::move(call);
      co_return res;
    }
    credit = std::move(checked.credit);
  }

  json::object data;
  data["user_id"] = user_id_of(secret, record->plat_id, record->custom_no);
  data["secret"] = session_secret_of(secret, record->ident_code);
  data["platform_callback"] = record->callback_url;
  data["field_seat"] = field_seat_of(secret, record->ident_code);
  data["local_bucket"] = derived_hex(secret, "local_bucket\n" + record->plat_id, 32);
  data["max_amount"] = platform->max_amount;
  json::object cards = state::to_json(*credit);
  data["tag"] = std::move(cards["tag"]);
  data["available_cards"] = std::move(cards["available_cards"]);
  http::response res = envelope(200, 0, "success", json::serialize(data), req);
  res.note.check = call ? "ok (credit limit from the platform)" : "ok (credit limit from identify)";
  res.note.diagnostics = std::move(call);
  co_return res;
}

}  // namespace authsim::creditpay

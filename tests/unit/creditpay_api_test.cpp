// The Credit Pay handlers called directly, with a clock the test moves:
// expiry is tested by moving time, not by waiting for it.
#include "creditpay/api.hpp"
#include "creditpay/signing.hpp"
#include "support/run_sync.hpp"
#include "unit/scripted_outbound.hpp"

#include <doctest/doctest.h>

#include <boost/json/parse.hpp>

using namespace authsim;

namespace {

struct world {
  std::shared_ptr<fixtures::fixture_set> set = std::make_shared<fixtures::fixture_set>();
  state::memory_clock clock;
  state::memory_code_store codes;
  std::unique_ptr<state::memory_verification_modes> modes;
  std::unique_ptr<state::memory_platform_endpoints> endpoints;
  testing::scripted_outbound outbound;
  std::unique_ptr<creditpay::api> api;

  world() {
    fixtures::platform p;
    p.plat_id = "plat";
    p.api_key = "key";
    p.signature_key = "sig-key";
    set->platforms.push_back(p);
    set->creditpay.jwt_secret = "jwt";
    set->creditpay.code_ttl_ms = 300'000;
    modes = std::make_unique<state::memory_verification_modes>(*set);
    endpoints = std::make_unique<state::memory_platform_endpoints>(*set);
    api = std::make_unique<creditpay::api>(set, clock, codes, *modes, *endpoints, outbound, "https://sim.example");
  }

  http::request identify_request() const {
    http::request req;
    req.method = "POST";
    req.target = "/dg/v1/platform/identify/auth?platId=plat";
    req.body = R"({"custom_no":"u1","customer_token":"t","token_expire":)" +
               std::to_string(clock.now_ms() + 3'600'000) +
               R"(,"callback_url":"https://a.example/cb","client_ip":"10.0.0.1"})";
    req.headers.add("trace", "tr-1");
    req.headers.add("api-key", "key");
    req.headers.add("signature",
                    creditpay::compute_signature(set->platforms[0], "/v1/platform/identify/auth", req.body));
    return req;
  }

  std::string issue() {
    const http::response res = identify(identify_request());
    REQUIRE(res.status == 200);
    return std::string(boost::json::parse(res.body).at("data").at("ident_code").as_string());
  }

  // The handlers' coroutines, run to their end.
  http::response identify(const http::request& req) const { return support::run_sync(api->identify(req)); }

  http::response redeem(const std::string& code) const {
    http::request req;
    req.method = "POST";
    req.target = "/dg/v1/identify/redirect";
    req.headers.add("trace", "tr-2");
    req.body = R"({"ident_code":")" + code + R"("})";
    return support::run_sync(api->redirect(req));
  }
};

std::int64_t code_of(const http::response& res) { return boost::json::parse(res.body).at("code").as_int64(); }

}  // namespace

TEST_CASE("the issued url uses the public base url") {
  world w;
  const http::response res = w.identify(w.identify_request());
  const auto body = boost::json::parse(res.body);
  const std::string code(body.at("data").at("ident_code").as_string());
  CHECK(body.at("data").at("url").as_string() == "https://sim.example/dg/oauth?ident_code=" + code);
}

TEST_CASE("a code redeemed just before its ttl works, one redeemed at its ttl has expired") {
  world w;
  const std::string early = w.issue();
  const std::string late = w.issue();
  w.clock.advance_ms(299'000);
  CHECK(code_of(w.redeem(early)) == 0);
  w.clock.advance_ms(1'000);
  const http::response res = w.redeem(late);
  CHECK(res.status == 400);
  CHECK(code_of(res) == 40021);
  CHECK(std::string(boost::json::parse(res.body).at("msg").as_string()).find("expired at") != std::string::npos);
}

TEST_CASE("a code whose expiry is long past is still reported as expired within the retention time") {
  world w;
  const std::string code = w.issue();
  // Margins of a second absorb the real time the test itself takes.
  w.clock.advance_ms(300'000 + state::memory_code_store::default_retention_ms - 1'000);
  CHECK(code_of(w.redeem(code)) == 40021);
  w.clock.advance_ms(2'000);
  CHECK(code_of(w.redeem(code)) == 40020);
}

TEST_CASE("token_expire is judged against the simulated clock") {
  world w;
  http::request req = w.identify_request();  // token_expire = now + 1 h
  w.clock.advance_ms(3'600'000);
  const http::response res = w.identify(req);
  CHECK(code_of(res) == 40014);
}

TEST_CASE("the open token's iat and exp follow the simulated clock") {
  world w;
  w.clock.set_ms(2'000'000'000'000);
  const std::string code = w.issue();
  const http::response res = w.redeem(code);
  REQUIRE(code_of(res) == 0);
  const std::string token(boost::json::parse(res.body).at("data").at("open_token").as_string());
  REQUIRE(token.starts_with("Bearer "));
  // The payload is the middle part; decode its base64url by hand.
  const std::size_t d1 = token.find('.');
  const std::size_t d2 = token.rfind('.');
  std::string part = token.substr(d1 + 1, d2 - d1 - 1);
  for (char& c : part) {
    c = c == '-' ? '+' : c == '_' ? '/' : c;
  }
  static const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string payload;
  unsigned acc = 0;
  int bits = 0;
  for (const char c : part) {
    acc = (acc << 6U) | static_cast<unsigned>(alphabet.find(c));
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      payload.push_back(static_cast<char>((acc >> static_cast<unsigned>(bits)) & 0xFFU));
    }
  }
  const auto claims = boost::json::parse(payload);
  const std::int64_t iat = claims.at("iat").as_int64();
  CHECK(iat >= 2'000'000'000);
  CHECK(iat <= 2'000'000'060);
  CHECK(claims.at("exp").as_int64() == iat + 3600);
  CHECK(claims.at("identCode").as_string() == code);
}

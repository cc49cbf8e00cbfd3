#include "integration/helpers.hpp"
#include "support/server_process.hpp"
#include "support/temp_dir.hpp"

#include <doctest/doctest.h>

#include <boost/json/parse.hpp>

#include <thread>

using namespace authsim::testing;

namespace {

std::string issue_code(http_client& c) {
  const std::string body = identify_body();
  const auto res = c.post(identify_target, body, identify_headers(body));
  REQUIRE(res.status == 200);
  return std::string(res.json().at("data").at("ident_code").as_string());
}

http_response redeem(http_client& c, const std::string& code, const std::string& trace = "t-redirect") {
  return c.post(redirect_target, R"({"ident_code":")" + code + R"("})", {{"trace", trace}});
}

}  // namespace

TEST_SUITE("creditpay redirect") {
  TEST_CASE("a code is redeemed for a Bearer JWT signed with the fixtures' secret") {
    server_process server;
    http_client c(server.port());
    const std::string code = issue_code(c);
    const auto res = redeem(c, code, "tr-9");
    INFO(res.body);
    REQUIRE(res.status == 200);
    const auto j = res.json();
    CHECK(j.at("code").as_int64() == 0);
    CHECK(j.at("msg").as_string() == "success");
    CHECK(j.at("trace").as_string() == "tr-9");
    const std::string open_token(j.at("data").at("open_token").as_string());
    REQUIRE(open_token.starts_with("Bearer "));
    const std::string jwt = open_token.substr(7);
    const std::size_t d1 = jwt.find('.');
    const std::size_t d2 = jwt.rfind('.');
    REQUIRE(d1 != std::string::npos);
    REQUIRE(d2 > d1);
    // The signature checks out with the secret from fixtures/creditpay.json.
    const std::string mac = authsim::support::hmac(authsim::support::hmac_algorithm::sha256,
                                                   "authsim-demo-jwt-secret-change-me", jwt.substr(0, d2));
    CHECK(authsim::support::base64url_encode(mac) == jwt.substr(d2 + 1));
    const auto header = boost::json::parse(base64url_decode(jwt.substr(0, d1)));
    CHECK(header.at("alg").as_string() == "HS256");
    const auto claims = boost::json::parse(base64url_decode(jwt.substr(d1 + 1, d2 - d1 - 1)));
    CHECK(claims.at("platformId").as_string() == plat_id);
    CHECK(claims.at("platformUserId").as_string() == "473_32_86000698");
    CHECK(claims.at("identCode").as_string() == code);
    const std::int64_t iat = claims.at("iat").as_int64();
    CHECK(claims.at("exp").as_int64() == iat + 3600);
    CHECK(std::abs(iat - now_ms() / 1000) < 60);
  }

  TEST_CASE("a second redemption of the same code is refused") {
    server_process server;
    http_client c(server.port());
    const std::string code = issue_code(c);
    REQUIRE(redeem(c, code).status == 200);
    const auto again = redeem(c, code);
    CHECK(again.status == 400);
    CHECK(again.json().at("code").as_int64() == 40022);
    CHECK(std::string(again.json().at("msg").as_string()).find("already redeemed") != std::string::npos);
  }

  TEST_CASE("concurrent redemptions of one code: exactly one client wins") {
    server_process server;
    std::string code;
    {
      http_client c(server.port());
      code = issue_code(c);
    }
    std::atomic<int> wins{0};
    std::atomic<int> refused{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < 8; ++i) {
      threads.emplace_back([&] {
        http_client c(server.port());
        const auto res = redeem(c, code);
        (res.status == 200 ? wins : refused)++;
      });
    }
    for (auto& t : threads) t.join();
    CHECK(wins == 1);
    CHECK(refused == 7);
  }

  TEST_CASE("unknown codes and bad bodies are refused with the reason") {
    server_process server;
    http_client c(server.port());
    const auto unknown = redeem(c, "00000000000000000000000000000000");
    CHECK(unknown.status == 400);
    CHECK(unknown.json().at("code").as_int64() == 40020);
    const auto no_code = c.post(redirect_target, "{}", {{"trace", "t"}});
    CHECK(no_code.json().at("code").as_int64() == 40012);
    const auto not_json = c.post(redirect_target, "ident_code=x", {{"trace", "t"}});
    CHECK(not_json.json().at("code").as_int64() == 40010);
    const auto no_trace = c.post(redirect_target, R"({"ident_code":"x"})");
    CHECK(no_trace.json().at("code").as_int64() == 40002);
  }

  TEST_CASE("a code past its code_ttl is refused as expired") {
    // A one-second ttl from the fixtures; the unit tests cover expiry at
    // the exact millisecond by moving the clock.
    temp_dir dir;
    dir.write("creditpay.json", R"({"settings":{"jwt_secret":"s","code_ttl_seconds":1},"platforms":[
      {"plat_id":")" + plat_id + R"(","api_key":")" + api_key + R"(","signature_key":")" + signature_key + R"("}]})");
    dir.write("uocs.json", R"({"apps":[]})");
    server_process server({"--fixtures", dir.path().string()});
    http_client c(server.port());
    const std::string code = issue_code(c);
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    const auto res = redeem(c, code);
    CHECK(res.status == 400);
    CHECK(res.json().at("code").as_int64() == 40021);
  }
}

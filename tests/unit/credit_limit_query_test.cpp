#include "creditpay/credit_limit_query.hpp"

#include "support/crypto.hpp"

#include <doctest/doctest.h>

#include <boost/json/parse.hpp>

#include <map>

using namespace authsim;

namespace {

fixtures::platform hex_platform() {
  fixtures::platform p;
  p.plat_id = "p";
  p.signature_key = "k";
  p.algorithm = support::hmac_algorithm::sha256;
  p.encoding = fixtures::digest_encoding::hex;
  p.credit_limit_currency = "HKD";
  p.credit_limit_digits = 0;
  p.verify_tls = false;
  return p;
}

outbound::answer ok_answer(std::string body) {
  outbound::answer a;
  a.status = 200;
  a.body = std::move(body);
  return a;
}

}  // namespace

TEST_SUITE("credit-limit query") {
  TEST_CASE("the request follows the platform's currency, digits, signature scheme and TLS switch") {
    const fixtures::platform p = hex_platform();
    fixtures::creditpay_settings s;
    s.outbound_connect_timeout_ms = 111;
    s.outbound_timeout_ms = 222;
    state::code_record code;
    code.customer_token = "tok";
    code.lang = "zh-CN";
    const outbound::request r =
        creditpay::credit_limit_request(p, s, "https://p.example:8443/credit/q%20x?a=1#f", code, 1'800'000'000'123);
    CHECK(r.body == R"({"type":"GET_DEFAULT_ACCOUNT_CREDIT_LIMIT","data":{"tag":"","currency":"HKD","digits":"0"}})");
    CHECK(r.connect_timeout.count() == 111);
    CHECK(r.total_timeout.count() == 222);
    CHECK_FALSE(r.verify_tls);
    std::map<std::string, std::string> h(r.headers.begin(), r.headers.end());
    CHECK(h.at("signature") ==
          support::hex_encode(support::hmac(support::hmac_algorithm::sha256, "k", "/credit/q%20x" + r.body)));
    CHECK(h.at("token") == "tok");
    CHECK(h.at("lang") == "zh-CN");
    CHECK(h.at("timestamp") == "1800000000123");
    CHECK(creditpay::signed_path_of_url("http://h") == "/");
    CHECK_FALSE(creditpay::signed_path_of_url("ftp://h/x").has_value());
  }

  TEST_CASE("amounts: a string keeps its text, a number is written with the asked decimals") {
    const fixtures::platform p = hex_platform();  // HKD, 0 decimals
    const auto checked = creditpay::check_credit_answer(
        ok_answer(R"({"data":{"tag":"a","available_cards":[{"tag":"a","amount":12,"currency":"HKD","icon":"i","input":"x"},)"
                  R"({"tag":"b","amount":"7","currency":"HKD","icon":"i","input":"y"}]}})"),
        p);
    REQUIRE(checked.credit.has_value());
    CHECK(checked.violations.empty());
    CHECK(checked.credit->tag == "a");
    CHECK(checked.credit->cards.at(0).amount == "12");
    CHECK(checked.credit->cards.at(1).amount == "7");
    // A fraction is one decimal too many with digits 0.
    const auto fraction = creditpay::check_credit_answer(
        ok_answer(R"({"data":{"tag":"a","available_cards":[{"tag":"a","amount":1.5,"currency":"HKD","icon":"i","input":"x"}]}})"), p);
    CHECK_FALSE(fraction.credit.has_value());
    REQUIRE(fraction.violations.size() == 1);
  }

  TEST_CASE("every violation is listed, at most 20") {
    std::string cards;
    for (int i = 0; i < 30; ++i) {
      cards += std::string(i == 0 ? "" : ",") + R"({"tag":"t","amount":"1","currency":"EUR","icon":"i","input":"x"})";
    }
    const auto checked =
        creditpay::check_credit_answer(ok_answer(R"({"data":{"tag":"t","available_cards":[)" + cards + "]}}"), hex_platform());
    CHECK_FALSE(checked.credit.has_value());
    CHECK(checked.violations.size() == 20);
    CHECK(checked.violations.at(19) == "data.available_cards[19].currency is \"EUR\"; the query asked for \"HKD\"");
  }

  TEST_CASE("the journal's view of a call shortens the token and keeps the first 4 KiB of the answer") {
    outbound::request r;
    r.url = "http://127.0.0.1:9/c";
    r.headers = {{"token", "a-long-customer-token-value"}, {"signature", "s"}};
    r.body = "{}";
    outbound::answer a = ok_answer(std::string(5000, 'x'));
    a.headers = {{"Content-Type", "text/plain"}};
    const creditpay::outbound_call_detail detail(r, a, {"v1"});
    CHECK(std::string(detail.name()) == "credit_limit_call");
    const auto j = detail.render("");
    CHECK(j.at("request").at("headers").at("token").as_string().find("a-long-customer-token-value") ==
          boost::json::string::npos);
    CHECK(j.at("request").at("headers").at("signature").as_string() == "s");
    CHECK(j.at("answer").at("body").as_string().size() == 4096);
    CHECK(j.at("answer").at("body_truncated").as_bool());
    CHECK(j.at("answer").at("body_bytes").to_number<std::int64_t>() == 5000);
    CHECK(j.at("violations").as_array().size() == 1);
    CHECK(j.at("error").is_null());

    outbound::answer failed;
    failed.error = outbound::failure::timeout;
    failed.detail = "late";
    const auto f = creditpay::outbound_call_detail(r, failed, {}).render("");
    CHECK(f.at("answer").is_null());
    CHECK(f.at("error").at("kind").as_string() == "timeout");
    CHECK(f.at("error").at("detail").as_string() == "late");
  }
}

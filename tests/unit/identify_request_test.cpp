#include "creditpay/identify_request.hpp"
#include "support/text.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace authsim::creditpay;

namespace {

constexpr std::int64_t now = 1'800'000'000'000;

std::string body_with(const std::string& fields) { return "{" + fields + "}"; }

const std::string valid_rest =
    R"("customer_token":"tok","token_expire":1800000060000,"callback_url":"https://a.example/cb","client_ip":"192.168.1.166")";

error_id error_of(const std::string& raw) {
  const auto r = parse_identify_body(raw, now);
  REQUIRE(r.error.has_value());
  return r.error->id;
}

// An argument as an English message shows it (a term unmarked).
std::string english(const std::string& arg) { return authsim::support::substitute("{0}", {arg}); }

std::string first_arg(const std::string& raw) {
  const auto r = parse_identify_body(raw, now);
  REQUIRE(r.error.has_value());
  REQUIRE_FALSE(r.error->args.empty());
  return r.error->args[0];
}

}  // namespace

TEST_CASE("a complete body is accepted with either spelling of the user number") {
  for (const char* name : {"custom_no", "customer_no"}) {
    const auto r = parse_identify_body(body_with(std::string("\"") + name + "\":\"473_32\"," + valid_rest), now);
    REQUIRE(r.body.has_value());
    CHECK(r.body->custom_no == "473_32");
    CHECK(r.body->customer_token == "tok");
    CHECK(r.body->token_expire == 1800000060000);
    CHECK(r.body->client_ip == "192.168.1.166");
  }
}

TEST_CASE("both spellings may be sent when they agree, not when they differ") {
  CHECK(parse_identify_body(body_with(R"("custom_no":"a","customer_no":"a",)" + valid_rest), now).body);
  CHECK(error_of(body_with(R"("custom_no":"a","customer_no":"b",)" + valid_rest)) ==
        error_id::conflicting_custom_no);
}

TEST_CASE("bodies that are not JSON objects are refused with the reason") {
  CHECK(error_of("") == error_id::body_empty);
  CHECK(error_of("{") == error_id::body_not_json);
  CHECK(error_of("{\"a\":1} x") == error_id::body_not_json);
  CHECK(error_of("[1,2]") == error_id::body_not_object);
  CHECK(english(first_arg("[1,2]")) == "an array");
  CHECK(error_of("\"text\"") == error_id::body_not_object);
  CHECK(error_of("{\"custom_no\":\"\xff\"}") == error_id::body_not_json);
}

TEST_CASE("each missing field is named") {
  CHECK(first_arg(body_with(valid_rest)) == "custom_no");
  CHECK(first_arg(R"({"custom_no":"a","token_expire":1800000060000,"callback_url":"https://a/","client_ip":"::1"})") ==
        "customer_token");
  CHECK(first_arg(R"({"custom_no":"a","customer_token":"t","callback_url":"https://a/","client_ip":"::1"})") ==
        "token_expire");
  CHECK(first_arg(R"({"custom_no":"a","customer_token":"t","token_expire":1800000060000,"client_ip":"::1"})") ==
        "callback_url");
  CHECK(first_arg(R"({"custom_no":"a","customer_token":"t","token_expire":1800000060000,"callback_url":"https://a/"})") ==
        "client_ip");
}

TEST_CASE("mistyped and empty fields are named with what was expected") {
  const auto r = parse_identify_body(body_with(R"("custom_no":42,)" + valid_rest), now);
  REQUIRE(r.error);
  CHECK(r.error->id == error_id::wrong_type);
  REQUIRE(r.error->args.size() == 3);
  CHECK(r.error->args[0] == "custom_no");
  CHECK(english(r.error->args[1]) == "a string");
  CHECK(english(r.error->args[2]) == "an integer");
  CHECK(error_of(body_with(R"("custom_no":"",)" + valid_rest)) == error_id::empty_field);
  CHECK(error_of(R"({"custom_no":"a","customer_token":"t","token_expire":"1800000060000","callback_url":"https://a/","client_ip":"::1"})") ==
        error_id::wrong_type);
  // A number with a fraction is a number: the right type, a wrong value,
  // echoed as it was written.
  CHECK(error_of(R"({"custom_no":"a","customer_token":"t","token_expire":1800000060000.5,"callback_url":"https://a/","client_ip":"::1"})") ==
        error_id::token_expire_format);
  CHECK(first_arg(R"({"custom_no":"a","customer_token":"t","token_expire":1.8e12,"callback_url":"https://a/","client_ip":"::1"})") ==
        "1.8e12");
}

TEST_CASE("token_expire must be 13 digits and in the future") {
  auto with_expire = [](const std::string& v) {
    return R"({"custom_no":"a","customer_token":"t","token_expire":)" + v +
           R"(,"callback_url":"https://a/","client_ip":"::1"})";
  };
  CHECK(error_of(with_expire("1800000060")) == error_id::token_expire_format);
  CHECK(error_of(with_expire("18000000600000")) == error_id::token_expire_format);
  CHECK(error_of(with_expire("-1800000060000")) == error_id::token_expire_format);
  CHECK(error_of(with_expire("18446744073709551615")) == error_id::token_expire_format);
  CHECK(error_of(with_expire("1732521424191")) == error_id::token_expire_past);
  CHECK(error_of(with_expire(std::to_string(now))) == error_id::token_expire_past);
  CHECK(parse_identify_body(with_expire(std::to_string(now + 1)), now).body);
}

TEST_CASE("callback_url and client_ip are checked for shape") {
  CHECK(error_of(R"({"custom_no":"a","customer_token":"t","token_expire":1800000060000,"callback_url":"ftp://a/","client_ip":"::1"})") ==
        error_id::callback_url_invalid);
  CHECK(error_of(R"({"custom_no":"a","customer_token":"t","token_expire":1800000060000,"callback_url":"https://a/","client_ip":"999.1.1.1"})") ==
        error_id::client_ip_invalid);
}

TEST_CASE("a key sent twice is refused instead of one value winning silently") {
  const auto r = parse_identify_body(body_with(R"("custom_no":"a","custom_no":"b",)" + valid_rest), now);
  REQUIRE(r.error);
  CHECK(r.error->id == error_id::body_duplicate_key);
  CHECK(r.error->args.at(0) == "custom_no");
}

TEST_CASE("a whole number too large for 64 bits is a format error, not a type error") {
  CHECK(error_of(R"({"custom_no":"a","customer_token":"t","token_expire":99999999999999999999999,"callback_url":"https://a/","client_ip":"::1"})") ==
        error_id::token_expire_format);
}

TEST_CASE("fields the upstream does not define are ignored") {
  CHECK(parse_identify_body(body_with(R"("extra":{"x":[1]},"custom_no":"a",)" + valid_rest), now).body);
}

TEST_CASE("the redirect body needs a non-empty ident_code string") {
  CHECK(parse_redirect_body(R"({"ident_code":"abc"})").ident_code == "abc");
  CHECK(parse_redirect_body(R"({})").error->id == error_id::missing_field);
  CHECK(parse_redirect_body(R"({"ident_code":7})").error->id == error_id::wrong_type);
  CHECK(parse_redirect_body(R"({"ident_code":""})").error->id == error_id::empty_field);
  CHECK(parse_redirect_body("[]").error->id == error_id::body_not_object);
}

namespace {

const std::string card_a =
    R"({"tag":"card-a","amount":"10001.23","currency":"CNY","icon":"https://p.example/favicon.ico",)"
    R"("input":"<div>PASSTO CREDIT CARD (6268) <b>28000.00</b> HKD</div>"})";
const std::string card_b = R"({"tag":"card-b","amount":500,"currency":"HKD","icon":"http://p.example/b.ico","input":"<i>b</i>"})";

std::string with_credit(const std::string& credit_fields) {
  return body_with(R"("custom_no":"u1",)" + valid_rest + "," + credit_fields);
}

// The body with one card whose field `name` is replaced by `value` (raw JSON).
std::string with_card_field(const std::string& name, const std::string& value) {
  std::string card = R"({"tag":"t","amount":"1.00","currency":"CNY","icon":"https://p.example/i.ico","input":"x"})";
  const std::string key = "\"" + name + "\":";
  const std::size_t at = card.find(key) + key.size();
  const std::size_t end = card.find_first_of(",}", card[at] == '"' ? card.find('"', at + 1) : at);
  card.replace(at, end - at, value);
  return with_credit(R"("credit_limit_tag":"t","credit_limit_available_cards":[)" + card + "]");
}

}  // namespace

TEST_CASE("the later revision's fields are optional, and kept when given") {
  const auto plain = parse_identify_body(with_credit(R"("other":1)"), now);
  REQUIRE(plain.body.has_value());
  CHECK_FALSE(plain.body->session_sign.has_value());
  CHECK_FALSE(plain.body->credit.has_value());

  const auto r = parse_identify_body(
      with_credit(R"("session_sign":"123","credit_limit_tag":"card-b","credit_limit_available_cards":[)" + card_a +
                  "," + card_b + "]"),
      now);
  REQUIRE(r.body.has_value());
  CHECK(r.body->session_sign == "123");
  REQUIRE(r.body->credit.has_value());
  CHECK(r.body->credit->tag == "card-b");
  REQUIRE(r.body->credit->cards.size() == 2);
  CHECK(r.body->credit->cards[0].amount == "10001.23");  // decimals as given
  CHECK(r.body->credit->cards[0].input == "<div>PASSTO CREDIT CARD (6268) <b>28000.00</b> HKD</div>");
  CHECK(r.body->credit->cards[1].amount == "500");  // a JSON number, as the table types it
  CHECK(r.body->credit->cards[1].currency == "HKD");

  const auto empty_sign = parse_identify_body(with_credit(R"("session_sign":"")"), now);
  REQUIRE(empty_sign.body.has_value());
  CHECK(empty_sign.body->session_sign == "");
}

TEST_CASE("a decimal number amount keeps its digits") {
  const auto r = parse_identify_body(with_card_field("amount", "10001.25"), now);
  REQUIRE(r.body.has_value());
  CHECK(r.body->credit->cards[0].amount == "10001.25");
}

TEST_CASE("each problem with the later revision's fields is named, with the card's path") {
  CHECK(error_of(with_credit(R"("session_sign":12)")) == error_id::wrong_type);
  CHECK(first_arg(with_credit(R"("session_sign":12)")) == "session_sign");
  CHECK(error_of(with_credit(R"("session_sign":")" + std::string(129, 's') + "\"")) == error_id::field_too_long);

  // Both or neither.
  CHECK(error_of(with_credit(R"("credit_limit_tag":"t")")) == error_id::credit_limit_incomplete);
  CHECK(first_arg(with_credit(R"("credit_limit_tag":"t")")) == "credit_limit_tag");
  CHECK(first_arg(with_credit(R"("credit_limit_available_cards":[])")) == "credit_limit_available_cards");

  CHECK(error_of(with_credit(R"("credit_limit_tag":"t","credit_limit_available_cards":{})")) == error_id::wrong_type);
  CHECK(error_of(with_credit(R"("credit_limit_tag":"t","credit_limit_available_cards":[])")) == error_id::empty_field);
  CHECK(error_of(with_credit(R"("credit_limit_tag":"","credit_limit_available_cards":[)" + card_a + "]")) ==
        error_id::empty_field);
  CHECK(error_of(with_credit(R"("credit_limit_tag":"t","credit_limit_available_cards":[1])")) == error_id::wrong_type);
  CHECK(first_arg(with_credit(R"("credit_limit_tag":"t","credit_limit_available_cards":[1])")) ==
        "credit_limit_available_cards[0]");

  std::string many;
  for (int i = 0; i < 17; ++i) {
    many += (i == 0 ? "" : ",") + card_a;
  }
  CHECK(error_of(with_credit(R"("credit_limit_tag":"card-a","credit_limit_available_cards":[)" + many + "]")) ==
        error_id::too_many_cards);

  // The tag must name one of the cards.
  const std::string unmatched = with_credit(R"("credit_limit_tag":"card-z","credit_limit_available_cards":[)" + card_a +
                                            "," + card_b + "]");
  CHECK(error_of(unmatched) == error_id::credit_limit_tag_unmatched);
  const auto r = parse_identify_body(unmatched, now);
  CHECK(r.error->message(authsim::http::language::en_us).find("'card-a', 'card-b'") != std::string::npos);

  // A card's fields, each named by its path.
  CHECK(error_of(with_card_field("tag", "7")) == error_id::wrong_type);
  CHECK(first_arg(with_card_field("tag", "7")) == "credit_limit_available_cards[0].tag");
  CHECK(error_of(with_card_field("amount", R"("-1")")) == error_id::amount_invalid);
  CHECK(error_of(with_card_field("amount", R"("1,000")")) == error_id::amount_invalid);
  CHECK(error_of(with_card_field("amount", R"("1.")")) == error_id::amount_invalid);
  CHECK(error_of(with_card_field("amount", "-3")) == error_id::amount_invalid);
  CHECK(error_of(with_card_field("amount", "true")) == error_id::wrong_type);
  CHECK(first_arg(with_card_field("amount", "true")) == "credit_limit_available_cards[0].amount");
  CHECK(error_of(with_card_field("currency", R"("cny")")) == error_id::currency_invalid);
  CHECK(error_of(with_card_field("currency", R"("")")) == error_id::empty_field);
  CHECK(error_of(with_card_field("icon", R"("favicon.ico")")) == error_id::url_invalid);
  CHECK(first_arg(with_card_field("icon", R"("favicon.ico")")) == "credit_limit_available_cards[0].icon");
  CHECK(error_of(with_card_field("input", "\"" + std::string(4097, 'h') + "\"")) == error_id::field_too_long);
  CHECK(error_of(with_card_field("input", "null")) == error_id::wrong_type);
}

TEST_CASE("a number amount is written in its shortest form, one too small or too large to write is refused") {
  const auto amount_of = [](const std::string& value) {
    const auto r = parse_identify_body(with_card_field("amount", value), now);
    REQUIRE(r.body.has_value());
    return r.body->credit->cards[0].amount;
  };
  CHECK(amount_of("12.30") == "12.3");
  CHECK(amount_of("5.0") == "5");
  CHECK(amount_of("-0.0") == "0");
  CHECK(error_of(with_card_field("amount", "1e-70")) == error_id::amount_invalid);
  CHECK(error_of(with_card_field("amount", "1e15")) == error_id::amount_invalid);
}

// A message asked for in Chinese (`lang: zh-CN`) is Chinese throughout:
// the catalogues' templates, the words authsim passes into them (JSON
// types, what a field should be, why the parser stopped), and the messages
// real bad requests get from both APIs. What may stay in Latin letters:
// quoted field names and values, identifiers as the APIs spell them
// (custom_no, orderStatus), paths, flags, numbers, and a short list of
// names and acronyms (JSON, URL, HMAC-SHA1...).
#include "creditpay/messages.hpp"
#include "http/json_body.hpp"
#include "support/run_sync.hpp"
#include "support/terms.hpp"
#include "uocs/errors.hpp"
#include "world.hpp"

#include <doctest/doctest.h>

#include <boost/json/parse.hpp>

#include <regex>
#include <set>
#include <string>
#include <vector>

using namespace authsim;
using namespace authsim::testing;

namespace {

const std::set<std::string> allowed_words{
    "JSON", "URL", "ID", "JWT", "IPv4", "IPv6", "HTTP", "HTTPS", "http", "https", "CNY", "UOCS", "POST", "PUT",
    "GET", "HMAC-SHA1", "Base64", "UTF-8", "UTF-16", "WGS-84", "Bearer", "Authorization"};

// The Latin words of `message` that are none of the above.
std::vector<std::string> english_words(std::string message) {
  // Quoted names and values, and the templates' placeholders, first.
  message = std::regex_replace(message, std::regex("'[^']*'"), " ");
  message = std::regex_replace(message, std::regex("\"[^\"]*\""), " ");
  message = std::regex_replace(message, std::regex("\\{[0-9]\\}"), " ");
  std::vector<std::string> found;
  std::string run;
  const auto flush = [&] {
    // Punctuation around a word is not part of it.
    const auto first = run.find_first_not_of("([{,.:;!?)]}");
    const auto last = run.find_last_not_of("([{,.:;!?)]}");
    const std::string word = first == std::string::npos ? "" : run.substr(first, last - first + 1);
    run.clear();
    const bool has_letters = std::regex_search(word, std::regex("[A-Za-z]{2,}"));
    if (!has_letters || allowed_words.contains(word)) return;
    if (word.find('/') != std::string::npos || word.starts_with("--")) return;                 // a path, a flag
    if (std::regex_search(word, std::regex("[0-9]"))) return;                                  // a code: CN002
    if (word.find('_') != std::string::npos || word.find('.') != std::string::npos) return;   // an identifier
    if (std::regex_search(word, std::regex("[a-z][A-Z]"))) return;                            // camelCase
    found.push_back(word);
  };
  for (const char c : message) {
    const auto b = static_cast<unsigned char>(c);
    if (b >= 0x80 || c == ' ' || c == '\n') {
      flush();
    } else {
      run += c;
    }
  }
  flush();
  return found;
}

bool has_chinese(const std::string& s) {
  for (const char c : s) {
    if (static_cast<unsigned char>(c) >= 0xe4) return true;
  }
  return false;
}

void check_chinese(const std::string& message) {
  CAPTURE(message);
  CHECK(has_chinese(message));
  CHECK(english_words(message) == std::vector<std::string>{});
}

struct zh_world : world {
  zh_world() { modes.set(set->platforms.at(0).plat_id, fixtures::verification_mode::off); }

  boost::json::value send(const std::string& method, const std::string& target, const std::string& body,
                          std::vector<std::pair<std::string, std::string>> headers = {}) {
    headers.emplace_back("lang", "zh-CN");
    headers.emplace_back("trace", "t-zh");
    const http::request req = make_request(method, target, body, headers);
    const http::response res = support::run_sync(router.dispatch(req));
    return boost::json::parse(res.body);
  }
  std::string creditpay_message(const std::string& target, const std::string& body,
                                std::vector<std::pair<std::string, std::string>> headers = {}) {
    const auto answer = send("POST", target, body, std::move(headers));
    return std::string(answer.at("msg").as_string());
  }
  std::string uocs_message(const std::string& target, const std::string& body,
                           std::vector<std::pair<std::string, std::string>> headers = {}) {
    const auto answer = send("POST", target, body, std::move(headers));
    REQUIRE(answer.at("success") == false);
    return std::string(answer.at("errorMessage").as_string());
  }
};

const std::string identify = "/dg/v1/platform/identify/auth?platId=328cf95950f54f89a2dd4c3bf98ac5fb";

// An identify body with `field` replaced by `value` (raw JSON), or left out
// when `value` is empty.
std::string identify_with(const std::string& field, const std::string& value) {
  std::vector<std::pair<std::string, std::string>> fields{
      {"custom_no", "\"u1\""},           {"customer_token", "\"t1\""},
      {"token_expire", "9999999999999"}, {"callback_url", "\"https://partner.example/cb\""},
      {"client_ip", "\"127.0.0.1\""}};
  bool replaced = false;
  for (auto& [name, v] : fields) {
    if (name == field) {
      v = value;
      replaced = true;
    }
  }
  if (!replaced) fields.emplace_back(field, value);
  std::string out = "{";
  for (const auto& [name, v] : fields) {
    if (v.empty()) continue;
    if (out.size() > 1) out += ',';
    out += '"' + name + "\":" + v;
  }
  return out + "}";
}

const std::string carry_body =
    R"({"devCode":"tc123456","gpsType":1,"senderLon":"113.9311883","senderLat":"22.5616979","goodsType":1,)"
    R"("goodsWeight":8000,"receiverLon":"114.0267861","receiverLat":"22.5353805"})";
const std::string create_body =
    R"({"devCode":"tc123456","pushTime":"2024-10-08 14:07:11","useCab":1,"bizCode":"b-1","senderCode":"CN001",)"
    R"("receiverCode":"CN0023","gpsType":1,"senderLon":"114.1234567","senderLat":"26.1234567","senderAddr":"A",)"
    R"("senderTel":"13699847593","senderName":"j","goodsType":1,"goodsWeight":2000,"receiverLon":"114.1234567",)"
    R"("receiverLat":"26.1234567","receiverAddr":"B","receiverTel":"13699847593","receiverName":"j","amount":20.5})";

// `body` with the first `"key":value` replaced by `"key":replacement`
// (raw JSON), or the member removed when `replacement` is empty.
std::string with(std::string body, const std::string& key, const std::string& replacement) {
  const std::regex member("\"" + key + "\":(\"[^\"]*\"|[^,}]*),?");
  return std::regex_replace(body, member, replacement.empty() ? "" : "\"" + key + "\":" + replacement + ",",
                            std::regex_constants::format_first_only);
}

}  // namespace

TEST_SUITE("chinese messages") {
  TEST_CASE("the checker finds English words and lets names, identifiers and quotes through") {
    CHECK(english_words("字段 'token_expire' 的类型应为 an integer") == std::vector<std::string>{"an", "integer"});
    CHECK(english_words("（在第 0 字节处停止：syntax error）") == std::vector<std::string>{"syntax", "error"});
    CHECK(english_words("请求体不是合法的 JSON（HMAC-SHA1，orderStatus 0，/dg/v1/x，--max-codes，open_token）").empty());
    CHECK(english_words("实际为 'a string' 和 \"b c\"").empty());
  }

  TEST_CASE("every template of both catalogues, and every term, is Chinese") {
    for (const auto& e : creditpay::all_errors()) check_chinese(e.zh);
    for (const auto& e : uocs::all_errors()) check_chinese(e.zh);
    for (const std::string_view t : support::known_terms()) {
      CAPTURE(t);
      CHECK(english_words(support::zh_term(t)).empty());
      CHECK(support::zh_term(t) != t);
    }
    for (const char* raw : {"", "nope", "[1]", "{\"a\":1,\"a\":2}", "{\"a\":\"\xff\"}"}) {
      check_chinese(http::describe_problem(http::parse_json_object(raw)).zh);
    }
  }

  TEST_CASE("Credit Pay: the messages of bad identify, redirect and fetch_data requests are Chinese") {
    zh_world w;
    std::vector<std::string> messages;
    for (const std::string& body :
         {std::string(), std::string("not json"), std::string("{\"a\":1,\"a\":2}"), std::string("[1]"),
          std::string("{\"custom_no\":\"ab\xff\"}"), std::string("{\"a\":1"), std::string("{} x"),
          identify_with("custom_no", ""), identify_with("custom_no", "1"), identify_with("custom_no", "\"\""),
          identify_with("customer_no", "\"other\""), identify_with("customer_token", "[]"),
          identify_with("token_expire", "\"x\""), identify_with("token_expire", "true"),
          identify_with("token_expire", "null"), identify_with("token_expire", "1.5"),
          identify_with("token_expire", "1e12"), identify_with("token_expire", "1000"),
          identify_with("token_expire", "1000000000000"), identify_with("callback_url", "5"),
          identify_with("callback_url", "\"ftp://x\""), identify_with("client_ip", "\"999.1.1.1\""),
          identify_with("client_ip", "{}"), identify_with("session_sign", "5"),
          identify_with("custom_no", "\"" + std::string(300, 'x') + "\""),
          identify_with("credit_limit_tag", "\"a\""), identify_with("credit_limit_available_cards", "5"),
          identify_with("credit_limit_tag", "\"a\",\"credit_limit_available_cards\":[5]"),
          identify_with("credit_limit_tag",
                        "\"a\",\"credit_limit_available_cards\":[{\"tag\":\"a\",\"amount\":\"x\",\"currency\":\"CNY\","
                        "\"icon\":\"https://a.b/i.png\",\"input\":\"\"}]"),
          identify_with("credit_limit_tag",
                        "\"b\",\"credit_limit_available_cards\":[{\"tag\":\"a\",\"amount\":\"1.00\",\"currency\":\"CNY\","
                        "\"icon\":\"https://a.b/i.png\",\"input\":\"\"}]")}) {
      messages.push_back(w.creditpay_message(identify, body));
    }
    messages.push_back(w.creditpay_message("/dg/v1/platform/identify/auth", identify_with("x", "1")));
    messages.push_back(w.creditpay_message("/dg/v1/platform/identify/auth?platId=nope", identify_with("x", "1")));
    for (const std::string& body : {std::string(), std::string("{}"), std::string("{\"ident_code\":5}"),
                                   std::string("{\"ident_code\":\"0123456789abcdef0123456789abcdef\"}")}) {
      messages.push_back(w.creditpay_message("/dg/v1/identify/redirect", body));
    }
    for (const auto& auth : {std::vector<std::pair<std::string, std::string>>{},
                             {{"authorization", "Basic x"}},
                             {{"authorization", "Bearer x.y.z"}}}) {
      messages.push_back(w.creditpay_message("/dg/v1/cashier/fetch_data", "", auth));
    }
    messages.push_back(std::string(w.send("POST", "/dg/nowhere", "").at("msg").as_string()));
    messages.push_back(std::string(w.send("GET", identify, "").at("msg").as_string()));
    for (const auto& m : messages) check_chinese(m);
  }

  TEST_CASE("UOCS: the messages of bad logins and waybill calls are Chinese") {
    zh_world w;
    std::vector<std::string> messages;
    const std::string login = "/apis-auth/login/auth";
    for (const std::string& body :
         {std::string(), std::string("[1]"), std::string("{\"a\":"), std::string("{}"),
          std::string(R"({"appKey":5})"), std::string(R"({"appKey":"nope","appSecret":"x","userId":"u","password":"p"})"),
          std::string(R"({"appKey":"IE-UOCS-OUT","appSecret":5})"),
          std::string(R"({"appKey":"IE-UOCS-OUT","appSecret":"wrong","userId":"fc0001","password":"x"})"),
          std::string(R"({"appKey":"IE-UOCS-OUT","appSecret":"fykj12345678","userId":"nobody","password":"x"})"),
          std::string(R"({"appKey":"IE-UOCS-OUT","appSecret":"fykj12345678","userId":"fc0001","password":"x"})")}) {
      messages.push_back(w.uocs_message(login, body));
    }
    const auto logged_in = w.send("POST", login, uocs_login_body());
    const std::string token(logged_in.at("obj").at("token").as_string());
    const std::vector<std::pair<std::string, std::string>> with_token{{"token", token}};
    const std::string carry = "/uocs-tes/waybill/api/carrierWaybill";
    const std::string create = "/uocs-tes/waybill/api/createWaybill";
    messages.push_back(w.uocs_message(carry, carry_body));  // no token
    messages.push_back(w.uocs_message(carry, carry_body, {{"token", "nope"}}));
    for (const std::string& body :
         {std::string("[1]"), with(carry_body, "devCode", ""), with(carry_body, "devCode", "\"nobody\""),
          with(carry_body, "gpsType", "2"), with(carry_body, "gpsType", "\"1\""), with(carry_body, "gpsType", "1.5"),
          with(carry_body, "senderLon", "\"east\""), with(carry_body, "senderLat", "\"north\""),
          with(carry_body, "senderLon", "113.9"), with(carry_body, "goodsType", "4242"),
          with(carry_body, "goodsWeight", "0"), with(carry_body, "goodsWeight", "99999999"),
          with(carry_body, "devCode", "\"\""), with(carry_body, "devCode", "\"" + std::string(100, 'x') + "\""),
          with(carry_body, "senderLon", "\"100.0\"")}) {
      messages.push_back(w.uocs_message(carry, body, with_token));
    }
    for (const std::string& body :
         {with(create_body, "pushTime", "\"yesterday\""), with(create_body, "useCab", "3"),
          with(create_body, "useCab", "2"), with(create_body, "senderTel", "\"call me\""),
          with(create_body, "amount", "-1"), with(create_body, "senderCode", "\"NOPE\""),
          with(create_body, "receiverLon", "\"100.0\""), with(create_body, "bizCode", "")}) {
      messages.push_back(w.uocs_message(create, body, with_token));
    }
    messages.push_back(w.uocs_message("/uocs-tes/waybill/api/selectOrderDetails", R"({"fyCode":"FY0"})", with_token));
    messages.push_back(w.uocs_message("/uocs-ces/openApi/cancelWaybill", R"({"fyCode":"FY0"})", with_token));
    messages.push_back(w.uocs_message("/uocs-tes/nothing", "{}", with_token));
    for (const auto& m : messages) check_chinese(m);
  }
}

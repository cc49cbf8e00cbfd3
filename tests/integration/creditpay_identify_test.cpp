#include "integration/helpers.hpp"
#include "support/server_process.hpp"
#include "support/temp_dir.hpp"

#include <doctest/doctest.h>

#include <regex>
#include <set>

using namespace authsim::testing;

namespace {

// Posts to the identify endpoint and returns (status, body).
http_response identify(http_client& c, const std::string& target, const std::string& body,
                       const header_pairs& headers) {
  return c.post(target, body, headers);
}

void check_rejected(const http_response& res, unsigned status, std::int64_t code, const std::string& msg_part) {
  INFO("body: ", res.body);
  CHECK(res.status == status);
  CHECK(res.header("content-type") == "application/json");
  const auto j = res.json();
  CHECK(j.at("code").as_int64() == code);
  CHECK(j.at("data").is_null());
  CHECK(std::string(j.at("msg").as_string()).find(msg_part) != std::string::npos);
}

header_pairs without(header_pairs h, const std::string& name) {
  std::erase_if(h, [&](const auto& p) { return p.first == name; });
  return h;
}

header_pairs replaced(header_pairs h, const std::string& name, const std::string& value) {
  for (auto& p : h) {
    if (p.first == name) p.second = value;
  }
  return h;
}

}  // namespace

TEST_SUITE("creditpay identify") {
  TEST_CASE("the upstream example body, freshly dated and signed, gets a one-time code") {
    server_process server;
    http_client c(server.port());
    const std::string body = identify_body();
    const http_response res = identify(c, identify_target, body, identify_headers(body, "xx-3f1e-40c9"));
    INFO(res.body);
    REQUIRE(res.status == 200);
    CHECK(res.header("content-type") == "application/json");
    const auto j = res.json();
    CHECK(j.at("code").as_int64() == 0);
    CHECK(j.at("msg").as_string() == "success");
    CHECK(j.at("trace").as_string() == "xx-3f1e-40c9");
    const std::string code(j.at("data").at("ident_code").as_string());
    CHECK(std::regex_match(code, std::regex("[0-9a-f]{32}")));
    CHECK(j.at("data").at("url").as_string() ==
          "http://127.0.0.1:" + std::to_string(server.port()) + "/dg/oauth?ident_code=" + code);
  }

  TEST_CASE("a signature computed with openssl over a fixed body is accepted") {
    // printf '%s%s' /v1/platform/identify/auth "$BODY" | openssl dgst -sha1 -hmac "$KEY" -binary | base64
    server_process server;
    http_client c(server.port());
    const std::string body =
        R"({"custom_no":"u1","customer_token":"t","token_expire":4102444800000,"callback_url":"https://example.com/cb","client_ip":"10.0.0.1"})";
    const auto res = identify(c, identify_target, body,
                              {{"trace", "t"}, {"api-key", api_key}, {"signature", "L78QfqpfmvApaTZr3zkxYnAwWpY="}});
    CHECK(res.status == 200);
  }

  TEST_CASE("custom_no spelling and the plat_id query alias are accepted") {
    server_process server;
    http_client c(server.port());
    const std::string body = identify_body("custom_no");
    CHECK(identify(c, "/dg/v1/platform/identify/auth?plat_id=" + plat_id, body, identify_headers(body)).status == 200);
  }

  TEST_CASE("platId is percent-decoded and wins over plat_id") {
    server_process server;
    http_client c(server.port());
    const std::string body = identify_body();
    // %62 is 'b', the platform id's last letter.
    CHECK(c.post("/dg/v1/platform/identify/auth?platId=328cf95950f54f89a2dd4c3bf98ac5f%62", body,
                 identify_headers(body)).status == 200);
    CHECK(c.post("/dg/v1/platform/identify/auth?plat_id=nope&platId=" + plat_id, body, identify_headers(body))
              .status == 200);
  }

  TEST_CASE("a body field sent twice is refused") {
    server_process server;
    http_client c(server.port());
    std::string body = identify_body("custom_no");
    body.insert(1, R"("custom_no":"other",)");
    check_rejected(c.post(identify_target, body, identify_headers(body)), 400, 40010,
                   "holds the key 'custom_no' twice");
  }

  TEST_CASE("issued codes use --public-base-url and differ every time") {
    server_process server({"--public-base-url", "https://pay.sim.test/"});
    http_client c(server.port());
    std::set<std::string> codes;
    for (int i = 0; i < 20; ++i) {
      const std::string body = identify_body();
      const auto j = identify(c, identify_target, body, identify_headers(body)).json();
      const std::string code(j.at("data").at("ident_code").as_string());
      CHECK(j.at("data").at("url").as_string() == "https://pay.sim.test/dg/oauth?ident_code=" + code);
      codes.insert(code);
    }
    CHECK(codes.size() == 20);
  }

  TEST_CASE("each authentication failure is named, in check order") {
    server_process server;
    http_client c(server.port());
    const std::string body = identify_body();
    const header_pairs good = identify_headers(body);
    check_rejected(identify(c, "/dg/v1/platform/identify/auth", body, good), 400, 40001, "platId");
    check_rejected(identify(c, identify_target, body, without(good, "trace")), 400, 40002, "'trace'");
    check_rejected(identify(c, "/dg/v1/platform/identify/auth?platId=nope", body, good), 401, 40101,
                   "platId 'nope' is not configured");
    check_rejected(identify(c, identify_target, body, without(good, "api-key")), 401, 40102, "'api-key'");
    check_rejected(identify(c, identify_target, body, replaced(good, "api-key", "wrong")), 401, 40103,
                   "does not match the API key of platform '" + plat_id + "'");
    check_rejected(identify(c, identify_target, body, without(good, "signature")), 401, 40104, "'signature'");
    // An unknown platform is reported before a wrong api-key and signature.
    check_rejected(identify(c, "/dg/v1/platform/identify/auth?platId=nope", body,
                            replaced(replaced(good, "api-key", "x"), "signature", "y")),
                   401, 40101, "nope");
  }

  TEST_CASE("a signature mismatch says what was signed, never the key or the expected value") {
    server_process server;
    http_client c(server.port());
    const std::string body = identify_body();
    const std::string right = sign(body);
    for (const auto& wrong : {sign(body, "another-key"), sign(body, signature_key, "/dg/v1/platform/identify/auth"),
                              sign(body + " "), std::string("abc")}) {
      const auto res = identify(c, identify_target, body, replaced(identify_headers(body), "signature", wrong));
      check_rejected(res, 401, 40105, "HMAC-SHA1 in Base64 (28 characters)");
      CHECK(res.body.find("'/v1/platform/identify/auth'") != std::string::npos);
      CHECK(res.body.find("(" + std::to_string(body.size()) + " bytes)") != std::string::npos);
      CHECK(res.body.find(signature_key) == std::string::npos);
      CHECK(res.body.find(right) == std::string::npos);
    }
  }

  TEST_CASE("a body re-serialised after signing is refused") {
    server_process server;
    http_client c(server.port());
    const std::string body = identify_body();
    std::string pretty = body;
    pretty.insert(1, "\n  ");
    check_rejected(identify(c, identify_target, pretty, identify_headers(body)), 401, 40105, "signature mismatch");
  }

  TEST_CASE("each body problem is named, with a valid signature over the bad body") {
    server_process server;
    http_client c(server.port());
    auto send = [&](const std::string& body) { return identify(c, identify_target, body, identify_headers(body)); };
    const std::string future = std::to_string(now_ms() + 3'600'000);
    auto with = [&](const std::string& custom, const std::string& token, const std::string& expire,
                    const std::string& url, const std::string& ip) {
      std::string b = "{";
      if (!custom.empty()) b += R"("custom_no":)" + custom + ",";
      if (!token.empty()) b += R"("customer_token":)" + token + ",";
      if (!expire.empty()) b += R"("token_expire":)" + expire + ",";
      if (!url.empty()) b += R"("callback_url":)" + url + ",";
      if (!ip.empty()) b += R"("client_ip":)" + ip + ",";
      if (b.size() > 1) b.pop_back();
      return b + "}";
    };
    const std::string u = R"("u1")", t = R"("tok")", url = R"("https://a.example/cb")", ip = R"("10.1.2.3")";

    check_rejected(send(""), 400, 40010, "empty");
    check_rejected(send("{\"custom_no\":"), 400, 40010, "not valid JSON");
    check_rejected(send("[1,2,3]"), 400, 40011, "got an array");
    check_rejected(send("{\"custom_no\":\"\xc3\x28\"}"), 400, 40010, "not valid JSON (stopped at byte 14: invalid UTF-8)");
    check_rejected(send("{\"custom_no\":"), 400, 40010, "(stopped at byte 13: incomplete JSON)");
    check_rejected(send(with("", t, future, url, ip)), 400, 40012, "'custom_no'");
    check_rejected(send(with(u, "", future, url, ip)), 400, 40012, "'customer_token'");
    check_rejected(send(with(u, t, "", url, ip)), 400, 40012, "'token_expire'");
    check_rejected(send(with(u, t, future, "", ip)), 400, 40012, "'callback_url'");
    check_rejected(send(with(u, t, future, url, "")), 400, 40012, "'client_ip'");
    check_rejected(send(with("7", t, future, url, ip)), 400, 40013, "field 'custom_no' must be a string, got an integer");
    check_rejected(send(with(u, "null", future, url, ip)), 400, 40013, "'customer_token' must be a string, got null");
    check_rejected(send(with(u, t, "\"" + future + "\"", url, ip)), 400, 40013, "'token_expire' must be an integer");
    // A number written with a fraction or an exponent is of the right type
    // and a wrong value, echoed as it was sent.
    check_rejected(send(with(u, t, future + ".5", url, ip)), 400, 40014, "written as an integer, got " + future + ".5");
    check_rejected(send(with(u, t, "1e12", url, ip)), 400, 40014, "got 1e12");
    check_rejected(send(with(u, "\"\"", future, url, ip)), 400, 40014, "'customer_token' must not be empty");
    check_rejected(send(with(u, t, "1732521424191", url, ip)), 400, 40014, "already in the past");
    check_rejected(send(with(u, t, "17325214241", url, ip)), 400, 40014, "13-digit");
    check_rejected(send(with(u, t, future, R"("ftp://a/cb")", ip)), 400, 40014, "'callback_url' must be an absolute http");
    check_rejected(send(with(u, t, future, url, R"("300.1.1.1")")), 400, 40014, "'client_ip' must be an IPv4 or IPv6");
    check_rejected(send(R"({"custom_no":"a","customer_no":"b","customer_token":"t","token_expire":)" + future +
                        R"(,"callback_url":"https://a/","client_ip":"::1"})"),
                   400, 40014, "both present and differ");
  }

  TEST_CASE("rejections echo the trace and speak Chinese when asked") {
    server_process server;
    http_client c(server.port());
    const std::string body = identify_body();
    header_pairs h = replaced(identify_headers(body, "my-trace"), "lang", "zh-CN");
    const auto j = identify(c, identify_target, body, replaced(h, "api-key", "wrong")).json();
    CHECK(j.at("trace").as_string() == "my-trace");
    CHECK(j.at("msg").as_string() == "请求头 'api-key' 与平台 '" + plat_id + "' 的密钥不一致");
    const auto missing = identify(c, identify_target, body, without(h, "trace")).json();
    CHECK(missing.at("trace").is_null());
    const auto empty = identify(c, identify_target, body, replaced(h, "trace", "")).json();
    CHECK(empty.at("code").as_int64() == 40002);
    CHECK(empty.at("trace").is_null());
  }

  TEST_CASE("platforms can sign with HMAC-SHA256 and hex digests") {
    temp_dir dir;
    dir.write("creditpay.json", R"({"settings":{"jwt_secret":"s"},"platforms":[
      {"plat_id":"p256","api_key":"k","signature_key":"sk","signature_algorithm":"sha256","signature_encoding":"hex"},
      {"plat_id":"p1hex","api_key":"k","signature_key":"sk","signature_encoding":"hex"}]})");
    dir.write("uocs.json", R"({"apps":[]})");
    server_process server({"--fixtures", dir.path().string()});
    http_client c(server.port());
    const std::string body = identify_body();
    const std::string msg = "/v1/platform/identify/auth" + body;
    using authsim::support::hex_encode;
    using authsim::support::hmac;
    using authsim::support::hmac_algorithm;
    const std::string sig256 = hex_encode(hmac(hmac_algorithm::sha256, "sk", msg));
    const std::string sig1 = hex_encode(hmac(hmac_algorithm::sha1, "sk", msg));
    CHECK(identify(c, "/dg/v1/platform/identify/auth?platId=p256", body,
                   {{"trace", "t"}, {"api-key", "k"}, {"signature", sig256}}).status == 200);
    CHECK(identify(c, "/dg/v1/platform/identify/auth?platId=p1hex", body,
                   {{"trace", "t"}, {"api-key", "k"}, {"signature", sig1}}).status == 200);
    check_rejected(identify(c, "/dg/v1/platform/identify/auth?platId=p256", body,
                            {{"trace", "t"}, {"api-key", "k"}, {"signature", sig1}}),
                   401, 40105, "HMAC-SHA256 in lowercase hex (64 characters)");
  }
}

TEST_SUITE("creditpay identify: the later revision") {
  TEST_CASE("session_sign and the credit data are kept with the code and shown in the admin state") {
    server_process server;
    http_client c(server.port());
    std::string body = identify_body();
    body.pop_back();  // the closing brace
    body += R"(,"session_sign":"123","credit_limit_tag":"外部系统卡唯一标识","credit_limit_available_cards":[)"
            R"({"tag":"外部系统卡唯一标识","amount":"10001.23","currency":"CNY",)"
            R"("icon":"https://credit-admin-pre.aatest.online/favicon.ico",)"
            R"("input":"<div style=\"font-size: 12px\">PASSTO CREDIT CARD（6268）可用额度 <b>28000.00</b>HKD</div>"}]})";
    const http_response res = c.post(identify_target, body, identify_headers(body));
    INFO(res.body);
    REQUIRE(res.status == 200);
    const std::string code(res.json().at("data").at("ident_code").as_string());

    const http_response state = c.request("GET", "/__admin/state?custom_no=473_32_86000698");
    REQUIRE(state.status == 200);
    const auto items = state.json().at("codes").at("items").as_array();
    REQUIRE(items.size() == 1);
    const auto& item = items[0].as_object();
    CHECK(item.at("ident_code").as_string() == code);
    CHECK(item.at("session_sign").as_string() == "123");
    const auto& credit = item.at("credit_limit").as_object();
    CHECK(credit.at("tag").as_string() == "外部系统卡唯一标识");
    const auto& card = credit.at("available_cards").as_array().at(0).as_object();
    CHECK(card.at("amount").as_string() == "10001.23");
    CHECK(card.at("currency").as_string() == "CNY");
    CHECK(std::string(card.at("input").as_string()).starts_with("<div style=\"font-size: 12px\">"));
  }

  TEST_CASE("a code without the later fields shows them as null, a bad card is refused by its path") {
    server_process server;
    http_client c(server.port());
    const std::string plain = identify_body();
    REQUIRE(c.post(identify_target, plain, identify_headers(plain)).status == 200);
    const auto item = c.request("GET", "/__admin/state").json().at("codes").at("items").as_array().at(0).as_object();
    CHECK(item.at("session_sign").is_null());
    CHECK(item.at("credit_limit").is_null());

    std::string bad = identify_body();
    bad.pop_back();
    bad += R"(,"credit_limit_tag":"a","credit_limit_available_cards":[)"
           R"({"tag":"a","amount":"1.00","currency":"cny","icon":"https://p.example/i.ico","input":"x"}]})";
    check_rejected(c.post(identify_target, bad, identify_headers(bad)), 400, 40014,
                   "field 'credit_limit_available_cards[0].currency' must be a 3-letter currency code");
  }
}

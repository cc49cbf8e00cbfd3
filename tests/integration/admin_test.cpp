// The admin API over real HTTP: health, reset, state, journal, long poll,
// clock, metrics, verification modes, access rules; and the token-protected
// UOCS stubs, whose tokens expire by moving the clock.
#include "integration/helpers.hpp"
#include "support/server_process.hpp"
#include "support/temp_dir.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include <boost/asio/error.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <thread>

using namespace authsim::testing;
namespace json = boost::json;

namespace {

std::string issue_code(http_client& c, const std::string& custom_no = "473_32_86000698", std::int64_t now = 0) {
  std::string body = identify_body("custom_no", now);
  const std::string from = R"("custom_no":"473_32_86000698")";
  body.replace(body.find(from), from.size(), R"("custom_no":")" + custom_no + '"');
  const auto res = c.post(identify_target, body, identify_headers(body));
  REQUIRE(res.status == 200);
  return std::string(res.json().at("data").at("ident_code").as_string());
}

std::string login_token(http_client& c, const std::string& user = "fc0001",
                        const std::string& password = "8bb2423a0e1c4d0a") {
  const auto res = c.post(login_target, uocs_login_body(user, password));
  REQUIRE(res.json().at("success").as_bool());
  return std::string(res.json().at("obj").at("token").as_string());
}

json::value admin_get(http_client& c, const std::string& target) {
  const auto res = c.request("GET", target);
  INFO(res.body);
  REQUIRE(res.status == 200);
  return res.json();
}

http_response move_clock(http_client& c, const std::string& body) {
  return c.request("PUT", "/__admin/clock", body);
}

const std::string waybill = "/uocs-tes/waybill/api/carrierWaybill";
// The upstream's example of a capacity check.
const std::string capacity_example =
    R"({"devCode":"tc123456","gpsType":1,"senderLon":"113.9311883","senderLat":"22.5616979","goodsType":1,)"
    R"("goodsWeight":8000,"receiverLon":"114.0267861","receiverLat":"22.5353805"})";

}  // namespace

TEST_SUITE("admin") {
  TEST_CASE("health reports status, version, uptime and fixture counts") {
    server_process server;
    http_client c(server.port());
    const auto h = admin_get(c, "/__admin/health");
    CHECK(h.at("status").as_string() == "ok");
    CHECK_FALSE(h.at("version").as_string().empty());
    CHECK(h.at("uptime_ms").as_int64() >= 0);
    const auto& f = h.at("fixtures");
    CHECK(f.at("platforms").to_number<int>() == 1);
    CHECK(f.at("apps").to_number<int>() == 2);
    CHECK(f.at("accounts").to_number<int>() == 3);
    CHECK(f.at("stubs").to_number<int>() == 0);
    CHECK(f.at("scenarios").to_number<int>() >= 8);
  }

  TEST_CASE("state lists codes and tokens with their status, filtered") {
    server_process server;
    http_client c(server.port());
    const std::string a = issue_code(c, "user-a");
    const std::string b = issue_code(c, "user-b");
    REQUIRE(c.post(redirect_target, R"({"ident_code":")" + a + R"("})", {{"trace", "t"}}).status == 200);
    login_token(c);
    login_token(c, "xcy0001", "79323c441a34b5599aec5c1f56eda196");

    const auto all = admin_get(c, "/__admin/state");
    CHECK(all.at("codes").at("count").to_number<int>() == 2);
    CHECK(all.at("tokens").at("count").to_number<int>() == 2);
    const auto only_a = admin_get(c, "/__admin/state?custom_no=user-a");
    REQUIRE(only_a.at("codes").at("count").to_number<int>() == 1);
    const auto& code_a = only_a.at("codes").at("items").at(0);
    CHECK(code_a.at("ident_code").as_string() == a);
    CHECK(code_a.at("platform").as_string() == plat_id);
    CHECK(code_a.at("status").as_string() == "redeemed");
    const auto only_b = admin_get(c, "/__admin/state?platform=" + plat_id + "&custom_no=user-b");
    CHECK(only_b.at("codes").at("items").at(0).at("status").as_string() == "issued");
    CHECK(only_b.at("tokens").at("count").to_number<int>() == 0);
    const auto by_user = admin_get(c, "/__admin/state?userId=xcy0001");
    CHECK(by_user.at("tokens").at("count").to_number<int>() == 1);
    CHECK(by_user.at("tokens").at("items").at(0).at("status").as_string() == "valid");
    CHECK(by_user.at("codes").at("count").to_number<int>() == 0);

    REQUIRE(move_clock(c, R"({"advance_ms":300000})").status == 200);
    const auto later = admin_get(c, "/__admin/state?custom_no=user-b");
    CHECK(later.at("codes").at("items").at(0).at("status").as_string() == "expired");
    (void)b;
  }

  TEST_CASE("reset forgets codes, tokens, the journal and the scenario counters") {
    server_process server;
    http_client c(server.port());
    const std::string token = login_token(c);
    issue_code(c);
    REQUIRE(c.request("PUT", "/__admin/scenario", R"({"name":"flaky"})").status == 200);
    for (int i = 0; i < 2; ++i) {
      http_client d(server.port());
      CHECK_THROWS(d.post(login_target, uocs_login_body()));
    }
    CHECK(admin_get(c, "/__admin/requests").at("total").to_number<int>() == 4);
    const auto res = c.request("POST", "/__admin/reset");
    CHECK(res.status == 200);
    const auto state = admin_get(c, "/__admin/state");
    CHECK(state.at("codes").at("count").to_number<int>() == 0);
    CHECK(state.at("tokens").at("count").to_number<int>() == 0);
    CHECK(admin_get(c, "/__admin/requests").at("total").to_number<int>() == 0);
    // The token is gone, and flaky's first two calls fail again.
    CHECK(c.post(waybill, "{}", {{"token", token}}).json().at("errorCode").as_string() == "09020102");
    http_client d(server.port());
    CHECK_THROWS(d.post(login_target, uocs_login_body()));
  }

  TEST_CASE("the journal records each call with secrets redacted, newest first, filtered") {
    server_process server;
    http_client c(server.port());
    const std::string body = identify_body();
    REQUIRE(c.post(identify_target, body, identify_headers(body)).status == 200);
    REQUIRE(c.post(login_target, uocs_login_body("fc0001", "wrong")).status == 200);
    REQUIRE(c.post("/nowhere", std::string(5000, 'x')).status == 404);

    const auto all = admin_get(c, "/__admin/requests");
    CHECK(all.at("total").to_number<int>() == 3);
    const auto& entries = all.at("entries").as_array();
    REQUIRE(entries.size() == 3);
    CHECK(entries[0].at("path").as_string() == "/nowhere");
    CHECK(entries[0].at("body").as_string().size() == 4096);
    CHECK(entries[0].at("body_bytes").to_number<int>() == 5000);
    CHECK(entries[0].at("body_truncated").as_bool());
    CHECK(entries[0].at("outcome").as_string() == "rejected");

    const auto& login = entries[1];
    CHECK(login.at("answer").at("errorCode").as_string() == "09020206");
    CHECK(login.at("decided_by").at("check").as_string() == "PASSWORD_INVALID");
    const auto login_body = json::parse(login.at("body").as_string());
    CHECK(login_body.at("password").as_string() == "***");
    CHECK(login_body.at("appSecret").as_string() == "***");
    CHECK(login_body.at("userId").as_string() == "fc0001");

    const auto& identify = entries[2];
    CHECK(identify.at("method").as_string() == "POST");
    CHECK(identify.at("query").as_string() == "platId=" + plat_id);
    CHECK(identify.at("outcome").as_string() == "ok");
    CHECK(identify.at("answer").at("code").to_number<int>() == 0);
    CHECK(identify.at("headers").at("api-key").as_string() == "kHm2…vgNc (64 chars)");
    CHECK(identify.at("headers").at("signature").as_string() == sign(body));
    CHECK(json::serialize(all).find(api_key) == std::string::npos);
    CHECK(json::serialize(all).find("8bb2423a0e1c4d0a") == std::string::npos);

    const auto filtered = admin_get(c, "/__admin/requests?path=" + login_target + "&limit=5");
    CHECK(filtered.at("entries").as_array().size() == 1);
    CHECK(admin_get(c, "/__admin/requests?outcome=rejected").at("total").to_number<int>() == 2);
    CHECK(admin_get(c, "/__admin/requests?limit=1").at("entries").as_array().size() == 1);
    CHECK(c.request("GET", "/__admin/requests?limit=0").status == 400);
    CHECK(c.request("GET", "/__admin/requests?outcome=maybe").status == 400);

    CHECK(c.request("DELETE", "/__admin/requests").status == 200);
    CHECK(admin_get(c, "/__admin/requests").at("entries").as_array().empty());
  }

  TEST_CASE("a signature mismatch is explained in the journal, never in the answer") {
    server_process server;
    http_client c(server.port());
    const std::string body = identify_body();
    const std::string wrong = sign(body, signature_key, "/dg/v1/platform/identify/auth");
    const auto res = c.post(identify_target, body,
                            {{"trace", "t"}, {"api-key", api_key}, {"signature", wrong}});
    CHECK(res.status == 401);
    CHECK(res.body.find(sign(body)) == std::string::npos);

    const auto entry = admin_get(c, "/__admin/requests").at("entries").at(0);
    CHECK(entry.at("decided_by").at("check").as_string() == "signature_mismatch");
    const auto& d = entry.at("diagnostics").at("signature");
    CHECK(d.at("signed_string").as_string() == "/v1/platform/identify/auth" + body);
    CHECK(d.at("signed_path").as_string() == "/v1/platform/identify/auth");
    CHECK(d.at("algorithm").as_string() == "HMAC-SHA1");
    CHECK(d.at("encoding").as_string() == "Base64");
    CHECK(d.at("received").as_string() == wrong);
    CHECK(d.at("expected").as_string() == sign(body));
    CHECK(d.at("verification").as_string() == "enforce");
    CHECK(json::serialize(entry).find(signature_key) == std::string::npos);
  }

  TEST_CASE("wait long-polls until the journal has the calls, or says it timed out") {
    server_process server;
    http_client c(server.port());
    std::thread caller([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      http_client d(server.port());
      d.post(login_target, uocs_login_body());
      d.post(login_target, uocs_login_body());
    });
    const auto met = admin_get(c, "/__admin/requests/wait?path=" + login_target + "&count=2&timeout_ms=10000");
    caller.join();
    CHECK(met.at("satisfied").as_bool());
    CHECK(met.at("count").to_number<int>() == 2);
    CHECK(met.at("entries").as_array().size() == 2);
    CHECK(met.at("waited_ms").to_number<int>() < 10000);

    const auto missed = admin_get(c, "/__admin/requests/wait?path=/dg/v1/identify/redirect&timeout_ms=300");
    CHECK_FALSE(missed.at("satisfied").as_bool());
    CHECK(missed.at("count").to_number<int>() == 0);
    CHECK(missed.at("waited_ms").to_number<int>() >= 300);
    // Counted since the last clear.
    c.request("DELETE", "/__admin/requests");
    CHECK_FALSE(admin_get(c, "/__admin/requests/wait?path=" + login_target + "&timeout_ms=0").at("satisfied").as_bool());
  }

  TEST_CASE("moving the clock expires codes at code_ttl, and sets iat and exp of open tokens") {
    server_process server;
    http_client c(server.port());
    const auto before = admin_get(c, "/__admin/clock");
    CHECK(before.at("mode").as_string() == "real");
    const std::string soon = issue_code(c);
    const std::string later = issue_code(c);
    REQUIRE(move_clock(c, R"({"advance_ms":299000})").status == 200);
    const auto ok = c.post(redirect_target, R"({"ident_code":")" + soon + R"("})", {{"trace", "t"}});
    REQUIRE(ok.status == 200);
    REQUIRE(move_clock(c, R"({"advance_ms":1000})").status == 200);
    const auto expired = c.post(redirect_target, R"({"ident_code":")" + later + R"("})", {{"trace", "t"}});
    CHECK(expired.json().at("code").to_number<int>() == 40021);

    // set_ms: the open token's iat and exp follow the simulated clock.
    const auto set = move_clock(c, R"({"set_ms":2000000000000})");
    REQUIRE(set.status == 200);
    CHECK(set.json().at("mode").as_string() == "shifted");
    const std::string code = issue_code(c, "u", 2'000'000'000'000);
    const auto redeemed = c.post(redirect_target, R"({"ident_code":")" + code + R"("})", {{"trace", "t"}});
    const auto claims = json::parse(jwt_payload(std::string(redeemed.json().at("data").at("open_token").as_string())));
    const std::int64_t iat = claims.at("iat").as_int64();
    CHECK(iat >= 2'000'000'000);
    CHECK(iat < 2'000'000'060);
    CHECK(claims.at("exp").as_int64() == iat + 3600);

    const auto real = move_clock(c, R"({"mode":"real"})");
    CHECK(real.json().at("mode").as_string() == "real");
    CHECK(real.json().at("offset_ms").as_int64() == 0);
    CHECK(move_clock(c, R"({"advance_ms":"1"})").status == 400);
    CHECK(move_clock(c, R"({"advance_ms":1,"set_ms":2})").status == 400);
    CHECK(move_clock(c, R"({"mode":"fake"})").status == 400);
    CHECK(move_clock(c, R"({"speed":2})").json().at("error").at("code").as_string() == "INVALID_BODY");
    // The total offset stays within 13-digit milliseconds, however it is reached.
    CHECK(move_clock(c, R"({"set_ms":9999999000000})").status == 200);
    CHECK(move_clock(c, R"({"advance_ms":86400000})").status == 400);
    CHECK(move_clock(c, R"({"set_ms":1000})").status == 200);
    CHECK(move_clock(c, R"({"advance_ms":-86400000})").status == 400);
  }

  TEST_CASE("UOCS stubs need a live token: valid, missing, unknown, expired by the clock") {
    // A path authsim does not model, answered from a stub file.
    fixture_copy dir;
    std::filesystem::create_directories(dir.path() / "stubs");
    std::ofstream(dir.path() / "stubs" / "route-plan.json")
        << R"({"description":"route planning","path":"/uocs-ces/openApi/routePlan","obj":{"routeId":"R-1"}})";
    server_process server({"--fixtures", dir.path().string()});
    http_client c(server.port());
    const std::string token = login_token(c);
    const std::string stubbed = "/uocs-ces/openApi/routePlan";
    const auto ok = c.post(stubbed, R"({"requestId":"rq-1"})", {{"token", token}});
    CHECK(ok.status == 200);
    CHECK(ok.json().at("success").as_bool());
    CHECK(ok.json().at("requestId").as_string() == "rq-1");
    CHECK(ok.json().at("obj").at("routeId").as_string() == "R-1");
    CHECK(ok.json().at("params").is_null());
    CHECK(ok.json().at("version").as_string() == "1.0");
    CHECK(ok.json().at("date").as_string().size() == 19);
    auto error_code_of = [](const http_response& r) {
      CHECK(r.status == 200);
      CHECK(r.json().at("success").as_bool() == false);
      CHECK(r.json().at("obj").is_null());
      return std::string(r.json().at("errorCode").as_string());
    };
    // The published codes: token empty, token invalid or expired.
    CHECK(error_code_of(c.post(stubbed, "{}")) == "09020101");
    CHECK(error_code_of(c.post(stubbed, "{}", {{"token", "DEF_A3_nope"}})) == "09020102");
    // A token is never repeated whole, not even one authsim does not know.
    const std::string forgotten = "DEF_A3_0123456789abcdef0123456789abcdef1795466823977";
    const auto invalid = c.post(waybill, "{}", {{"token", forgotten}});
    CHECK(invalid.body.find(forgotten) == std::string::npos);
    REQUIRE(move_clock(c, R"({"advance_ms":604799000})").status == 200);
    CHECK(c.post(stubbed, "{}", {{"token", token}}).json().at("success").as_bool());
    CHECK(c.post(waybill, capacity_example, {{"token", token}}).json().at("success").as_bool());
    REQUIRE(move_clock(c, R"({"advance_ms":1000})").status == 200);
    CHECK(error_code_of(c.post(stubbed, "{}", {{"token", token}})) == "09020102");
    CHECK(error_code_of(c.post(waybill, capacity_example, {{"token", token}})) == "09020102");
    CHECK(c.request("GET", waybill).status == 405);
  }

  TEST_CASE("scenarios apply to the stubbed paths too") {
    server_process server;
    http_client c(server.port());
    const std::string token = login_token(c);
    http_client d(server.port());
    try {
      d.post(waybill, "{}", {{"token", token}, {"X-Authsim-Scenario", "reset"}});
      FAIL("expected a reset");
    } catch (const boost::system::system_error& e) {
      CHECK(e.code() == boost::asio::error::connection_reset);
    }
  }

  TEST_CASE("metrics: requests by endpoint and outcome, latency, live codes and tokens, faults") {
    server_process server;
    http_client c(server.port());
    issue_code(c);
    login_token(c);
    c.post(login_target, uocs_login_body("fc0001", "wrong"));
    c.post(login_target, uocs_login_body(), {{"X-Authsim-Scenario", "upstream-error"}});
    const auto res = c.request("GET", "/__admin/metrics");
    CHECK(res.status == 200);
    CHECK(res.header("content-type").starts_with("text/plain; version=0.0.4"));
    const std::string& m = res.body;
    CHECK(m.find("authsim_requests_total{endpoint=\"/apis-auth/login/auth\",outcome=\"ok\"} 1\n") != std::string::npos);
    CHECK(m.find("authsim_requests_total{endpoint=\"/apis-auth/login/auth\",outcome=\"rejected\"} 2\n") !=
          std::string::npos);
    CHECK(m.find("authsim_requests_total{endpoint=\"" + std::string("/dg/v1/platform/identify/auth") +
                 "\",outcome=\"ok\"} 1\n") != std::string::npos);
    CHECK(m.find("authsim_request_duration_seconds_count{endpoint=\"/apis-auth/login/auth\"} 3\n") !=
          std::string::npos);
    CHECK(m.find("authsim_request_duration_seconds_bucket{endpoint=\"/apis-auth/login/auth\",le=\"+Inf\"} 3\n") !=
          std::string::npos);
    CHECK(m.find("authsim_live_codes 1\n") != std::string::npos);
    CHECK(m.find("authsim_live_tokens 1\n") != std::string::npos);
    CHECK(m.find("authsim_faults_injected_total{kind=\"respond\"} 1\n") != std::string::npos);
  }

  TEST_CASE("verification modes: log-only lets a bad signature through but journals it, off skips it") {
    server_process server;
    http_client c(server.port());
    const std::string target = "/__admin/platforms/" + plat_id + "/verification";
    CHECK(admin_get(c, target).at("mode").as_string() == "enforce");
    const std::string body = identify_body();
    const header_pairs bad = {{"trace", "t"}, {"api-key", api_key}, {"signature", "bogus"}};
    CHECK(c.post(identify_target, body, bad).status == 401);

    CHECK(c.request("PUT", target, R"({"mode":"log-only"})").json().at("mode").as_string() == "log-only");
    const auto let_through = c.post(identify_target, body, bad);
    CHECK(let_through.status == 200);
    CHECK(let_through.json().at("code").to_number<int>() == 0);
    const auto entry = admin_get(c, "/__admin/requests?limit=1").at("entries").at(0);
    CHECK(entry.at("diagnostics").at("signature").at("verification").as_string() == "log-only");
    CHECK(entry.at("diagnostics").at("signature").at("received").as_string() == "bogus");
    CHECK(std::string(entry.at("decided_by").at("check").as_string()).find("log-only") != std::string::npos);

    CHECK(c.request("PUT", target, R"({"mode":"off"})").status == 200);
    CHECK(c.post(identify_target, body, {{"trace", "t"}, {"api-key", api_key}}).status == 200);
    CHECK(c.request("PUT", target, R"({"mode":"enforce"})").status == 200);
    CHECK(c.post(identify_target, body, bad).status == 401);

    CHECK(c.request("PUT", target, R"({"mode":"lenient"})").status == 400);
    const auto unknown = c.request("PUT", "/__admin/platforms/nope/verification", R"({"mode":"off"})");
    CHECK(unknown.status == 404);
    CHECK(unknown.json().at("error").at("code").as_string() == "UNKNOWN_PLATFORM");
    CHECK(c.request("GET", "/__admin/platforms/" + plat_id + "/other").status == 404);
  }

  TEST_CASE("a platform's verification mode can be set in the fixtures") {
    fixture_copy dir;
    dir.write("creditpay.json", R"({"settings":{"jwt_secret":"s"},"platforms":[{"plat_id":")" + plat_id +
                                    R"(","api_key":")" + api_key + R"(","signature_key":"k","verification":"off"}]})");
    server_process server({"--fixtures", dir.path().string()});
    http_client c(server.port());
    const std::string body = identify_body();
    CHECK(c.post(identify_target, body, {{"trace", "t"}, {"api-key", api_key}}).status == 200);
  }

  TEST_CASE("a platform's endpoints start from the fixtures and change at run time, each field on its own") {
    fixture_copy dir;
    dir.write("creditpay.json", R"({"settings":{"jwt_secret":"s"},"platforms":[{"plat_id":")" + plat_id +
                                    R"(","api_key":")" + api_key +
                                    R"(","signature_key":"k","webhook_url":"https://platform.example/api/v1/credit-pay/notify"}]})");
    server_process server({"--fixtures", dir.path().string()});
    http_client c(server.port());
    const std::string target = "/__admin/platforms/" + plat_id + "/endpoints";
    const auto initial = admin_get(c, target);
    CHECK(initial.at("platId").as_string() == plat_id);
    CHECK(initial.at("webhook_url").as_string() == "https://platform.example/api/v1/credit-pay/notify");
    CHECK(initial.at("credit_limit_url").is_null());

    // Only the field given changes.
    const auto set = c.request("PUT", target, R"({"credit_limit_url":"http://127.0.0.1:9000/credit"})");
    REQUIRE(set.status == 200);
    CHECK(set.json().at("webhook_url").as_string() == "https://platform.example/api/v1/credit-pay/notify");
    CHECK(set.json().at("credit_limit_url").as_string() == "http://127.0.0.1:9000/credit");
    // null unsets; the answer and a later GET agree.
    CHECK(c.request("PUT", target, R"({"webhook_url":null})").json().at("webhook_url").is_null());
    const auto after = admin_get(c, target);
    CHECK(after.at("webhook_url").is_null());
    CHECK(after.at("credit_limit_url").as_string() == "http://127.0.0.1:9000/credit");
    CHECK(c.request("PUT", target, "{}").json().at("credit_limit_url").as_string() == "http://127.0.0.1:9000/credit");

    // Refusals name the field, and change nothing.
    const auto not_url = c.request("PUT", target, R"({"webhook_url":"ftp://x.example/hook","credit_limit_url":null})");
    CHECK(not_url.status == 400);
    CHECK(std::string(not_url.json().at("error").at("message").as_string()).find("'webhook_url'") != std::string::npos);
    const auto wrong_type = c.request("PUT", target, R"({"credit_limit_url":42})");
    CHECK(wrong_type.status == 400);
    CHECK(std::string(wrong_type.json().at("error").at("message").as_string()).find("'credit_limit_url'") !=
          std::string::npos);
    const auto unknown_field = c.request("PUT", target, R"({"callback_url":"http://a.example/"})");
    CHECK(unknown_field.status == 400);
    CHECK(std::string(unknown_field.json().at("error").at("message").as_string()).find("'callback_url'") !=
          std::string::npos);
    CHECK(c.request("PUT", target, "[]").status == 400);
    CHECK(admin_get(c, target).at("credit_limit_url").as_string() == "http://127.0.0.1:9000/credit");

    const auto unknown = c.request("PUT", "/__admin/platforms/nope/endpoints", R"({"webhook_url":null})");
    CHECK(unknown.status == 404);
    CHECK(unknown.json().at("error").at("code").as_string() == "UNKNOWN_PLATFORM");
    CHECK(c.request("GET", "/__admin/platforms/nope/endpoints").status == 404);
  }

  TEST_CASE("a platform endpoint in the fixtures must be an http or https URL") {
    fixture_copy dir;
    dir.write("creditpay.json", R"({"settings":{"jwt_secret":"s"},"platforms":[{"plat_id":")" + plat_id +
                                    R"(","api_key":")" + api_key + R"(","signature_key":"k","credit_limit_url":"notify"}]})");
    const auto r = run_to_exit({"--port", "0", "--fixtures", dir.path().string()});
    CHECK(r.status.code == 2);
    CHECK(r.err == "authsim: " + (dir.path() / "creditpay.json").string() +
                       ": platforms[0].credit_limit_url: must be an absolute http:// or https:// URL, got \"notify\"\n");
  }

  TEST_CASE("--admin-token: every admin call needs the bearer token") {
    server_process server({"--admin-token", "s3cret"});
    http_client c(server.port());
    const auto missing = c.request("GET", "/__admin/health");
    CHECK(missing.status == 401);
    CHECK(missing.json().at("error").at("code").as_string() == "ADMIN_TOKEN_MISSING");
    CHECK(missing.header("www-authenticate").starts_with("Bearer"));
    CHECK(c.request("GET", "/__admin/health", "", {{"Authorization", "Bearer wrong"}}).status == 401);
    CHECK(c.request("GET", "/__admin/scenarios", "", {{"Authorization", "Bearer wrong"}}).status == 401);
    CHECK(c.request("GET", "/__admin/health", "", {{"Authorization", "Bearer s3cret"}}).status == 200);
    // The simulated APIs themselves need no admin token.
    CHECK(c.post(login_target, uocs_login_body()).status == 200);
  }

  TEST_CASE("the token guards unknown admin paths too, the scheme name is case-insensitive") {
    server_process server({"--admin-token", "s3cret"});
    http_client c(server.port());
    CHECK(c.request("GET", "/__admin/secret-route").status == 401);
    CHECK(c.request("DELETE", "/__admin/health").status == 401);
    CHECK(c.request("GET", "/__admin/health", "", {{"Authorization", "bearer s3cret"}}).status == 200);
    CHECK(c.request("GET", "/__admin/secret-route", "", {{"Authorization", "Bearer s3cret"}}).status == 404);
  }

  TEST_CASE("an abandoned long poll frees its connection at once") {
    server_process server({"--max-connections", "2"});
    {
      http_client waiting(server.port());
      waiting.send_raw("GET /__admin/requests/wait?path=/never&timeout_ms=60000 HTTP/1.1\r\nHost: x\r\n\r\n");
      CHECK(waiting.read_some_raw(std::chrono::milliseconds(300)).empty());
    }
    bool served = false;
    for (int attempt = 0; attempt < 100 && !served; ++attempt) {
      http_client a(server.port());
      http_client b(server.port());
      try {
        served = a.post(login_target, uocs_login_body()).status == 200 &&
                 b.post(login_target, uocs_login_body()).status == 200;
      } catch (const boost::system::system_error&) {
      }
      if (!served) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    CHECK(served);
  }

  TEST_CASE("requests refused while being read are journaled too") {
    server_process server;
    http_client c(server.port());
    c.send_raw("POST " + login_target + " HTTP/1.1\r\nHost: x\r\nContent-Length: 9999999\r\n\r\n");
    REQUIRE(c.read_response().status == 413);
    http_client admin(server.port());
    const auto entry = admin.request("GET", "/__admin/requests?limit=1").json().at("entries").at(0);
    CHECK(entry.at("path").as_string() == login_target);
    CHECK(entry.at("answer").at("status").to_number<int>() == 413);
    CHECK(entry.at("outcome").as_string() == "rejected");
  }

  TEST_CASE("--no-admin turns the admin API off") {
    server_process server({"--no-admin"});
    http_client c(server.port());
    CHECK(c.request("GET", "/__admin/health").status == 404);
    CHECK(c.request("GET", "/__admin/scenarios").status == 404);
  }

  TEST_CASE("bound off loopback without a token, the admin API refuses unless --admin-open") {
    {
      server_process server({"--host", "0.0.0.0"});
      http_client c(server.port());
      const auto res = c.request("GET", "/__admin/state");
      CHECK(res.status == 403);
      CHECK(res.json().at("error").at("code").as_string() == "ADMIN_FORBIDDEN");
      CHECK(c.post(login_target, uocs_login_body()).status == 200);
      // A health probe on the machine itself (a container's HEALTHCHECK)
      // still gets its answer.
      CHECK(c.request("GET", "/__admin/health").status == 200);
      CHECK(c.request("POST", "/__admin/reset").status == 403);
    }
    {
      server_process server({"--host", "0.0.0.0", "--admin-token", "t"});
      http_client c(server.port());
      CHECK(c.request("GET", "/__admin/health", "", {{"Authorization", "Bearer t"}}).status == 200);
    }
    server_process server({"--host", "0.0.0.0", "--admin-open"});
    http_client c(server.port());
    CHECK(c.request("GET", "/__admin/health").status == 200);
    CHECK(server.stderr_text().find("the admin API is open to anyone") != std::string::npos);
  }
}

// The payment lifecycle against the real server: webhook events go to a
// receiver on loopback that records them; the test checks each with its
// own HMAC and its own parse, and drives the time by moving the simulated
// clock, never by sleeping.

#include "integration/helpers.hpp"
#include "support/receiver.hpp"
#include "support/server_process.hpp"
#include "support/temp_dir.hpp"

#include <doctest/doctest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>

#include <csignal>

using namespace authsim::testing;
namespace json = boost::json;

namespace {

const std::string customer_token = "a1472263c7b9709xxxb624adccc60_ad0975be-877c-4420-8e2e-8a156a3ec7b2app";

struct sandbox {
  http_client c;
  explicit sandbox(std::uint16_t port) : c(port) {}

  void set_webhook(const std::string& url) {
    const auto res = c.request("PUT", "/__admin/platforms/" + plat_id + "/endpoints",
                               json::serialize(json::object{{"webhook_url", url}}));
    REQUIRE(res.status == 200);
  }
  std::int64_t now() { return c.request("GET", "/__admin/clock").json().at("now_ms").as_int64(); }
  void advance(std::int64_t ms) { advance_clock(c, ms); }
  // A code issued (with session_sign and credit data) and, unless told
  // otherwise, redeemed.
  std::string code(bool redeem = true) {
    std::string body = identify_body("custom_no", now());
    body.insert(body.size() - 1,
                R"(,"session_sign":"sess-1","credit_limit_tag":"card-1","credit_limit_available_cards":[{"tag":"card-1","amount":"100.00","currency":"CNY","icon":"https://p.example/i.ico","input":"x"}])");
    const auto issued = c.post(identify_target, body, identify_headers(body));
    REQUIRE(issued.status == 200);
    const std::string code(issued.json().at("data").at("ident_code").as_string());
    if (redeem) {
      REQUIRE(c.post(redirect_target, R"({"ident_code":")" + code + R"("})", {{"trace", "t"}}).status == 200);
    }
    return code;
  }
  http_response start(const std::string& code, const std::string& outcome, const std::string& extra = "") {
    return c.post("/__admin/payments",
                  R"({"ident_code":")" + code + R"(","outcome":")" + outcome + R"(","amount":"12.30")" + extra + "}");
  }
  json::object wait(const std::string& query) {
    const auto res = c.request("GET", "/__admin/webhooks/wait?timeout_ms=10000&" + query);
    REQUIRE(res.status == 200);
    auto j = res.json().as_object();
    INFO(query << " -> " << res.body);
    REQUIRE_FALSE(j.at("timed_out").as_bool());
    return j;
  }
  json::object webhooks(const std::string& query) {
    const auto res = c.request("GET", "/__admin/webhooks?" + query);
    REQUIRE(res.status == 200);
    return res.json().as_object();
  }
};

reply ok_reply() {
  reply r;
  r.body = "ok";
  return r;
}

std::vector<std::string> types_of(const std::vector<received>& got) {
  std::vector<std::string> out;
  for (const auto& r : got) {
    out.emplace_back(json::parse(r.body).at("type").as_string());
  }
  return out;
}

// Checks what every webhook request must carry; answers its parsed body.
json::object check_webhook(const received& r, const std::string& path) {
  CHECK(r.method == "POST");
  CHECK(r.header("content-type") == "application/json");
  CHECK(r.header("signature") == independent_signature(signature_key, path + r.body));
  CHECK(r.header("token") == customer_token);
  CHECK(std::regex_match(r.header("timestamp"), std::regex("[0-9]{13}")));
  CHECK(std::regex_match(r.header("trace"), std::regex("[0-9a-f-]{36}")));
  const auto body = json::parse(r.body).as_object();
  CHECK(body.size() == 5);
  CHECK(body.at("platform_id").as_string() == plat_id);
  CHECK(std::regex_match(std::string(body.at("event_id").as_string()), std::regex("evt_[0-9a-f]{24}")));
  CHECK(body.at("data").is_object());
  return body;
}

}  // namespace

TEST_SUITE("creditpay payments") {
  TEST_CASE("a paid payment: its events in order, signed, with the documented data, then refunds") {
    server_process server;
    sandbox s(server.port());
    receiver platform([](const received&) { return ok_reply(); });
    s.set_webhook(platform.url("/api/v1/credit-pay/webhook?from=authsim"));
    const std::string code = s.code();
    const auto started = s.start(code, "paid", R"(,"pay_after_ms":100000,"merchant_name":"演示 Shop")");
    INFO(started.body);
    REQUIRE(started.status == 201);
    const auto p = started.json();
    const std::string payment(p.at("payment_id").as_string());
    const std::int64_t t0 = p.at("started_ms").as_int64();
    // PAY_START is due at once; the rest when the clock gets there.
    s.wait("payment_id=" + payment + "&count=1");
    CHECK(platform.requests().size() == 1);
    s.advance(200'000);
    s.wait("payment_id=" + payment + "&count=8");

    const auto got = platform.requests();
    REQUIRE(got.size() == 8);
    CHECK(types_of(got) == std::vector<std::string>{"PAY_START", "ASSIGN_SUCCESS", "GET_BARCODE_SUCCESS",
                                                    "GET_BARCODE_SUCCESS", "SESSION_RENEWAL", "GET_BARCODE_SUCCESS",
                                                    "PAY_SUCCESS", "PAY_FINISH"});
    std::set<std::string> traces;
    std::set<std::string> ids;
    for (const auto& r : got) {
      CHECK(r.target == "/api/v1/credit-pay/webhook?from=authsim");
      const auto body = check_webhook(r, "/api/v1/credit-pay/webhook");
      CHECK(body.at("retry").as_int64() == 0);
      traces.insert(r.header("trace"));
      ids.insert(std::string(body.at("event_id").as_string()));
    }
    CHECK(traces.size() == 8);
    CHECK(ids.size() == 8);
    const auto data = [&](std::size_t i) { return json::parse(got.at(i).body).at("data").as_object(); };
    // ASSIGN_SUCCESS: tag, token, session_sign, real_ip.
    CHECK(data(1) == json::parse(R"({"tag":"card-1","token":")" + customer_token +
                                 R"(","session_sign":"sess-1","real_ip":"192.168.1.166"})"));
    CHECK(data(4).at("timestamp").as_int64() == t0 + 62'000);
    const auto paid = data(6);
    CHECK(paid.at("amount").as_string() == "12.30");
    CHECK(paid.at("currency").as_string() == "CNY");
    CHECK(paid.at("tradeTime").as_int64() == t0 + 100'000);
    CHECK(paid.at("merchantName").as_string() == "%E6%BC%94%E7%A4%BA%20Shop");
    CHECK(paid.at("orderNo") == paid.at("chargeOrderNo"));
    CHECK(paid.at("realIp").as_string() == "192.168.1.166");
    CHECK(paid.at("remark").as_string() == "");

    // Refunds: several, never more than was paid.
    auto refund = s.c.post("/__admin/payments/" + payment + "/refund", R"({"amount":"10.00"})");
    REQUIRE(refund.status == 201);
    refund = s.c.post("/__admin/payments/" + payment + "/refund", R"({"amount":"2.30"})");
    REQUIRE(refund.status == 201);
    const auto too_much = s.c.post("/__admin/payments/" + payment + "/refund", R"({"amount":"0.01"})");
    CHECK(too_much.status == 409);
    CHECK(too_much.body.find("REFUND_TOO_LARGE") != std::string::npos);
    s.wait("type=REFUND&count=2");
    const auto after = platform.requests();
    REQUIRE(after.size() == 10);
    const auto refunded = json::parse(after.at(9).body).at("data").as_object();
    CHECK(refunded.at("amount").as_string() == "2.30");
    CHECK(refunded.at("chargeOrderNo") == paid.at("orderNo"));
    CHECK(refunded.at("orderNo") != paid.at("orderNo"));

    // The admin views agree.
    const auto one = s.c.request("GET", "/__admin/payments/" + payment).json();
    CHECK(one.at("events").as_array().size() == 10);
    CHECK(one.at("refunds").as_array().size() == 2);
    CHECK(s.webhooks("payment_id=" + payment + "&status=delivered").at("count").as_int64() == 10);
    const auto metrics = s.c.request("GET", "/__admin/metrics").body;
    CHECK(metrics.find(R"(authsim_webhook_deliveries_total{type="GET_BARCODE_SUCCESS",result="delivered"} 3)") !=
          std::string::npos);
  }

  TEST_CASE("unpaid, assign_failed and barcode_failed lifecycles") {
    server_process server;
    sandbox s(server.port());
    receiver platform([](const received&) { return ok_reply(); });
    s.set_webhook(platform.url("/hook"));

    const auto unpaid = s.start(s.code(), "unpaid").json();
    const std::int64_t t0 = unpaid.at("started_ms").as_int64();
    s.advance(300'000);
    s.wait("count=10");
    CHECK(types_of(platform.requests()) ==
          std::vector<std::string>{"PAY_START", "ASSIGN_SUCCESS", "GET_BARCODE_SUCCESS", "GET_BARCODE_SUCCESS",
                                   "SESSION_RENEWAL", "GET_BARCODE_SUCCESS", "SESSION_RENEWAL", "SESSION_RENEWAL",
                                   "SESSION_RENEWAL", "PAY_TIMEOUT"});
    const auto timeout = s.webhooks("type=PAY_TIMEOUT").at("items").as_array().at(0);
    // Two minutes after the last barcode (2 s + 3 × 45 s) expired.
    CHECK(timeout.at("due_ms").as_int64() == t0 + 257'000);
    // An unpaid payment cannot be refunded.
    const std::string unpaid_id(unpaid.at("payment_id").as_string());
    CHECK(s.c.post("/__admin/payments/" + unpaid_id + "/refund", R"({"amount":"1.00"})").status == 409);

    const std::size_t before = platform.requests().size();
    s.start(s.code(), "assign_failed");
    s.start(s.code(), "barcode_failed");
    s.advance(10'000);
    s.wait("count=" + std::to_string(before + 5));
    auto got = types_of(platform.requests());
    got.erase(got.begin(), got.begin() + static_cast<std::ptrdiff_t>(before));
    std::multiset<std::string> kinds(got.begin(), got.end());
    CHECK(kinds == std::multiset<std::string>{"PAY_START", "ASSIGN_FAILED", "PAY_START", "ASSIGN_SUCCESS",
                                              "GET_BARCODE_FAILED"});
  }

  TEST_CASE("a delivery not answered 200 is retried every 5 minutes with the same event_id, at most 10 times") {
    server_process server;
    sandbox s(server.port());
    std::atomic<int> failures_left{2};
    receiver platform([&](const received& r) {
      const auto type = json::parse(r.body).at("type").as_string();
      reply answer = ok_reply();
      if (type == "PAY_START" && failures_left.fetch_sub(1) > 0) {
        answer.status = 503;
        answer.body = "busy";
      }
      if (type == "ASSIGN_FAILED") {
        answer.status = 500;
      }
      return answer;
    });
    s.set_webhook(platform.url("/hook"));
    const auto p = s.start(s.code(), "assign_failed").json();
    const std::string payment(p.at("payment_id").as_string());
    s.wait("type=PAY_START&status=retrying&attempts=1");
    s.advance(1'000);
    s.wait("type=ASSIGN_FAILED&status=retrying&attempts=1");
    // Five minutes on: PAY_START's first retry (503 again), ASSIGN_FAILED's.
    s.advance(300'000);
    s.wait("type=PAY_START&status=retrying&attempts=2");
    s.advance(300'000);
    s.wait("type=PAY_START&count=1");  // delivered on its second retry
    const auto start = s.webhooks("type=PAY_START").at("items").as_array().at(0);
    const auto& attempts = start.at("attempts").as_array();
    REQUIRE(attempts.size() == 3);
    CHECK(attempts.at(0).at("status").as_int64() == 503);
    CHECK(attempts.at(0).at("answer").as_string() == "busy");
    CHECK(attempts.at(2).at("status").as_int64() == 200);
    CHECK(attempts.at(1).at("time_ms").as_int64() - start.at("due_ms").as_int64() >= 300'000);
    std::vector<std::int64_t> retries;
    std::set<std::string> ids;
    for (const auto& r : platform.requests()) {
      const auto body = json::parse(r.body);
      if (body.at("type").as_string() == "PAY_START") {
        retries.push_back(body.at("retry").as_int64());
        ids.insert(std::string(body.at("event_id").as_string()));
      }
    }
    CHECK(retries == std::vector<std::int64_t>{0, 1, 2});
    CHECK(ids.size() == 1);

    // ASSIGN_FAILED never succeeds: an hour on, all ten retries have run
    // and it is given up.
    s.advance(3'600'000);
    s.wait("type=ASSIGN_FAILED&status=failed");
    const auto failed = s.webhooks("type=ASSIGN_FAILED").at("items").as_array().at(0);
    CHECK(failed.at("attempts").as_array().size() == 11);
    CHECK(failed.at("attempts").as_array().at(10).at("retry").as_int64() == 10);
    CHECK(failed.at("next_attempt_ms").is_null());
    // Nothing more is sent, however far the clock goes.
    const std::size_t sent = platform.requests().size();
    s.advance(3'600'000);
    CHECK(s.webhooks("").at("pending").as_int64() == 0);
    CHECK(platform.requests().size() == sent);

    // A redelivery sends it again now.
    const std::string id(failed.at("event_id").as_string());
    const auto again = s.c.post("/__admin/webhooks/" + id + "/redeliver", "");
    REQUIRE(again.status == 200);
    CHECK(again.json().at("attempt").at("status").as_int64() == 500);
    CHECK(platform.requests().size() == sent + 1);
  }

  TEST_CASE("without a webhook_url events are kept as undeliverable, and can be redelivered once it is set") {
    server_process server;
    sandbox s(server.port());
    receiver platform([](const received&) { return ok_reply(); });
    const auto p = s.start(s.code(), "assign_failed").json();
    s.advance(2'000);
    s.wait("status=undeliverable&count=2");
    const auto kept = s.webhooks("status=undeliverable");
    REQUIRE(kept.at("count").as_int64() == 2);
    const auto& attempt = kept.at("items").at(0).at("attempts").at(0);
    CHECK(std::string(attempt.at("error").as_string()).find("no webhook_url") != std::string::npos);
    CHECK(s.c.request("GET", "/__admin/metrics").body.find(R"(result="undeliverable"} )") != std::string::npos);

    s.set_webhook(platform.url("/hook"));
    const std::string id(kept.at("items").at(0).at("event_id").as_string());
    const auto sent = s.c.post("/__admin/webhooks/" + id + "/redeliver", "");
    REQUIRE(sent.status == 200);
    CHECK(sent.json().at("status").as_string() == "delivered");
    REQUIRE(platform.requests().size() == 1);
    check_webhook(platform.requests().at(0), "/hook");
    CHECK(s.c.post("/__admin/webhooks/evt_nope/redeliver", "").status == 404);
  }

  TEST_CASE("payments are refused for unknown or unredeemed codes and bad requests, each saying why") {
    server_process server;
    sandbox s(server.port());
    auto check = [&](const http_response& res, unsigned status, const std::string& error, const std::string& said) {
      INFO(res.body);
      CHECK(res.status == status);
      CHECK(res.body.find(error) != std::string::npos);
      CHECK(res.body.find(said) != std::string::npos);
    };
    check(s.start("0123456789abcdef0123456789abcdef", "paid"), 404, "UNKNOWN_CODE", "is not held");
    check(s.start(s.code(false), "paid"), 409, "CODE_NOT_REDEEMED", "is issued");
    const std::string code = s.code();
    check(s.start(code, "refunded"), 400, "INVALID_FIELD", "outcome must be paid, unpaid");
    check(s.c.post("/__admin/payments", R"({"ident_code":")" + code + R"(","outcome":"paid","amount":"-1"})"), 400,
          "INVALID_FIELD", "amount must be a positive amount");
    check(s.c.post("/__admin/payments", R"({"ident_code":")" + code + R"(","outcome":"paid","amount":"60000"})"), 400,
          "INVALID_FIELD", "over the platform's max_amount 50000");
    check(s.start(code, "paid", R"(,"pay_after_ms":500000)"), 400, "INVALID_FIELD", "pay_after_ms must be from 2000");
    check(s.start(code, "paid", R"(,"colour":"red")"), 400, "INVALID_BODY", "unknown field 'colour'");
    check(s.c.post("/__admin/payments", R"({"outcome":"paid"})"), 400, "MISSING_FIELD", "ident_code");
    check(s.c.post("/__admin/payments/pay_nope/refund", R"({"amount":"1"})"), 404, "UNKNOWN_PAYMENT", "pay_nope");
    check(s.c.request("GET", "/__admin/webhooks?status=lost"), 400, "INVALID_QUERY", "'status' must be");

    // A paid payment before PAY_SUCCESS cannot be refunded yet.
    const auto p = s.start(code, "paid").json();
    check(s.c.post("/__admin/payments/" + std::string(p.at("payment_id").as_string()) + "/refund", R"({"amount":"1"})"),
          409, "NOT_PAID", "move the clock there first");
    // Reset forgets payments and events.
    REQUIRE(s.c.post("/__admin/reset", "").status == 200);
    CHECK(s.c.request("GET", "/__admin/payments").json().at("count").as_int64() == 0);
    CHECK(s.webhooks("").at("count").as_int64() == 0);
  }

  TEST_CASE("a platform may have the signature sent as the upstream table spells it, or both ways") {
    temp_dir dir;
    std::filesystem::copy(AUTHSIM_FIXTURES_DIR, dir.path() / "fixtures", std::filesystem::copy_options::recursive);
    const auto file = dir.path() / "fixtures" / "creditpay.json";
    for (const std::string spelling : {"signerature", "both"}) {
      CAPTURE(spelling);
      {
        std::ifstream in(file);
        auto doc = json::parse(std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>()));
        doc.at("platforms").as_array().at(0).as_object()["webhook_signature_header"] = spelling;
        std::ofstream(file) << json::serialize(doc);
      }
      server_process server({"--fixtures", (dir.path() / "fixtures").string()});
      sandbox s(server.port());
      receiver platform([](const received&) { return ok_reply(); });
      s.set_webhook(platform.url("/hook"));
      s.start(s.code(), "assign_failed");
      s.wait("type=PAY_START");
      const received r = platform.requests().at(0);
      const std::string expected = independent_signature(signature_key, "/hook" + r.body);
      CHECK(r.header("signerature") == expected);
      CHECK(r.has_header("signature") == (spelling == "both"));
      if (spelling == "both") {
        CHECK(r.header("signature") == expected);
      }
    }
  }

  TEST_CASE("the shipped webhook-faults scenario: a duplicate, a bad signature, a delay, a drop and an overtaken event") {
    server_process server;
    sandbox s(server.port());
    // A receiver that checks signatures as a platform should: 401 when wrong.
    receiver platform([](const received& r) {
      reply answer = ok_reply();
      if (r.header("signature") != independent_signature(signature_key, "/hook" + r.body)) {
        answer.status = 401;
        answer.body = "bad signature";
      }
      return answer;
    });
    s.set_webhook(platform.url("/hook"));
    REQUIRE(s.c.request("PUT", "/__admin/scenario", R"({"name":"webhook-faults"})").status == 200);
    const auto p = s.start(s.code(), "paid", R"(,"pay_after_ms":100000)");
    REQUIRE(p.status == 201);
    s.advance(250'000);
    s.wait("type=PAY_SUCCESS");
    s.wait("type=SESSION_RENEWAL&status=dropped");
    s.wait("type=ASSIGN_SUCCESS&status=retrying");
    s.advance(60'000);
    s.wait("type=ASSIGN_SUCCESS");

    std::vector<json::object> got;
    for (const auto& r : platform.requests()) {
      got.push_back(json::parse(r.body).as_object());
    }
    const auto index_of = [&](const char* type) {
      for (std::size_t i = 0; i < got.size(); ++i) {
        if (got[i].at("type").as_string() == type) return static_cast<std::ptrdiff_t>(i);
      }
      return static_cast<std::ptrdiff_t>(-1);
    };
    const auto count_of = [&](const char* type) {
      return std::count_if(got.begin(), got.end(), [&](const json::object& o) { return o.at("type").as_string() == type; });
    };
    // duplicate: PAY_START twice, the same event.
    REQUIRE(count_of("PAY_START") == 2);
    CHECK(got.at(0).at("event_id") == got.at(1).at("event_id"));
    CHECK(got.at(1).at("retry").as_int64() == 0);
    // bad_signature: refused once by the receiver, then delivered on the retry, signed right.
    CHECK(count_of("ASSIGN_SUCCESS") == 2);
    const auto assign = s.webhooks("type=ASSIGN_SUCCESS").at("items").at(0);
    CHECK(assign.at("fault").as_string() == "bad_signature");
    CHECK(assign.at("attempts").at(0).at("status").as_int64() == 401);
    CHECK(assign.at("attempts").at(1).at("status").as_int64() == 200);
    CHECK(assign.at("attempts").at(1).at("retry").as_int64() == 1);
    // delay: every barcode event still arrives, in order.
    CHECK(count_of("GET_BARCODE_SUCCESS") == 3);
    CHECK(s.webhooks("type=GET_BARCODE_SUCCESS").at("items").at(0).at("fault").as_string() == "delay");
    // drop: the renewal never comes.
    CHECK(count_of("SESSION_RENEWAL") == 0);
    CHECK(s.webhooks("status=dropped").at("count").as_int64() == 1);
    // out_of_order: PAY_FINISH overtakes PAY_SUCCESS.
    CHECK(index_of("PAY_FINISH") >= 0);
    CHECK(index_of("PAY_FINISH") < index_of("PAY_SUCCESS"));
    const auto metrics = s.c.request("GET", "/__admin/metrics").body;
    CHECK(metrics.find(R"(authsim_faults_injected_total{kind="webhook_out_of_order"} 1)") != std::string::npos);
    CHECK(metrics.find(R"(authsim_webhook_deliveries_total{type="SESSION_RENEWAL",result="dropped"} 1)") !=
          std::string::npos);
  }

  TEST_CASE("on SIGTERM the events not yet sent are counted in a log line") {
    server_process server;
    sandbox s(server.port());
    receiver platform([](const received&) { return ok_reply(); });
    s.set_webhook(platform.url("/hook"));
    s.start(s.code(), "unpaid");  // 10 events: PAY_START now, the rest over 257 s
    s.wait("type=PAY_START");
    const auto status = server.stop(SIGTERM);
    REQUIRE(status.has_value());
    CHECK(status->code == 0);
    CHECK(server.stderr_text().find("9 webhook event(s) and push(es) not yet delivered") != std::string::npos);
  }
}

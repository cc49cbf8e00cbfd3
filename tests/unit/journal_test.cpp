#include "journal/exchange.hpp"
#include "journal/store.hpp"
#include "state/metrics.hpp"

#include <doctest/doctest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

using namespace authsim;

namespace {

// An entry already rendered, for tests of the ring and the counts.
class fixed_payload final : public journal::payload {
 public:
  explicit fixed_payload(boost::json::object entry) : entry_(std::move(entry)) {}
  [[nodiscard]] boost::json::object render() const override { return entry_; }

 private:
  boost::json::object entry_;
};

void add(journal::memory_store& j, const std::string& path, const std::string& outcome, boost::json::object entry,
         bool known_path = true) {
  j.add({path, outcome, known_path}, std::make_shared<const fixed_payload>(std::move(entry)));
}

}  // namespace

// A detail as a handler attaches one (signature diagnostics, say).
class sample_detail final : public journal::detail {
 public:
  [[nodiscard]] const char* name() const override { return "sample"; }
  [[nodiscard]] boost::json::object render(std::string_view body) const override {
    return {{"body_bytes", body.size()}, {"why", "a test"}};
  }
};

TEST_SUITE("journal") {
  TEST_CASE("an encoded exchange decodes to one that renders the same, and broken bytes decode to nothing") {
    http::request req;
    req.method = "POST";
    req.target = "/apis-auth/login/auth?x=1";
    req.headers.add("Content-Type", "application/json");
    req.headers.add("token", "DEF_A3_0123456789abcdef0123456789abcdef");
    req.headers.add("X-Dup", "a");
    req.headers.add("x-dup", "b");
    req.body = std::string(R"({"userId":"fc0001","password":"secret","note":"\u0000 and )") + '\0' + R"("})";
    req.remote_address = "127.0.0.1";
    http::response res;
    res.status = 401;
    res.headers.set("Content-Type", "application/json");
    res.body = R"({"success":false,"errorCode":"10002","errorMessage":"no"})";
    res.note.check = "password";
    res.note.business = journal::business_result{std::nullopt, false};
    res.note.diagnostics = std::make_shared<sample_detail>();
    journal::exchange x;
    x.req = &req;
    x.res = &res;
    x.rule = "flaky#0";
    x.time_ms = 1796218596621;
    x.duration_us = 1234;
    const auto original = journal::make_payload(http::request(req), &res, x);
    std::string bytes;
    REQUIRE(original->encode(bytes));
    const auto decoded = journal::decode_payload(bytes);
    REQUIRE(decoded != nullptr);
    CHECK(boost::json::serialize(decoded->render()) == boost::json::serialize(original->render()));
    CHECK(decoded->render().at("diagnostics").at("sample").at("why").as_string() == "a test");
    // A connection fault has no answer.
    const auto unanswered = journal::make_payload(http::request(req), nullptr, x);
    std::string fault_bytes;
    REQUIRE(unanswered->encode(fault_bytes));
    const auto fault = journal::decode_payload(fault_bytes);
    REQUIRE(fault != nullptr);
    CHECK(fault->render().at("answer").is_null());
    // Cut anywhere, or with bytes after it, it is refused.
    for (std::size_t cut = 0; cut < bytes.size(); cut += 7) {
      CHECK(journal::decode_payload(std::string_view(bytes).substr(0, cut)) == nullptr);
    }
    CHECK(journal::decode_payload(bytes + "x") == nullptr);
    CHECK(journal::decode_payload("J{}") == nullptr);
  }


  TEST_CASE("the ring keeps the newest entries, counts include the dropped ones") {
    journal::memory_store j(3);
    for (int i = 0; i < 5; ++i) {
      add(j, i % 2 == 0 ? "/a" : "/b", "ok", {{"n", i}});
    }
    CHECK(j.size() == 3);
    const auto all = j.list(10, {});
    REQUIRE(all.size() == 3);
    CHECK(all[0].at("n").as_int64() == 4);
    CHECK(all[0].at("id").as_uint64() == 5);
    CHECK(all[2].at("n").as_int64() == 2);
    CHECK(j.count({}) == 5);
    CHECK(j.count({std::string("/a"), std::nullopt}) == 3);
    CHECK(j.count({std::string("/a"), std::string("ok")}) == 3);
    CHECK(j.count({std::nullopt, std::string("fault")}) == 0);
    CHECK(j.list(10, {std::string("/b"), std::nullopt}).size() == 1);
    j.clear();
    CHECK(j.count({}) == 0);
    add(j, "/a", "ok", {});
    CHECK(j.list(1, {})[0].at("id").as_uint64() == 1);
  }

  TEST_CASE("headers are redacted: api-key and token shortened, credentials masked, signature kept") {
    CHECK(journal::redact_header("api-key", "kHm2nk3dgrBhn10v494XqwpPOV7gn1Uu0rUVMuxpxAowvNfXEs5UzZueUdq7vgNc") ==
          "kHm2…vgNc (64 chars)");
    CHECK(journal::redact_header("Token", "short") == "*** (5 chars)");
    CHECK(journal::redact_header("Authorization", "Bearer x") == "***");
    CHECK(journal::redact_header("signature", "tkqXws4SYtA7MDN3PYSKs+N8X6Y=") == "tkqXws4SYtA7MDN3PYSKs+N8X6Y=");
    CHECK(journal::redact_header("trace", "t-1") == "t-1");
  }

  TEST_CASE("bodies are cut at 4 KiB and their passwords and appSecret masked") {
    bool truncated = false;
    const auto masked = boost::json::parse(journal::redact_body(R"({"appSecret":"s","password":"p","userId":"u"})", truncated));
    CHECK(masked.at("appSecret").as_string() == "***");
    CHECK(masked.at("password").as_string() == "***");
    CHECK(masked.at("userId").as_string() == "u");
    CHECK_FALSE(truncated);
    CHECK(journal::redact_body(std::string(5000, 'a'), truncated).size() == 4096);
    CHECK(truncated);
  }

  TEST_CASE("secrets are masked even in bodies that are not valid JSON") {
    bool truncated = false;
    const std::string broken = journal::redact_body(R"({"appSecret":"fykj12345678","password": "8bb2",})", truncated);
    CHECK(broken.find("fykj12345678") == std::string::npos);
    CHECK(broken.find("8bb2") == std::string::npos);
    const std::string twice = journal::redact_body(R"({"password":"a","password":"b\"c"})", truncated);
    CHECK(twice == R"({"password":"***","password":"***"})");
    CHECK(journal::redact_body("appSecret=fykj12345678&userId=u&password=p", truncated) ==
          "appSecret=***&userId=u&password=***");
    CHECK(journal::redact_body(R"({"password":123456})", truncated) == R"({"password":"***"})");
  }

  TEST_CASE("invented paths cannot crowd the counts of served paths out") {
    journal::memory_store j(10);
    for (int i = 0; i < 20'000; ++i) {
      add(j, "/x" + std::to_string(i), "rejected", {}, false);
    }
    add(j, "/apis-auth/login/auth", "ok", {}, true);
    CHECK(j.count({std::string("/apis-auth/login/auth"), std::nullopt}) == 1);
    CHECK(j.count({}) == 20'001);
  }

  TEST_CASE("runs of the same path and outcome, and changes between them, are all counted") {
    journal::memory_store j(4);
    const char* sequence[][2] = {{"/a", "ok"},       {"/a", "ok"}, {"/a", "rejected"}, {"/b", "ok"},
                                 {"/a", "rejected"}, {"/a", "ok"}, {"/a", "ok"},       {"/b", "ok"}};
    for (const auto& [path, outcome] : sequence) {
      add(j, path, outcome, {});
    }
    CHECK(j.count({std::string("/a"), std::string("ok")}) == 4);
    CHECK(j.count({std::string("/a"), std::string("rejected")}) == 2);
    CHECK(j.count({std::string("/a"), std::nullopt}) == 6);
    CHECK(j.count({std::string("/b"), std::string("ok")}) == 2);
    CHECK(j.count({std::nullopt, std::string("ok")}) == 6);
    CHECK(j.count({}) == 8);
    // After a clear, the same pair as last time starts again from zero.
    j.clear();
    add(j, "/b", "ok", {});
    CHECK(j.count({std::string("/b"), std::string("ok")}) == 1);
    CHECK(j.count({}) == 1);
    // An invented path the table has no room for is counted only in the
    // totals, however often it repeats.
    journal::memory_store full(1);
    for (int i = 0; i < 10'000; ++i) {
      add(full, "/x" + std::to_string(i), "rejected", {}, false);
    }
    add(full, "/y", "rejected", {}, false);
    add(full, "/y", "rejected", {}, false);
    CHECK(full.count({std::string("/y"), std::nullopt}) == 0);
    CHECK(full.count({std::nullopt, std::string("rejected")}) == 10'002);
  }

  TEST_CASE("the outcome is ok, rejected or fault") {
    http::request req;
    req.method = "POST";
    req.target = "/x";
    http::response res;
    res.body = R"({"code":0})";
    journal::exchange x{&req, &res, "", "", 0, 0};
    CHECK(journal::outcome_of(x) == "ok");
    res.body = R"({"code":40105})";
    CHECK(journal::outcome_of(x) == "rejected");
    res.body = R"({"success":false})";
    CHECK(journal::outcome_of(x) == "rejected");
    res.body = "{}";
    res.status = 404;
    CHECK(journal::outcome_of(x) == "rejected");
    x.res = nullptr;
    CHECK(journal::outcome_of(x) == "fault");
  }

  TEST_CASE("a request's log line names status, business result, outcome, rule, duration and trace") {
    http::request req;
    req.method = "POST";
    req.target = "/dg/v1/identify/redirect?x=1";
    req.remote_address = "127.0.0.1";
    req.headers.add("trace", "t-1\nforged line");
    http::response res;
    res.status = 400;
    res.body = R"({"code":40001,"msg":"no"})";
    journal::exchange x{&req, &res, "flaky#0", "", 0, 1500};
    const journal::answer_summary summary = journal::summarize(x);
    CHECK(summary.code == 40001);
    CHECK_FALSE(summary.success.has_value());
    const boost::json::object fields = boost::json::parse(journal::log_object(x, summary)).as_object();
    CHECK(fields.at("path") == "/dg/v1/identify/redirect");
    CHECK(fields.at("status") == 400);
    CHECK(fields.at("code") == 40001);
    CHECK(fields.at("outcome") == "rejected");
    CHECK(fields.at("rule") == "flaky#0");
    CHECK(fields.at("duration_us") == 1500);
    CHECK(fields.at("trace") == "t-1\nforged line");
    // One line of text whatever the client put in its headers.
    const std::string text = journal::log_text(x, summary);
    CHECK(text == "POST /dg/v1/identify/redirect 400 code=40001 rejected rule=flaky#0 1.500 ms trace=t-1?forged line");
    res.body = R"({"success":true})";
    res.status = 200;
    CHECK(journal::summarize(x).success == true);
    x.res = nullptr;
    CHECK(boost::json::parse(journal::log_object(x, journal::summarize(x))).at("status").is_null());
  }

  TEST_CASE("metrics render in the Prometheus text format") {
    state::metrics m;
    m.record_request("/a", "ok", 0.003);
    m.record_request("/a", "ok", 2.0);
    m.record_request("/b", "rejected", 0.001);
    m.record_request("/a", "rejected", 0.001);
    m.record_request("/b", "rejected", 0.001);
    m.record_fault("connection_reset");
    const std::string text = m.render({5, 2, 12.5, 7});
    CHECK(text.find("authsim_requests_total{endpoint=\"/a\",outcome=\"ok\"} 2\n") != std::string::npos);
    CHECK(text.find("authsim_request_duration_seconds_bucket{endpoint=\"/a\",le=\"0.005\"} 2\n") != std::string::npos);
    CHECK(text.find("authsim_request_duration_seconds_bucket{endpoint=\"/a\",le=\"2.5\"} 3\n") != std::string::npos);
    CHECK(text.find("authsim_request_duration_seconds_count{endpoint=\"/a\"} 3\n") != std::string::npos);
    CHECK(text.find("authsim_requests_total{endpoint=\"/b\",outcome=\"rejected\"} 2\n") != std::string::npos);
    CHECK(text.find("authsim_requests_total{endpoint=\"/a\",outcome=\"rejected\"} 1\n") != std::string::npos);
    CHECK(text.find("authsim_request_duration_seconds_count{endpoint=\"/b\"} 2\n") != std::string::npos);
    CHECK(text.find("authsim_faults_injected_total{kind=\"connection_reset\"} 1\n") != std::string::npos);
    CHECK(text.find("authsim_live_codes 5\n") != std::string::npos);
    CHECK(text.find("authsim_live_tokens 2\n") != std::string::npos);
    CHECK(text.find("# TYPE authsim_request_duration_seconds histogram\n") != std::string::npos);
  }
}

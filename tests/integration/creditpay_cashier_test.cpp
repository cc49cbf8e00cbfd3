// POST /dg/v1/cashier/fetch_data against the real server, with a platform
// credit-limit endpoint played by a receiver on loopback that records what
// arrived; the test checks the signature with its own HMAC (OpenSSL
// directly) and the body with its own parse.

#include "integration/helpers.hpp"
#include "support/receiver.hpp"
#include "support/server_process.hpp"
#include "support/temp_dir.hpp"

#include <doctest/doctest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <thread>

#include <csignal>

using namespace authsim::testing;
namespace json = boost::json;

namespace {

const std::string customer_token = "a1472263c7b9709xxxb624adccc60_ad0975be-877c-4420-8e2e-8a156a3ec7b2app";
const std::string good_credit =
    R"({"data":{"tag":"card-1","available_cards":[{"tag":"card-0","amount":"5.00","currency":"CNY","icon":"https://p.example/0.ico","input":"<i>zero</i>"},)"
    R"({"tag":"card-1","amount":"10001.23","currency":"CNY","icon":"https://p.example/1.ico","input":"<b>one</b>"}]}})";

void set_credit_limit_url(http_client& c, const std::string& url) {
  const auto res = c.request("PUT", "/__admin/platforms/" + plat_id + "/endpoints",
                             json::serialize(json::object{{"credit_limit_url", url}}));
  REQUIRE(res.status == 200);
}

std::int64_t set_clock(http_client& c, std::int64_t ms) {
  const auto res = c.request("PUT", "/__admin/clock", R"({"set_ms":)" + std::to_string(ms) + "}");
  REQUIRE(res.status == 200);
  return ms;
}

// identify (with `extra` fields spliced into the body and the `lang`
// header) and redirect: the open token, "Bearer ...".
std::string log_in(http_client& c, const std::string& extra = "", const std::string& lang = "en-US") {
  // token_expire an hour after the server's simulated time.
  const std::int64_t server_now = c.request("GET", "/__admin/clock").json().at("now_ms").as_int64();
  std::string body = identify_body("custom_no", server_now);
  if (!extra.empty()) {
    body.insert(body.size() - 1, "," + extra);
  }
  header_pairs headers = identify_headers(body);
  headers.back() = {"lang", lang};
  const auto issued = c.post(identify_target, body, headers);
  INFO(issued.body);
  REQUIRE(issued.status == 200);
  const std::string code(issued.json().at("data").at("ident_code").as_string());
  const auto redeemed = c.post(redirect_target, R"({"ident_code":")" + code + R"("})", {{"trace", "t-r"}});
  REQUIRE(redeemed.status == 200);
  return std::string(redeemed.json().at("data").at("open_token").as_string());
}

http_response fetch(http_client& c, const std::string& authorization, const std::string& trace = "t-fetch") {
  header_pairs headers = {{"trace", trace}};
  if (!authorization.empty()) {
    headers.emplace_back("authorization", authorization);
  }
  return c.post("/dg/v1/cashier/fetch_data", "", headers);
}

// The newest journal entry of fetch_data.
json::object last_fetch_entry(http_client& c) {
  const auto res = c.request("GET", "/__admin/requests?path=/dg/v1/cashier/fetch_data&limit=1");
  REQUIRE(res.status == 200);
  const auto j = res.json();
  REQUIRE(!j.at("entries").as_array().empty());
  return j.at("entries").as_array().at(0).as_object();
}

reply answer_with(std::string body, unsigned status = 200) {
  reply r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

}  // namespace

TEST_SUITE("creditpay cashier data") {
  TEST_CASE("credit data given to identify wins: no call to the platform, the cards come back as given") {
    server_process server;
    http_client c(server.port());
    receiver platform([](const received&) { return answer_with(good_credit); });
    set_credit_limit_url(c, platform.url("/api/v1/credit-pay/notify"));
    const std::string token = log_in(
        c, R"("credit_limit_tag":"mine","credit_limit_available_cards":[{"tag":"mine","amount":"12.30","currency":"HKD","icon":"https://p.example/m.ico","input":"<b>m</b>"}])");
    const auto res = fetch(c, token, "t-42");
    INFO(res.body);
    REQUIRE(res.status == 200);
    const auto j = res.json();
    CHECK(j.at("code").as_int64() == 0);
    CHECK(j.at("trace").as_string() == "t-42");
    const auto& data = j.at("data").as_object();
    CHECK(data.at("platform_callback").as_string() == "https://credit-pre.aatest.online/payment/callback");
    CHECK(data.at("max_amount").as_string() == "50000");
    CHECK(std::regex_match(std::string(data.at("user_id").as_string()), std::regex("[0-9a-f]{24}")));
    CHECK(std::regex_match(std::string(data.at("secret").as_string()), std::regex("[0-9a-f]{6}")));
    CHECK(std::regex_match(std::string(data.at("field_seat").as_string()), std::regex("[0-9A-Za-z]{9}")));
    CHECK(std::regex_match(std::string(data.at("local_bucket").as_string()), std::regex("[0-9a-f]{32}")));
    CHECK(data.at("tag").as_string() == "mine");
    const auto& cards = data.at("available_cards").as_array();
    REQUIRE(cards.size() == 1);
    CHECK(cards.at(0).at("amount").as_string() == "12.30");
    CHECK(cards.at(0).at("currency").as_string() == "HKD");
    CHECK(cards.at(0).at("input").as_string() == "<b>m</b>");
    // The open token carries the same user id and secret.
    const auto claims = json::parse(jwt_payload(token.substr(7)));
    CHECK(claims.at("userId") == data.at("user_id"));
    CHECK(claims.at("secret") == data.at("secret"));
    CHECK(platform.requests().empty());
    // Asked twice, the cashier gets the same data.
    CHECK(fetch(c, token).json().at("data") == j.at("data"));
  }

  TEST_CASE("without identify's credit data the platform is asked, exactly as the upstream page says") {
    server_process server;
    http_client c(server.port());
    receiver platform([](const received&) { return answer_with(good_credit); });
    // A query on the URL: not part of what is signed.
    set_credit_limit_url(c, platform.url("/api/v1/credit-pay/notify?src=authsim"));
    const std::int64_t now = set_clock(c, 1'900'000'000'000);
    const std::string token = log_in(c, "", "zh-CN");
    const auto res = fetch(c, token);
    INFO(res.body);
    REQUIRE(res.status == 200);
    const auto data = res.json().at("data");
    CHECK(data.at("tag").as_string() == "card-1");
    REQUIRE(data.at("available_cards").as_array().size() == 2);
    CHECK(data.at("available_cards").at(1).at("amount").as_string() == "10001.23");

    REQUIRE(platform.requests().size() == 1);
    const received r = platform.requests().at(0);
    CHECK(r.method == "POST");
    CHECK(r.target == "/api/v1/credit-pay/notify?src=authsim");
    CHECK(r.header("signature") == independent_signature(signature_key, "/api/v1/credit-pay/notify" + r.body));
    CHECK(r.header("token") == customer_token);
    CHECK(r.header("lang") == "zh-CN");
    CHECK(r.header("content-type") == "application/json");
    CHECK(std::regex_match(r.header("trace"), std::regex("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")));
    // 13-digit milliseconds by the simulated clock (which runs on from `now`).
    const std::string timestamp = r.header("timestamp");
    REQUIRE(std::regex_match(timestamp, std::regex("[0-9]{13}")));
    CHECK(std::stoll(timestamp) >= now);
    CHECK(std::stoll(timestamp) < now + 60'000);
    const auto body = json::parse(r.body);
    CHECK(body == json::parse(R"({"type":"GET_DEFAULT_ACCOUNT_CREDIT_LIMIT","data":{"tag":"","currency":"CNY","digits":"2"}})"));

    // A second login reuses the kept-alive connection, with a fresh trace.
    const auto again = fetch(c, log_in(c));
    REQUIRE(again.status == 200);
    REQUIRE(platform.requests().size() == 2);
    CHECK(platform.requests().at(1).connection == r.connection);
    CHECK(platform.requests().at(1).header("trace") != r.header("trace"));
    CHECK(platform.requests().at(1).header("lang") == "en-US");
    const auto entry = last_fetch_entry(c);
    const auto& call = entry.at("diagnostics").at("credit_limit_call");
    CHECK(call.at("reused_connection").as_bool());
    CHECK(call.at("answer").at("status").as_int64() == 200);
    CHECK(call.at("request").at("headers").at("token").as_string().find(customer_token) == json::string::npos);
  }

  TEST_CASE("each way a credit-limit answer breaks the contract is named, in the answer and the journal") {
    struct breach {
      unsigned status;
      std::string body;
      std::string named;
    };
    const std::vector<breach> cases = {
        {500, good_credit, "answered HTTP 500; the query expects 200"},
        {200, "<html>oops</html>", "the answer is not JSON"},
        {200, "", "the answer's body is empty"},
        {200, R"([1,2])", "the answer must be a JSON object, got an array"},
        {200, R"({"tag":"card-1"})", "the answer has no 'data' object"},
        {200, R"({"data":{"available_cards":[]}})", "data.tag is missing"},
        {200, R"({"data":{"tag":7,"available_cards":[]}})", "data.tag must be a string, got an integer"},
        {200, R"({"data":{"tag":"a"}})", "data.available_cards is missing"},
        {200, R"({"data":{"tag":"a","available_cards":{}}})", "data.available_cards must be an array, got an object"},
        {200, R"({"data":{"tag":"a","available_cards":["a"]}})", "data.available_cards[0] must be an object, got a string"},
        {200, R"({"data":{"tag":"a","available_cards":[{"tag":"a","amount":"1.00","currency":"CNY","icon":"https://i"}]}})",
         "data.available_cards[0].input is missing"},
        {200, R"({"data":{"tag":"a","available_cards":[{"tag":"a","amount":"1.00","currency":"CNY","icon":5,"input":"x"}]}})",
         "data.available_cards[0].icon must be a string, got an integer"},
        {200, R"({"data":{"tag":"b","available_cards":[{"tag":"a","amount":"1.00","currency":"CNY","icon":"https://i","input":"x"}]}})",
         "no card in data.available_cards has the tag \"b\" that data.tag names"},
        {200, R"({"data":{"tag":"a","available_cards":[{"tag":"a","amount":"1.5","currency":"CNY","icon":"https://i","input":"x"}]}})",
         "data.available_cards[0].amount \"1.5\" has 1 decimal(s); the query asked for 2 (digits)"},
        {200, R"({"data":{"tag":"a","available_cards":[{"tag":"a","amount":1.234,"currency":"CNY","icon":"https://i","input":"x"}]}})",
         "data.available_cards[0].amount 1.234E0 is not a non-negative amount with at most 2 decimal(s)"},
        {200, R"({"data":{"tag":"a","available_cards":[{"tag":"a","amount":"-1.00","currency":"CNY","icon":"https://i","input":"x"}]}})",
         "data.available_cards[0].amount \"-1.00\" is not a plain non-negative amount"},
        {200, R"({"data":{"tag":"a","available_cards":[{"tag":"a","amount":"1.00","currency":"HKD","icon":"https://i","input":"x"}]}})",
         "data.available_cards[0].currency is \"HKD\"; the query asked for \"CNY\""},
    };
    server_process server;
    http_client c(server.port());
    reply_slot next;
    receiver platform([&](const received&) { return next.get(); });
    set_credit_limit_url(c, platform.url("/credit"));
    for (const breach& b : cases) {
      next.set(answer_with(b.body, b.status));
      CAPTURE(b.body);
      const auto res = fetch(c, log_in(c));
      INFO(res.body);
      CHECK(res.status == 500);
      const auto j = res.json();
      CHECK(j.at("code").as_int64() == 500);
      const std::string msg(j.at("msg").as_string());
      CHECK(msg.find("answered outside the contract") != std::string::npos);
      CHECK(msg.find(b.named) != std::string::npos);
      const auto entry = last_fetch_entry(c);
      CHECK(entry.at("decided_by").at("check").as_string() == "credit_limit_contract");
      const auto& violations = entry.at("diagnostics").at("credit_limit_call").at("violations").as_array();
      bool listed = false;
      for (const auto& v : violations) {
        listed = listed || std::string(v.as_string()).find(b.named) != std::string::npos;
      }
      CHECK(listed);
    }
    // A number amount with no more decimals than asked is taken, written
    // with the asked decimals.
    next.set(answer_with(
        R"({"data":{"tag":"a","available_cards":[{"tag":"a","amount":12.5,"currency":"CNY","icon":"https://i","input":"x"}]}})"));
    const auto ok = fetch(c, log_in(c));
    INFO(ok.body);
    REQUIRE(ok.status == 200);
    CHECK(ok.json().at("data").at("available_cards").at(0).at("amount").as_string() == "12.50");
  }

  TEST_CASE("a platform that refuses, hangs, closes, talks nonsense or answers too much makes fetch_data answer 500") {
    temp_dir dir;
    std::filesystem::copy(AUTHSIM_FIXTURES_DIR, dir.path() / "fixtures", std::filesystem::copy_options::recursive);
    {
      // A short deadline for the hanging endpoint.
      const auto file = dir.path() / "fixtures" / "creditpay.json";
      std::ifstream in(file);
      std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      auto doc = json::parse(text);
      doc.at("settings").as_object()["outbound_timeout_ms"] = 300;
      std::ofstream(file) << json::serialize(doc);
    }
    server_process server({"--fixtures", (dir.path() / "fixtures").string(), "--outbound-max-answer-bytes", "1024"});
    http_client c(server.port());
    reply_slot next;
    receiver platform([&](const received&) { return next.get(); });

    // Nobody listens on the port of a receiver that has gone.
    std::string closed_port_url;
    {
      receiver gone([](const received&) { return reply{}; });
      closed_port_url = gone.url("/credit");
    }
    set_credit_limit_url(c, closed_port_url);
    auto res = fetch(c, log_in(c));
    CHECK(res.status == 500);
    CHECK(std::string(res.json().at("msg").as_string()).find("gave no answer: cannot connect to 127.0.0.1:") !=
          std::string::npos);
    CHECK(last_fetch_entry(c).at("diagnostics").at("credit_limit_call").at("error").at("kind").as_string() == "connect");

    set_credit_limit_url(c, platform.url("/credit"));
    struct failure_case {
      reply::kind what;
      std::string body;
      std::string kind;
      std::string said;
    };
    const std::vector<failure_case> cases = {
        {reply::kind::hang, "", "timeout", "within the call's deadline"},
        {reply::kind::close, "", "closed", "ended before any answer"},
        {reply::kind::raw, "SSH-2.0-OpenSSH_9.2\r\n\r\n", "protocol", "is not an HTTP answer"},
        {reply::kind::answer, std::string(4096, 'x'), "too_large", "larger than 1024 bytes"},
    };
    for (const auto& fc : cases) {
      CAPTURE(fc.kind);
      reply r;
      r.what = fc.what;
      r.body = fc.body;
      next.set(r);
      res = fetch(c, log_in(c));
      INFO(res.body);
      CHECK(res.status == 500);
      CHECK(res.json().at("code").as_int64() == 500);
      CHECK(std::string(res.json().at("msg").as_string()).find(fc.said) != std::string::npos);
      const auto entry = last_fetch_entry(c);
      CHECK(entry.at("decided_by").at("check").as_string() == "credit_limit_call_failed");
      CHECK(entry.at("diagnostics").at("credit_limit_call").at("error").at("kind").as_string() == fc.kind);
    }

    // No endpoint at all.
    const auto unset = c.request("PUT", "/__admin/platforms/" + plat_id + "/endpoints", R"({"credit_limit_url":null})");
    REQUIRE(unset.status == 200);
    res = fetch(c, log_in(c));
    CHECK(res.status == 500);
    CHECK(std::string(res.json().at("msg").as_string()).find("has no credit-limit endpoint") != std::string::npos);
  }

  TEST_CASE("each open_token problem has its own answer") {
    server_process server;
    http_client c(server.port());
    const std::string token = log_in(c, R"("credit_limit_tag":"a","credit_limit_available_cards":[{"tag":"a","amount":"1","currency":"CNY","icon":"https://i","input":"x"}])");
    REQUIRE(fetch(c, token).status == 200);

    auto check = [&](const std::string& authorization, long code, const std::string& said, const std::string& trace = "t") {
      const auto res = fetch(c, authorization, trace);
      INFO(res.body);
      CHECK(res.status == (code == 40002 ? 400 : 401));
      const auto j = res.json();
      CHECK(j.at("code").as_int64() == code);
      CHECK(std::string(j.at("msg").as_string()).find(said) != std::string::npos);
    };
    check("", 40106, "missing required header 'authorization'");
    check("Basic dXNlcjpwdw==", 40107, "must be 'Bearer ' followed by the open_token");
    check("Bearer not-a-jwt", 40107, "not three parts separated by dots");
    const std::string jwt = token.substr(7);
    // The claims changed (another custom number), the signature kept.
    const std::size_t d1 = jwt.find('.');
    const std::size_t d2 = jwt.rfind('.');
    std::string claims = jwt_payload(jwt);
    claims.replace(claims.find("473_32_86000698"), 15, "473_32_86000699");
    const std::string forged = jwt.substr(0, d1 + 1) + authsim::support::base64url_encode(claims) + jwt.substr(d2);
    check("Bearer " + forged, 40108, "signature does not match");
    // The scheme's letter case does not matter.
    CHECK(fetch(c, "bearer " + jwt).status == 200);
    // No trace: the trace check comes first.
    const auto no_trace = c.post("/dg/v1/cashier/fetch_data", "", {{"authorization", token}});
    CHECK(no_trace.json().at("code").as_int64() == 40002);

    // An hour and a bit later by the simulated clock, the token has expired.
    REQUIRE(c.request("PUT", "/__admin/clock", R"({"advance_ms":3601000})").status == 200);
    check(token, 40109, "the open_token expired at");

    // A fresh token whose code the server no longer holds (the state was reset).
    const std::string fresh = log_in(c);
    REQUIRE(c.post("/__admin/reset", "").status == 200);
    check(fresh, 40110, "is no longer held by this simulator");
  }

  TEST_CASE("SIGTERM gives a call to a hanging platform the shutdown timeout, then ends it") {
    receiver platform([](const received&) {
      reply r;
      r.what = reply::kind::hang;
      return r;
    });
    // The call's own deadline (5 s by default) is far beyond the shutdown
    // timeout: only the shutdown can end it this early.
    server_process server({"--shutdown-timeout-ms", "300"});
    http_client c(server.port());
    set_credit_limit_url(c, platform.url("/credit"));
    const std::string token = log_in(c);
    std::string answered;
    std::thread cashier([&] {
      try {
        http_client other(server.port());
        answered = fetch(other, token).body;
      } catch (const std::exception& e) {
        answered = std::string("no answer: ") + e.what();
      }
    });
    REQUIRE(platform.wait_for(1));
    const auto before = std::chrono::steady_clock::now();
    const auto status = server.stop(SIGTERM, std::chrono::seconds(10));
    const auto took = std::chrono::steady_clock::now() - before;
    cashier.join();
    REQUIRE(status.has_value());
    CHECK(status->exited);
    CHECK(status->code == 0);
    CHECK(took < std::chrono::milliseconds(4000));
    // The cashier was told why.
    CHECK(answered.find("\"code\":500") != std::string::npos);
    CHECK(answered.find("the call was cancelled: the server is stopping") != std::string::npos);
  }
}

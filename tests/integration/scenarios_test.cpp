// Fault-injection scenarios, observed from the client's side of a real
// connection to the real binary.
#include "integration/helpers.hpp"
#include "support/server_process.hpp"
#include "support/temp_dir.hpp"

#include <doctest/doctest.h>

#include <boost/asio/error.hpp>
#include <boost/json/parse.hpp>

#include <algorithm>
#include <csignal>
#include <thread>

using namespace authsim::testing;
using steady = std::chrono::steady_clock;

namespace {

std::int64_t ms_since(steady::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(steady::now() - start).count();
}

// The error a failed exchange ends with (success: no error).
boost::system::error_code exchange_error(http_client& c, const std::string& target, const std::string& body,
                                         const header_pairs& headers = {}) {
  try {
    c.post(target, body, headers);
  } catch (const boost::system::system_error& e) {
    return e.code();
  }
  return {};
}

http_response login(http_client& c, const header_pairs& headers = {}, const std::string& user = "fc0001") {
  return c.post(login_target, uocs_login_body(user, user == "fc0001" ? "8bb2423a0e1c4d0a" : "79323c441a34b5599aec5c1f56eda196"),
                headers);
}

}  // namespace

TEST_SUITE("scenarios") {
  TEST_CASE("slow: the answer is normal and comes after 1500 ms") {
    server_process server({"--scenario", "slow"});
    http_client c(server.port());
    const auto start = steady::now();
    const auto res = login(c);
    CHECK(ms_since(start) >= 1500);
    CHECK(res.status == 200);
    CHECK(res.json().at("success").as_bool());
    CHECK(res.header("x-authsim-rule") == "slow#0");
  }

  TEST_CASE("jitter: delays spread log-normally around 200 ms") {
    server_process server({"--scenario", "jitter", "--seed", "7", "--threads", "4"});
    std::vector<std::int64_t> delays(12);
    std::vector<std::thread> clients;
    for (std::size_t i = 0; i < delays.size(); ++i) {
      clients.emplace_back([&, i] {
        http_client c(server.port());
        const auto start = steady::now();
        const auto res = login(c);
        delays[i] = res.status == 200 ? ms_since(start) : -1;
      });
    }
    for (auto& t : clients) t.join();
    std::sort(delays.begin(), delays.end());
    INFO("delays: ", delays.front(), " .. ", delays.back());
    CHECK(delays.front() >= 0);
    // The median of 12 draws (sigma 0.5) is within a factor 2 of 200 ms
    // with overwhelming probability; the spread shows it is not fixed.
    const std::int64_t median = (delays[5] + delays[6]) / 2;
    CHECK(median >= 100);
    CHECK(median <= 500);
    CHECK(delays.back() - delays.front() >= 20);
    CHECK(delays.back() <= 5000 + 1000);
  }

  TEST_CASE("upstream-error: Credit Pay code 500 and UOCS SYSTEM_ERROR, with the caller's trace and requestId") {
    server_process server({"--scenario", "upstream-error"});
    http_client c(server.port());
    const std::string body = identify_body();
    const auto cp = c.post(identify_target, body, identify_headers(body, "tr-77"));
    CHECK(cp.status == 200);
    CHECK(cp.json().at("code").as_int64() == 500);
    CHECK(cp.json().at("trace").as_string() == "tr-77");
    CHECK(cp.header("x-authsim-rule") == "upstream-error#0");
    const auto redirect = c.post(redirect_target, R"({"ident_code":"x"})", {{"trace", "tr-78"}});
    CHECK(redirect.json().at("code").as_int64() == 500);
    CHECK(redirect.header("x-authsim-rule") == "upstream-error#1");
    const auto uocs = login(c);
    CHECK(uocs.json().at("success").as_bool() == false);
    CHECK(uocs.json().at("errorCode").as_string() == "10006");
    CHECK(uocs.json().at("requestId").as_string() == "123456789");
    CHECK(uocs.header("x-authsim-rule") == "upstream-error#2");
  }

  TEST_CASE("flaky: calls 1 and 2 of a session are reset, call 3 recovers") {
    server_process server({"--scenario", "flaky"});
    for (int call = 1; call <= 2; ++call) {
      http_client c(server.port());
      CHECK(exchange_error(c, login_target, uocs_login_body()) == boost::asio::error::connection_reset);
    }
    http_client c(server.port());
    const auto res = login(c);
    CHECK(res.status == 200);
    CHECK(res.json().at("success").as_bool());
    CHECK(res.header("x-authsim-rule").empty());
    // Each endpoint counts on its own: identify's first call still fails.
    http_client d(server.port());
    const std::string body = identify_body();
    CHECK(exchange_error(d, identify_target, body, identify_headers(body)) == boost::asio::error::connection_reset);
  }

  TEST_CASE("flaky: two sessions count their calls separately") {
    server_process server({"--scenario", "flaky"});
    auto call = [&](const std::string& session) {
      http_client c(server.port());
      return exchange_error(c, login_target, uocs_login_body(), {{"X-Authsim-Session", session}});
    };
    CHECK(call("job-a") == boost::asio::error::connection_reset);
    CHECK(call("job-a") == boost::asio::error::connection_reset);
    CHECK(call("job-b") == boost::asio::error::connection_reset);
    CHECK_FALSE(call("job-a"));
    CHECK(call("job-b") == boost::asio::error::connection_reset);
    CHECK_FALSE(call("job-b"));
  }

  TEST_CASE("reset: every call ends in ECONNRESET") {
    server_process server({"--scenario", "reset"});
    for (int i = 0; i < 3; ++i) {
      http_client c(server.port());
      CHECK(exchange_error(c, login_target, uocs_login_body()) == boost::asio::error::connection_reset);
    }
  }

  TEST_CASE("hang: the client times out without an answer") {
    server_process server({"--scenario", "hang"});
    http_client c(server.port());
    c.set_timeout(std::chrono::milliseconds(500));
    const auto start = steady::now();
    CHECK(exchange_error(c, login_target, uocs_login_body()) == boost::asio::error::timed_out);
    CHECK(ms_since(start) >= 500);
  }

  TEST_CASE("hang is bounded by its max_ms, then the connection closes") {
    fixture_copy dir;
    dir.scenario("short-hang", R"({"description":"d","rules":[{"fault":{"kind":"hang","max_ms":300}}]})");
    server_process server({"--fixtures", dir.path().string(), "--scenario", "short-hang"});
    http_client c(server.port());
    const auto start = steady::now();
    c.send_raw("POST " + login_target + " HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}");
    CHECK(c.read_raw_until_idle().empty());
    CHECK(c.closed_by_server());
    CHECK(ms_since(start) >= 300);
  }

  TEST_CASE("SIGTERM does not wait for a hanging connection") {
    server_process server({"--scenario", "hang"});
    http_client c(server.port());
    c.send_raw("POST " + login_target + " HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}");
    CHECK(c.read_raw_until_idle().empty());
    const auto status = server.stop(SIGTERM, std::chrono::seconds(3));
    REQUIRE(status.has_value());
    CHECK(status->code == 0);
  }

  TEST_CASE("malformed: HTTP 200 whose JSON body does not parse") {
    server_process server({"--scenario", "malformed"});
    http_client c(server.port());
    const auto res = login(c);
    CHECK(res.status == 200);
    CHECK(res.header("content-type") == "application/json");
    CHECK(res.header("x-authsim-rule") == "malformed#0");
    boost::system::error_code ec;
    boost::json::parse(res.body, ec);
    CHECK(ec);
    CHECK(res.body.starts_with("{\"requestId\""));
  }

  TEST_CASE("rate-limited: the 4th call in the window gets 429 with Retry-After, per key") {
    server_process server({"--scenario", "rate-limited"});
    http_client c(server.port());
    for (int i = 0; i < 3; ++i) {
      CHECK(login(c).status == 200);
    }
    const auto limited = login(c);
    CHECK(limited.status == 429);
    CHECK(limited.header("x-authsim-rule") == "rate-limited#2");
    const int retry_after = std::stoi(limited.header("retry-after"));
    CHECK(retry_after >= 1);
    CHECK(retry_after <= 10);
    CHECK(limited.json().at("success").as_bool() == false);
    CHECK(limited.json().at("errorCode").as_string() == "10006");
    // Another userId is another key.
    CHECK(login(c, {}, "xcy0001").status == 200);

    for (int i = 0; i < 3; ++i) {
      const std::string body = identify_body();
      CHECK(c.post(identify_target, body, identify_headers(body)).status == 200);
    }
    const std::string body = identify_body();
    const auto cp = c.post(identify_target, body, identify_headers(body, "tr-rl"));
    CHECK(cp.status == 429);
    CHECK_FALSE(cp.header("retry-after").empty());
    CHECK(cp.json().at("code").as_int64() == 42900);
    CHECK(cp.json().at("trace").as_string() == "tr-rl");
    CHECK(std::string(cp.json().at("msg").as_string()).find("at most 3 calls per 10000 ms per api-key") !=
          std::string::npos);
  }

  TEST_CASE("slow-body: the header comes at once, the body whole but spread over the duration") {
    fixture_copy dir;
    dir.scenario("dribble", R"({"description":"d","rules":[{"fault":{"kind":"slow_body","duration_ms":1000}}]})");
    server_process server({"--fixtures", dir.path().string(), "--scenario", "dribble"});
    http_client c(server.port());
    const std::string body = uocs_login_body();
    const auto start = steady::now();
    c.send_raw("POST " + login_target + " HTTP/1.1\r\nHost: x\r\nContent-Length: " +
               std::to_string(body.size()) + "\r\n\r\n" + body);
    const std::string first = c.read_some_raw(std::chrono::milliseconds(5000));
    CHECK(first.starts_with("HTTP/1.1 200"));
    CHECK(first.find("X-Authsim-Rule: dribble#0") != std::string::npos);
    // The header arrived alone, long before the body was done.
    CHECK(first.ends_with("\r\n\r\n"));
    CHECK(ms_since(start) < 900);
    std::string rest;
    while (ms_since(start) < 10'000) {
      const std::string more = c.read_some_raw(std::chrono::milliseconds(5000));
      if (more.empty()) break;
      rest += more;
      boost::system::error_code ec;
      boost::json::parse(rest, ec);
      if (!ec) break;
    }
    CHECK(ms_since(start) >= 900);
    CHECK(boost::json::parse(rest).at("success").as_bool());
    // The connection stays usable afterwards.
    CHECK(login(c).status == 200);
  }

  TEST_CASE("garbage: random bytes, not HTTP, then the connection closes") {
    server_process server({"--scenario", "garbage"});
    http_client c(server.port());
    c.send_raw("POST " + login_target + " HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}");
    const std::string raw = c.read_raw_until_idle(std::chrono::seconds(10));
    CHECK(raw.size() == 256);
    CHECK_FALSE(raw.starts_with("HTTP/"));
    CHECK(c.closed_by_server());
  }

  TEST_CASE("empty-response: the connection closes in good order without a byte") {
    server_process server({"--scenario", "empty-response"});
    http_client c(server.port());
    c.send_raw("POST " + login_target + " HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}");
    CHECK(c.read_raw_until_idle(std::chrono::seconds(10)).empty());
    CHECK(c.closed_by_server());
  }

  TEST_CASE("re-activating a scenario starts its call counts afresh") {
    server_process server({"--scenario", "flaky"});
    http_client admin(server.port());
    for (int round = 0; round < 2; ++round) {
      for (int call = 1; call <= 2; ++call) {
        http_client c(server.port());
        CHECK(exchange_error(c, login_target, uocs_login_body()) == boost::asio::error::connection_reset);
      }
      http_client c(server.port());
      CHECK(login(c).status == 200);
      REQUIRE(admin.request("PUT", "/__admin/scenario", R"({"name":"flaky"})").status == 200);
    }
  }

  TEST_CASE("a request value cannot split the answer's header block") {
    fixture_copy dir;
    dir.scenario("echo", R"({"description":"d","rules":[{"respond":{"headers":{"X-Echo":"{{query:q}}"},"body":{}}}]})");
    server_process server({"--fixtures", dir.path().string(), "--scenario", "echo"});
    http_client c(server.port());
    const auto res = c.post(login_target + "?q=a%0d%0aSet-Cookie:%20x=1", "{}");
    CHECK(res.header("set-cookie").empty());
    CHECK(res.header("x-echo") == "a  Set-Cookie: x=1");
  }

  TEST_CASE("--scenario none is the default spelled out") {
    server_process server({"--scenario", "none"});
    http_client c(server.port());
    CHECK(login(c).status == 200);
  }

  TEST_CASE("the X-Authsim-Scenario header overrides the active scenario for one request") {
    server_process server({"--scenario", "reset"});
    http_client c(server.port());
    const auto res = login(c, {{"X-Authsim-Scenario", "upstream-error"}});
    CHECK(res.json().at("errorCode").as_string() == "10006");
    const auto none = login(c, {{"X-Authsim-Scenario", "none"}});
    CHECK(none.json().at("success").as_bool());
    const auto unknown = login(c, {{"X-Authsim-Scenario", "no-such"}});
    CHECK(unknown.status == 400);
    CHECK(unknown.json().at("errorCode").as_string() == "10002");
    CHECK(std::string(unknown.json().at("errorMessage").as_string()).find("'no-such'") != std::string::npos);
    // Without the header, the active scenario applies again.
    CHECK(exchange_error(c, login_target, uocs_login_body()) == boost::asio::error::connection_reset);
  }

  TEST_CASE("rules match on method, header, query and body fields, first match wins") {
    fixture_copy dir;
    dir.scenario("picky", R"({"description":"d","rules":[
      {"match":{"endpoint":"/apis-auth/login/auth","body":{"/userId":"xcy0001"}},
       "respond":{"status":503,"headers":{"X-Why":"{{header:X-Case}}"},"body":{"rule":"body","id":"{{requestId}}"}}},
      {"match":{"headers":{"X-Case":"h"}},"respond":{"body":{"rule":"header"}}},
      {"match":{"query":{"mode":"q"}},"respond":{"body":{"rule":"query"}}},
      {"match":{"method":"GET"},"respond":{"status":418,"raw_body":"teapot {{query:x}}"}}]})");
    server_process server({"--fixtures", dir.path().string(), "--scenario", "picky"});
    http_client c(server.port());
    const auto by_body = login(c, {{"X-Case", "h"}}, "xcy0001");
    CHECK(by_body.status == 503);
    CHECK(by_body.json().at("rule").as_string() == "body");
    CHECK(by_body.json().at("id").as_string() == "123456789");
    CHECK(by_body.header("x-why") == "h");
    CHECK(by_body.header("x-authsim-rule") == "picky#0");
    CHECK(login(c, {{"X-Case", "h"}}).json().at("rule").as_string() == "header");
    CHECK(c.post(login_target + "?mode=q", uocs_login_body()).json().at("rule").as_string() == "query");
    const auto get = c.request("GET", "/anything?x=42");
    CHECK(get.status == 418);
    CHECK(get.body == "teapot 42");
    CHECK(get.header("content-type") == "text/plain; charset=utf-8");
    CHECK(login(c).json().at("success").as_bool());
  }

  TEST_CASE("calls every 3rd, with a delay and an answer combined") {
    fixture_copy dir;
    dir.scenario("third", R"({"description":"d","rules":[{"match":{"calls":{"every":3}},
      "delay":{"uniform_ms":{"min":50,"max":80}},"respond":{"status":500,"body":{"code":500,"msg":"every third"}}}]})");
    server_process server({"--fixtures", dir.path().string(), "--scenario", "third"});
    http_client c(server.port());
    std::vector<unsigned> statuses;
    for (int i = 0; i < 6; ++i) {
      const auto start = steady::now();
      const auto res = login(c);
      statuses.push_back(res.status);
      if (res.status == 500) {
        CHECK(ms_since(start) >= 50);
      }
    }
    CHECK(statuses == std::vector<unsigned>{200, 200, 500, 200, 200, 500});
  }

  TEST_CASE("a probability rule replays the same way with the same --seed") {
    fixture_copy dir;
    dir.scenario("coin", R"({"description":"d","rules":[{"match":{"probability":0.5},"respond":{"body":{"heads":true}}}]})");
    auto run = [&](const std::string& seed) {
      server_process server({"--fixtures", dir.path().string(), "--scenario", "coin", "--seed", seed});
      http_client c(server.port());
      std::string pattern;
      for (int i = 0; i < 32; ++i) {
        pattern += login(c).header("x-authsim-rule").empty() ? '.' : 'H';
      }
      return pattern;
    };
    const std::string first = run("12345");
    CHECK(first == run("12345"));
    CHECK(first.find('H') != std::string::npos);
    CHECK(first.find('.') != std::string::npos);
  }

  TEST_CASE("admin: list, switch and clear the active scenario") {
    server_process server;
    http_client c(server.port());
    const auto listed = c.request("GET", "/__admin/scenarios").json();
    CHECK(listed.at("active").is_null());
    bool found_slow = false;
    for (const auto& s : listed.at("scenarios").as_array()) {
      CHECK_FALSE(s.at("description").as_string().empty());
      found_slow = found_slow || s.at("name").as_string() == "slow";
    }
    CHECK(found_slow);
    CHECK(c.request("PUT", "/__admin/scenario", R"({"name":"reset"})").json().at("active").as_string() == "reset");
    CHECK(c.request("GET", "/__admin/scenarios").json().at("active").as_string() == "reset");
    {
      http_client d(server.port());
      CHECK(exchange_error(d, login_target, uocs_login_body()) == boost::asio::error::connection_reset);
    }
    // Admin calls are never subject to the scenario.
    CHECK(c.request("PUT", "/__admin/scenario", R"({"name":null})").json().at("active").is_null());
    CHECK(login(c).status == 200);
    const auto unknown = c.request("PUT", "/__admin/scenario", R"({"name":"nope"})");
    CHECK(unknown.status == 404);
    CHECK(unknown.json().at("error").at("code").as_string() == "UNKNOWN_SCENARIO");
    CHECK(c.request("PUT", "/__admin/scenario", R"({"nom":"x"})").status == 400);
    CHECK(c.request("PUT", "/__admin/scenario", R"({"name":3})").status == 400);
    CHECK(c.request("GET", "/__admin/nothing").json().at("error").at("code").as_string() == "NOT_FOUND");
  }

  TEST_CASE("admin reload picks up new files, a broken file keeps the old set and says why") {
    fixture_copy dir;
    dir.scenario("one", R"({"description":"first","rules":[{"respond":{"body":{"n":1}}}]})");
    server_process server({"--fixtures", dir.path().string(), "--scenario", "one"});
    http_client c(server.port());
    dir.scenario("two", R"({"description":"second","rules":[{"respond":{"body":{"n":2}}}]})");
    const auto reloaded = c.request("POST", "/__admin/scenarios/reload");
    CHECK(reloaded.status == 200);
    CHECK(reloaded.json().at("scenarios").as_array().size() == 2);
    CHECK(reloaded.json().at("active").as_string() == "one");

    dir.scenario("two", R"({"description":"second","rules":[{"respond":{"body":{"n":2}},"colour":"red"}]})");
    const auto broken = c.request("POST", "/__admin/scenarios/reload");
    CHECK(broken.status == 422);
    const std::string message(broken.json().at("error").at("message").as_string());
    CHECK(message.find("two.json: rules[0].colour: unknown key") != std::string::npos);
    CHECK(login(c, {{"X-Authsim-Scenario", "two"}}).json().at("n").as_int64() == 2);
    CHECK(login(c).json().at("n").as_int64() == 1);
  }

  TEST_CASE("SIGHUP reloads the scenarios") {
    fixture_copy dir;
    server_process server({"--fixtures", dir.path().string()});
    http_client c(server.port());
    CHECK(login(c, {{"X-Authsim-Scenario", "late"}}).status == 400);
    dir.scenario("late", R"({"description":"added later","rules":[{"respond":{"body":{"late":true}}}]})");
    server.signal(SIGHUP);
    REQUIRE(server.wait_for_stderr("SIGHUP: scenarios reloaded"));
    CHECK(login(c, {{"X-Authsim-Scenario", "late"}}).json().at("late").as_bool());
  }

  TEST_CASE("an unknown --scenario or a broken scenario file stops start-up with exit 2") {
    const auto unknown = run_to_exit({"--port", "0", "--fixtures", AUTHSIM_FIXTURES_DIR, "--scenario", "nope"});
    CHECK(unknown.status.code == 2);
    CHECK(unknown.err.find("authsim: --scenario: no scenario named 'nope'") == 0);
    fixture_copy dir;
    dir.scenario("bad", R"({"description":"d","rules":[{"delay":{"fixed_ms":-1}}]})");
    const auto bad = run_to_exit({"--port", "0", "--fixtures", dir.path().string()});
    CHECK(bad.status.code == 2);
    CHECK(bad.err == "authsim: " + (dir.path() / "scenarios" / "bad.json").string() +
                         ": rules[0].delay.fixed_ms: expected an integer from 0 to 600000, got -1\n");
  }
}

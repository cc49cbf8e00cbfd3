#include "faults/engine.hpp"
#include "support/run_sync.hpp"

#include <doctest/doctest.h>

#include <boost/json/parse.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include <unistd.h>

using namespace authsim;
using faults::decision;

namespace {

using files = std::vector<std::pair<std::string, std::string>>;

// An engine over a temporary scenarios directory.
struct bench {
  std::filesystem::path dir;
  state::memory_clock clock;
  state::memory_active_scenario active;
  state::memory_scenario_counters counters;
  std::unique_ptr<faults::engine> engine;

  explicit bench(const files& scenario_files, std::uint64_t seed = 1) {
    static int counter = 0;
    dir = std::filesystem::temp_directory_path() /
          ("authsim-engine-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::create_directories(dir);
    for (const auto& [name, text] : scenario_files) {
      write(name, text);
    }
    engine = std::make_unique<faults::engine>(
        dir, std::vector<std::string>{"/dg/v1/platform/identify/auth", "/apis-auth/login/auth"},
        faults::engine_state{clock, active, counters}, 480, seed);
    engine->load();
  }
  ~bench() { std::filesystem::remove_all(dir); }
  // The engine's coroutines, run to their end.
  decision decide(const http::request& req) { return support::run_sync(engine->decide(req)); }
  bool select(std::optional<std::string> name) { return support::run_sync(engine->select(std::move(name))); }
  std::optional<std::string> reload() { return support::run_sync(engine->reload()); }
  void reset_counters() { support::run_sync(engine->reset_counters()); }
  void write(const std::string& name, const std::string& text) const { std::ofstream(dir / (name + ".json")) << text; }
};

http::request post(const std::string& target, const std::string& body = "{}",
                   std::vector<std::pair<std::string, std::string>> headers = {}) {
  http::request r;
  r.method = "POST";
  r.target = target;
  r.body = body;
  r.remote_address = "127.0.0.1";
  for (auto& [n, v] : headers) r.headers.add(n, v);
  return r;
}

const std::string reset_two = R"({"description":"d","rules":[
  {"match":{"endpoint":"/apis-auth/login/auth","calls":{"to":2}},"fault":{"kind":"connection_reset"}}]})";

}  // namespace

TEST_SUITE("fault engine") {
  TEST_CASE("no active scenario and no header: nothing applies") {
    bench b(files{{"flaky", reset_two}});
    CHECK_FALSE(b.decide(post("/apis-auth/login/auth")).applies());
  }

  TEST_CASE("call counters count per rule and per session") {
    bench b(files{{"flaky", reset_two}});
    REQUIRE(b.select(std::string("flaky")));
    auto call = [&](const std::string& session) {
      return b.decide(post("/apis-auth/login/auth", "{}", {{"X-Authsim-Session", session}})).applies();
    };
    CHECK(call("a"));
    CHECK(call("b"));
    CHECK(call("a"));
    CHECK_FALSE(call("a"));
    CHECK(call("b"));
    CHECK_FALSE(call("b"));
    // Another endpoint is not matched, so it neither counts nor applies.
    CHECK_FALSE(b.decide(post("/dg/v1/platform/identify/auth")).applies());
    b.reset_counters();
    CHECK(call("a"));
  }

  TEST_CASE("the first matching rule decides, and its label names it") {
    bench b(files{{"two", R"({"description":"d","rules":[
      {"match":{"headers":{"X-Pick":"first"}},"respond":{"body":{"n":0}}},
      {"respond":{"body":{"n":1}}}]})"}});
    const decision first = b.decide(post("/x", "{}", {{"X-Authsim-Scenario", "two"}, {"x-pick", "first"}}));
    CHECK(first.rule_label == "two#0");
    const decision second = b.decide(post("/x", "{}", {{"X-Authsim-Scenario", "two"}}));
    CHECK(second.rule_label == "two#1");
    CHECK(second.answer->body == R"({"n":1})");
  }

  TEST_CASE("placeholders are filled from the request") {
    bench b(files{{"p", R"({"description":"d","rules":[{"respond":{"headers":{"X-T":"{{trace}}"},"body":{
      "trace":"{{trace}}","rid":"{{requestId}}","id":"{{id}}","q":"{{query:platId}}","h":"{{header:lang}}",
      "both":"{{trace}}/{{query:platId}}","now":"{{now_ms}}","date":"{{date}}"}}}]})"}});
    b.clock.set_ms(1'732'521'424'191);
    const decision d = b.decide(post("/dg/v1/platform/identify/auth?platId=p1", R"({"requestId":"r-1"})",
                                             {{"X-Authsim-Scenario", "p"}, {"trace", "t-1"}, {"lang", "zh-CN"}}));
    const auto body = boost::json::parse(d.answer->body);
    CHECK(body.at("trace").as_string() == "t-1");
    CHECK(body.at("rid").as_string() == "r-1");
    CHECK(body.at("id").as_string().size() == 32);
    CHECK(body.at("q").as_string() == "p1");
    CHECK(body.at("h").as_string() == "zh-CN");
    CHECK(body.at("both").as_string() == "t-1/p1");
    CHECK(std::stoll(std::string(body.at("now").as_string())) >= 1'732'521'424'191);
    CHECK(std::string(body.at("date").as_string()).starts_with("2024-11-25 15:57:"));
    CHECK(*d.answer->headers.find("X-T") == "t-1");
  }

  TEST_CASE("a rate limit lets N calls through per window and key, then says when to retry") {
    bench b(files{{"rl", R"({"description":"d","rules":[{"rate_limit":{"limit":2,"window_ms":10000,"key":"api-key"}}]})"}});
    REQUIRE(b.select(std::string("rl")));
    auto call = [&](const std::string& key) { return b.decide(post("/x", "{}", {{"api-key", key}})); };
    CHECK_FALSE(call("k1").applies());
    CHECK_FALSE(call("k1").applies());
    const decision limited = call("k1");
    CHECK(limited.rate_limited);
    CHECK(limited.retry_after_s >= 9);
    CHECK(limited.retry_after_s <= 10);
    CHECK(limited.rate_detail == "at most 2 calls per 10000 ms per api-key; retry after " +
                                     std::to_string(limited.retry_after_s) + " s");
    CHECK_FALSE(call("k2").applies());
    b.clock.advance_ms(10'000);
    CHECK_FALSE(call("k1").applies());
  }

  TEST_CASE("the same seed gives the same probabilistic choices and delays") {
    const std::string text = R"({"description":"d","rules":[{"match":{"probability":0.5},
      "delay":{"lognormal_ms":{"median":100,"sigma":1}}}]})";
    auto run = [&](std::uint64_t seed) {
      bench b(files{{"coin", text}}, seed);
      REQUIRE(b.select(std::string("coin")));
      std::vector<std::int64_t> out;
      for (int i = 0; i < 50; ++i) {
        const decision d = b.decide(post("/x"));
        out.push_back(d.applies() ? d.delay.count() : -1);
      }
      return out;
    };
    const auto a = run(99);
    CHECK(a == run(99));
    CHECK(a != run(100));
    const auto applied = std::count_if(a.begin(), a.end(), [](std::int64_t v) { return v >= 0; });
    CHECK(applied > 10);
    CHECK(applied < 40);
  }

  TEST_CASE("delays follow their distribution") {
    bench b(files{{"u", R"({"description":"d","rules":[{"delay":{"uniform_ms":{"min":10,"max":20}}}]})"},
             {"l", R"({"description":"d","rules":[{"delay":{"lognormal_ms":{"median":200,"sigma":0.5,"cap":400}}}]})"}});
    std::vector<std::int64_t> uniform;
    std::vector<std::int64_t> lognormal;
    for (int i = 0; i < 2000; ++i) {
      uniform.push_back(b.decide(post("/x", "{}", {{"X-Authsim-Scenario", "u"}})).delay.count());
      lognormal.push_back(b.decide(post("/x", "{}", {{"X-Authsim-Scenario", "l"}})).delay.count());
    }
    CHECK(*std::min_element(uniform.begin(), uniform.end()) == 10);
    CHECK(*std::max_element(uniform.begin(), uniform.end()) == 20);
    std::sort(lognormal.begin(), lognormal.end());
    CHECK(lognormal[1000] >= 180);
    CHECK(lognormal[1000] <= 220);
    CHECK(lognormal.back() == 400);  // the cap
  }

  TEST_CASE("the scenario header: a name, none, or an unknown name") {
    bench b(files{{"flaky", reset_two}});
    CHECK(b.decide(post("/apis-auth/login/auth", "{}", {{"X-Authsim-Scenario", "flaky"}})).applies());
    REQUIRE(b.select(std::string("flaky")));
    CHECK_FALSE(b.decide(post("/apis-auth/login/auth", "{}", {{"X-Authsim-Scenario", "none"}})).applies());
    const decision unknown = b.decide(post("/apis-auth/login/auth", "{}", {{"X-Authsim-Scenario", "zz"}}));
    CHECK(unknown.unknown_scenario == "'zz' (loaded: flaky; 'none' turns scenarios off for this request)");
  }

  TEST_CASE("admin paths are never subject to a scenario") {
    bench b(files{{"all", R"({"description":"d","rules":[{"fault":{"kind":"connection_reset"}}]})"}});
    REQUIRE(b.select(std::string("all")));
    CHECK_FALSE(b.decide(post("/__admin/scenarios")).applies());
    CHECK(b.decide(post("/anything")).applies());
  }

  TEST_CASE("a failed reload keeps the old set, a successful one drops a vanished active scenario") {
    bench b(files{{"a", reset_two}});
    REQUIRE(b.select(std::string("a")));
    b.write("b", R"({"description":"d"})");
    const auto error = b.reload();
    REQUIRE(error.has_value());
    CHECK(error->find("b.json: rules: missing; expected an array") != std::string::npos);
    CHECK(b.engine->active() == "a");
    CHECK(b.engine->list().size() == 1);
    std::filesystem::remove(b.dir / "b.json");
    std::filesystem::remove(b.dir / "a.json");
    b.write("c", reset_two);
    CHECK_FALSE(b.reload().has_value());
    CHECK_FALSE(b.engine->active().has_value());
    CHECK(b.engine->list().at(0).name == "c");
    CHECK_FALSE(b.select(std::string("a")));
  }

  TEST_CASE("malformed answers are cut in the middle and become 200") {
    http::response res;
    res.status = 503;
    res.body = R"({"code":500,"msg":"busy"})";
    faults::make_malformed(res);
    CHECK(res.status == 200);
    CHECK(res.body == R"({"code":500,)");
    http::response number;
    number.body = "123456";
    faults::make_malformed(number);
    CHECK(number.body == "123{");
  }

  TEST_CASE("outbound rules: a platform matches Credit Pay's webhooks, an app UOCS's pushes") {
    bench b(files{{"out", R"({"description":"d","rules":[
      {"match":{"webhook":"ORDER_STATUS","app":"IE-UOCS-OUT"},"webhook_fault":{"kind":"drop"}},
      {"match":{"webhook":"*","platform":"IE-UOCS-OUT"},"webhook_fault":{"kind":"duplicate"}},
      {"match":{"webhook":"PAY_START"},"webhook_fault":{"kind":"bad_signature"}}]})"}});
    REQUIRE(b.select(std::string("out")));
    using kind = faults::webhook_fault_kind;
    CHECK(b.engine->decide_webhook("ORDER_STATUS", "IE-UOCS-OUT", true)->kind == kind::drop);
    CHECK_FALSE(b.engine->decide_webhook("ORDER_STATUS", "IE-UOCS-CES", true).has_value());
    // The same name as a platform's: only Credit Pay's webhooks match "platform".
    CHECK(b.engine->decide_webhook("PAY_SUCCESS", "IE-UOCS-OUT")->kind == kind::duplicate);
    CHECK_FALSE(b.engine->decide_webhook("TAKEOFF", "IE-UOCS-OUT", true).has_value());
    CHECK(b.engine->decide_webhook("PAY_START", "plat")->kind == kind::bad_signature);
  }

  TEST_CASE("selecting a scenario again restarts its counters") {
    bench b(files{{"flaky", reset_two}});
    REQUIRE(b.select(std::string("flaky")));
    CHECK(b.decide(post("/apis-auth/login/auth")).applies());
    CHECK(b.decide(post("/apis-auth/login/auth")).applies());
    CHECK_FALSE(b.decide(post("/apis-auth/login/auth")).applies());
    REQUIRE(b.select(std::string("flaky")));
    CHECK(b.decide(post("/apis-auth/login/auth")).applies());
  }

  TEST_CASE("a self-looping link in the scenarios folder fails the reload, not the server") {
    bench b(files{{"ok", reset_two}});
    std::filesystem::create_symlink(b.dir / "loop.json", b.dir / "loop.json");
    const auto error = b.reload();
    REQUIRE(error.has_value());
    CHECK(error->find("loop.json") != std::string::npos);
    CHECK(b.engine->list().size() == 1);
  }
}

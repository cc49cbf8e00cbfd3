#include "faults/scenario_loader.hpp"
#include "fixtures/json_reader.hpp"

#include <doctest/doctest.h>

#include <boost/json/parse.hpp>

#include <filesystem>
#include <fstream>

#include <unistd.h>

using namespace authsim::faults;

namespace {

const std::vector<std::string> endpoints = {"/dg/v1/platform/identify/auth", "/dg/v1/identify/redirect",
                                            "/apis-auth/login/auth"};

// Every simulated endpoint, as the shipped scenarios may name them.
const std::vector<std::string> served = {
    "/dg/v1/platform/identify/auth",        "/dg/v1/identify/redirect",
    "/apis-auth/login/auth",                "/uocs-tes/waybill/api/carrierWaybill",
    "/uocs-tes/waybill/api/createWaybill",  "/uocs-tes/waybill/api/selectOrderDetails",
    "/uocs-tes/waybill/api/orderH5View",    "/uocs-ces/openApi/carrierWaybill",
    "/uocs-ces/openApi/createWaybill",      "/uocs-ces/openApi/selectWaybillDetails",
    "/uocs-ces/openApi/selectWaybillH5View", "/uocs-ces/openApi/cancelWaybill"};

scenario parse(const std::string& text) {
  return parse_scenario(boost::json::parse(text), "s", "s.json", endpoints);
}

std::string error_of(const std::string& text) {
  try {
    parse(text);
  } catch (const authsim::fixtures::fixture_error& e) {
    return e.what();
  }
  return "parsed";
}

std::string one_rule(const std::string& body) { return R"({"description":"d","rules":[)" + body + "]}"; }

}  // namespace

TEST_SUITE("scenario files") {
  TEST_CASE("every shipped scenario loads, with a description") {
    const scenario_set set = load_scenarios(std::string(AUTHSIM_FIXTURES_DIR) + "/scenarios", served);
    for (const char* name : {"slow", "jitter", "upstream-error", "flaky", "reset", "hang", "malformed", "rate-limited"}) {
      CAPTURE(name);
      REQUIRE(set.count(name) == 1);
      CHECK_FALSE(set.at(name)->description.empty());
      CHECK_FALSE(set.at(name)->rules.empty());
    }
  }

  TEST_CASE("a full rule is read into the model") {
    const scenario s = parse(one_rule(R"({"match":{"endpoint":"/apis-auth/login/auth","method":"POST",
      "headers":{"lang":"zh-CN"},"query":{"a":"b"},"body":{"/userId":"fc0001"},"calls":{"from":2,"to":4,"every":2},
      "probability":0.25},"delay":{"uniform_ms":{"min":10,"max":20}},
      "respond":{"status":503,"headers":{"X-A":"{{trace}}"},"body":{"code":500}},
      "fault":{"kind":"slow_body","duration_ms":100}})"));
    REQUIRE(s.rules.size() == 1);
    const auto& r = s.rules[0];
    CHECK(r.when.endpoint == "/apis-auth/login/auth");
    CHECK(r.when.method == "POST");
    CHECK(r.when.headers.size() == 1);
    CHECK(r.when.body.at(0).first == "/userId");
    CHECK(r.when.calls->admits(2));
    CHECK_FALSE(r.when.calls->admits(3));
    CHECK(r.when.calls->admits(4));
    CHECK_FALSE(r.when.calls->admits(6));
    CHECK(*r.when.probability == doctest::Approx(0.25));
    CHECK(r.wait->type == delay::kind::uniform);
    CHECK(r.answer->status == 503);
    CHECK(r.failure->kind == fault_kind::slow_body);
    CHECK(r.failure->duration_ms == 100);
  }

  TEST_CASE("webhook rules: an event type, an optional platform, one webhook_fault") {
    const auto loaded = parse(one_rule(
        R"({"match":{"webhook":"PAY_SUCCESS","platform":"p1","probability":0.5},"webhook_fault":{"kind":"out_of_order","hold_ms":1000}})"));
    const rule& r = loaded.rules.at(0);
    CHECK(r.when.webhook == "PAY_SUCCESS");
    CHECK(r.when.platform == "p1");
    REQUIRE(r.outbound.has_value());
    CHECK(r.outbound->kind == webhook_fault_kind::out_of_order);
    CHECK(r.outbound->hold_ms == 1000);
    CHECK(parse(one_rule(R"({"match":{"webhook":"*"},"webhook_fault":{"kind":"delay","delay_ms":20}})"))
              .rules.at(0).outbound->delay_ms == 20);

    CHECK(error_of(one_rule(R"({"match":{"webhook":"PAID"},"webhook_fault":{"kind":"drop"}})")).starts_with(
        "s.json: rules[0].match.webhook: expected a webhook event type, one of \"*\", \"PAY_START\""));
    CHECK(error_of(one_rule(R"({"match":{"webhook":"*","endpoint":"/x"},"webhook_fault":{"kind":"drop"}})")) ==
          "s.json: rules[0].match.endpoint: matches inbound requests; a rule with \"webhook\" matches outbound "
          "events (by \"webhook\", \"platform\", \"app\" and \"probability\")");
    // UOCS's push types, to one app.
    const rule pushes = parse(one_rule(R"({"match":{"webhook":"ORDER_STATUS","app":"IE-UOCS-OUT"},)"
                                       R"("webhook_fault":{"kind":"drop"}})")).rules.at(0);
    CHECK(pushes.when.app == "IE-UOCS-OUT");
    CHECK(error_of(one_rule(R"({"match":{"webhook":"*","platform":"p","app":"a"},"webhook_fault":{"kind":"drop"}})")) ==
          "s.json: rules[0].match.app: a rule matches a Credit Pay platform's webhooks or a UOCS app's pushes, not both");
    CHECK(error_of(one_rule(R"({"match":{"app":"a"},"delay":{"fixed_ms":1}})")) ==
          "s.json: rules[0].match.app: applies to webhook rules only (give \"webhook\": an event type, or \"*\")");
    CHECK(error_of(one_rule(R"({"match":{"platform":"p"},"delay":{"fixed_ms":1}})")) ==
          "s.json: rules[0].match.platform: applies to webhook rules only (give \"webhook\": an event type, or \"*\")");
    CHECK(error_of(one_rule(R"({"webhook_fault":{"kind":"drop"}})")) ==
          "s.json: rules[0]: \"webhook_fault\" needs \"match\": {\"webhook\": TYPE}: it applies to outbound events");
    CHECK(error_of(one_rule(R"({"match":{"webhook":"*"},"delay":{"fixed_ms":1}})")).find(
              "takes one action, \"webhook_fault\"") != std::string::npos);
    CHECK(error_of(one_rule(R"({"match":{"webhook":"*"},"webhook_fault":{"kind":"drop","hold_ms":5}})")) ==
          "s.json: rules[0].webhook_fault.hold_ms: applies only to kind \"out_of_order\"");
    CHECK(error_of(one_rule(R"({"match":{"webhook":"*"},"webhook_fault":{"kind":"delay","delay_ms":60000}})")) ==
          "s.json: rules[0].webhook_fault.delay_ms: expected an integer from 1 to 30000, got 60000");
  }

  TEST_CASE("each validation error names the JSON path and the reason") {
    CHECK(error_of(R"({"rules":[{"delay":{"fixed_ms":1}}]})") ==
          "s.json: description: missing; expected a non-empty string");
    CHECK(error_of(R"({"description":"d","rules":[]})") == "s.json: rules: expected at least one rule");
    CHECK(error_of(one_rule(R"({"delay":{"fixed_ms":1},"colour":"red"})")) == "s.json: rules[0].colour: unknown key");
    CHECK(error_of(one_rule(R"({"match":{"endpoint":"/x"}, "delay":{"fixed_ms":1}})")) ==
          "s.json: rules[0].match.endpoint: expected one of \"*\", \"/dg/v1/platform/identify/auth\", "
          "\"/dg/v1/identify/redirect\", \"/apis-auth/login/auth\", got \"/x\"");
    CHECK(error_of(one_rule(R"({"match":{"method":"post"}, "delay":{"fixed_ms":1}})")) ==
          "s.json: rules[0].match.method: expected an upper-case HTTP method such as \"POST\", got \"post\"");
    CHECK(error_of(one_rule(R"({"match":{"headers":{"lang":1}}, "delay":{"fixed_ms":1}})")) ==
          "s.json: rules[0].match.headers.lang: expected a string, got an integer");
    CHECK(error_of(one_rule(R"({"match":{"body":{"userId":"x"}}, "delay":{"fixed_ms":1}})")) ==
          "s.json: rules[0].match.body.userId: expected a JSON pointer such as \"/custom_no\" (RFC 6901)");
    CHECK(error_of(one_rule(R"({"match":{"calls":{"from":3,"to":2}}, "delay":{"fixed_ms":1}})")) ==
          "s.json: rules[0].match.calls.to: must not be less than \"from\" (3)");
    CHECK(error_of(one_rule(R"({"match":{"calls":{"every":0}}, "delay":{"fixed_ms":1}})")) ==
          "s.json: rules[0].match.calls.every: expected an integer from 1 to 9223372036854775807, got 0");
    CHECK(error_of(one_rule(R"({"match":{"calls":{}}, "delay":{"fixed_ms":1}})")) ==
          "s.json: rules[0].match.calls: give at least one of \"from\", \"to\", \"every\"");
    CHECK(error_of(one_rule(R"({"match":{"probability":1.5}, "delay":{"fixed_ms":1}})")) ==
          "s.json: rules[0].match.probability: expected a number from 0 to 1, got 1.5");
    CHECK(error_of(one_rule(R"({"match":{}})")) ==
          "s.json: rules[0]: a rule needs at least one action: \"delay\", \"respond\", \"fault\" or \"rate_limit\" "
          "(or \"webhook_fault\" with \"match\": {\"webhook\": …})");
    CHECK(error_of(one_rule(R"({"delay":{"fixed_ms":1,"uniform_ms":{"min":1,"max":2}}})")) ==
          "s.json: rules[0].delay: give exactly one of \"fixed_ms\", \"uniform_ms\", \"lognormal_ms\"");
    CHECK(error_of(one_rule(R"({"delay":{"uniform_ms":{"min":5,"max":2}}})")) ==
          "s.json: rules[0].delay.uniform_ms.max: expected an integer from 5 to 600000, got 2");
    CHECK(error_of(one_rule(R"({"delay":{"lognormal_ms":{"median":0}}})")) ==
          "s.json: rules[0].delay.lognormal_ms.median: expected a number from 1 to 600000, got 0");
    CHECK(error_of(one_rule(R"({"respond":{"status":700,"body":{}}})")) ==
          "s.json: rules[0].respond.status: expected an integer from 200 to 599, got 700");
    CHECK(error_of(one_rule(R"({"respond":{"status":100,"body":{}}})")) ==
          "s.json: rules[0].respond.status: expected an integer from 200 to 599, got 100");
    CHECK(error_of(one_rule(R"({"respond":{"status":204,"body":{}}})")) ==
          "s.json: rules[0].respond.status: must not be 204 or 304: those answers carry no body, and a respond "
          "always has one");
    CHECK(error_of(one_rule(R"({"respond":{"headers":{"Bad Name":"x"},"body":{}}})")) ==
          "s.json: rules[0].respond.headers.Bad Name: is not a valid header name (letters, digits and "
          "!#$%&'*+-.^_`|~ only)");
    CHECK(error_of(one_rule(R"({"respond":{"status":200}})")) ==
          "s.json: rules[0].respond: give exactly one of \"body\" (JSON) and \"raw_body\" (text)");
    CHECK(error_of(one_rule(R"({"respond":{"headers":{"Content-Length":"5"},"body":{}}})")) ==
          "s.json: rules[0].respond.headers.Content-Length: is set by authsim from the body and the connection; it "
          "cannot be declared");
    CHECK(error_of(one_rule(R"({"respond":{"body":{"x":"{{tracee}}"}}})")).starts_with(
        "s.json: rules[0].respond.body: unknown placeholder {{tracee}}; known: {{trace}}"));
    CHECK(error_of(one_rule(R"({"fault":{"kind":"explode"}})")) ==
          "s.json: rules[0].fault.kind: expected one of \"connection_reset\", \"empty_response\", \"hang\", "
          "\"malformed_body\", \"random_data_then_close\", \"slow_body\", got \"explode\"");
    CHECK(error_of(one_rule(R"({"fault":{"kind":"hang","bytes":5}})")) ==
          "s.json: rules[0].fault.bytes: applies only to kind \"random_data_then_close\"");
    CHECK(error_of(one_rule(R"({"fault":{"kind":"hang","max_ms":0}})")) ==
          "s.json: rules[0].fault.max_ms: expected an integer from 1 to 600000, got 0");
    CHECK(error_of(one_rule(R"({"fault":{"kind":"connection_reset"},"respond":{"body":{}}})")) ==
          "s.json: rules[0]: fault \"connection_reset\" sends no answer, so \"respond\" would never be seen; only "
          "\"malformed_body\" and \"slow_body\" use it");
    CHECK(error_of(one_rule(R"({"rate_limit":{"limit":3}})")) ==
          "s.json: rules[0].rate_limit.window_ms: missing; expected an integer from 1 to 86400000");
    CHECK(error_of(one_rule(R"({"rate_limit":{"limit":3,"window_ms":10,"key":"ip"}})")) ==
          "s.json: rules[0].rate_limit.key: expected one of \"api-key\", \"platId\", \"userId\", \"client\", got \"ip\"");
    CHECK(error_of(one_rule(R"({"rate_limit":{"limit":3,"window_ms":10},"respond":{"body":{}}})")) ==
          "s.json: rules[0]: \"rate_limit\" answers 429 itself; it combines with \"delay\" only");
  }

  TEST_CASE("a file name that cannot be a scenario name is refused") {
    const auto dir = std::filesystem::temp_directory_path() / ("authsim-scn-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    {
      std::ofstream(dir / "none.json") << R"({"description":"d","rules":[{"delay":{"fixed_ms":1}}]})";
    }
    CHECK_THROWS_WITH_AS(load_scenarios(dir, endpoints),
                         doctest::Contains("must be 1 to 64 letters, digits, '.', '_' or '-'"),
                         authsim::fixtures::fixture_error);
    std::filesystem::remove_all(dir);
  }

  TEST_CASE("a missing scenarios directory is no scenarios") {
    CHECK(load_scenarios("/nonexistent-authsim-scenarios", endpoints).empty());
  }
}

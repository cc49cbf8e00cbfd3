// The partner's toolbox on the real binary: request logs, configuration by
// environment, the sign and curl-example commands, the cashier page.

#include "integration/helpers.hpp"
#include "support/server_process.hpp"
#include "support/temp_dir.hpp"

#include <boost/json/parse.hpp>

#include <doctest/doctest.h>

#include <cstdio>
#include <sstream>

using namespace authsim::testing;
namespace json = boost::json;

namespace {

// The stderr lines that parse as JSON objects with "event": `event`.
std::vector<json::object> events(const std::string& log, const std::string& event) {
  std::vector<json::object> out;
  std::istringstream lines(log);
  for (std::string line; std::getline(lines, line);) {
    boost::system::error_code ec;
    json::value v = json::parse(line, ec);
    if (!ec && v.is_object() && v.as_object().contains("event") && v.as_object().at("event") == event.c_str()) {
      out.push_back(v.as_object());
    }
  }
  return out;
}

std::string issue_code(http_client& client, const std::string& trace = "trace-1") {
  const std::string body = identify_body();
  const auto res = client.post(identify_target, body, identify_headers(body, trace));
  REQUIRE(res.status == 200);
  return std::string(res.json().at("data").at("ident_code").as_string());
}

}  // namespace

TEST_SUITE("toolbox") {
  TEST_CASE("every request is one JSON line on stderr with status, code, outcome, rule, duration and trace") {
    server_process server;
    http_client client(server.port());
    issue_code(client, "log-trace-1");
    client.post(redirect_target, R"({"ident_code":"0123456789abcdef0123456789abcdef"})", {{"trace", "log-trace-2"}});
    client.post(login_target, uocs_login_body());
    client.request("GET", "/__admin/health");
    REQUIRE(server.wait_for_stderr("\"path\":\"/apis-auth/login/auth\""));
    const std::string log = server.stderr_text();
    // Every line is JSON with a time and a level.
    std::istringstream lines(log);
    for (std::string line; std::getline(lines, line);) {
      boost::system::error_code ec;
      const json::value v = json::parse(line, ec);
      REQUIRE_MESSAGE(!ec, "not JSON: ", line);
      CHECK(v.as_object().contains("time"));
      CHECK(v.as_object().contains("level"));
    }
    const auto requests = events(log, "request");
    // Admin calls are logged at debug level only.
    REQUIRE(requests.size() == 3);
    CHECK(requests[0].at("method") == "POST");
    CHECK(requests[0].at("path") == "/dg/v1/platform/identify/auth");
    CHECK(requests[0].at("status") == 200);
    CHECK(requests[0].at("code") == 0);
    CHECK(requests[0].at("outcome") == "ok");
    CHECK(requests[0].at("rule").is_null());
    CHECK(requests[0].at("trace") == "log-trace-1");
    CHECK(requests[0].at("duration_us").is_int64());
    CHECK(requests[1].at("status") == 400);
    CHECK(requests[1].at("code").is_int64());
    CHECK(requests[1].at("outcome") == "rejected");
    CHECK(requests[1].at("trace") == "log-trace-2");
    CHECK(requests[2].at("success") == true);
  }

  TEST_CASE("the start-up line says what was loaded") {
    server_process server({"--scenario", "slow", "--seed", "7"});
    const auto startup = events(server.stderr_text(), "startup");
    REQUIRE(startup.size() == 1);
    const json::object& s = startup[0];
    CHECK(s.at("listen") == ("http://127.0.0.1:" + std::to_string(server.port())).c_str());
    CHECK(s.at("platforms").as_array().size() == 1);
    CHECK(s.at("platforms").as_array()[0] == plat_id.c_str());
    CHECK(s.at("apps").as_array()[0] == "IE-UOCS-OUT");
    CHECK(s.at("accounts").as_array().size() == 3);
    CHECK(s.at("stubs").as_array().empty());
    CHECK(s.at("scenarios").as_array().size() >= 11);
    CHECK(s.at("active_scenario") == "slow");
    CHECK(s.at("seed") == 7);
    CHECK(s.at("tls").is_null());
    CHECK(s.at("admin") == "loopback");
  }

  TEST_CASE("the start-up line says what a caller of the admin API meets") {
    const auto admin_of = [](const std::vector<std::string>& args) {
      server_process server(args);
      const auto startup = events(server.stderr_text(), "startup");
      REQUIRE(startup.size() == 1);
      return std::string(startup[0].at("admin").as_string());
    };
    CHECK(admin_of({}) == "loopback");
    CHECK(admin_of({"--admin-token", "t"}) == "token");
    CHECK(admin_of({"--no-admin"}) == "off");
    // Bound to every address without a token: every call but the health
    // probe from the machine itself is refused (403 ADMIN_FORBIDDEN).
    CHECK(admin_of({"--host", "0.0.0.0"}) == "health-only");
    CHECK(admin_of({"--host", "0.0.0.0", "--admin-open"}) == "open");
  }

  TEST_CASE("--log-format text writes plain lines, --log-level warn leaves requests out, debug adds admin calls") {
    {
      server_process server({"--log-format", "text"});
      http_client client(server.port());
      client.post(login_target, uocs_login_body());
      REQUIRE(server.wait_for_stderr("POST /apis-auth/login/auth 200 success=true ok"));
      CHECK(server.stderr_text().find("{\"time\"") == std::string::npos);
    }
    {
      server_process server({"--log-level", "warn"});
      http_client client(server.port());
      client.post(login_target, uocs_login_body());
      client.request("GET", "/__admin/health");
      CHECK(events(server.stderr_text(), "request").empty());
      CHECK(events(server.stderr_text(), "startup").empty());
    }
    {
      server_process server({"--log-level", "debug"});
      http_client client(server.port());
      client.request("GET", "/__admin/health");
      REQUIRE(server.wait_for_stderr("/__admin/health"));
      CHECK(events(server.stderr_text(), "request").size() == 1);
    }
  }

  TEST_CASE("flags come from AUTHSIM_* variables, and a flag on the command line wins") {
    server_process server({}, {{"AUTHSIM_SCENARIO", "upstream-error"}, {"AUTHSIM_LOG_FORMAT", "text"},
                               {"AUTHSIM_PUBLIC_BASE_URL", "https://sim.example"}, {"AUTHSIM_PORT", "1"}});
    // --port 0 from the test harness beat AUTHSIM_PORT=1.
    CHECK(server.port() != 1);
    http_client client(server.port());
    const std::string body = identify_body();
    const auto res = client.post(identify_target, body, identify_headers(body));
    CHECK(res.json().at("code") == 500);  // the upstream-error scenario is active
    CHECK(server.stderr_text().find("active: upstream-error") != std::string::npos);

    auto bad = run_to_exit({"--port", "0", "--fixtures", AUTHSIM_FIXTURES_DIR}, "", {{"AUTHSIM_MAX_CODES", "lots"}});
    CHECK(bad.status.code == 2);
    CHECK(bad.err == "authsim: AUTHSIM_MAX_CODES: expected an integer from 1 to 10000000, got 'lots'\n");
  }

  TEST_CASE("authsim sign prints the signature the server accepts") {
    server_process server;
    const std::string body = identify_body();
    auto signed_ = run_to_exit({"sign", "--key", signature_key}, body, {});
    REQUIRE(signed_.status.code == 0);
    CHECK(signed_.err.empty());
    REQUIRE(signed_.out.ends_with("\n"));
    const std::string signature = signed_.out.substr(0, signed_.out.size() - 1);
    CHECK(signature == sign(body));
    http_client client(server.port());
    const auto res = client.post(identify_target, body, {{"trace", "t"}, {"api-key", api_key}, {"signature", signature}});
    CHECK(res.status == 200);
    CHECK(res.json().at("code") == 0);

    auto help = run_to_exit({"sign", "--help"}, "", {});
    CHECK(help.status.code == 0);
    CHECK(help.out.find("Usage: authsim sign") != std::string::npos);
    auto no_key = run_to_exit({"sign"}, body, {});
    CHECK(no_key.status.code == 2);
  }

  TEST_CASE("authsim verify accepts a signature made with openssl and explains one that is off") {
    // printf '%s%s' /api/v1/credit-pay/notify "$BODY" | openssl dgst -sha1 -hmac k -binary | base64
    const std::string body =
        R"({"type":"PAY_SUCCESS","platform_id":"328cf95950f54f89a2dd4c3bf98ac5fb","retry":1,"event_id":"ev-1","data":{"amount":"12.30"}})";
    const std::string by_openssl = "ERWNKyjuKZG6dv9Rqxu0UYjZCAU=";
    const std::vector<std::string> args = {"verify", "--key", "k", "--path",
                                           "http://127.0.0.1:9000/api/v1/credit-pay/notify?from=authsim",
                                           "--signature", by_openssl};
    const auto ok = run_to_exit(args, body, {});
    CHECK(ok.status.code == 0);
    CHECK(ok.out.starts_with("signature ok: HMAC-SHA1 in Base64 over '/api/v1/credit-pay/notify'"));
    CHECK(ok.err.empty());

    const auto newline = run_to_exit(args, body + "\n", {});
    CHECK(newline.status.code == 1);
    CHECK(newline.err.find("signature mismatch") != std::string::npos);
    CHECK(newline.err.find("without its final newline") != std::string::npos);

    const auto help = run_to_exit({"verify", "--help"}, "", {});
    CHECK(help.status.code == 0);
    CHECK(help.out.find("Usage: authsim verify") != std::string::npos);
    CHECK(run_to_exit({"verify", "--key", "k"}, body, {}).status.code == 2);
  }

  TEST_CASE("authsim curl-example prints a command that gets a code when run") {
    server_process server;
    const std::string base = "http://127.0.0.1:" + std::to_string(server.port());
    auto example = run_to_exit({"curl-example", "--fixtures", AUTHSIM_FIXTURES_DIR, "--base-url", base}, "", {});
    REQUIRE(example.status.code == 0);
    CHECK(example.out.starts_with("curl "));
    // Run it as a user would, through the shell.
    temp_dir dir;
    const auto script = dir.write("identify.sh", example.out);
    FILE* pipe = ::popen(("bash '" + script.string() + "'").c_str(), "r");
    REQUIRE(pipe != nullptr);
    std::string answer;
    char buf[512];
    while (std::fgets(buf, sizeof buf, pipe) != nullptr) {
      answer += buf;
    }
    CHECK(::pclose(pipe) == 0);
    const json::value v = json::parse(answer);
    CHECK(v.at("code") == 0);
    CHECK(v.at("data").at("ident_code").as_string().size() == 32);
  }

  TEST_CASE("the cashier page shows a code's platform and state, and answers 400 without a code") {
    server_process server;
    http_client client(server.port());
    const std::string code = issue_code(client);
    const auto page = client.request("GET", "/dg/oauth?ident_code=" + code);
    CHECK(page.status == 200);
    CHECK(page.header("content-type") == "text/html; charset=utf-8");
    CHECK(page.header("content-security-policy").find("script-src 'nonce-") != std::string::npos);
    CHECK(page.body.find(code) != std::string::npos);
    CHECK(page.body.find(plat_id) != std::string::npos);
    CHECK(page.body.find("data-state=\"issued\"") != std::string::npos);

    client.post(redirect_target, R"({"ident_code":")" + code + R"("})", {{"trace", "t"}});
    CHECK(client.request("GET", "/dg/oauth?ident_code=" + code).body.find("data-state=\"redeemed\"") !=
          std::string::npos);
    const auto unknown = client.request("GET", "/dg/oauth?ident_code=ffffffffffffffffffffffffffffffff");
    CHECK(unknown.status == 200);
    CHECK(unknown.body.find("data-state=\"unknown\"") != std::string::npos);
    const auto missing = client.request("GET", "/dg/oauth");
    CHECK(missing.status == 400);
    CHECK(missing.body.find("needs the one-time code") != std::string::npos);
    // The page is the one the issued url names.
    const std::string body = identify_body();
    const auto issued = client.post(identify_target, body, identify_headers(body));
    const std::string url(issued.json().at("data").at("url").as_string());
    CHECK(url.find("/dg/oauth?ident_code=") != std::string::npos);
  }
}

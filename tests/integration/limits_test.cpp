// Every limit, observed from a client: header size, slow requests, idle
// connections, concurrent connections, stored codes; plus graceful
// shutdown of delayed requests and secrets kept out of every output.
#include "integration/helpers.hpp"
#include "support/server_process.hpp"

#include <doctest/doctest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <csignal>
#include <thread>

using namespace authsim::testing;
using steady = std::chrono::steady_clock;

namespace {

std::int64_t ms_since(steady::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(steady::now() - start).count();
}

}  // namespace

TEST_SUITE("limits") {
  TEST_CASE("--header-limit: a larger header block gets 431") {
    server_process server({"--header-limit", "2048"});
    http_client c(server.port());
    c.send_raw("POST " + login_target + " HTTP/1.1\r\nHost: x\r\nX-Pad: " + std::string(3000, 'p') +
               "\r\nContent-Length: 2\r\n\r\n{}");
    CHECK(c.read_response().status == 431);
    http_client d(server.port());
    CHECK(d.post(login_target, uocs_login_body(), {{"X-Pad", std::string(1000, 'p')}}).status == 200);
  }

  TEST_CASE("slowloris: a request trickling one byte at a time is cut off at the read timeout") {
    server_process server({"--read-timeout-ms", "500"});
    http_client c(server.port());
    const std::string request = "POST " + login_target + " HTTP/1.1\r\nHost: x\r\nX-Slow: " + std::string(40, 's');
    const auto start = steady::now();
    bool cut = false;
    for (std::size_t i = 0; i < request.size() && ms_since(start) < 5000; ++i) {
      try {
        c.send_raw(request.substr(i, 1));
      } catch (const boost::system::system_error&) {
        cut = true;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    CHECK((cut || c.closed_by_server()));
    CHECK(ms_since(start) < 5000);
    http_client other(server.port());
    CHECK(other.post(login_target, uocs_login_body()).status == 200);
  }

  TEST_CASE("--idle-timeout-ms is separate from the read timeout") {
    server_process server({"--read-timeout-ms", "200", "--idle-timeout-ms", "5000"});
    http_client c(server.port());
    CHECK(c.post(login_target, uocs_login_body()).status == 200);
    std::this_thread::sleep_for(std::chrono::milliseconds(600));
    CHECK(c.post(login_target, uocs_login_body()).status == 200);
  }

  TEST_CASE("--max-connections: one too many gets 503, the others keep being served") {
    server_process server({"--max-connections", "2"});
    http_client a(server.port());
    http_client b(server.port());
    REQUIRE(a.post(login_target, uocs_login_body()).status == 200);
    REQUIRE(b.post(login_target, uocs_login_body()).status == 200);
    http_client c(server.port());
    const auto refused = c.read_response();
    CHECK(refused.status == 503);
    CHECK(refused.json().at("code").to_number<int>() == 50300);
    // The Credit Pay envelope whole, and the header every answer carries.
    CHECK(refused.json().at("data").is_null());
    CHECK(refused.json().at("trace").is_null());
    CHECK(refused.header("server") == "authsim");
    CHECK(refused.header("retry-after") == "1");
    CHECK(a.post(login_target, uocs_login_body()).status == 200);
    CHECK(b.post(login_target, uocs_login_body()).status == 200);
  }

  TEST_CASE("--max-codes: when full, the code closest to expiry goes first, counted in metrics") {
    server_process server({"--max-codes", "3"});
    http_client c(server.port());
    std::vector<std::string> codes;
    for (int i = 0; i < 5; ++i) {
      const std::string body = identify_body();
      codes.emplace_back(c.post(identify_target, body, identify_headers(body)).json().at("data").at("ident_code").as_string());
    }
    CHECK(c.request("GET", "/__admin/state").json().at("codes").at("count").to_number<int>() == 3);
    const auto redeem = [&](const std::string& code) {
      return c.post(redirect_target, R"({"ident_code":")" + code + R"("})", {{"trace", "t"}}).json().at("code").to_number<int>();
    };
    CHECK(redeem(codes[0]) == 40020);
    CHECK(redeem(codes[1]) == 40020);
    CHECK(redeem(codes[4]) == 0);
    CHECK(c.request("GET", "/__admin/metrics").body.find("authsim_evictions_total{store=\"codes\"} 2\n") !=
          std::string::npos);
  }

  TEST_CASE("--max-tokens bounds the UOCS tokens the same way") {
    server_process server({"--max-tokens", "1"});
    http_client c(server.port());
    const auto first = c.post(login_target, uocs_login_body()).json().at("obj").at("token");
    c.post(login_target, uocs_login_body());
    const auto res = c.post("/uocs-tes/waybill/api/carrierWaybill", "{}", {{"token", std::string(first.as_string())}});
    CHECK(res.json().at("errorCode").as_string() == "09020102");
  }

  TEST_CASE("--journal-size bounds the journal, its total still counts every request") {
    server_process server({"--journal-size", "2"});
    http_client c(server.port());
    for (int i = 0; i < 5; ++i) {
      c.post(login_target, uocs_login_body());
    }
    const auto j = c.request("GET", "/__admin/requests?limit=2").json();
    CHECK(j.at("entries").as_array().size() == 2);
    CHECK(j.at("total").to_number<int>() == 5);
    CHECK(j.at("capacity").to_number<int>() == 2);
    CHECK(c.request("GET", "/__admin/requests?limit=3").status == 400);
  }

  TEST_CASE("SIGTERM: a request delayed by a scenario still gets its answer") {
    server_process server({"--scenario", "slow"});
    http_client c(server.port());
    const std::string body = uocs_login_body();
    // The 100 Continue proves the request is in flight before the signal.
    c.send_raw("POST " + login_target + " HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: " +
               std::to_string(body.size()) + "\r\n\r\n");
    REQUIRE(c.read_response().status == 100);
    c.send_raw(body);
    server.signal(SIGTERM);
    const auto res = c.read_response();
    CHECK(res.status == 200);
    CHECK(res.header("x-authsim-rule") == "slow#0");
    CHECK(res.json().at("success").as_bool());
    const auto status = server.wait_exit(std::chrono::seconds(10));
    REQUIRE(status.has_value());
    CHECK(status->code == 0);
  }

  TEST_CASE("secrets never appear in answers, the journal or the log") {
    server_process server;
    http_client c(server.port());
    std::string everything;
    const std::string body = identify_body();
    everything += c.post(identify_target, body, identify_headers(body)).body;
    everything += c.post(identify_target, body, {{"trace", "t"}, {"api-key", api_key}, {"signature", "x"}}).body;
    everything += c.post(identify_target, body, {{"trace", "t"}, {"api-key", "wrong"}, {"signature", "x"}}).body;
    everything += c.post(login_target, uocs_login_body()).body;
    everything += c.post(login_target, uocs_login_body("fc0001", "nope")).body;
    everything += c.post(login_target, uocs_login_body("xcy0001", "8bb2423a0e1c4d0a")).body;
    // Bodies that are not valid JSON still carry real secrets.
    everything += c.post(login_target, uocs_login_body() + ",").body;
    everything += c.post(login_target, "appKey=IE-UOCS-OUT&appSecret=fykj12345678&password=8bb2423a0e1c4d0a").body;
    everything += c.request("GET", "/__admin/requests?limit=1000").body;
    everything += c.request("GET", "/__admin/state").body;
    everything += c.request("GET", "/__admin/health").body;
    everything += c.request("GET", "/__admin/metrics").body;
    server.stop(SIGTERM);
    everything += server.stderr_text();
    for (const std::string& secret : {signature_key, std::string("fykj12345678"), std::string("8bb2423a0e1c4d0a"),
                                     std::string("79323c441a34b5599aec5c1f56eda196"),
                                     std::string("authsim-demo-jwt-secret-change-me"), api_key}) {
      CAPTURE(secret);
      CHECK(everything.find(secret) == std::string::npos);
    }
  }
}

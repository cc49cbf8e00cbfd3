#include "integration/helpers.hpp"
#include "support/server_process.hpp"
#include "support/temp_dir.hpp"

#include <doctest/doctest.h>

#include <fstream>

#include <filesystem>

#include <csignal>
#include <regex>
#include <thread>

using namespace authsim::testing;

TEST_SUITE("server") {
  TEST_CASE("the first stdout line is the listening URL with the real port") {
    server_process server;
    CHECK(std::regex_match(server.listening_line(), std::regex(R"(listening on http://127\.0\.0\.1:\d+)")));
    CHECK(server.port() != 0);
  }

  TEST_CASE("IPv6 loopback is served and written in brackets") {
    server_process server({"--host", "::1"});
    CHECK(server.listening_line() == "listening on http://[::1]:" + std::to_string(server.port()));
    http_client c(server.port(), "::1");
    CHECK(c.post(login_target, uocs_login_body()).json().at("success").as_bool());
  }

  TEST_CASE("unknown paths are 404 and wrong methods 405 with Allow, as JSON in each API's envelope") {
    server_process server;
    http_client c(server.port());
    const auto nf = c.request("GET", "/nowhere");
    CHECK(nf.status == 404);
    CHECK(nf.header("content-type") == "application/json");
    CHECK(nf.json().at("code").as_int64() == 40400);

    const auto cp = c.request("GET", identify_target, "", {{"trace", "t1"}});
    CHECK(cp.status == 405);
    CHECK(cp.header("allow") == "POST");
    CHECK(cp.json().at("code").as_int64() == 40500);
    CHECK(cp.json().at("trace").as_string() == "t1");

    const auto uo = c.request("PUT", login_target, "{}");
    CHECK(uo.status == 405);
    CHECK(uo.header("allow") == "POST");
    CHECK(uo.json().at("errorCode").as_string() == "10006");
    CHECK(uo.json().at("success").as_bool() == false);

    const auto uo404 = c.request("POST", "/uocs-tes/waybill/api/unknown", "{}");
    CHECK(uo404.status == 404);
    CHECK(uo404.json().at("errorCode").as_string() == "10006");
  }

  TEST_CASE("a declared body over the limit gets 413 from the header alone") {
    server_process server;
    http_client c(server.port());
    // The body is never sent: the answer must come anyway.
    c.send_raw("POST " + identify_target +
               " HTTP/1.1\r\nHost: x\r\ntrace: big\r\nContent-Length: 10000000\r\n\r\n");
    const auto res = c.read_response();
    CHECK(res.status == 413);
    CHECK(res.header("content-type") == "application/json");
    CHECK(res.json().at("code").as_int64() == 41300);
    CHECK(res.json().at("trace").as_string() == "big");
    CHECK(std::string(res.json().at("msg").as_string()).find("65536") != std::string::npos);
  }

  TEST_CASE("an upload over the limit still lets the client read the 413") {
    server_process server({"--body-limit", "1000"});
    http_client c(server.port());
    const auto res = c.post(login_target, std::string(200'000, 'x'));
    CHECK(res.status == 413);
    CHECK(res.json().at("errorCode").as_string() == "10002");
  }

  TEST_CASE("a chunked body is counted against the limit as it arrives") {
    server_process server({"--body-limit", "100"});
    http_client c(server.port());
    std::string chunk(80, 'a');
    c.send_raw("POST " + login_target + " HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n50\r\n" + chunk +
               "\r\n50\r\n" + chunk + "\r\n0\r\n\r\n");
    CHECK(c.read_response().status == 413);
  }

  TEST_CASE("Expect: 100-continue gets a 100 before the body is sent") {
    server_process server;
    http_client c(server.port());
    const std::string body = uocs_login_body();
    c.send_raw("POST " + login_target + " HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: " +
               std::to_string(body.size()) + "\r\n\r\n");
    CHECK(c.read_response().status == 100);
    c.send_raw(body);
    const auto res = c.read_response();
    CHECK(res.status == 200);
    CHECK(res.json().at("success").as_bool());
  }

  TEST_CASE("a malformed request gets a JSON 400 and the server keeps serving") {
    server_process server;
    {
      http_client c(server.port());
      c.send_raw("THIS IS NOT HTTP\r\n\r\n");
      const auto res = c.read_response();
      CHECK(res.status == 400);
      CHECK(res.header("content-type") == "application/json");
      CHECK(res.json().at("code").as_int64() == 40000);
    }
    http_client c(server.port());
    CHECK(c.post(login_target, uocs_login_body()).status == 200);
  }

  TEST_CASE("keep-alive: many requests on one connection") {
    server_process server;
    http_client c(server.port());
    for (int i = 0; i < 200; ++i) {
      const std::string body = identify_body();
      const auto res = i % 2 == 0 ? c.post(identify_target, body, identify_headers(body))
                                  : c.post(login_target, uocs_login_body());
      REQUIRE(res.status == 200);
      REQUIRE(res.keep_alive);
    }
  }

  TEST_CASE("pipelined requests are answered in order") {
    server_process server;
    http_client c(server.port());
    std::string batch;
    for (int i = 0; i < 3; ++i) {
      const std::string body = uocs_login_body("fc0001", i == 1 ? "wrong" : "8bb2423a0e1c4d0a");
      batch += "POST " + login_target + " HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(body.size()) +
               "\r\n\r\n" + body;
    }
    c.send_raw(batch);
    CHECK(c.read_response().json().at("success").as_bool());
    CHECK(c.read_response().json().at("errorCode").as_string() == "09020206");
    CHECK(c.read_response().json().at("success").as_bool());
  }

  TEST_CASE("concurrent clients are all served correctly") {
    server_process server({"--threads", "4"});
    std::atomic<int> ok{0};
    std::atomic<int> bad{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&] {
        http_client c(server.port());
        for (int i = 0; i < 50; ++i) {
          const std::string body = identify_body();
          const auto issued = c.post(identify_target, body, identify_headers(body));
          const std::string code = issued.status == 200 ? std::string(issued.json().at("data").at("ident_code").as_string()) : "";
          const auto redeemed = c.post(redirect_target, R"({"ident_code":")" + code + R"("})", {{"trace", "t"}});
          (redeemed.status == 200 ? ok : bad)++;
        }
      });
    }
    for (auto& t : threads) t.join();
    CHECK(ok == 400);
    CHECK(bad == 0);
  }

  TEST_CASE("a client that says Connection: close is answered and disconnected") {
    server_process server;
    http_client c(server.port());
    const auto res = c.post(login_target, uocs_login_body(), {{"Connection", "close"}});
    CHECK(res.status == 200);
    CHECK_FALSE(res.keep_alive);
    CHECK(c.closed_by_server());
  }

  TEST_CASE("an idle connection is closed after the idle timeout") {
    server_process server({"--idle-timeout-ms", "300"});
    http_client c(server.port());
    CHECK(c.post(login_target, uocs_login_body()).status == 200);
    CHECK(c.closed_by_server());
  }

  TEST_CASE("a request that stalls half-way is cut off at the read timeout, and others are still served") {
    server_process server({"--read-timeout-ms", "300"});
    http_client c(server.port());
    c.send_raw("POST " + login_target + " HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"app");
    CHECK(c.closed_by_server());
    http_client other(server.port());
    CHECK(other.post(login_target, uocs_login_body()).status == 200);
  }

  TEST_CASE("SIGTERM exits 0 promptly, even with an idle keep-alive connection open") {
    server_process server;
    http_client c(server.port());
    REQUIRE(c.post(login_target, uocs_login_body()).status == 200);
    const auto status = server.stop(SIGTERM, std::chrono::seconds(3));
    REQUIRE(status.has_value());
    CHECK(status->exited);
    CHECK(status->code == 0);
    CHECK(c.closed_by_server());
  }

  TEST_CASE("SIGTERM lets a request in flight finish, then exits 0") {
    server_process server;
    http_client c(server.port());
    const std::string body = uocs_login_body();
    // The 100 Continue proves the server has read the header and is now
    // waiting for the body: the request is in flight.
    c.send_raw("POST " + login_target + " HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: " +
               std::to_string(body.size()) + "\r\n\r\n");
    REQUIRE(c.read_response().status == 100);
    server.signal(SIGTERM);
    REQUIRE(server.wait_for_stderr("received SIGTERM"));
    // No longer accepting, while the request in flight is still served.
    CHECK_THROWS(http_client(server.port()));
    c.send_raw(body);
    const auto res = c.read_response();
    CHECK(res.status == 200);
    CHECK(res.json().at("success").as_bool());
    CHECK_FALSE(res.keep_alive);
    const auto status = server.wait_exit(std::chrono::seconds(5));
    REQUIRE(status.has_value());
    CHECK(status->code == 0);
  }

  TEST_CASE("HEAD gets the status and headers of a 405 without a body") {
    server_process server;
    http_client c(server.port());
    c.send_raw("HEAD " + login_target + " HTTP/1.1\r\nHost: x\r\n\r\n");
    // A body after a HEAD answer would be read here as the next response.
    const std::string raw = c.read_raw_until_idle();
    CHECK(raw.starts_with("HTTP/1.1 405"));
    CHECK(raw.ends_with("\r\n\r\n"));
    CHECK(c.post(login_target, uocs_login_body()).status == 200);
  }

  TEST_CASE("HEAD on a GET route gets the GET's status and headers without the body") {
    server_process server;
    http_client c(server.port());
    c.send_raw("HEAD /dg/oauth?ident_code=abc HTTP/1.1\r\nHost: x\r\n\r\n");
    const std::string raw = c.read_raw_until_idle();
    CHECK(raw.starts_with("HTTP/1.1 200"));
    CHECK(raw.find("Content-Type: text/html; charset=utf-8") != std::string::npos);
    CHECK(raw.ends_with("\r\n\r\n"));
    const auto options = c.request("OPTIONS", "/__admin/health");
    CHECK(options.status == 405);
    CHECK(options.header("allow") == "GET, HEAD");
  }

  TEST_CASE("a header block over 8 KiB gets 431 in the API's envelope") {
    server_process server;
    http_client c(server.port());
    c.send_raw("POST " + login_target + " HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(9000, 'a') +
               "\r\nContent-Length: 2\r\n\r\n{}");
    const auto res = c.read_response();
    CHECK(res.status == 431);
    CHECK(res.json().at("errorCode").as_string() == "10002");
  }

  TEST_CASE("an upload announced too large gets 413, not 100 Continue") {
    server_process server;
    http_client c(server.port());
    c.send_raw("POST " + login_target +
               " HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5000000\r\n\r\n");
    CHECK(c.read_response().status == 413);
  }

  TEST_CASE("HTTP/1.0: kept alive only when asked, and never sent 100 Continue") {
    server_process server;
    const std::string body = uocs_login_body();
    const std::string request = "POST " + login_target + " HTTP/1.0\r\nContent-Length: " +
                                std::to_string(body.size()) + "\r\n";
    {
      http_client c(server.port());
      c.send_raw(request + "Connection: keep-alive\r\n\r\n" + body);
      const auto first = c.read_response();
      CHECK(first.status == 200);
      CHECK(first.keep_alive);
      c.send_raw(request + "\r\n" + body);
      const auto second = c.read_response();
      CHECK(second.status == 200);
      CHECK_FALSE(second.keep_alive);
      CHECK(c.closed_by_server());
    }
    http_client c(server.port());
    c.send_raw(request + "Expect: 100-continue\r\n\r\n" + body);
    CHECK(c.read_response().status == 200);
  }

  TEST_CASE("bytes that are not UTF-8 come back as U+FFFD, so every answer stays JSON") {
    server_process server;
    http_client c(server.port());
    c.send_raw("POST /dg/\xff\xfe HTTP/1.1\r\nHost: x\r\ntrace: caf\xe9\r\nContent-Length: 0\r\n\r\n");
    const auto res = c.read_response();
    CHECK(res.status == 404);
    const auto j = res.json();
    CHECK(j.at("trace").as_string() == "caf\xef\xbf\xbd");
    CHECK(std::string(j.at("msg").as_string()).find("/dg/\xef\xbf\xbd\xef\xbf\xbd") != std::string::npos);
  }

  TEST_CASE("a second signal stops at once, still with exit 0") {
    server_process server({"--shutdown-timeout-ms", "60000"});
    http_client c(server.port());
    c.send_raw("POST " + login_target +
               " HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 10\r\n\r\n");
    REQUIRE(c.read_response().status == 100);
    server.signal(SIGTERM);
    REQUIRE(server.wait_for_stderr("received SIGTERM"));
    server.signal(SIGTERM);
    const auto status = server.wait_exit(std::chrono::seconds(5));
    REQUIRE(status.has_value());
    CHECK(status->code == 0);
    CHECK(server.stderr_text().find("second signal: stopping now") != std::string::npos);
  }

  TEST_CASE("SIGINT exits 0 too") {
    server_process server;
    const auto status = server.stop(SIGINT, std::chrono::seconds(3));
    REQUIRE(status.has_value());
    CHECK(status->exited);
    CHECK(status->code == 0);
  }

  TEST_CASE("--help and --version print and exit 0") {
    const auto help = run_to_exit({"--help"});
    CHECK(help.status.code == 0);
    CHECK(help.out.find("--public-base-url") != std::string::npos);
    const auto version = run_to_exit({"--version"});
    CHECK(version.status.code == 0);
    CHECK(std::regex_match(version.out, std::regex("authsim \\d+\\.\\d+\\.\\d+\n")));
  }

  TEST_CASE("a bad flag exits 2 with one line naming it") {
    const auto r = run_to_exit({"--port", "99999"});
    CHECK(r.status.exited);
    CHECK(r.status.code == 2);
    CHECK(r.err == "authsim: --port: expected an integer from 0 to 65535, got '99999'\n");
    CHECK(r.out.empty());
  }

  TEST_CASE("bad fixtures exit 2 with one line naming the file and the field") {
    temp_dir dir;
    dir.write("creditpay.json", R"({"settings":{"jwt_secret":"s"},"platforms":[{"plat_id":"p","api_key":7,"signature_key":"k"}]})");
    dir.write("uocs.json", R"({"apps":[]})");
    const auto r = run_to_exit({"--port", "0", "--fixtures", dir.path().string()});
    CHECK(r.status.code == 2);
    CHECK(r.err == "authsim: " + (dir.path() / "creditpay.json").string() +
                       ": platforms[0].api_key: expected a non-empty string, got an integer\n");
  }

  TEST_CASE("a stub on a path authsim answers itself exits 2 naming the stub") {
    fixture_copy dir;
    std::filesystem::create_directories(dir.path() / "stubs");
    std::ofstream(dir.path() / "stubs" / "create.json")
        << R"({"description":"d","path":"/uocs-ces/openApi/createWaybill","obj":null})";
    const auto r = run_to_exit({"--port", "0", "--fixtures", dir.path().string()});
    CHECK(r.status.code == 2);
    CHECK(r.err == "authsim: " + (dir.path() / "stubs" / "create.json").string() +
                       ": path: /uocs-ces/openApi/createWaybill is a call authsim answers itself; a stub is for "
                       "paths it does not model\n");
  }

  TEST_CASE("a port already in use exits 2 naming it") {
    server_process first;
    const auto r = run_to_exit({"--port", std::to_string(first.port()), "--fixtures", AUTHSIM_FIXTURES_DIR});
    CHECK(r.status.code == 2);
    CHECK(r.err.find("cannot listen on http://127.0.0.1:" + std::to_string(first.port())) != std::string::npos);
  }
}

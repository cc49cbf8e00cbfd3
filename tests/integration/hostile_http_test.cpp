// A corpus of malformed, ambiguous and hostile requests thrown at the real
// binary over raw sockets. Each must get the right error status or a clean
// close, never a crash, never a second request smuggled out of the first,
// and the server must keep answering normal requests throughout.
#include "integration/helpers.hpp"
#include "support/server_process.hpp"

#include <doctest/doctest.h>

#include <regex>

using namespace authsim::testing;
using namespace std::string_literals;  // "...\0..."s keeps embedded NUL bytes

namespace {

struct hostile_case {
  const char* name;
  std::string bytes;
  std::vector<unsigned> statuses;  // the answers expected, in order; empty: none
};

const std::string login = "POST /apis-auth/login/auth HTTP/1.1\r\nHost: x\r\n";

std::vector<unsigned> statuses_in(const std::string& raw) {
  std::vector<unsigned> out;
  static const std::regex status_line(R"(HTTP/1\.[01] (\d{3}) )");
  for (std::sregex_iterator it(raw.begin(), raw.end(), status_line), end; it != end; ++it) {
    out.push_back(static_cast<unsigned>(std::stoi((*it)[1].str())));
  }
  return out;
}

}  // namespace

TEST_CASE("hostile HTTP: every case gets its status or a clean close, and nothing is smuggled") {
  const std::vector<hostile_case> cases = {
      {"Content-Length and Transfer-Encoding together",
       login + "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", {400}},
      {"a request smuggled behind a chunked body with a Content-Length",
       login + "Transfer-Encoding: chunked\r\nContent-Length: 50\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n",
       {400}},
      {"two different Content-Lengths", login + "Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}x", {400}},
      {"a negative Content-Length", login + "Content-Length: -1\r\n\r\n", {400}},
      {"a Transfer-Encoding that is not chunked", login + "Transfer-Encoding: gzip\r\n\r\n{}", {400}},
      {"an invalid chunk size", login + "Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n", {400}},
      {"a NUL byte in a header value", login + "X-A: a\0b\r\nContent-Length: 2\r\n\r\n{}"s, {400}},
      {"a control byte in a header name", login + "X\x01" "A: a\r\nContent-Length: 2\r\n\r\n{}", {400}},
      {"a space before the colon", login + "Content-Length : 2\r\n\r\n{}", {400}},
      {"a huge header", login + "X-Huge: " + std::string(20000, 'h') + "\r\n\r\n", {431}},
      {"a request line of garbage", "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n"s, {400}},
      {"HTTP/0.9", "GET /\r\n\r\n", {400}},
      {"an unknown HTTP version", "GET / HTTP/2.0\r\nHost: x\r\n\r\n", {400}},
      {"bare LF line ends", "POST /apis-auth/login/auth HTTP/1.1\nHost: x\nContent-Length: 2\n\n{}", {400}},
      {"three pipelined requests, answered in order",
       login + "Content-Length: 2\r\n\r\n{}" + login + "Content-Length: 1\r\n\r\n[" + "GET /nowhere HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
       {200, 200, 404}},
      {"HTTP/1.0 without keep-alive", "POST /apis-auth/login/auth HTTP/1.0\r\nContent-Length: 2\r\n\r\n{}", {200}},
  };

  server_process server;
  for (const auto& hc : cases) {
    CAPTURE(hc.name);
    http_client c(server.port());
    c.send_raw(hc.bytes);
    const std::string raw = c.read_raw_until_idle(std::chrono::seconds(10));
    CHECK(statuses_in(raw) == hc.statuses);
    // Every answer to a broken request closes the connection.
    CHECK(c.closed_by_server());
    // And the server goes on serving normal requests.
    http_client normal(server.port());
    CHECK(normal.post(login_target, uocs_login_body()).status == 200);
  }
  http_client admin(server.port());
  const auto journal = admin.request("GET", "/__admin/requests?path=/smuggled");
  CHECK(journal.json().at("total").to_number<int>() == 0);
}

TEST_CASE("obsolete line folding is unfolded, not mistaken for a new header") {
  server_process server;
  http_client c(server.port());
  c.send_raw(login + "trace: a\r\n b\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}");
  const std::string raw = c.read_raw_until_idle(std::chrono::seconds(10));
  const auto statuses = statuses_in(raw);
  REQUIRE(statuses.size() == 1);
  CHECK((statuses[0] == 200 || statuses[0] == 400));
  CHECK(c.closed_by_server());
}

TEST_CASE("a half-closed client still gets its answer") {
  server_process server;
  http_client c(server.port());
  const std::string body = uocs_login_body();
  c.send_raw(login + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
  c.shutdown_send();
  const auto res = c.read_response();
  CHECK(res.status == 200);
  CHECK(res.json().at("success").as_bool());
}

TEST_CASE("clients that vanish mid-header or mid-body leave the server serving") {
  server_process server;
  for (int i = 0; i < 20; ++i) {
    http_client c(server.port());
    c.send_raw(i % 2 == 0 ? login.substr(0, 20) : login + "Content-Length: 100\r\n\r\n{\"app");
  }
  http_client normal(server.port());
  CHECK(normal.post(login_target, uocs_login_body()).status == 200);
}

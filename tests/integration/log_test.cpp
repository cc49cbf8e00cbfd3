// The log never holds up a request: stderr as a pipe that nobody reads, a
// reader that went away, and a fast sink under concurrent load, each seen
// from clients and from the lines that arrive.
#include "integration/helpers.hpp"
#include "support/server_process.hpp"

#include <doctest/doctest.h>

#include <boost/json/parse.hpp>

#include <csignal>
#include <regex>
#include <sstream>
#include <thread>
#include <vector>

using namespace authsim::testing;

namespace {

// `total` logins spread over `connections` keep-alive connections, each in
// its own thread; returns how many were answered 200 with success.
int logins(std::uint16_t port, int connections, int total) {
  std::vector<std::thread> threads;
  std::vector<int> answered(static_cast<std::size_t>(connections), 0);
  const std::string body = uocs_login_body();
  for (int t = 0; t < connections; ++t) {
    threads.emplace_back([&, t] {
      http_client c(port);
      for (int i = t; i < total; i += connections) {
        const auto res = c.post(login_target, body);
        if (res.status == 200 && res.body.find("\"success\":true") != std::string::npos) {
          ++answered[static_cast<std::size_t>(t)];
        }
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  int sum = 0;
  for (const int n : answered) sum += n;
  return sum;
}

std::uint64_t dropped_lines(std::uint16_t port) {
  http_client c(port);
  const std::string text = c.request("GET", "/__admin/metrics").body;
  std::smatch m;
  REQUIRE(std::regex_search(text, m, std::regex("\nauthsim_log_lines_dropped_total ([0-9]+)\n")));
  return std::stoull(m[1].str());
}

// Every line of `text` as a JSON object; fails the test on a line that is
// not one (a torn or interleaved line).
std::vector<boost::json::object> json_lines(const std::string& text) {
  std::vector<boost::json::object> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    boost::system::error_code ec;
    const auto v = boost::json::parse(line, ec);
    REQUIRE_MESSAGE((!ec && v.is_object()), "not a JSON line: ", line.substr(0, 200));
    out.push_back(v.as_object());
  }
  return out;
}

}  // namespace

TEST_SUITE("log") {
  TEST_CASE("a stderr pipe nobody reads never stops the server: 20000 requests on keep-alive connections are answered") {
    server_process server({}, stderr_sink::pipe);
    CHECK(logins(server.port(), 4, 20'000) == 20'000);
    // The pipe filled up long ago: the lines that found no room were
    // dropped and counted, the requests were not.
    const std::uint64_t dropped = dropped_lines(server.port());
    CHECK(dropped > 0);

    // Once the sink takes lines again, one line says how many were lost,
    // ahead of the next request's line; every line that did arrive is whole.
    server.read_stderr();
    http_client c(server.port());
    REQUIRE(c.post(login_target, uocs_login_body(), {{"trace", "after-the-gap"}}).status == 200);
    std::string tail;
    for (int i = 0; i < 50 && tail.find("after-the-gap") == std::string::npos; ++i) {
      tail += server.read_stderr();
    }
    // Gaps closed while the pipe still had room were reported as they
    // closed; the last one just before the next request's line. Together
    // the reports account for every line dropped.
    const auto lines = json_lines(server.stderr_text());
    std::uint64_t reported = 0;
    bool last_gap_reported = false;
    for (std::size_t i = 0; i < lines.size(); ++i) {
      const auto* msg = lines[i].if_contains("msg");
      if (msg != nullptr && msg->as_string().find("log line(s) dropped") != std::string::npos) {
        reported += std::stoull(std::string(msg->as_string()));
        CHECK(lines[i].at("level").as_string() == "warn");
        const auto* trace = i + 1 < lines.size() ? lines[i + 1].if_contains("trace") : nullptr;
        last_gap_reported = trace != nullptr && trace->is_string() && trace->as_string() == "after-the-gap";
      }
    }
    CHECK(reported == dropped);
    CHECK(last_gap_reported);
  }

  TEST_CASE("a full stderr pipe does not hold up shutdown") {
    server_process server({}, stderr_sink::pipe);
    REQUIRE(logins(server.port(), 2, 6'000) == 6'000);
    REQUIRE(dropped_lines(server.port()) > 0);
    // Still nobody reads: the server stops all the same, exit code 0.
    const auto status = server.stop(SIGTERM, std::chrono::seconds(10));
    REQUIRE(status.has_value());
    CHECK(status->exited);
    CHECK(status->code == 0);
  }

  TEST_CASE("a stderr reader that went away (EPIPE) neither kills nor stalls the server") {
    server_process server({}, stderr_sink::pipe);
    server.close_stderr();
    CHECK(logins(server.port(), 4, 20'000) == 20'000);
    CHECK(dropped_lines(server.port()) >= 20'000);
    const auto status = server.stop(SIGTERM, std::chrono::seconds(10));
    REQUIRE(status.has_value());
    CHECK(status->exited);
    CHECK(status->code == 0);
  }

  TEST_CASE("with a fast sink, every request line arrives whole and well-formed under concurrent load") {
    server_process server;
    CHECK(logins(server.port(), 8, 4'000) == 4'000);
    CHECK(dropped_lines(server.port()) == 0);
    server.stop(SIGTERM);
    const auto lines = json_lines(server.stderr_text());
    int requests = 0;
    for (const auto& line : lines) {
      CHECK(line.contains("time"));
      CHECK(line.contains("level"));
      if (const auto* event = line.if_contains("event"); event != nullptr && event->as_string() == "request") {
        ++requests;
        CHECK(line.at("path").as_string() == login_target);
        CHECK(line.at("status").to_number<int>() == 200);
      }
    }
    CHECK(requests == 4'000);
  }
}

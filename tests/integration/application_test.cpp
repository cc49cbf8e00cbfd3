// The application object run in process: started on port 0, spoken to over
// loopback HTTP, stopped without a signal. A waiting request (the admin
// long poll) holds up neither another connection nor the shutdown.
#include "integration/helpers.hpp"

#include "app/application.hpp"
#include "fixtures/fixtures.hpp"

#include <doctest/doctest.h>

#include <boost/json/parse.hpp>

#include <memory>
#include <thread>

using namespace authsim;
using namespace authsim::testing;

namespace {

std::unique_ptr<app::application> started(unsigned threads, std::chrono::milliseconds shutdown_timeout) {
  app::options opts;
  opts.port = 0;
  opts.fixtures_dir = AUTHSIM_FIXTURES_DIR;
  opts.threads = threads;
  opts.shutdown_timeout = shutdown_timeout;
  auto fx = std::make_shared<const fixtures::fixture_set>(fixtures::load_fixture_set(opts.fixtures_dir));
  auto a = std::make_unique<app::application>(opts, fx);
  a->start();
  return a;
}

}  // namespace

TEST_SUITE("application") {
  TEST_CASE("the application runs in process: started on port 0, it serves until stopped") {
    auto server = started(2, std::chrono::seconds(5));
    REQUIRE(server->port() != 0);
    CHECK(server->base_url() == "http://127.0.0.1:" + std::to_string(server->port()));
    {
      http_client c(server->port());
      CHECK(c.post(login_target, uocs_login_body()).json().at("success").as_bool());
      const std::string body = identify_body();
      const auto issued = c.post(identify_target, body, identify_headers(body));
      CHECK(issued.json().at("code").as_int64() == 0);
      // The issued url names the address bound.
      CHECK(std::string(issued.json().at("data").at("url").as_string())
                .starts_with("http://127.0.0.1:" + std::to_string(server->port()) + "/dg/oauth?ident_code="));
    }
    server->stop();
    CHECK_THROWS(http_client(server->port()));
  }

  TEST_CASE("on one thread, a long poll on one connection does not delay requests on another") {
    auto server = started(1, std::chrono::seconds(5));
    http_client waiting(server->port());
    waiting.send_raw("GET /__admin/requests/wait?path=/never&timeout_ms=60000 HTTP/1.1\r\nHost: x\r\n\r\n");
    http_client other(server->port());
    for (int i = 0; i < 20; ++i) {
      CHECK(other.post(login_target, uocs_login_body()).status == 200);
    }
    // Still waiting: nothing has come back on the first connection.
    CHECK(waiting.read_some_raw(std::chrono::milliseconds(100)).empty());
    server->stop();
  }

  TEST_CASE("stopping wakes a waiting long poll at once, which answers, and the stop completes") {
    // A minute for the poll and for the drain: only the wake-up can make
    // this stop return before then.
    auto server = started(1, std::chrono::seconds(60));
    http_client waiting(server->port());
    waiting.send_raw("GET /__admin/requests/wait?path=/never&timeout_ms=60000 HTTP/1.1\r\nHost: x\r\n\r\n");
    CHECK(waiting.read_some_raw(std::chrono::milliseconds(100)).empty());
    server->stop();
    const auto answer = waiting.read_response();
    CHECK(answer.status == 200);
    CHECK_FALSE(answer.keep_alive);
    const auto body = answer.json();
    CHECK_FALSE(body.at("satisfied").as_bool());
    CHECK(body.at("waited_ms").to_number<int>() < 60'000);
  }
}

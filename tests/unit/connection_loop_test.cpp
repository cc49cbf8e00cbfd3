// A connection's request loop over Beast's test::stream: no socket, the
// bytes a client sends and reads under the test's control. Requests in
// pieces, pipelined requests, a client that leaves while its answer is
// being made, and a slow request that does not hold up another connection.
#include "unit/world.hpp"

#include "support/event.hpp"
#include "transport/connection_loop.hpp"
#include "transport/connection_tracker.hpp"

#include <doctest/doctest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/_experimental/test/stream.hpp>

#include <memory>
#include <string>

using namespace authsim;
using authsim::testing::uocs_login_body;
using authsim::testing::world;
using test_stream = beast::test::stream;

namespace {

std::string login_request(const std::string& extra_headers = "") {
  const std::string body = uocs_login_body();
  return "POST /apis-auth/login/auth HTTP/1.1\r\nHost: x\r\n" + extra_headers +
         "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

// One server side of a test stream pair, served by a connection loop on
// the test's io_context.
struct served_connection {
  test_stream server;
  test_stream client;
  beast::flat_buffer buffer;
  std::shared_ptr<transport::connection_state> state;
  bool ended = false;

  served_connection(net::io_context& ioc, transport::connection_tracker& tracker)
      : server(ioc), client(ioc) {
    server.connect(client);
    state = std::make_shared<transport::connection_state>(
        server.get_executor(), [this] { server.close(); }, nullptr, tracker);
    state->track();
  }

  void start(const transport::session_context& ctx) {
    net::co_spawn(
        server.get_executor(),
        [this, &ctx]() -> net::awaitable<void> {
          transport::connection_loop<test_stream> loop(server, buffer, *state, ctx, "127.0.0.1", false);
          co_await loop.run();
          state->close();
          ended = true;
        },
        net::detached);
  }

  // Everything the server has written so far.
  std::string answers() {
    std::string out = client.str();
    client.clear();
    return out;
  }
};

int count(const std::string& text, const std::string& what) {
  int n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) {
    ++n;
  }
  return n;
}

struct bench {
  world w;
  transport::connection_tracker tracker;
  std::optional<transport::session_context> ctx;
  net::io_context ioc;

  pipeline::pipeline& finish() {
    pipeline::pipeline& p = w.finish();
    ctx.emplace(transport::session_context{p, tracker, {}, nullptr, 1});
    return p;
  }
};

}  // namespace

TEST_SUITE("connection loop") {
  TEST_CASE("a request that arrives one byte at a time is read whole and answered") {
    bench b;
    b.finish();
    served_connection c(b.ioc, b.tracker);
    c.server.read_size(1);  // every read returns a single byte
    c.start(*b.ctx);
    c.client.write_some(net::buffer(login_request()));
    b.ioc.poll();
    const std::string answer = c.answers();
    CHECK(answer.starts_with("HTTP/1.1 200 OK\r\n"));
    CHECK(answer.find("\"success\":true") != std::string::npos);
    CHECK_FALSE(c.ended);  // kept alive for the next request
    c.client.close();
    b.ioc.poll();
    CHECK(c.ended);
  }

  TEST_CASE("pipelined requests in one write are answered in order") {
    bench b;
    b.finish();
    served_connection c(b.ioc, b.tracker);
    c.start(*b.ctx);
    const std::string three = login_request("trace: one\r\n") + "GET /__admin/health HTTP/1.1\r\nHost: x\r\n\r\n" +
                              login_request("trace: three\r\nConnection: close\r\n");
    c.client.write_some(net::buffer(three));
    b.ioc.poll();
    const std::string answers = c.answers();
    CHECK(count(answers, "HTTP/1.1 200 OK\r\n") == 3);
    const auto first = answers.find("\"success\":true");
    const auto second = answers.find("\"status\":\"ok\"");
    const auto third = answers.rfind("\"success\":true");
    CHECK(first < second);
    CHECK(second < third);
    CHECK(answers.find("Connection: close\r\n") > second);
    CHECK(c.ended);  // the last one asked to close
    CHECK(b.w.journal.count({}) == 2);  // the admin call is not journaled
  }

  TEST_CASE("a client that leaves while its answer is being made ends the connection, nothing else") {
    bench b;
    const auto release = std::make_shared<support::event>(b.ioc.get_executor());
    bool waiting = false;
    b.w.router.add_async_route("GET", "/dg/test/slow", [&](const http::request&) -> net::awaitable<http::response> {
      waiting = true;
      co_await release->wait_until(std::chrono::steady_clock::now() + std::chrono::hours(1));
      http::response res;
      res.body = std::string(10'000, 'x');
      co_return res;
    });
    b.finish();
    served_connection c(b.ioc, b.tracker);
    c.server.write_size(100);  // the answer goes out in small pieces
    c.start(*b.ctx);
    c.client.write_some(net::buffer(std::string("GET /dg/test/slow HTTP/1.1\r\nHost: x\r\n\r\n")));
    while (!waiting) {
      b.ioc.run_one();
    }
    c.client.close();
    release->raise();
    b.ioc.run();
    CHECK(c.ended);
    CHECK(b.tracker.active() == 0);
    // Journaled all the same: the answer was made, whoever read it.
    CHECK(b.w.journal.count({std::string("/dg/test/slow"), std::nullopt}) == 1);
  }

  TEST_CASE("a request that waits on one connection does not hold up another") {
    bench b;
    const auto release = std::make_shared<support::event>(b.ioc.get_executor());
    b.w.router.add_async_route("GET", "/dg/test/slow", [&](const http::request&) -> net::awaitable<http::response> {
      co_await release->wait_until(std::chrono::steady_clock::now() + std::chrono::hours(1));
      co_return http::response{};
    });
    b.finish();
    served_connection slow(b.ioc, b.tracker);
    served_connection quick(b.ioc, b.tracker);
    slow.start(*b.ctx);
    quick.start(*b.ctx);
    slow.client.write_some(net::buffer(std::string("GET /dg/test/slow HTTP/1.1\r\nHost: x\r\n\r\n")));
    quick.client.write_some(net::buffer(login_request()));
    b.ioc.poll();
    CHECK(quick.answers().starts_with("HTTP/1.1 200 OK\r\n"));
    CHECK(slow.answers().empty());
    release->raise();
    b.ioc.poll();
    CHECK(slow.answers().starts_with("HTTP/1.1 200 OK\r\n"));
  }

  TEST_CASE("a body over the limit gets 413 and the connection closes") {
    bench b;
    b.finish();
    b.ctx->limits.body_limit = 16;
    served_connection c(b.ioc, b.tracker);
    c.start(*b.ctx);
    c.client.write_some(net::buffer(login_request()));
    b.ioc.poll();
    const std::string answer = c.answers();
    CHECK(answer.starts_with("HTTP/1.1 413 "));
    CHECK(answer.find("Connection: close\r\n") != std::string::npos);
    CHECK(c.ended);
    CHECK(b.w.journal.count({std::string("/apis-auth/login/auth"), std::string("rejected")}) == 1);
  }

  TEST_CASE("shutdown closes a connection that waits for its next request") {
    bench b;
    b.finish();
    served_connection c(b.ioc, b.tracker);
    c.start(*b.ctx);
    c.client.write_some(net::buffer(login_request()));
    b.ioc.poll();
    CHECK(c.answers().starts_with("HTTP/1.1 200 OK\r\n"));
    CHECK_FALSE(c.ended);
    b.tracker.shutdown();
    b.ioc.poll();
    CHECK(c.ended);
  }
}

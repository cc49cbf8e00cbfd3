// The request pipeline without a socket: a request in, the bytes (or the
// connection fault) out, and what the journal, the metrics and the log
// were told. Waiting handlers run on a real io_context of the test's own.
#include "unit/world.hpp"

#include "support/event.hpp"
#include "support/run_sync.hpp"

#include <doctest/doctest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>

#include <functional>
#include <memory>
#include <string>

using namespace authsim;
using authsim::testing::make_request;
using authsim::testing::uocs_login_body;
using authsim::testing::world;

namespace {

const pipeline::wire_facts http11{11, true, false};

pipeline::outcome handle(const pipeline::pipeline& p, http::request req, pipeline::wire_facts wire = http11) {
  return support::run_sync(p.handle(std::move(req), wire));
}

// The JSON body of an answer that went out as bytes.
json::value body_of(const pipeline::outcome& out) {
  REQUIRE(out.bytes.has_value());
  const std::size_t end = out.bytes->find("\r\n\r\n");
  REQUIRE(end != std::string::npos);
  return json::parse(out.bytes->substr(end + 4));
}

// An interrupt source the test triggers by hand, as the transport does
// when the client leaves or the server stops.
class manual_interrupt final : public support::interrupt_source {
 public:
  std::shared_ptr<void> subscribe(std::function<void()> wake) override {
    wake_ = std::move(wake);
    ++subscriptions;
    return std::shared_ptr<void>(nullptr, [this](void*) { wake_ = nullptr; });
  }
  void trigger() {
    if (wake_) {
      auto w = std::move(wake_);
      wake_ = nullptr;
      w();
    }
  }
  int subscriptions = 0;

 private:
  std::function<void()> wake_;
};

}  // namespace

TEST_SUITE("pipeline") {
  TEST_CASE("an answer goes out as bytes, and is journaled and counted before it leaves") {
    world w;
    const pipeline::pipeline& p = w.finish();
    const pipeline::outcome out = handle(p, make_request("POST", "/apis-auth/login/auth", uocs_login_body()));
    CHECK(out.verdict == "ok");
    CHECK(out.keep_alive);
    CHECK_FALSE(out.fault.has_value());
    REQUIRE(out.bytes.has_value());
    CHECK(out.bytes->starts_with("HTTP/1.1 200 OK\r\n"));
    CHECK(body_of(out).at("success").as_bool());
    const auto entries = w.journal.list(10, {});
    REQUIRE(entries.size() == 1);
    CHECK(entries[0].at("path").as_string() == "/apis-auth/login/auth");
    CHECK(entries[0].at("outcome").as_string() == "ok");
    CHECK(w.metrics.render({}).find("authsim_requests_total{endpoint=\"/apis-auth/login/auth\",outcome=\"ok\"} 1") !=
          std::string::npos);
  }

  TEST_CASE("HTTP/1.0 without keep-alive, and HEAD, shape the bytes") {
    world w;
    const pipeline::pipeline& p = w.finish();
    const pipeline::outcome closing =
        handle(p, make_request("GET", "/__admin/health"), pipeline::wire_facts{10, false, false});
    CHECK_FALSE(closing.keep_alive);
    CHECK(closing.bytes->starts_with("HTTP/1.0 200 OK\r\n"));
    const pipeline::outcome head = handle(p, make_request("HEAD", "/__admin/health"), pipeline::wire_facts{11, true, true});
    REQUIRE(head.bytes.has_value());
    CHECK(head.bytes->ends_with("\r\n\r\n"));  // the headers of a GET, no body
    CHECK(head.bytes->find("Content-Length: ") != std::string::npos);
  }

  TEST_CASE("once the server is stopping, an answer no longer keeps the connection") {
    world w;
    const pipeline::pipeline& p = w.finish();
    w.stopping = true;
    CHECK_FALSE(handle(p, make_request("POST", "/apis-auth/login/auth", uocs_login_body())).keep_alive);
  }

  TEST_CASE("admin calls are neither journaled nor counted") {
    world w;
    const pipeline::pipeline& p = w.finish();
    handle(p, make_request("GET", "/__admin/health"));
    CHECK(w.journal.count({}) == 0);
    CHECK(w.metrics.render({}).find("authsim_requests_total{") == std::string::npos);
  }

  TEST_CASE("a scenario's connection fault comes without an answer, journaled as a fault") {
    world w;
    const pipeline::pipeline& p = w.finish();
    const pipeline::outcome out =
        handle(p, make_request("POST", "/apis-auth/login/auth", uocs_login_body(), {{"X-Authsim-Scenario", "reset"}}));
    CHECK_FALSE(out.bytes.has_value());
    CHECK_FALSE(out.answer.has_value());
    REQUIRE(out.fault.has_value());
    CHECK(out.fault->kind == faults::fault_kind::connection_reset);
    CHECK(out.verdict == "fault");
    const auto entry = w.journal.list(1, {}).at(0);
    CHECK(entry.at("decided_by").at("fault").as_string() == "connection_reset");
    CHECK(entry.at("decided_by").at("rule").as_string() == "reset#0");
  }

  TEST_CASE("a dribbled body is left to the transport, with the fault that says how") {
    world w;
    const pipeline::pipeline& p = w.finish();
    const pipeline::outcome out = handle(
        p, make_request("POST", "/apis-auth/login/auth", uocs_login_body(), {{"X-Authsim-Scenario", "slow-body"}}));
    CHECK_FALSE(out.bytes.has_value());
    REQUIRE(out.answer.has_value());
    REQUIRE(out.fault.has_value());
    CHECK(out.fault->kind == faults::fault_kind::slow_body);
    CHECK(*out.answer->headers.find("X-Authsim-Rule") == "slow-body#0");
  }

  TEST_CASE("rate limits answer 429 with Retry-After once the window is full") {
    world w;
    const pipeline::pipeline& p = w.finish();
    REQUIRE(support::run_sync(w.engine->select(std::string("rate-limited"))));
    for (int i = 0; i < 3; ++i) {
      CHECK(handle(p, make_request("POST", "/apis-auth/login/auth", uocs_login_body())).verdict == "ok");
    }
    const pipeline::outcome limited = handle(p, make_request("POST", "/apis-auth/login/auth", uocs_login_body()));
    REQUIRE(limited.bytes.has_value());
    CHECK(limited.bytes->starts_with("HTTP/1.1 429 "));
    CHECK(limited.bytes->find("Retry-After: 10\r\n") != std::string::npos);
    // The window is counted by the simulated clock.
    w.clock.advance_ms(10'000);
    CHECK(handle(p, make_request("POST", "/apis-auth/login/auth", uocs_login_body())).verdict == "ok");
  }

  TEST_CASE("a request refused while being read is answered and journaled, and the connection not kept") {
    world w;
    const pipeline::pipeline& p = w.finish();
    http::request partial = make_request("POST", "/apis-auth/login/auth");
    const pipeline::outcome out =
        support::run_sync(p.refuse(std::move(partial), http::failure_kind::body_too_large, "65536", http11));
    CHECK_FALSE(out.keep_alive);
    REQUIRE(out.bytes.has_value());
    CHECK(out.bytes->starts_with("HTTP/1.1 413 "));
    CHECK(out.bytes->find("Connection: close\r\n") != std::string::npos);
    // A request UOCS could not take as sent: the published parameter error.
    CHECK(body_of(out).at("errorCode").as_string() == "10002");
    CHECK(w.journal.count({std::string("/apis-auth/login/auth"), std::string("rejected")}) == 1);
  }

  TEST_CASE("a handler that waits suspends its own request only") {
    world w;
    net::io_context ioc;
    const auto release = std::make_shared<support::event>(ioc.get_executor());
    bool waiting = false;
    w.router.add_async_route("GET", "/dg/test/slow", [&](const http::request&) -> net::awaitable<http::response> {
      waiting = true;
      co_await release->wait_until(std::chrono::steady_clock::now() + std::chrono::hours(1));
      http::response res;
      res.body = "late";
      co_return res;
    });
    const pipeline::pipeline& p = w.finish();
    std::optional<pipeline::outcome> slow;
    std::optional<pipeline::outcome> quick;
    net::co_spawn(ioc, p.handle(make_request("GET", "/dg/test/slow"), http11),
                  [&](std::exception_ptr, pipeline::outcome o) { slow = std::move(o); });
    while (!waiting) {
      ioc.run_one();
    }
    net::co_spawn(ioc, p.handle(make_request("POST", "/apis-auth/login/auth", uocs_login_body()), http11),
                  [&](std::exception_ptr, pipeline::outcome o) { quick = std::move(o); });
    while (!quick) {
      ioc.run_one();
    }
    CHECK_FALSE(slow.has_value());  // still waiting, while the other one was answered
    CHECK(quick->verdict == "ok");
    release->raise();
    ioc.run();
    REQUIRE(slow.has_value());
    CHECK(slow->bytes->ends_with("late"));
  }

  TEST_CASE("a long poll wakes when the journal gets the entry it waits for") {
    world w;
    const pipeline::pipeline& p = w.finish();
    net::io_context ioc;
    std::optional<pipeline::outcome> polled;
    net::co_spawn(ioc,
                  p.handle(make_request("GET", "/__admin/requests/wait?path=/apis-auth/login/auth&timeout_ms=60000"),
                           http11),
                  [&](std::exception_ptr, pipeline::outcome o) { polled = std::move(o); });
    // Everything that can run has run: the poll is suspended, no timer of
    // its own is due for a minute.
    ioc.poll();
    CHECK_FALSE(polled.has_value());
    std::optional<pipeline::outcome> login;
    net::co_spawn(ioc, p.handle(make_request("POST", "/apis-auth/login/auth", uocs_login_body()), http11),
                  [&](std::exception_ptr, pipeline::outcome o) { login = std::move(o); });
    while (!polled) {
      ioc.run_one();
    }
    const json::value body = body_of(*polled);
    CHECK(body.at("satisfied").as_bool());
    CHECK(body.at("count").to_number<int>() == 1);
    CHECK(body.at("waited_ms").to_number<int>() < 60'000);
  }

  TEST_CASE("a long poll ends early when told to (the client left, the server stops)") {
    world w;
    const pipeline::pipeline& p = w.finish();
    net::io_context ioc;
    manual_interrupt interrupts;
    http::request req = make_request("GET", "/__admin/requests/wait?path=/never&timeout_ms=60000");
    req.interrupts = &interrupts;
    std::optional<pipeline::outcome> polled;
    net::co_spawn(ioc, p.handle(std::move(req), http11),
                  [&](std::exception_ptr, pipeline::outcome o) { polled = std::move(o); });
    ioc.poll();
    CHECK_FALSE(polled.has_value());
    CHECK(interrupts.subscriptions == 1);
    interrupts.trigger();
    while (!polled) {
      ioc.run_one();
    }
    const json::value body = body_of(*polled);
    CHECK_FALSE(body.at("satisfied").as_bool());
    CHECK(body.at("waited_ms").to_number<int>() < 60'000);
  }
}

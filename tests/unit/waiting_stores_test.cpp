// State that must be waited for, as a networked backend's is: stores whose
// every operation suspends before it answers, and which never take the
// in-place path. The handlers and the pipeline must then await them, and
// lose nothing on the way; the memory stores take the in-place path.
#include "unit/world.hpp"

#include "creditpay/signing.hpp"
#include "support/run_sync.hpp"

#include <doctest/doctest.h>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>

#include <string>

using namespace authsim;
using authsim::testing::make_request;
using authsim::testing::uocs_login_body;

namespace {

// Gives the executor a turn, as a round trip to a server would.
net::awaitable<void> suspend() {
  const net::any_io_executor executor = co_await net::this_coro::executor;
  co_await net::post(executor, net::use_awaitable);
}

// What the code and token stores have alike, each operation after a turn
// of the executor; `inner` holds the state.
template <class Interface, class Memory, class Record, class Filter, class Listing>
class waiting_store : public Interface {
 public:
  net::awaitable<void> async_issue(Record record, std::int64_t now_ms) override {
    co_await suspend();
    ++issued_after_waiting;
    inner.issue(std::move(record), now_ms);
  }
  net::awaitable<Listing> async_list(const Filter& f, std::size_t limit, std::int64_t now_ms) override {
    co_await suspend();
    co_return inner.list(f, limit, now_ms);
  }
  net::awaitable<std::size_t> async_size(std::int64_t now_ms) override {
    co_await suspend();
    co_return inner.size(now_ms);
  }
  net::awaitable<void> async_clear() override {
    co_await suspend();
    inner.clear();
  }
  [[nodiscard]] std::uint64_t evicted() const override { return inner.evicted(); }

  Memory inner;
  int issued_after_waiting = 0;
};

class waiting_code_store final : public waiting_store<state::code_store, state::memory_code_store, state::code_record,
                                                      state::code_filter, state::code_listing> {
 public:
  net::awaitable<state::redeem_result> async_redeem(const std::string& code, std::int64_t now_ms,
                                                    std::int64_t keep_until_ms) override {
    co_await suspend();
    co_return inner.redeem(code, now_ms, keep_until_ms);
  }
  net::awaitable<std::optional<state::code_record>> async_find(const std::string& code,
                                                               std::int64_t now_ms) override {
    co_await suspend();
    co_return inner.find(code, now_ms);
  }
};

class waiting_token_store final : public waiting_store<state::token_store, state::memory_token_store,
                                                       state::token_record, state::token_filter, state::token_listing> {
 public:
  net::awaitable<state::token_lookup> async_find(const std::string& token, std::int64_t now_ms) override {
    co_await suspend();
    co_return inner.find(token, now_ms);
  }
};

class waiting_journal final : public journal::store {
 public:
  net::awaitable<void> async_add(journal::entry_key key, std::shared_ptr<const journal::payload> entry) override {
    co_await suspend();
    ++added_after_waiting;
    inner.add(std::move(key), std::move(entry));
  }
  net::awaitable<std::vector<json::object>> async_list(std::size_t limit, const journal::filter& f) override {
    co_await suspend();
    co_return inner.list(limit, f);
  }
  net::awaitable<std::uint64_t> async_count(const journal::filter& f) override {
    co_await suspend();
    co_return inner.count(f);
  }
  net::awaitable<std::uint64_t> async_wait(const journal::filter& f, std::uint64_t count,
                                           std::chrono::steady_clock::time_point deadline,
                                           support::interrupt_source* interrupts) override {
    co_return co_await inner.async_wait(f, count, deadline, interrupts);
  }
  net::awaitable<std::uint64_t> async_wait_change(const journal::filter& f, std::uint64_t from,
                                                  std::chrono::steady_clock::time_point deadline,
                                                  support::interrupt_source* interrupts) override {
    co_return co_await inner.async_wait_change(f, from, deadline, interrupts);
  }
  net::awaitable<void> async_clear() override {
    co_await suspend();
    inner.clear();
  }
  net::awaitable<std::size_t> async_size() override {
    co_await suspend();
    co_return inner.size();
  }
  [[nodiscard]] std::size_t capacity() const override { return inner.capacity(); }

  journal::memory_store inner{100};
  int added_after_waiting = 0;
};

class fixed_payload final : public journal::payload {
 public:
  [[nodiscard]] json::object render() const override { return {{"path", "/x"}}; }
};

const std::shared_ptr<const fixtures::fixture_set>& default_fixtures() {
  static const auto set =
      std::make_shared<const fixtures::fixture_set>(fixtures::load_fixture_set(AUTHSIM_FIXTURES_DIR));
  return set;
}

http::request signed_identify(const fixtures::platform& p, std::int64_t now_ms) {
  const std::string body = R"({"custom_no":"u1","customer_token":"t","token_expire":)" +
                           std::to_string(now_ms + 3'600'000) +
                           R"(,"callback_url":"https://a.example/cb","client_ip":"10.0.0.1"})";
  return make_request("POST", "/dg/v1/platform/identify/auth?platId=" + p.plat_id, body,
                      {{"trace", "tr-1"},
                       {"api-key", p.api_key},
                       {"signature", creditpay::compute_signature(p, "/v1/platform/identify/auth", body)}});
}

}  // namespace

TEST_SUITE("state that must be waited for") {
  TEST_CASE("a code issued through a store that waits is redeemable once") {
    const auto& set = default_fixtures();
    state::memory_clock clock;
    waiting_code_store codes;
    state::memory_verification_modes modes{*set};
    state::memory_platform_endpoints endpoints{*set};
    testing::scripted_outbound outbound;
    const creditpay::api cp{set, clock, codes, modes, endpoints, outbound, "http://sim.example"};

    const http::response issued = support::run_sync(cp.identify(signed_identify(set->platforms.at(0), clock.now_ms())));
    REQUIRE(issued.status == 200);
    CHECK(codes.issued_after_waiting == 1);
    const std::string code(json::parse(issued.body).at("data").at("ident_code").as_string());
    CHECK(codes.inner.find(code, clock.now_ms()).has_value());

    const auto redeem = [&] {
      return support::run_sync(cp.redirect(
          make_request("POST", "/dg/v1/identify/redirect", R"({"ident_code":")" + code + R"("})", {{"trace", "tr-2"}})));
    };
    CHECK(json::parse(redeem().body).at("code").as_int64() == 0);
    CHECK(json::parse(redeem().body).at("code").as_int64() != 0);
  }

  TEST_CASE("a token issued through a store that waits is the one the login answered") {
    const auto& set = default_fixtures();
    state::memory_clock clock;
    waiting_token_store tokens;
    testing::waybill_parts parts{set, clock};
    const uocs::api uo{set, clock, tokens, parts.book, "http://sim.example"};

    const http::response res = support::run_sync(uo.login(make_request("POST", "/apis-auth/login/auth", uocs_login_body())));
    REQUIRE(res.status == 200);
    CHECK(tokens.issued_after_waiting == 1);
    const std::string token(json::parse(res.body).at("obj").at("token").as_string());
    CHECK(tokens.inner.find(token, clock.now_ms()).status == state::token_status::valid);
  }

  TEST_CASE("the pipeline awaits a journal that waits, and the entry is there when the answer leaves") {
    const auto& set = default_fixtures();
    state::memory_clock clock;
    state::memory_token_store tokens;
    waiting_journal book;
    testing::waybill_parts parts{set, clock};
    uocs::api uo{set, clock, tokens, parts.book, "http://sim.example"};
    http::router router{[](const http::request&, const http::failure& f) {
      http::response res;
      res.status = f.status;
      return res;
    }};
    uo.register_routes(router);
    const pipeline::pipeline p{pipeline::parts{router, nullptr, &book, nullptr, &clock, nullptr, {}}};

    const pipeline::outcome out = support::run_sync(
        p.handle(make_request("POST", "/apis-auth/login/auth", uocs_login_body()), pipeline::wire_facts{11, true, false}));
    CHECK(out.verdict == "ok");
    CHECK(book.added_after_waiting == 1);
    const auto entries = book.inner.list(10, {});
    REQUIRE(entries.size() == 1);
    CHECK(entries[0].at("path").as_string() == "/apis-auth/login/auth");
  }

  TEST_CASE("the memory stores issue and journal in place, without waiting") {
    state::memory_code_store codes;
    state::code_record code;
    code.ident_code = "c1";
    code.plat_id = "p";
    code.expires_at_ms = 1000;
    CHECK(codes.try_issue(code, 0));
    CHECK(codes.find("c1", 0).has_value());

    state::memory_token_store tokens;
    state::token_record token;
    token.token = "t1";
    token.expires_at_ms = 1000;
    CHECK(tokens.try_issue(token, 0));
    CHECK(tokens.find("t1", 0).status == state::token_status::valid);

    journal::memory_store book{10};
    journal::entry_key key{"/x", "ok", true};
    std::shared_ptr<const journal::payload> entry = std::make_shared<const fixed_payload>();
    CHECK(book.try_add(key, entry));
    CHECK(book.size() == 1);
  }
}

#include "creditpay/payments.hpp"
#include "jobs/scheduler.hpp"
#include "state/records.hpp"
#include "support/crypto.hpp"
#include "uocs/waybills.hpp"

#include <doctest/doctest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/json/parse.hpp>

#include <algorithm>
#include <iterator>
#include <map>
#include <optional>
#include <stdexcept>

using namespace authsim;
using creditpay::payment_outcome;

namespace {

std::vector<std::string> types(const std::vector<creditpay::planned_event>& plan) {
  std::vector<std::string> out;
  for (const auto& e : plan) {
    out.push_back(e.type);
  }
  return out;
}

}  // namespace

TEST_SUITE("payment lifecycle") {
  TEST_CASE("each outcome plans the upstream's events at their times, in due order") {
    const auto paid = creditpay::plan_lifecycle(payment_outcome::paid, 50'000);
    CHECK(types(paid) == std::vector<std::string>{"PAY_START", "ASSIGN_SUCCESS", "GET_BARCODE_SUCCESS",
                                                  "GET_BARCODE_SUCCESS", "PAY_SUCCESS", "PAY_FINISH"});
    CHECK(paid.at(3).offset_ms == 47'000);
    CHECK(paid.at(4).offset_ms == 50'000);
    CHECK(paid.at(5).offset_ms == 51'000);
    // Paid as the first barcode comes: no barcode event, no renewal.
    const auto early = creditpay::plan_lifecycle(payment_outcome::paid, 2'000);
    CHECK(types(early) == std::vector<std::string>{"PAY_START", "ASSIGN_SUCCESS", "PAY_SUCCESS", "PAY_FINISH"});

    const auto unpaid = creditpay::plan_lifecycle(payment_outcome::unpaid, 0);
    std::map<std::string, std::vector<std::int64_t>> at;
    for (const auto& e : unpaid) {
      at[e.type].push_back(e.offset_ms);
    }
    CHECK(at["GET_BARCODE_SUCCESS"] == std::vector<std::int64_t>{2'000, 47'000, 92'000});
    CHECK(at["SESSION_RENEWAL"] == std::vector<std::int64_t>{62'000, 122'000, 182'000, 242'000});
    CHECK(at["PAY_TIMEOUT"] == std::vector<std::int64_t>{257'000});
    for (std::size_t i = 1; i < unpaid.size(); ++i) {
      CHECK(unpaid[i - 1].offset_ms <= unpaid[i].offset_ms);
    }
    CHECK(types(creditpay::plan_lifecycle(payment_outcome::assign_failed, 0)) ==
          std::vector<std::string>{"PAY_START", "ASSIGN_FAILED"});
    CHECK(types(creditpay::plan_lifecycle(payment_outcome::barcode_failed, 0)) ==
          std::vector<std::string>{"PAY_START", "ASSIGN_SUCCESS", "GET_BARCODE_FAILED"});
  }

  TEST_CASE("merchantName is percent-encoded as encodeURIComponent does it") {
    CHECK(creditpay::percent_encode("演示 Shop") == "%E6%BC%94%E7%A4%BA%20Shop");
    CHECK(creditpay::percent_encode("a-b_c.d!e~f*g'h(i)") == "a-b_c.d!e~f*g'h(i)");
    CHECK(creditpay::percent_encode("&=+/?#") == "%26%3D%2B%2F%3F%23");
  }

  TEST_CASE("amounts compare exactly, in units of 10^-8") {
    CHECK(creditpay::amount_units("12.30") == 1'230'000'000);
    CHECK(creditpay::amount_units("12.3") == creditpay::amount_units("12.30"));
    CHECK(creditpay::amount_units("0.00000001") == 1);
    CHECK(creditpay::amount_units("9999999999.99999999") == 999'999'999'999'999'999);
    CHECK_FALSE(creditpay::amount_units("10000000000").has_value());  // 11 digits
    CHECK_FALSE(creditpay::amount_units("1.000000001").has_value());    // 9 decimals
    CHECK_FALSE(creditpay::amount_units("-1").has_value());
    CHECK_FALSE(creditpay::amount_units("1e3").has_value());
  }

  TEST_CASE("a webhook request: compact body, signature over the path and body, the platform's header spelling") {
    fixtures::platform p;
    p.plat_id = "plat";
    p.signature_key = "key";
    fixtures::creditpay_settings s;
    creditpay::webhook_request_parts parts;
    parts.url = "https://p.example/hooks/cp?x=1";
    parts.type = "PAY_START";
    parts.plat_id = "plat";
    parts.retry = 3;
    parts.event_id = "evt_1";
    parts.data_json = R"({"a":1})";
    parts.token = "tok";
    auto r = creditpay::webhook_request(p, s, parts, "tr-1", 1'800'000'000'000);
    CHECK(r.body == R"({"type":"PAY_START","platform_id":"plat","retry":3,"event_id":"evt_1","data":{"a":1}})");
    std::map<std::string, std::string> h(r.headers.begin(), r.headers.end());
    CHECK(h.at("signature") ==
          support::base64_encode(support::hmac(support::hmac_algorithm::sha1, "key", "/hooks/cp" + r.body)));
    CHECK_FALSE(h.contains("signerature"));
    CHECK(h.at("token") == "tok");
    CHECK(h.at("trace") == "tr-1");
    CHECK(h.at("timestamp") == "1800000000000");
    CHECK(h.at("Content-Type") == "application/json");
    p.webhook_signature_header = fixtures::platform::signature_header::signerature;
    r = creditpay::webhook_request(p, s, parts, "tr-1", 1);
    std::map<std::string, std::string> h2(r.headers.begin(), r.headers.end());
    CHECK(h2.contains("signerature"));
    CHECK_FALSE(h2.contains("signature"));
    p.webhook_signature_header = fixtures::platform::signature_header::both;
    r = creditpay::webhook_request(p, s, parts, "tr-1", 1);
    std::map<std::string, std::string> h3(r.headers.begin(), r.headers.end());
    CHECK(h3.at("signerature") == h3.at("signature"));
  }
}

TEST_SUITE("job scheduler") {
  TEST_CASE("moving the clock runs what became due, in due order, one lane's jobs one after the other") {
    net::io_context ioc;
    state::memory_clock clock;
    clock.set_ms(1'000'000);
    auto s = std::make_shared<jobs::memory_scheduler>(net::make_strand(ioc), clock);
    std::vector<std::string> ran;
    s->on("note", [&ran](const std::string& name) -> net::awaitable<void> {
      ran.push_back(name);
      co_return;
    });
    s->start();
    const std::int64_t t = clock.now_ms();
    s->add({t + 300'000, "a", "note", "a3"});
    s->add({t + 100'000, "a", "note", "a1"});
    s->add({t + 200'000, "b", "note", "b2"});
    s->add({t + 100'000, "a", "note", "a1bis"});  // same time: in the order added
    s->add({t + 900'000, "a", "note", "later"});
    ioc.run_for(std::chrono::milliseconds(50));
    CHECK(ran.empty());
    CHECK(s->pending() == 5);
    clock.advance_ms(300'000);
    s->poke();
    ioc.run_for(std::chrono::milliseconds(100));
    // Lane a in due order (ties in the order added); lane b beside it.
    REQUIRE(ran.size() == 4);
    std::vector<std::string> lane_a;
    std::copy_if(ran.begin(), ran.end(), std::back_inserter(lane_a), [](const std::string& n) { return n[0] == 'a'; });
    CHECK(lane_a == std::vector<std::string>{"a1", "a1bis", "a3"});
    CHECK(std::find(ran.begin(), ran.end(), "b2") != ran.end());
    CHECK(s->pending() == 1);
    CHECK(s->stop() == 1);
    ioc.run_for(std::chrono::milliseconds(50));
    CHECK(ran.size() == 4);
  }

  TEST_CASE("without a move of the clock a job runs when the wall clock brings its time") {
    net::io_context ioc;
    state::memory_clock clock;
    auto s = std::make_shared<jobs::memory_scheduler>(net::make_strand(ioc), clock);
    bool ran = false;
    s->on("flag", [&ran](const std::string&) -> net::awaitable<void> {
      ran = true;
      co_return;
    });
    s->start();
    s->add({clock.now_ms() + 30, "a", "flag", ""});
    // Nobody pokes: the dispatcher's own timer wakes it at the due time.
    for (int i = 0; i < 100 && !ran; ++i) {
      ioc.run_for(std::chrono::milliseconds(20));
    }
    CHECK(ran);
    s->stop();
    ioc.run_for(std::chrono::milliseconds(20));
  }

  TEST_CASE("a job of a kind nobody handles, or that throws, is logged and the lane goes on") {
    net::io_context ioc;
    state::memory_clock clock;
    auto s = std::make_shared<jobs::memory_scheduler>(net::make_strand(ioc), clock);
    std::vector<std::string> ran;
    s->on("boom", [](const std::string&) -> net::awaitable<void> {
      throw std::runtime_error("broken");
      co_return;
    });
    s->on("note", [&ran](const std::string& name) -> net::awaitable<void> {
      ran.push_back(name);
      co_return;
    });
    s->start();
    const std::int64_t t = clock.now_ms();
    s->add({t, "a", "unknown", "x"});
    s->add({t, "a", "boom", "y"});
    s->add({t, "a", "note", "after"});
    ioc.run_for(std::chrono::milliseconds(100));
    CHECK(ran == std::vector<std::string>{"after"});
    s->stop();
  }
}

namespace {

template <typename T>
T await(net::io_context& ioc, net::awaitable<T> a) {
  std::optional<T> out;
  net::co_spawn(ioc, [&]() -> net::awaitable<void> { out = co_await std::move(a); }, net::detached);
  ioc.restart();
  ioc.run();
  return std::move(*out);
}

state::record_write write(const std::string& kind, const std::string& id, const std::string& body,
                          std::uint64_t expect = 0) {
  state::record_write w;
  w.kind = kind;
  w.id = id;
  w.body = body;
  w.expect = expect;
  return w;
}

}  // namespace

TEST_SUITE("records in memory") {
  TEST_CASE("a commit goes through only when every record is still at the version it expects, all or nothing") {
    net::io_context ioc;
    std::vector<state::scheduled_job> scheduled;
    state::memory_records r([&](state::scheduled_job j) { scheduled.push_back(std::move(j)); });
    int changes = 0;
    r.on_change = [&] { ++changes; };
    CHECK(await(ioc, r.async_commit({write("k", "a", "one")}, {{5, "lane", "kind", "arg"}})));
    CHECK(scheduled.size() == 1);
    const auto a = await(ioc, r.async_get("k", "a"));
    REQUIRE(a);
    CHECK(a->body == "one");
    CHECK(a->version == 1);
    // New again (expect 0): refused, and the other write of the commit with it.
    CHECK_FALSE(await(ioc, r.async_commit({write("k", "b", "two"), write("k", "a", "again")}, {{6, "l", "k", ""}})));
    CHECK_FALSE(await(ioc, r.async_get("k", "b")));
    CHECK(scheduled.size() == 1);
    // At its version: written, one version more.
    CHECK(await(ioc, r.async_commit({write("k", "a", "changed", 1)}, {})));
    CHECK(await(ioc, r.async_get("k", "a"))->version == 2);
    CHECK_FALSE(await(ioc, r.async_commit({write("k", "a", "stale", 1)}, {})));
    CHECK(await(ioc, r.async_get("k", "a"))->body == "changed");
    CHECK(changes == 2);
  }

  TEST_CASE("listing order, tags, and the bound evicting the first written with what they own") {
    net::io_context ioc;
    state::memory_records r([](state::scheduled_job) {});
    for (int i = 0; i < 3; ++i) {
      auto w = write("d", "d" + std::to_string(i), "x");
      w.order = 100 - i;  // listed by order: d2, d1, d0
      w.tag = i == 1 ? "" : "pending";
      CHECK(await(ioc, r.async_commit({w}, {})));
    }
    const auto page = await(ioc, r.async_select("d", {}, 10, false)).items;
    REQUIRE(page.size() == 3);
    CHECK(page[0].id == "d2");
    CHECK(page[2].id == "d0");
    CHECK(await(ioc, r.async_select("d", {}, 2, true)).items.at(1).id == "d1");
    CHECK(await(ioc, r.async_count("d", "pending")) == 2);
    CHECK(await(ioc, r.async_count("d", "")) == 3);
    // Two payments at most; the first owns d0 and d1.
    auto p1 = write("p", "p1", "x");
    p1.capacity = 2;
    p1.owned = {{"d", "d0"}, {"d", "d1"}};
    auto p2 = write("p", "p2", "x");
    p2.capacity = 2;
    auto p3 = write("p", "p3", "x");
    p3.capacity = 2;
    CHECK(await(ioc, r.async_commit({p1}, {})));
    CHECK(await(ioc, r.async_commit({p2}, {})));
    CHECK(await(ioc, r.async_count("d", "")) == 3);
    CHECK(await(ioc, r.async_commit({p3}, {})));
    CHECK_FALSE(await(ioc, r.async_get("p", "p1")));
    CHECK(await(ioc, r.async_count("p", "")) == 2);
    CHECK(await(ioc, r.async_count("d", "")) == 1);
    CHECK(await(ioc, r.async_count("d", "pending")) == 1);
    CHECK(await(ioc, r.async_get_many("d", {"d0", "d2", "d1"})).size() == 1);
    await(ioc, [&]() -> net::awaitable<bool> {
      co_await r.async_clear("d");
      co_return true;
    }());
    CHECK(await(ioc, r.async_count("d", "pending")) == 0);
  }

  TEST_CASE("a selection matches the records' fields, counts them all and answers the first in listing order") {
    net::io_context ioc;
    state::memory_records r([](state::scheduled_job) {});
    for (int i = 0; i < 6; ++i) {
      auto w = write("d", "d" + std::to_string(i), "body" + std::to_string(i));
      w.fields = {{"api", i % 2 == 0 ? "even" : "odd"}, {"attempts", std::to_string(i)}};
      CHECK(await(ioc, r.async_commit({w}, {})));
    }
    state::record_match even;
    even.equal = {{"api", "even"}};
    auto got = await(ioc, r.async_select("d", even, 2, false));
    CHECK(got.count == 3);
    REQUIRE(got.items.size() == 2);
    CHECK(got.items[0].body == "body0");
    CHECK(got.items[1].body == "body2");
    CHECK(await(ioc, r.async_select("d", even, 1, true)).items.at(0).id == "d4");
    state::record_match busy = even;
    busy.at_least_field = "attempts";
    busy.at_least = 2;
    got = await(ioc, r.async_select("d", busy, 0, false));
    CHECK(got.count == 2);
    CHECK(got.items.empty());
    state::record_match none;
    none.equal = {{"api", "missing"}};
    CHECK(await(ioc, r.async_select("d", none, 10, false)).count == 0);
    CHECK(await(ioc, r.async_select("d", {}, 10, false)).count == 6);
  }
}

TEST_SUITE("record encodings") {
  TEST_CASE("a delivery, a payment and a waybill read back as written") {
    outbound::stored_delivery s;
    s.d.event_id = "evt_1";
    s.d.api = "creditpay";
    s.d.lane = "plat";
    s.d.subject = "pay_1";
    s.d.type = "PAY_SUCCESS";
    s.d.data_json = R"({"amount":"12.30","x":[1,2]})";
    s.d.token = "tok";
    s.d.due_ms = 1'700'000'000'123;
    s.d.status = outbound::delivery_status::retrying;
    s.d.next_attempt_ms = 1'700'000'300'123;
    outbound::delivery_attempt a;
    a.time_ms = 1'700'000'000'200;
    a.retry = 0;
    a.status = 500;
    a.error = "answered HTTP 500";
    a.latency_us = 1234;
    a.answer = "nope \u00e9";
    a.trace = "tr";
    s.d.attempts.push_back(a);
    s.d.fault = faults::webhook_fault{faults::webhook_fault_kind::out_of_order, 7'000, 2'000};
    s.first_due_ms = 1'700'000'007'123;
    s.fault_decided = true;
    s.held = true;
    s.planned_retry = 1;
    const auto back = outbound::decode_delivery(outbound::encode_delivery(s));
    REQUIRE(back);
    CHECK(outbound::encode_delivery(*back) == outbound::encode_delivery(s));
    CHECK(back->d.attempts.at(0).status == 500u);
    CHECK(back->d.fault->hold_ms == 7'000);
    CHECK_FALSE(outbound::decode_delivery("not json"));

    creditpay::payment_record p;
    p.payment_id = "pay_1";
    p.outcome = creditpay::payment_outcome::unpaid;
    p.amount = "12.30";
    p.paid_at_ms = 5;
    p.merchant_name = "商户 & co";
    p.event_ids = {"evt_1", "evt_2"};
    p.refunds.push_back({"evt_3", "RF1", "1.00", 9});
    const auto pb = creditpay::decode_payment(creditpay::encode_payment(p));
    REQUIRE(pb);
    CHECK(creditpay::encode_payment(*pb) == creditpay::encode_payment(p));

    uocs::waybill w;
    w.fy_code = "FY1";
    w.request.biz_code = "biz";
    w.request.sender.lat = "22.5";
    w.request.sender.lat_deg = 22.5;
    w.request.amount = 3.25;
    w.request.remark = "fragile";
    w.distance_km = 4.75;
    w.step(1) = 10;
    w.step(4) = 40;
    w.exception_ms = 50;
    w.push_ids = {"psh_1"};
    w.pushed_through = 2;
    w.generation = 3;
    const auto wb = uocs::decode_waybill(uocs::encode_waybill(w));
    REQUIRE(wb);
    CHECK(uocs::encode_waybill(*wb) == uocs::encode_waybill(w));
    CHECK_FALSE(wb->step(2));
    CHECK(*wb->step(4) == 40);
  }
}

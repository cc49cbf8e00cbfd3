#include "creditpay/payments.hpp"
#include "jobs/scheduler.hpp"
#include "support/crypto.hpp"

#include <doctest/doctest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/json/parse.hpp>

#include <algorithm>
#include <iterator>
#include <map>

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
    auto s = std::make_shared<jobs::scheduler>(net::make_strand(ioc), clock);
    s->start();
    std::vector<std::string> ran;
    auto job = [&](std::string name) {
      return [&ran, name]() -> net::awaitable<void> {
        ran.push_back(name);
        co_return;
      };
    };
    const std::int64_t t = clock.now_ms();
    s->add(t + 300'000, "a", job("a3"));
    s->add(t + 100'000, "a", job("a1"));
    s->add(t + 200'000, "b", job("b2"));
    s->add(t + 100'000, "a", job("a1bis"));  // same time: in the order added
    s->add(t + 900'000, "a", job("later"));
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
    auto s = std::make_shared<jobs::scheduler>(net::make_strand(ioc), clock);
    s->start();
    bool ran = false;
    s->add(clock.now_ms() + 30, "a", [&ran]() -> net::awaitable<void> {
      ran = true;
      co_return;
    });
    // Nobody pokes: the dispatcher's own timer wakes it at the due time.
    for (int i = 0; i < 100 && !ran; ++i) {
      ioc.run_for(std::chrono::milliseconds(20));
    }
    CHECK(ran);
    s->stop();
    ioc.run_for(std::chrono::milliseconds(20));
  }
}

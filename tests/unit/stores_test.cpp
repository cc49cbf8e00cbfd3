#include "state/active_scenario.hpp"
#include "state/clock.hpp"
#include "state/code_store.hpp"
#include "support/packed_text.hpp"
#include "state/expiring_map.hpp"
#include "state/platform_endpoints.hpp"
#include "state/scenario_counters.hpp"
#include "state/token_store.hpp"
#include "state/verification_modes.hpp"
#include "support/run_sync.hpp"

#include <map>

#include <doctest/doctest.h>

#include <atomic>
#include <thread>
#include <vector>

using namespace authsim::state;

namespace {

code_record code(const std::string& id, std::int64_t issued, std::int64_t ttl) {
  code_record r;
  r.ident_code = id;
  r.plat_id = "p";
  r.custom_no = "u";
  r.issued_at_ms = issued;
  r.expires_at_ms = issued + ttl;
  return r;
}

}  // namespace

TEST_SUITE("stores") {
  TEST_CASE("a code is redeemed once, then reported as already redeemed") {
    memory_code_store store;
    store.issue(code("c1", 1000, 300'000), 1000);
    const auto first = store.redeem("c1", 2000);
    CHECK(first.outcome == redeem_outcome::redeemed);
    CHECK(first.record.custom_no == "u");
    const auto second = store.redeem("c1", 3000);
    CHECK(second.outcome == redeem_outcome::already_redeemed);
    CHECK(second.record.redeemed_at_ms == 2000);
  }

  TEST_CASE("a code expires at issue time plus its ttl") {
    memory_code_store store;
    store.issue(code("c1", 1000, 300'000), 1000);
    CHECK(store.redeem("c1", 301'000).outcome == redeem_outcome::expired);
    store.issue(code("c2", 1000, 300'000), 1000);
    CHECK(store.redeem("c2", 300'999).outcome == redeem_outcome::redeemed);
  }

  TEST_CASE("an unknown code is unknown") {
    memory_code_store store;
    CHECK(store.redeem("nope", 0).outcome == redeem_outcome::unknown);
  }

  TEST_CASE("expired codes are swept after the retention period, keeping memory bounded") {
    memory_code_store store(60'000);
    for (int i = 0; i < 100; ++i) {
      store.issue(code("c" + std::to_string(i), 0, 1000), 0);
    }
    CHECK(store.size(0) == 100);
    CHECK(store.size(60'999) == 100);  // expired but retained: a late redeem says "expired"
    CHECK(store.redeem("c1", 60'999).outcome == redeem_outcome::expired);
    CHECK(store.size(61'000) == 0);
    CHECK(store.redeem("c1", 61'000).outcome == redeem_outcome::unknown);
  }

  TEST_CASE("concurrent redemptions of one code: exactly one wins") {
    for (int round = 0; round < 20; ++round) {
      memory_code_store store;
      store.issue(code("shared", 0, 300'000), 0);
      std::atomic<int> wins{0};
      std::atomic<int> refused{0};
      std::vector<std::thread> threads;
      for (int t = 0; t < 8; ++t) {
        threads.emplace_back([&] {
          const auto r = store.redeem("shared", 10);
          (r.outcome == redeem_outcome::redeemed ? wins : refused)++;
        });
      }
      for (auto& t : threads) {
        t.join();
      }
      CHECK(wins == 1);
      CHECK(refused == 7);
    }
  }

  TEST_CASE("concurrent issue and redeem from many threads lose nothing") {
    memory_code_store store;
    constexpr int per_thread = 2000;
    std::vector<std::thread> threads;
    std::atomic<int> redeemed{0};
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < per_thread; ++i) {
          const std::string id = std::to_string(t) + "-" + std::to_string(i);
          store.issue(code(id, 0, 300'000), 0);
          if (store.redeem(id, 1).outcome == redeem_outcome::redeemed) {
            ++redeemed;
          }
        }
      });
    }
    for (auto& t : threads) {
      t.join();
    }
    CHECK(redeemed == 4 * per_thread);
    CHECK(store.size(1) == 4 * per_thread);
  }

  TEST_CASE("tokens are valid until expiry, then expired, then forgotten") {
    memory_token_store store(1000);
    token_record r;
    r.token = "DEF_A3_x";
    r.user_id = "fc0001";
    r.issued_at_ms = 0;
    r.expires_at_ms = 7 * 24 * 3600 * 1000LL;
    store.issue(token_record(r), 0);  // r is read again below
    CHECK(store.find("DEF_A3_x", r.expires_at_ms - 1).status == token_status::valid);
    CHECK(store.find("DEF_A3_x", r.expires_at_ms).status == token_status::expired);
    CHECK(store.find("DEF_A3_x", r.expires_at_ms + 1000).status == token_status::unknown);
    CHECK(store.find("other", 0).status == token_status::unknown);
  }

  TEST_CASE("an entry inserted again under the same key replaces the first") {
    expiring_map<int> m(0);
    m.insert("k", 1, 100);
    m.insert("k", 2, 150);
    CHECK(m.size() == 1);
    CHECK(*m.find("k") == 2);
    // The first insertion's place in the queue is stale: passing it removes nothing.
    CHECK(m.sweep(100) == 0);
    CHECK(*m.find("k") == 2);
    CHECK(m.sweep(150) == 1);
    CHECK(m.find("k") == nullptr);
  }

  TEST_CASE("entries leave in the order they came, one added after the clock went back waits its turn") {
    expiring_map<int> m(0);
    m.insert("a", 1, 100);
    m.insert("b", 2, 50);  // the clock went back between the two
    CHECK(m.sweep(60) == 0);
    CHECK(*m.find("b") == 2);
    CHECK(m.sweep(100) == 2);
    CHECK(m.size() == 0);
    m.insert("c", 3, 10);
    m.insert("d", 4, 20);
    CHECK(m.evict_first());
    CHECK(m.find("c") == nullptr);
    CHECK(*m.find("d") == 4);
  }

  TEST_CASE("the map agrees with a plain model through growth, replacement, eviction and sweeps") {
    // A deterministic walk of 20,000 random steps over a small key space, so
    // that keys collide, are replaced, evicted and swept in every order, and
    // the index grows from its smallest size; after each step every key is
    // looked up in both.
    expiring_map<int> m(5);
    struct model_entry {
      int value;
      std::int64_t expires;
      std::uint64_t order;
    };
    std::map<std::string, model_entry> model;
    std::uint64_t order = 0;
    std::uint32_t seed = 12345;
    auto next = [&seed] {
      seed = seed * 1664525u + 1013904223u;
      return seed >> 8;
    };
    std::int64_t now = 0;
    auto model_oldest = [&] {
      auto oldest = model.end();
      for (auto it = model.begin(); it != model.end(); ++it) {
        if (oldest == model.end() || it->second.order < oldest->second.order) {
          oldest = it;
        }
      }
      return oldest;
    };
    for (int step = 0; step < 20'000; ++step) {
      const std::string key = "k" + std::to_string(next() % 300);
      switch (next() % 8) {
        case 0:
        case 1:
        case 2:
        case 3: {
          const int value = static_cast<int>(next() % 1000);
          m.insert(key, value, now + 10);
          model[key] = model_entry{value, now + 10, order++};
          break;
        }
        case 4: {
          const bool evicted = m.evict_first();
          const auto oldest = model_oldest();
          REQUIRE(evicted == (oldest != model.end()));
          if (oldest != model.end()) {
            CHECK(m.find(oldest->first) == nullptr);
            model.erase(oldest);
          }
          break;
        }
        case 5: {
          now += static_cast<std::int64_t>(next() % 4);
          std::size_t expected = 0;
          for (auto it = model.begin(); it != model.end();) {
            if (it->second.expires + 5 <= now) {
              it = model.erase(it);
              ++expected;
            } else {
              ++it;
            }
          }
          CHECK(m.sweep(now) == expected);
          break;
        }
        default: {
          const int* found = m.find(key);
          const auto it = model.find(key);
          REQUIRE((found != nullptr) == (it != model.end()));
          if (found != nullptr) {
            CHECK(*found == it->second.value);
          }
        }
      }
      REQUIRE(m.size() == model.size());
    }
    for (int k = 0; k < 300; ++k) {
      const std::string key = "k" + std::to_string(k);
      const int* found = m.find(key);
      const auto it = model.find(key);
      REQUIRE((found != nullptr) == (it != model.end()));
      if (found != nullptr) {
        CHECK(*found == it->second.value);
      }
    }
    std::size_t visited = 0;
    m.for_each([&](const std::string& key, int value, std::int64_t expires) {
      ++visited;
      const auto it = model.find(key);
      REQUIRE(it != model.end());
      CHECK(value == it->second.value);
      CHECK(expires == it->second.expires);
    });
    CHECK(visited == model.size());
  }

  TEST_CASE("a full store makes room by dropping its oldest entries, and counts them") {
    memory_code_store store(0, 3);
    for (int i = 0; i < 5; ++i) {
      store.issue(code("c" + std::to_string(i), 0, 1000), 0);
    }
    CHECK(store.size(0) == 3);
    CHECK(store.evicted() == 2);
    CHECK_FALSE(store.find("c0", 0).has_value());
    CHECK_FALSE(store.find("c1", 0).has_value());
    CHECK(store.find("c2", 0).has_value());
    CHECK(store.find("c4", 0).has_value());

    // A key already held is replaced in place: nothing else has to go.
    expiring_map<int> m(0);
    CHECK(m.insert("a", 1, 100, 2) == 0);
    CHECK(m.insert("b", 2, 100, 2) == 0);
    CHECK(m.insert("a", 3, 100, 2) == 0);
    CHECK(m.size() == 2);
    CHECK(*m.find("a") == 3);
    CHECK(m.insert("c", 4, 100, 2) == 1);
    CHECK(m.find("b") == nullptr);
    CHECK(*m.find("a") == 3);
  }

  TEST_CASE("a cleared map is empty and takes new entries") {
    expiring_map<int> m(0);
    m.reserve(1000);
    for (int i = 0; i < 1000; ++i) {
      m.insert("key-" + std::to_string(i), i, 100);
    }
    CHECK(m.size() == 1000);
    CHECK(*m.find("key-999") == 999);
    m.clear();
    CHECK(m.size() == 0);
    CHECK(m.find("key-999") == nullptr);
    m.insert("key-1", 7, 100);
    CHECK(*m.find("key-1") == 7);
    CHECK(m.sweep(100) == 1);
    CHECK(m.size() == 0);
  }

  TEST_CASE("the clock moves by advance and set, and returns to real time on reset") {
    authsim::state::memory_clock c;
    const auto before = c.now_ms();
    c.advance_ms(7LL * 24 * 3600 * 1000);
    CHECK(c.now_ms() - before >= 7LL * 24 * 3600 * 1000);
    c.set_ms(1'000'000'000'000);
    CHECK(c.now_ms() >= 1'000'000'000'000);
    CHECK(c.now_ms() < 1'000'000'060'000);
    c.reset();
    CHECK(c.offset_ms() == 0);
  }

  TEST_CASE("a code listing filters inside the store and copies at most the limit, counting them all") {
    memory_code_store store;
    for (int i = 0; i < 10; ++i) {
      code_record r = code("c" + std::to_string(i), 0, 300'000);
      r.plat_id = i % 2 == 0 ? "even" : "odd";
      r.custom_no = "u" + std::to_string(i % 3);
      store.issue(std::move(r), 0);
    }
    code_store& shared = store;  // what the handlers see
    const code_filter odd{std::string("odd"), std::nullopt};
    const code_listing page = authsim::support::run_sync(shared.async_list(odd, 2, 0));
    CHECK(page.count == 5);
    REQUIRE(page.items.size() == 2);
    CHECK(page.items[0].ident_code == "c1");  // oldest first
    CHECK(page.items[1].ident_code == "c3");
    const code_filter both{std::string("even"), std::string("u0")};
    const code_listing narrow = authsim::support::run_sync(shared.async_list(both, 100, 0));
    CHECK(narrow.count == 2);  // c0 and c6
    CHECK(narrow.items.size() == 2);
  }

  TEST_CASE("a token listing filters by user inside the store") {
    memory_token_store store;
    for (int i = 0; i < 6; ++i) {
      store.issue(token_record{"t" + std::to_string(i), "app", i < 4 ? "a" : "b", "r", 0, 1000}, 0);
    }
    token_store& shared = store;
    const token_filter user_a{std::string("a")};
    const token_listing page = authsim::support::run_sync(shared.async_list(user_a, 3, 0));
    CHECK(page.count == 4);
    CHECK(page.items.size() == 3);
    const token_filter anyone{};
    CHECK(authsim::support::run_sync(shared.async_list(anyone, 100, 0)).count == 6);
  }

  TEST_CASE("through the store interface a code is redeemed once, then reported as already redeemed") {
    memory_code_store memory;
    code_store& store = memory;
    authsim::support::run_sync(store.async_issue(code("c1", 0, 300'000), 0));
    const std::string id = "c1";
    CHECK(authsim::support::run_sync(store.async_redeem(id, 10, 0)).outcome == redeem_outcome::redeemed);
    CHECK(authsim::support::run_sync(store.async_redeem(id, 20, 0)).outcome == redeem_outcome::already_redeemed);
    CHECK(authsim::support::run_sync(store.async_find(id, 30))->redeemed_at_ms == 10);
    CHECK(authsim::support::run_sync(store.async_size(30)) == 1);
    authsim::support::run_sync(store.async_clear());
    CHECK(authsim::support::run_sync(store.async_size(30)) == 0);
  }

  TEST_CASE("the counters walk the matched rules in order until one applies") {
    memory_scenario_counters counters;
    walk_request walk;
    walk.scenario = "s";
    walk.session = "x";
    walk.now_ms = 1000;
    rule_step first;  // calls 1 and 2 only
    first.rule = 0;
    first.calls = call_range{1, 2, std::nullopt};
    rule_step second;  // its draw failed
    second.rule = 1;
    second.chance = false;
    rule_step third;  // at most 1 call per second
    third.rule = 2;
    third.limit = window_spec{"k", 1, 1000};
    walk.steps = {first, second, third};
    CHECK(counters.walk(walk).chosen == 0u);
    CHECK(counters.walk(walk).chosen == 0u);
    // Call 3: the first rule is past its range, the second's draw failed,
    // the third lets one call through its window...
    const walk_result within = counters.walk(walk);
    CHECK_FALSE(within.chosen.has_value());
    // ...and refuses the next one until the window ends.
    const walk_result limited = counters.walk(walk);
    CHECK(limited.chosen == 2u);
    CHECK(limited.rate_limited);
    CHECK(limited.window_end_ms == 2000);
    walk.now_ms = 2000;
    CHECK_FALSE(counters.walk(walk).chosen.has_value());
  }

  TEST_CASE("counters are per session, and clearing one scenario leaves the others") {
    memory_scenario_counters counters;
    auto walk_of = [](const std::string& scenario, const std::string& session) {
      walk_request w;
      w.scenario = scenario;
      w.session = session;
      rule_step once;
      once.calls = call_range{1, 1, std::nullopt};
      w.steps = {once};
      return w;
    };
    CHECK(counters.walk(walk_of("a", "s1")).chosen.has_value());
    CHECK(counters.walk(walk_of("a", "s2")).chosen.has_value());  // another session starts at call 1
    CHECK_FALSE(counters.walk(walk_of("a", "s1")).chosen.has_value());
    CHECK(counters.walk(walk_of("b", "s1")).chosen.has_value());
    scenario_counters& shared = counters;
    const std::optional<std::string> only_a = std::string("a");
    authsim::support::run_sync(shared.async_clear(only_a));
    CHECK(counters.walk(walk_of("a", "s1")).chosen.has_value());
    CHECK_FALSE(counters.walk(walk_of("b", "s1")).chosen.has_value());
  }

  TEST_CASE("the active scenario and the verification modes are set through their interfaces and read at once") {
    memory_active_scenario active;
    active_scenario& shared_active = active;
    CHECK_FALSE(shared_active.get().has_value());
    const std::optional<std::string> flaky = std::string("flaky");
    authsim::support::run_sync(shared_active.async_set(flaky));
    CHECK(shared_active.get() == "flaky");
    const std::optional<std::string> none;
    authsim::support::run_sync(shared_active.async_set(none));
    CHECK_FALSE(shared_active.get().has_value());

    authsim::fixtures::fixture_set set;
    authsim::fixtures::platform p;
    p.plat_id = "p1";
    set.platforms.push_back(p);
    memory_verification_modes modes(set);
    verification_modes& shared_modes = modes;
    const std::string p1 = "p1";
    const std::string unknown = "nope";
    CHECK(authsim::support::run_sync(shared_modes.async_set(p1, authsim::fixtures::verification_mode::off)));
    CHECK(shared_modes.get(p1) == authsim::fixtures::verification_mode::off);
    CHECK_FALSE(authsim::support::run_sync(shared_modes.async_set(unknown, authsim::fixtures::verification_mode::off)));
    CHECK_FALSE(shared_modes.get(unknown).has_value());
  }
}

TEST_SUITE("code store: the later revision") {
  TEST_CASE("a code keeps its session_sign and credit data, one without them has none") {
    authsim::state::memory_code_store store;
    authsim::state::code_record with = code("c1", 0, 1000);
    with.session_sign = "s-1";
    with.credit = authsim::state::credit_limit{"t", {{"t", "10.50", "CNY", "https://p.example/i.ico", "<b>x</b>"}}};
    const authsim::state::credit_limit expected = *with.credit;
    store.issue(std::move(with), 0);
    store.issue(code("c2", 0, 1000), 0);

    const auto found = store.find("c1", 0);
    REQUIRE(found.has_value());
    CHECK(found->session_sign == "s-1");
    CHECK(found->credit == expected);
    // Redemption hands the same back.
    const auto redeemed = store.redeem("c1", 1);
    CHECK(redeemed.record.credit == expected);

    const auto plain = store.find("c2", 0);
    REQUIRE(plain.has_value());
    CHECK_FALSE(plain->session_sign.has_value());
    CHECK_FALSE(plain->credit.has_value());
  }

  TEST_CASE("a code keeps what Credit Pay hands back to the platform later") {
    authsim::state::memory_code_store store;
    authsim::state::code_record r = code("c1", 0, 1000);
    r.custom_no = "473_32_86000698";
    r.customer_token = std::string(300, 't') + "\"quoted\"";
    r.callback_url = "https://p.example/payment/callback";
    r.client_ip = "2001:db8::1";
    r.lang = "zh-CN";
    r.session_sign = "";  // present but empty: not the same as absent
    store.issue(authsim::state::code_record(r), 0);
    const auto found = store.find("c1", 0);
    REQUIRE(found.has_value());
    CHECK(found->custom_no == r.custom_no);
    CHECK(found->customer_token == r.customer_token);
    CHECK(found->callback_url == r.callback_url);
    CHECK(found->client_ip == r.client_ip);
    CHECK(found->lang == r.lang);
    REQUIRE(found->session_sign.has_value());
    CHECK(found->session_sign->empty());
    // The listing filters on the packed custom_no.
    const authsim::state::code_filter wanted{std::nullopt, std::string("473_32_86000698")};
    CHECK(store.list(wanted, 10, 0).count == 1);
    const authsim::state::code_filter other{std::nullopt, std::string("473_32_8600069")};
    CHECK(store.list(other, 10, 0).count == 0);
  }
}

TEST_SUITE("code store: open tokens") {
  TEST_CASE("a redeemed code stays readable until its open token ends, then the retention") {
    authsim::state::memory_code_store store(/*retention_ms=*/1000);
    store.issue(code("c1", 0, 300), 0);
    store.issue(code("c2", 0, 300), 0);
    CHECK(store.redeem("c1", 10, /*keep_until_ms=*/5000).outcome == authsim::state::redeem_outcome::redeemed);
    // Its own expiry is what it was: a second redemption is refused as a
    // repeat, not let through.
    CHECK(store.redeem("c1", 400).outcome == authsim::state::redeem_outcome::already_redeemed);
    // c2 went with its expiry and the retention; c1 is still held.
    CHECK_FALSE(store.find("c2", 1300).has_value());
    REQUIRE(store.find("c1", 1300).has_value());
    CHECK(store.find("c1", 5999).has_value());
    CHECK_FALSE(store.find("c1", 6000).has_value());
  }
}

TEST_SUITE("code store: shared texts") {
  TEST_CASE("callback URLs and languages come back right, shared or, past the table's limit, kept per code") {
    authsim::state::memory_code_store store;
    const std::size_t n = authsim::state::memory_code_store::shared_text_limit + 50;
    for (std::size_t i = 0; i < n; ++i) {
      authsim::state::code_record r = code("c" + std::to_string(i), 0, 1000);
      r.callback_url = "https://p.example/cb/" + std::to_string(i);
      r.lang = i % 2 == 0 ? "zh-CN" : "en-US";
      store.issue(std::move(r), 0);
    }
    for (const std::size_t i : {std::size_t{0}, std::size_t{1}, n - 2, n - 1}) {
      const auto found = store.find("c" + std::to_string(i), 0);
      REQUIRE(found.has_value());
      CHECK(found->callback_url == "https://p.example/cb/" + std::to_string(i));
      CHECK(found->lang == (i % 2 == 0 ? "zh-CN" : "en-US"));
    }
  }
}

TEST_SUITE("code store: keys in place") {
  TEST_CASE("a name longer than a code is simply unknown, and cannot be issued") {
    authsim::state::memory_code_store store;
    const std::string longest(32, 'a');
    store.issue(code(longest, 0, 1000), 0);
    CHECK(store.find(longest, 0).has_value());
    CHECK(store.find(longest, 0)->ident_code == longest);
    const std::string longer(33, 'a');
    CHECK_FALSE(store.find(longer, 0).has_value());
    CHECK(store.redeem(longer, 0).outcome == authsim::state::redeem_outcome::unknown);
    CHECK_THROWS_AS(store.issue(code(longer, 0, 1000), 0), std::length_error);
    CHECK(store.list({}, 10, 0).items.at(0).ident_code == longest);
  }
}

TEST_SUITE("packed text") {
  TEST_CASE("texts come back as given, absent and empty stay apart, copies are deep") {
    using packed = authsim::support::packed_text<4>;
    const packed p({std::string_view("abc"), std::nullopt, std::string_view(""), std::string_view("z")});
    CHECK(p.get(0) == "abc");
    CHECK_FALSE(p.get(1).has_value());
    REQUIRE(p.get(2).has_value());
    CHECK(p.get(2)->empty());
    CHECK(p.get(3) == "z");
    CHECK_FALSE(p.get(4).has_value());
    CHECK(p.value_or_empty(1).empty());
    packed copy = p;
    CHECK(copy.get(0) == "abc");
    CHECK(copy.get(0)->data() != p.get(0)->data());
    const packed none;
    CHECK_FALSE(none.get(0).has_value());
    packed assigned;
    assigned = none;
    CHECK_FALSE(assigned.get(3).has_value());
  }
}

TEST_SUITE("platform endpoints") {
  TEST_CASE("endpoints start from the fixtures, a change sets, unsets or keeps each one") {
    authsim::fixtures::fixture_set set;
    authsim::fixtures::platform p;
    p.plat_id = "p1";
    p.webhook_url = "https://p.example/hook";
    set.platforms.push_back(p);
    authsim::state::memory_platform_endpoints store(set);
    authsim::state::platform_endpoints& shared = store;
    const std::string p1 = "p1";
    REQUIRE(shared.get(p1).has_value());
    CHECK(shared.get(p1)->webhook_url == "https://p.example/hook");
    CHECK_FALSE(shared.get(p1)->credit_limit_url.has_value());

    authsim::state::endpoints_change change;
    change.credit_limit_url.emplace("http://127.0.0.1:9000/credit");
    const auto after = authsim::support::run_sync(shared.async_change(p1, change));
    REQUIRE(after.has_value());
    CHECK(after->webhook_url == "https://p.example/hook");  // left out: kept
    CHECK(after->credit_limit_url == "http://127.0.0.1:9000/credit");

    authsim::state::endpoints_change unset;
    unset.webhook_url.emplace(std::nullopt);
    CHECK_FALSE(authsim::support::run_sync(shared.async_change(p1, unset))->webhook_url.has_value());
    CHECK_FALSE(shared.get(p1)->webhook_url.has_value());

    const std::string unknown = "nope";
    CHECK_FALSE(authsim::support::run_sync(shared.async_change(unknown, change)).has_value());
    CHECK_FALSE(shared.get(unknown).has_value());
  }
}

#include "state/clock.hpp"
#include "state/code_store.hpp"
#include "state/expiring_map.hpp"

#include <map>
#include "state/token_store.hpp"

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
    store.issue(r, 0);
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

  TEST_CASE("entries leave in the order they came; one added after the clock went back waits its turn") {
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
}

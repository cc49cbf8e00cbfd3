// Mixed traffic for scripts/soak.sh: both APIs, redemptions, waybill capacity checks,
// requests that are meant to be refused, and scenario faults, from several
// threads for a bounded time. Every answer is checked against what its
// request should get; anything else is counted as unexpected, and the exit
// status says whether there was any.
//
// Usage: authsim_loadgen PORT SECONDS [THREADS]
#include "support/crypto.hpp"
#include "support/http_client.hpp"

#include <boost/json/parse.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

namespace {

using authsim::testing::http_client;
using authsim::testing::http_response;
using steady = std::chrono::steady_clock;

const std::string plat_id = "328cf95950f54f89a2dd4c3bf98ac5fb";
const std::string api_key = "kHm2nk3dgrBhn10v494XqwpPOV7gn1Uu0rUVMuxpxAowvNfXEs5UzZueUdq7vgNc";
const std::string signature_key =
    "18dd8a3c8003d2adcd13cb9981618bedd759a19f697a46d270542c6023479a08f541a5fa7f2e09a6f93cab7fe5de3b1b465abxxx";
const std::string login_body =
    R"({"appKey":"IE-UOCS-OUT","appSecret":"fykj12345678","deviceId":"d","hostName":"h","ip":"10.0.0.1",)"
    R"("userId":"fc0001","password":"8bb2423a0e1c4d0a"})";

struct counters {
  std::atomic<long> requests{0};
  std::atomic<long> refused_as_meant{0};
  std::atomic<long> faults_injected{0};
  std::atomic<long> unexpected{0};
};

std::atomic<std::int64_t> clock_offset_ms{0};  // what the admin clock has been moved by
std::atomic<int> clock_steps{0};               // how many times it was moved

std::int64_t sim_now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count() + clock_offset_ms.load();
}

void unexpected(counters& n, const char* what, const http_response* res) {
  if (n.unexpected++ < 10) {
    std::fprintf(stderr, "loadgen: unexpected %s: %s\n", what, res != nullptr ? res->body.c_str() : "(no answer)");
  }
}

void worker(std::uint16_t port, steady::time_point end, unsigned id, counters& n) {
  std::unique_ptr<http_client> c;
  unsigned i = id;
  while (steady::now() < end) {
    ++i;
    try {
      if (!c) {
        c = std::make_unique<http_client>(port);
      }
      ++n.requests;
      switch (i % 6) {
        case 0:
        case 1: {  // identify, then redeem
          const std::string body = R"({"custom_no":"u)" + std::to_string(i) +
                                   R"(","customer_token":"t","token_expire":)" + std::to_string(sim_now_ms() + 3'600'000) +
                                   R"(,"callback_url":"https://a.example/cb","client_ip":"10.0.0.1"})";
          const std::string sig = authsim::support::base64_encode(authsim::support::hmac(
              authsim::support::hmac_algorithm::sha1, signature_key, "/v1/platform/identify/auth" + body));
          const auto res = c->post("/dg/v1/platform/identify/auth?platId=" + plat_id, body,
                                   {{"trace", "soak"}, {"api-key", api_key}, {"signature", sig}});
          if (res.status != 200) {
            unexpected(n, "identify answer", &res);
            break;
          }
          const std::string code(res.json().at("data").at("ident_code").as_string());
          ++n.requests;
          const int steps = clock_steps.load();
          const auto redeemed = c->post("/dg/v1/identify/redirect", R"({"ident_code":")" + code + R"("})",
                                        {{"trace", "soak"}});
          // A worker that stalled across two clock steps may find its code
          // expired: expected then, and only then.
          const bool may_expire = clock_steps.load() - steps >= 1;
          if (redeemed.status != 200 && !(may_expire && redeemed.status == 400)) {
            unexpected(n, "redirect answer", &redeemed);
          }
          break;
        }
        case 2: {  // login, then a capacity check with the token (the upstream's example)
          const auto res = c->post("/apis-auth/login/auth", login_body);
          const auto j = res.json();
          if (!j.at("success").as_bool()) {
            unexpected(n, "login answer", &res);
            break;
          }
          ++n.requests;
          const int steps = clock_steps.load();
          const auto capacity = c->post(
              "/uocs-tes/waybill/api/carrierWaybill",
              R"({"devCode":"tc123456","gpsType":1,"senderLon":"113.9311883","senderLat":"22.5616979",)"
              R"("goodsType":1,"goodsWeight":8000,"receiverLon":"114.0267861","receiverLat":"22.5353805"})",
              {{"token", std::string(j.at("obj").at("token").as_string())}});
          const bool may_expire = clock_steps.load() - steps >= 1;
          if (!capacity.json().at("success").as_bool() && !may_expire) unexpected(n, "capacity answer", &capacity);
          break;
        }
        case 3: {  // meant to be refused: a bad signature
          const auto res = c->post("/dg/v1/platform/identify/auth?platId=" + plat_id, "{}",
                                   {{"trace", "soak"}, {"api-key", api_key}, {"signature", "bad"}});
          if (res.status == 401) ++n.refused_as_meant; else unexpected(n, "bad-signature answer", &res);
          break;
        }
        case 4: {  // an injected upstream error
          const auto res = c->post("/apis-auth/login/auth", login_body, {{"X-Authsim-Scenario", "upstream-error"}});
          if (res.json().at("errorCode") == "10006") ++n.faults_injected; else unexpected(n, "upstream-error answer", &res);
          break;
        }
        case 5: {  // an injected reset, once in a while
          if (i % 30 != 5) {
            const auto res = c->post("/nowhere", "{}");
            if (res.status == 404) ++n.refused_as_meant; else unexpected(n, "404 answer", &res);
            break;
          }
          try {
            c->post("/apis-auth/login/auth", login_body, {{"X-Authsim-Scenario", "reset"}});
            unexpected(n, "answer where a reset was injected", nullptr);
          } catch (const boost::system::system_error&) {
            ++n.faults_injected;
          }
          c.reset();
          break;
        }
      }
    } catch (const std::exception& e) {
      unexpected(n, e.what(), nullptr);
      c.reset();
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: authsim_loadgen PORT SECONDS [THREADS]\n");
    return 2;
  }
  const auto port = static_cast<std::uint16_t>(std::stoi(argv[1]));
  const int seconds = std::stoi(argv[2]);
  const unsigned threads = argc > 3 ? static_cast<unsigned>(std::stoi(argv[3])) : 4;
  const auto start = steady::now();
  const auto end = start + std::chrono::seconds(seconds);
  counters n;
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t) {
    pool.emplace_back(worker, port, end, t, std::ref(n));
  }
  // Move the simulated clock 4 minutes every second, so that codes and
  // tokens expire and are swept as they would over a long run. A step stays
  // under the 5 minutes a code lives, so a code issued just before a step
  // is still good for the redemption that follows it.
  http_client admin(port);
  while (steady::now() < end) {
    std::this_thread::sleep_for(std::chrono::seconds(1));
    constexpr std::int64_t step = 4 * 60 * 1000;
    if (admin.request("PUT", "/__admin/clock", R"({"advance_ms":)" + std::to_string(step) + "}").status == 200) {
      clock_offset_ms += step;
      ++clock_steps;
    }
  }
  for (auto& t : pool) {
    t.join();
  }
  const double elapsed = std::chrono::duration<double>(steady::now() - start).count();
  std::printf("loadgen: %ld requests in %.1f s (%.0f/s), %ld refused as meant, %ld faults injected, %ld unexpected\n",
              n.requests.load(), elapsed, static_cast<double>(n.requests.load()) / elapsed, n.refused_as_meant.load(),
              n.faults_injected.load(), n.unexpected.load());
  return n.unexpected.load() == 0 ? 0 : 1;
}

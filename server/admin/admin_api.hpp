#pragma once
// The admin API's own routes (the scenario routes are in scenarios_api):
//   GET    /__admin/health                      status, version, uptime, fixture counts
//   POST   /__admin/reset                       forget codes, tokens, journal, scenario counters
//   GET    /__admin/state                       live codes and tokens (?platform=&custom_no=&userId=)
//   GET    /__admin/requests                    the journal (?limit=&path=&outcome=)
//   DELETE /__admin/requests                    clear it
//   GET    /__admin/requests/wait               long-poll (?path=&outcome=&count=|changed_from=&limit=&timeout_ms=)
//   GET    /__admin/changes                     long-poll on the change feed (?after=&timeout_ms=)
//   GET    /__admin/platforms                   the fixtures' platforms with their mode and endpoints
//   GET    /__admin/clock, PUT /__admin/clock   read and move the simulated clock
//   GET    /__admin/metrics                     Prometheus text
//   GET|PUT /__admin/platforms/{platId}/verification
//   GET|PUT /__admin/platforms/{platId}/endpoints     webhook_url, credit_limit_url
// Every part it touches is thread-safe; the fixtures are read-only. The
// calls that read or change shared state are coroutines (the stores may
// be shared between replicas); they are awaited at once.

#include "admin/access.hpp"
#include "admin/change_feed.hpp"
#include "creditpay/payments.hpp"
#include "faults/engine.hpp"
#include "fixtures/fixtures.hpp"
#include "http/router.hpp"
#include "journal/store.hpp"
#include "state/clock.hpp"
#include "state/code_store.hpp"
#include "state/metrics.hpp"
#include "state/platform_endpoints.hpp"
#include "state/token_store.hpp"
#include "state/verification_modes.hpp"
#include "uocs/waybills.hpp"

#include <chrono>
#include <functional>
#include <memory>

namespace authsim::admin {

struct admin_parts {
  std::shared_ptr<const fixtures::fixture_set> fixtures;
  state::clock& clock;
  state::code_store& codes;
  state::token_store& tokens;
  journal::store& journal;
  state::metrics& metrics;
  state::verification_modes& modes;
  state::platform_endpoints& endpoints;
  faults::engine& engine;
  // The payments, the waybills and the deliveries they make (reset forgets
  // them, the metrics count what is pending), and who must know when the
  // clock moves (the job scheduler). Any may be absent.
  creditpay::payments* payments = nullptr;
  uocs::waybills* waybills = nullptr;
  outbound::deliveries* deliveries = nullptr;
  std::function<void()> clock_moved;
  // The dashboard's feed of changes outside the journal; never null.
  change_feed* changes = nullptr;
  // Where the run-time state lives ({"backend":"memory"}, or the Redis and
  // whether it answers a PING now); null: memory.
  std::function<net::awaitable<json::object>()> describe_state;
  // Fills the shared state's counters of the metrics; null: memory.
  std::function<void(state::metrics::gauges&)> state_gauges;
};

class admin_api {
 public:
  explicit admin_api(admin_parts parts);

  void register_routes(http::router& r, const access_guard& guard) const;

  [[nodiscard]] net::awaitable<http::response> health(const http::request& req) const;
  [[nodiscard]] net::awaitable<http::response> reset(const http::request& req) const;
  [[nodiscard]] net::awaitable<http::response> state(const http::request& req) const;
  [[nodiscard]] net::awaitable<http::response> requests(const http::request& req) const;
  [[nodiscard]] net::awaitable<http::response> clear_requests(const http::request& req) const;
  // A long poll: suspends until the journal has the entries, the time-out,
  // or the server stopping or the client leaving (req.interrupts).
  [[nodiscard]] net::awaitable<http::response> wait(const http::request& req) const;
  // Long-polls the change feed (GET /__admin/changes).
  [[nodiscard]] net::awaitable<http::response> changes(const http::request& req) const;
  [[nodiscard]] net::awaitable<http::response> platforms(const http::request& req) const;
  [[nodiscard]] http::response clock(const http::request& req) const;
  [[nodiscard]] net::awaitable<http::response> move_clock(const http::request& req) const;
  [[nodiscard]] net::awaitable<http::response> metrics(const http::request& req) const;
  // /__admin/platforms/{platId}/…: verification or endpoints.
  [[nodiscard]] net::awaitable<http::response> platform(const http::request& req) const;
  [[nodiscard]] net::awaitable<http::response> verification(const http::request& req,
                                                            const std::string& plat_id) const;
  [[nodiscard]] net::awaitable<http::response> endpoints(const http::request& req, const std::string& plat_id) const;

 private:
  admin_parts parts_;
  std::chrono::steady_clock::time_point started_;
};

}  // namespace authsim::admin

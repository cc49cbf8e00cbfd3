#pragma once
// The server's parts wired as the application wires them, without a
// socket: the default fixtures, the in-memory state, both APIs, the admin
// API (unless left out), the scenario engine and the request pipeline.
// Tests add routes of their own before calling finish().

#include "admin/access.hpp"
#include "admin/admin_api.hpp"
#include "admin/answers.hpp"
#include "admin/scenarios_api.hpp"
#include "creditpay/api.hpp"
#include "faults/engine.hpp"
#include "fixtures/fixtures.hpp"
#include "http/router.hpp"
#include "journal/store.hpp"
#include "pipeline/pipeline.hpp"
#include "unit/scripted_outbound.hpp"
#include "state/active_scenario.hpp"
#include "state/clock.hpp"
#include "state/code_store.hpp"
#include "state/metrics.hpp"
#include "state/platform_endpoints.hpp"
#include "state/scenario_counters.hpp"
#include "state/token_store.hpp"
#include "state/verification_modes.hpp"
#include "uocs/api.hpp"
#include "uocs/waybills.hpp"

#include <boost/asio/io_context.hpp>

#include <atomic>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <utility>

namespace authsim::testing {

// What uocs::api needs besides the tokens: the waybills, their deliveries
// and a scheduler whose jobs are kept, never run.
struct waybill_parts {
  waybill_parts(std::shared_ptr<const fixtures::fixture_set> set, const state::clock& clock)
      : apps(*set),
        scheduler(std::make_shared<jobs::memory_scheduler>(jobs_context.get_executor(), clock)),
        records([this](state::scheduled_job j) { scheduler->add(std::move(j)); }),
        deliveries(clock, outbound, metrics, records, *scheduler),
        book(std::move(set), clock, apps, records, deliveries, *scheduler) {}
  state::memory_app_endpoints apps;
  state::metrics metrics;
  scripted_outbound outbound;
  net::io_context jobs_context;
  std::shared_ptr<jobs::memory_scheduler> scheduler;
  state::memory_records records;
  outbound::deliveries deliveries;
  uocs::waybills book;
};

struct world {
  std::shared_ptr<const fixtures::fixture_set> set =
      std::make_shared<const fixtures::fixture_set>(fixtures::load_fixture_set(AUTHSIM_FIXTURES_DIR));
  state::memory_clock clock;
  state::memory_code_store codes;
  state::memory_token_store tokens;
  state::memory_verification_modes modes{*set};
  state::memory_platform_endpoints endpoints{*set};
  state::memory_active_scenario active;
  state::memory_scenario_counters counters;
  journal::memory_store journal{100};
  state::metrics metrics;
  scripted_outbound outbound;
  creditpay::api cp{set, clock, codes, modes, endpoints, outbound, "http://sim.example"};
  waybill_parts waybills{set, clock};
  uocs::api uo{set, clock, tokens, waybills.book, "http://sim.example"};
  http::router router{[this](const http::request& req, const http::failure& f) { return cp.render_failure(req, f); }};
  std::optional<faults::engine> engine;
  admin::access_guard guard{admin::access_config{}};
  admin::change_feed changes;
  std::optional<admin::scenarios_api> scenarios_admin;
  std::optional<admin::admin_api> admin_routes;
  std::atomic<bool> stopping{false};
  std::optional<pipeline::pipeline> pipe;

  explicit world(bool with_admin = true) {
    cp.register_routes(router);
    uo.register_routes(router);
    engine.emplace(std::filesystem::path(AUTHSIM_FIXTURES_DIR) / "scenarios", router.paths(),
                   faults::engine_state{clock, active, counters}, 480, 7);
    engine->load();
    if (!with_admin) {
      return;
    }
    router.add_family(admin::prefix, [](const http::request& req, const http::failure& f) {
      return admin::render_failure(req, f);
    });
    scenarios_admin.emplace(*engine);
    scenarios_admin->register_routes(router, guard);
    admin_routes.emplace(admin::admin_parts{set, clock, codes, tokens, journal, metrics, modes, endpoints, *engine,
                                            nullptr, &waybills.book, &waybills.deliveries, nullptr, &changes, nullptr,
                                            nullptr});
    admin_routes->register_routes(router, guard);
  }

  // Builds the pipeline once the routes are all there.
  pipeline::pipeline& finish() {
    pipe.emplace(pipeline::parts{router, &*engine, &journal, &metrics, &clock, nullptr, [this] { return stopping.load(); }});
    return *pipe;
  }
};

inline http::request make_request(const std::string& method, const std::string& target, std::string body = {},
                                  const std::vector<std::pair<std::string, std::string>>& headers = {}) {
  http::request req;
  req.method = method;
  req.target = target;
  req.body = std::move(body);
  req.remote_address = "127.0.0.1";
  for (const auto& [name, value] : headers) {
    req.headers.add(name, value);
  }
  return req;
}

inline std::string uocs_login_body(const std::string& user = "fc0001") {
  return R"({"appKey":"IE-UOCS-OUT","appSecret":"fykj12345678","deviceId":"00:FF:16:4B:63:57",)"
         R"("hostName":"SF0001304522C","requestId":"r-1","ip":"192.168.255.10","userId":")" +
         user + R"(","password":"8bb2423a0e1c4d0a"})";
}

}  // namespace authsim::testing

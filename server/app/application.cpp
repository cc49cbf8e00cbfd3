#include "app/application.hpp"

#include "admin/access.hpp"
#include "admin/admin_api.hpp"
#include "admin/answers.hpp"
#include "admin/change_feed.hpp"
#include "admin/dashboard.hpp"
#include "admin/scenarios_api.hpp"
#include "creditpay/api.hpp"
#include "faults/engine.hpp"
#include "http/router.hpp"
#include "journal/store.hpp"
#include "pipeline/pipeline.hpp"
#include "redis/backend.hpp"
#include "redis/journal.hpp"
#include "redis/settings.hpp"
#include "redis/stores.hpp"
#include "state/active_scenario.hpp"
#include "state/clock.hpp"
#include "state/code_store.hpp"
#include "state/metrics.hpp"
#include "admin/deliveries_api.hpp"
#include "admin/payments_api.hpp"
#include "admin/waybills_api.hpp"
#include "creditpay/payments.hpp"
#include "jobs/scheduler.hpp"
#include "redis/records.hpp"
#include "state/records.hpp"
#include "outbound/http_client.hpp"
#include "state/platform_endpoints.hpp"
#include "state/scenario_counters.hpp"
#include "state/token_store.hpp"
#include "state/verification_modes.hpp"
#include "support/async.hpp"
#include "support/event.hpp"
#include "support/log.hpp"
#include "support/run_sync.hpp"
#include "support/version.hpp"
#include "transport/connection_tracker.hpp"
#include "transport/listener.hpp"
#include "transport/session.hpp"
#include "transport/tls_context.hpp"
#include "uocs/api.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/json/array.hpp>

#include <csignal>
#include <filesystem>
#include <optional>
#include <random>
#include <thread>
#include <vector>

namespace authsim::app {

using tcp = net::ip::tcp;

namespace {

tcp::endpoint resolve_listen_address(net::io_context& ioc, const options& opts) {
  error_code ec;
  const auto address = net::ip::make_address(opts.host, ec);
  if (!ec) {
    return {address, opts.port};
  }
  tcp::resolver resolver(ioc);
  const auto results = resolver.resolve(opts.host, std::to_string(opts.port), tcp::resolver::passive, ec);
  if (ec || results.empty()) {
    throw startup_error("--host: cannot resolve '" + opts.host + "' to an address" +
                        (ec ? " (" + ec.message() + ")" : std::string()));
  }
  return results.begin()->endpoint();
}

std::string url_of(const tcp::endpoint& ep, bool tls = false) {
  const auto address = ep.address();
  const std::string host = address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
  return (tls ? "https://" : "http://") + host + ":" + std::to_string(ep.port());
}

// What a caller of the admin API meets, as the start-up line says it:
// `off` (--no-admin), `token` (the Bearer token), `loopback` (bound to a
// loopback address: anyone who can reach it), `open` (--admin-open off
// loopback: anyone), `health-only` (off loopback without either: every call
// is refused 403 but the health probe from the machine itself).
const char* admin_access_name(const options& opts, bool bound_to_loopback) {
  if (!opts.admin_enabled) return "off";
  if (!opts.admin_token.empty()) return "token";
  if (bound_to_loopback) return "loopback";
  return opts.admin_open ? "open" : "health-only";
}

// What was loaded, in one line, so that a partner reading the log sees at
// once which fixtures this server answers from.
void log_startup(const options& opts, const fixtures::fixture_set& fx, const faults::engine& engine,
                 std::uint64_t seed, const std::string& base_url, net::ssl::context* tls,
                 const json::object& state, bool bound_to_loopback) {
  json::object fields;
  json::array platforms;
  for (const auto& p : fx.platforms) {
    platforms.emplace_back(p.plat_id);
  }
  json::array apps;
  json::array accounts;
  for (const auto& app : fx.apps) {
    apps.emplace_back(app.app_key);
    for (const auto& account : app.accounts) {
      accounts.emplace_back(account.user_id);
    }
  }
  const std::size_t account_count = accounts.size();
  json::array stubs;
  for (const auto& stub : fx.stubs) {
    stubs.emplace_back(stub.path);
  }
  json::array scenarios;
  for (const auto& info : engine.list()) {
    scenarios.emplace_back(info.name);
  }
  const std::string active = engine.active().value_or("none");
  const std::string certificate = tls != nullptr ? transport::describe_certificate(*tls) : std::string();
  fields["event"] = "startup";
  fields["msg"] = "authsim " + std::string(support::version()) + " started";
  fields["version"] = support::version();
  fields["listen"] = base_url;
  fields["fixtures"] = opts.fixtures_dir;
  fields["platforms"] = std::move(platforms);
  fields["apps"] = std::move(apps);
  fields["accounts"] = std::move(accounts);
  fields["stubs"] = std::move(stubs);
  fields["scenarios"] = std::move(scenarios);
  fields["active_scenario"] = active;
  fields["seed"] = seed;
  const char* admin = admin_access_name(opts, bound_to_loopback);
  fields["admin"] = admin;
  fields["tls"] = tls != nullptr ? json::value(certificate) : json::value(nullptr);
  fields["state"] = state;
  const std::string text = "authsim " + std::string(support::version()) + " on " + base_url + " from " +
                           opts.fixtures_dir + ": " + std::to_string(fx.platforms.size()) + " platform(s), " +
                           std::to_string(fx.apps.size()) + " app(s), " + std::to_string(account_count) +
                           " account(s), " + std::to_string(fx.stubs.size()) + " stub(s), " +
                           std::to_string(engine.list().size()) + " scenario(s) loaded, active: " + active +
                           ", random seed " + std::to_string(seed) + " (replay with --seed " + std::to_string(seed) +
                           "), admin API: " + admin + (tls != nullptr ? "; TLS certificate " + certificate : "") +
                           (opts.state != "memory" ? "; state shared in Redis at " + opts.state + " under prefix " +
                                                         opts.state_prefix
                                                   : "");
  support::log_event(support::log_level::info, fields, text);
}

std::unique_ptr<redis::backend> make_backend(const options& opts) {
  if (opts.state == "memory") {
    return nullptr;
  }
  std::string error;
  std::optional<redis::address> where = redis::parse_address(opts.state, error);
  if (!where) {
    throw startup_error("--state: " + error);
  }
  return std::make_unique<redis::backend>(redis::backend_config{std::move(*where), opts.state_prefix,
                                                                opts.state_timeout});
}

}  // namespace

// Declared in the order they are built; destroyed in reverse, so the
// io_context (and the sessions it may still hold) goes before the state
// and routes the sessions refer to.
struct application::parts {
  options opts;
  std::shared_ptr<const fixtures::fixture_set> fixtures;
  std::uint64_t seed;

  // The run-time state: in this process, or (--state redis://…) in a Redis
  // shared with other replicas. The memory stores exist either way (they
  // cost nothing until used); the references below say which serve.
  state::memory_clock own_clock;
  state::memory_code_store own_codes{state::memory_code_store::default_retention_ms, opts.max_codes};
  state::memory_token_store own_tokens{state::memory_token_store::default_retention_ms, opts.max_tokens};
  state::memory_verification_modes own_modes{*fixtures};
  state::memory_platform_endpoints own_endpoints{*fixtures};
  state::memory_app_endpoints own_apps{*fixtures};
  state::memory_active_scenario own_active;
  state::memory_scenario_counters own_counters;
  std::unique_ptr<redis::backend> redis = make_backend(opts);
  std::unique_ptr<redis::shared_settings> shared =
      redis ? std::make_unique<redis::shared_settings>(*redis, fixtures) : nullptr;
  state::clock& clock = shared ? shared->clock() : own_clock;
  std::unique_ptr<redis::shared_code_store> shared_codes =
      redis ? std::make_unique<redis::shared_code_store>(*redis, clock, opts.max_codes) : nullptr;
  std::unique_ptr<redis::shared_token_store> shared_tokens =
      redis ? std::make_unique<redis::shared_token_store>(*redis, clock, opts.max_tokens) : nullptr;
  std::unique_ptr<redis::shared_scenario_counters> shared_counters =
      redis ? std::make_unique<redis::shared_scenario_counters>(*redis) : nullptr;
  state::code_store& codes = shared_codes ? static_cast<state::code_store&>(*shared_codes) : own_codes;
  state::token_store& tokens = shared_tokens ? static_cast<state::token_store&>(*shared_tokens) : own_tokens;
  state::verification_modes& modes = shared ? shared->modes() : own_modes;
  state::platform_endpoints& endpoints = shared ? shared->endpoints() : own_endpoints;
  state::app_endpoints& apps = shared ? shared->apps() : own_apps;
  state::active_scenario& active = shared ? shared->active() : own_active;
  state::scenario_counters& counters =
      shared_counters ? static_cast<state::scenario_counters&>(*shared_counters) : own_counters;
  journal::memory_store own_journal{opts.journal_size};
  std::unique_ptr<redis::shared_journal> shared_journal =
      redis ? std::make_unique<redis::shared_journal>(*redis, opts.journal_size) : nullptr;
  journal::store& journal = shared_journal ? static_cast<journal::store&>(*shared_journal) : own_journal;
  state::metrics metrics;
  transport::connection_tracker tracker;

  std::shared_ptr<net::ssl::context> tls;
  std::optional<creditpay::api> creditpay_api;
  std::optional<uocs::api> uocs_api;
  std::optional<http::router> router;
  std::optional<faults::engine> engine;
  std::optional<admin::access_guard> guard;
  // What the dashboard waits on besides the journal (GET /__admin/changes).
  admin::change_feed changes;
  std::optional<admin::scenarios_api> scenarios_admin;
  std::optional<admin::admin_api> admin_routes;
  std::optional<pipeline::pipeline> pipeline;
  std::optional<transport::session_context> session;

  net::io_context ioc{static_cast<int>(opts.threads)};
  // After the io_context: its connections go before the io_context does.
  std::optional<outbound::http_client> outbound;
  std::shared_ptr<jobs::scheduler> scheduler;
  std::unique_ptr<state::records> records;  // payments, deliveries, waybills
  std::optional<outbound::deliveries> deliveries;
  std::optional<creditpay::payments> payments;
  std::optional<uocs::waybills> waybills;
  std::optional<admin::payments_api> payments_admin;
  std::optional<admin::deliveries_api> deliveries_admin;
  std::optional<admin::waybills_api> waybills_admin;
  net::strand<net::io_context::executor_type> control{net::make_strand(ioc)};  // acceptor and signals live here
  tcp::acceptor acceptor{control};
  std::optional<net::signal_set> stop_signals;
  std::optional<net::signal_set> reload_signal;
  std::vector<std::thread> threads;
  std::string base_url;
  bool draining = false;  // on the control strand

  parts(options o, std::shared_ptr<const fixtures::fixture_set> f)
      : opts(std::move(o)), fixtures(std::move(f)), seed(opts.seed ? *opts.seed : std::random_device{}()) {}
  parts(const parts&) = delete;
  parts& operator=(const parts&) = delete;
  // A drain cut short (a second signal) leaves its wake-up with the
  // tracker, which outlives the io_context its timer belongs to. The Redis
  // thread stops first: its callbacks reach the shared settings.
  ~parts() {
    tracker.notify_when_empty(nullptr);
    if (redis) {
      redis->stop();
    }
  }

  void build_routes();
  // Where the run-time state lives, for the health answer and the start-up line.
  [[nodiscard]] json::object describe_state() const {
    return redis ? redis->describe() : json::object{{"backend", "memory"}};
  }
  void bind();
  void spawn_threads(unsigned n);
  void add_admin_routes();
  void begin_stop(const char* why);
  net::awaitable<void> drain();
  void on_stop_signal(const error_code& ec, int signo);
  void on_reload_signal(const error_code& ec, int signo);
};

// The simulated APIs' routes, and the scenario engine over their paths.
void application::parts::build_routes() {
  creditpay_api.emplace(fixtures, clock, codes, modes, endpoints, *outbound, opts.public_base_url);
  for (const auto& stub : fixtures->stubs) {
    if (uocs::models_path(stub.path)) {
      throw startup_error((std::filesystem::path(opts.fixtures_dir) / "stubs" / (stub.name + ".json")).string() +
                          ": path: " + stub.path + " is a call authsim answers itself; a stub is for paths it does "
                          "not model");
    }
  }
  uocs_api.emplace(fixtures, clock, tokens, *waybills, opts.public_base_url);
  router.emplace([this](const http::request& req, const http::failure& f) {
    // Paths outside both APIs answer in the Credit Pay shape
    // ({"code","msg","data","trace"}), the simpler of the two envelopes.
    return creditpay_api->render_failure(req, f);
  });
  creditpay_api->register_routes(*router);
  uocs_api->register_routes(*router);
  // Scenario rules may name every simulated endpoint, stubs included.
  engine.emplace(std::filesystem::path(opts.fixtures_dir) / "scenarios", router->paths(),
                 faults::engine_state{clock, active, counters}, fixtures->uocs.date_utc_offset_minutes, seed);
}

void application::parts::bind() {
  const tcp::endpoint wanted = resolve_listen_address(ioc, opts);
  error_code ec;
  acceptor.open(wanted.protocol(), ec);
  if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(wanted, ec);
  if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    throw startup_error("--host/--port: cannot listen on " + url_of(wanted) + ": " + ec.message());
  }
  base_url = url_of(acceptor.local_endpoint(), tls != nullptr);
}

// Who may call the admin API depends on the address bound.
void application::parts::add_admin_routes() {
  guard.emplace(admin::access_config{opts.admin_token, acceptor.local_endpoint().address().is_loopback(),
                                     opts.admin_open});
  if (!opts.admin_enabled) {
    return;
  }
  guard->set_on_change([this] { changes.bump(); });
  if (guard->unprotected_off_loopback()) {
    support::log_message(support::log_level::warn, "the admin API is open to anyone who can reach " + base_url +
                                                       " (--admin-open without --admin-token)");
  }
  // Unknown admin paths and wrong methods are behind the guard too, so
  // that the routes cannot be listed without the token.
  router->add_family(admin::prefix, [this](const http::request& req, const http::failure& f) {
    if (auto refusal = guard->refuse(req)) {
      return std::move(*refusal);
    }
    return admin::render_failure(req, f);
  });
  scenarios_admin.emplace(*engine);
  scenarios_admin->register_routes(*router, *guard);
  admin_routes.emplace(admin::admin_parts{fixtures, clock, codes, tokens, journal, metrics, modes, endpoints, *engine,
                                          &*payments, &*waybills, &*deliveries, [s = std::weak_ptr(scheduler)] {
                                            // Weak: the scheduler goes with the io_context, before the routes.
                                            if (auto live = s.lock()) live->poke();
                                          },
                                          &changes,
                                          [this]() -> net::awaitable<json::object> {
                                            if (!redis) {
                                              co_return describe_state();
                                            }
                                            co_return co_await redis->check();
                                          },
                                          [this](state::metrics::gauges& g) {
                                            if (redis) {
                                              g.shared_state = true;
                                              g.state_round_trips = redis->commands().round_trips();
                                              g.state_sends = redis->commands().sends();
                                              g.state_unsent = redis->commands().unsent();
                                            }
                                          }});
  admin_routes->register_routes(*router, *guard);
  payments_admin.emplace(*payments, *deliveries);
  payments_admin->register_routes(*router, *guard);
  deliveries_admin.emplace(*deliveries);
  deliveries_admin->register_routes(*router, *guard);
  waybills_admin.emplace(*waybills, *deliveries, fixtures, clock, apps);
  waybills_admin->register_routes(*router, *guard);
  admin::register_dashboard(*router, *guard);
}

application::application(options opts, std::shared_ptr<const fixtures::fixture_set> fixtures)
    : parts_(std::make_unique<parts>(std::move(opts), std::move(fixtures))) {
  parts& p = *parts_;
  try {
    outbound::client_settings settings;
    settings.max_calls = p.opts.outbound_max_calls;
    settings.max_answer_bytes = p.opts.outbound_max_answer_bytes;
    settings.ca_file = p.opts.outbound_ca;
    p.outbound.emplace(p.ioc, std::move(settings));
  } catch (const std::runtime_error& e) {
    throw startup_error(e.what());
  }
  if (p.redis) {
    // Before anything reads the shared state: a Redis that does not answer
    // stops the start with its reason.
    try {
      p.redis->attach(p.ioc.get_executor());
      p.redis->wait_ready(p.ioc, std::max(p.opts.state_timeout * 2, std::chrono::milliseconds(1000)));
      support::run_on(p.ioc, p.shared->refresh());
    } catch (const std::runtime_error& e) {
      throw startup_error(e.what());
    }
  }
  if (p.redis) {
    auto shared = std::make_shared<redis::shared_scheduler>(*p.redis, p.clock, net::make_strand(p.ioc),
                                                            p.opts.state_lease);
    p.records = std::make_unique<redis::shared_records>(*p.redis, [weak = std::weak_ptr(shared)] {
      if (auto live = weak.lock()) live->poke();
    });
    // A clock moved by any replica: what became due runs now.
    p.shared->on_clock_moved = [weak = std::weak_ptr(shared), &changes = p.changes] {
      if (auto live = weak.lock()) live->poke();
      changes.bump();
    };
    p.scheduler = std::move(shared);
  } else {
    auto local = std::make_shared<jobs::memory_scheduler>(net::make_strand(p.ioc), p.clock);
    p.records = std::make_unique<state::memory_records>([weak = std::weak_ptr(local)](state::scheduled_job j) {
      if (auto live = weak.lock()) live->add(std::move(j));
    });
    p.scheduler = std::move(local);
  }
  p.deliveries.emplace(p.clock, *p.outbound, p.metrics, *p.records, *p.scheduler);
  // Payments, events and their attempts, waybills and pushes: the
  // dashboard hears of each commit (any replica's, with shared state).
  p.records->on_change = [was = std::move(p.records->on_change), &changes = p.changes] {
    if (was) was();
    changes.bump();
  };
  p.payments.emplace(p.fixtures, p.clock, p.codes, p.endpoints, *p.records, *p.deliveries);
  p.waybills.emplace(p.fixtures, p.clock, p.apps, *p.records, *p.deliveries, *p.scheduler);
  p.build_routes();
  p.engine->load();
  p.deliveries->set_fault_decider([&engine = *p.engine](const std::string& api, const std::string& type,
                                                        const std::string& lane) {
    return engine.decide_webhook(type, lane, api == uocs::api_name);
  });
  // "none" is the default spelled out, as the X-Authsim-Scenario header takes it.
  if (!p.opts.scenario.empty() && p.opts.scenario != "none" &&
      !support::run_on(p.ioc, p.engine->select(p.opts.scenario))) {
    throw startup_error("--scenario: no scenario named '" + p.opts.scenario + "' in " +
                        (std::filesystem::path(p.opts.fixtures_dir) / "scenarios").string() +
                        " (loaded: " + p.engine->names() + ")");
  }
  if (!p.opts.tls_cert.empty()) {
    try {
      p.tls = transport::make_tls_context(p.opts.tls_cert, p.opts.tls_key);
    } catch (const std::runtime_error& e) {
      throw startup_error(e.what());
    }
  }
}

application::~application() {
  parts& p = *parts_;
  if (!p.threads.empty()) {
    p.ioc.stop();
    for (auto& t : p.threads) {
      t.join();
    }
  }
}

void application::listen() {
  parts& p = *parts_;
  if (p.session) {
    return;
  }
  p.bind();
  if (p.opts.public_base_url.empty()) {
    p.creditpay_api->set_public_base_url(p.base_url);
    p.uocs_api->set_public_base_url(p.base_url);
  }
  p.add_admin_routes();
  p.pipeline.emplace(pipeline::parts{*p.router, &*p.engine, &p.journal, &p.metrics, &p.clock, p.shared.get(),
                                     [&tracker = p.tracker] { return tracker.stopping(); }});
  p.session.emplace(transport::session_context{
      *p.pipeline,
      p.tracker,
      {p.opts.body_limit, p.opts.header_limit, p.opts.read_timeout, p.opts.idle_timeout, p.opts.max_connections},
      p.tls.get(),
      p.opts.threads});
  log_startup(p.opts, *p.fixtures, *p.engine, p.seed, p.base_url, p.tls.get(), p.describe_state(),
              p.acceptor.local_endpoint().address().is_loopback());
  net::co_spawn(p.control, transport::accept_loop(p.ioc, p.acceptor, *p.session), net::detached);
  p.scheduler->start();
  // Whoever reads the listening line finds the start-up summary already on
  // stderr.
  support::flush_log(std::chrono::milliseconds(500));
}

void application::parts::spawn_threads(unsigned n) {
  threads.reserve(n);
  for (unsigned i = 0; i < n; ++i) {
    threads.emplace_back([this] { ioc.run(); });
  }
}

void application::start() {
  listen();
  parts_->spawn_threads(parts_->opts.threads);
}

int application::run() {
  listen();
  parts& p = *parts_;
  // The calling thread is one of the --threads: with one, the process has
  // no other (unless the log's writer starts).
  p.spawn_threads(p.opts.threads - 1);
  p.ioc.run();
  return wait();
}

std::uint16_t application::port() const { return parts_->acceptor.local_endpoint().port(); }

const std::string& application::base_url() const { return parts_->base_url; }

// On the control strand. The first stop drains; a second one stops at once.
void application::parts::begin_stop(const char* why) {
  if (draining) {
    support::log_line(std::string(why).starts_with("SIG") ? "second signal: stopping now"
                                                           : "second stop request: stopping now");
    ioc.stop();
    return;
  }
  draining = true;
  error_code ignored;
  acceptor.close(ignored);
  if (reload_signal) {
    reload_signal->cancel(ignored);
  }
  // Logged once no new connection can be accepted, so that a client that
  // sees this line also sees the port closed.
  support::log_line(std::string("received ") + why + ", finishing in-flight requests");
  net::co_spawn(control, drain(), net::detached);
}

// Closes idle connections, then waits for busy ones to finish, at most
// --shutdown-timeout-ms, and stops the io_context. It wakes when the last
// connection ends, not by polling. Calls to partners still under way are
// cancelled then, and their requests given cancelled_calls_grace to answer
// (and the scheduled jobs that made them to hand back their claims, looked
// at every 5 ms).
constexpr std::chrono::milliseconds cancelled_calls_grace{100};

net::awaitable<void> application::parts::drain() {
  tracker.shutdown();
  const auto none_left = std::make_shared<support::event>(control);
  tracker.notify_when_empty([none_left] { none_left->raise(); });
  const auto deadline = std::chrono::steady_clock::now() + opts.shutdown_timeout;
  while (tracker.active() > 0 && std::chrono::steady_clock::now() < deadline) {
    co_await none_left->wait_until(deadline);
  }
  // No more webhook events go out from here. In memory those not
  // delivered are lost, and counted; in Redis they wait for the other
  // replicas (or the next start).
  std::size_t undelivered = 0;
  try {
    undelivered = co_await deliveries->async_pending();
  } catch (const state::unavailable&) {
  }
  scheduler->stop();
  deliveries->stop();
  if (undelivered > 0) {
    support::log_message(support::log_level::warn,
                         std::to_string(undelivered) + " webhook event(s) and push(es) not yet delivered (scheduled "
                                                       "or awaiting a retry) " +
                             (redis ? "stay in the shared schedule for the other replicas" : "are dropped"));
  }
  // Calls to partners still under way end now; the requests that made
  // them get a moment to answer that (a 500 naming the cancellation).
  // So do the scheduled jobs (a shared schedule's hand their claims back).
  outbound->shutdown();
  const auto answer_deadline = std::chrono::steady_clock::now() + cancelled_calls_grace;
  while ((tracker.active() > 0 || scheduler->running() > 0) && std::chrono::steady_clock::now() < answer_deadline) {
    co_await none_left->wait_until(std::min(answer_deadline, std::chrono::steady_clock::now() + std::chrono::milliseconds(5)));
  }
  tracker.notify_when_empty(nullptr);
  if (const std::size_t busy = tracker.active(); busy > 0) {
    support::log_message(support::log_level::warn, std::to_string(busy) + " connection(s) still busy after " +
                                                       std::to_string(opts.shutdown_timeout.count()) +
                                                       " ms; exiting anyway");
  }
  ioc.stop();
}

void application::stop() {
  parts& p = *parts_;
  net::post(p.control, [&p] { p.begin_stop("a stop request"); });
  wait();
}

void application::parts::on_stop_signal(const error_code& ec, int signo) {
  if (ec) {
    return;
  }
  begin_stop(signo == SIGINT ? "SIGINT" : "SIGTERM");
  stop_signals->async_wait([this](const error_code& e, int s) { on_stop_signal(e, s); });
}

// SIGHUP re-reads the scenarios, as POST /__admin/scenarios/reload does.
void application::parts::on_reload_signal(const error_code& ec, int) {
  if (ec) {
    return;
  }
  net::co_spawn(
      control,
      [this]() -> net::awaitable<void> {
        if (const auto error = co_await engine->reload()) {
          support::log_message(support::log_level::warn,
                               "SIGHUP: scenario reload failed, previous scenarios kept: " + *error);
        } else {
          support::log_line("SIGHUP: scenarios reloaded (" + std::to_string(engine->list().size()) + " loaded)");
        }
      },
      net::detached);
  reload_signal->async_wait([this](const error_code& e, int s) { on_reload_signal(e, s); });
}

void application::handle_signals() {
  parts& p = *parts_;
  p.stop_signals.emplace(p.control, SIGINT, SIGTERM);
  p.reload_signal.emplace(p.control, SIGHUP);
  p.stop_signals->async_wait([&p](const error_code& e, int s) { p.on_stop_signal(e, s); });
  p.reload_signal->async_wait([&p](const error_code& e, int s) { p.on_reload_signal(e, s); });
}

int application::wait() {
  parts& p = *parts_;
  for (auto& t : p.threads) {
    t.join();
  }
  p.threads.clear();
  return 0;
}

}  // namespace authsim::app

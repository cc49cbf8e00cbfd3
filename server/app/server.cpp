#include "app/server.hpp"

#include "admin/access.hpp"
#include "admin/admin_api.hpp"
#include "admin/answers.hpp"
#include "admin/scenarios_api.hpp"
#include "creditpay/api.hpp"
#include "faults/engine.hpp"
#include "http/router.hpp"
#include "support/async.hpp"
#include "support/log.hpp"
#include "support/version.hpp"
#include "transport/connection_tracker.hpp"
#include "transport/listener.hpp"
#include "transport/tls_context.hpp"
#include "uocs/api.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/array.hpp>

#include <csignal>
#include <filesystem>
#include <random>
#include <optional>
#include <cstdio>
#include <thread>
#include <vector>

namespace authsim::app {

using tcp = net::ip::tcp;

namespace {

tcp::endpoint resolve_listen_address(net::io_context& ioc, const options& opts) {
  boost::system::error_code ec;
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

// Closes idle connections, then waits for busy ones to finish, at most
// `timeout`, and stops the io_context. A second signal stops at once.
net::awaitable<void> drain(net::io_context& ioc, transport::connection_tracker& tracker,
                           std::chrono::milliseconds timeout) {
  tracker.shutdown();
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  net::steady_timer tick(co_await net::this_coro::executor);
  while (tracker.active() > 0 && std::chrono::steady_clock::now() < deadline) {
    tick.expires_after(std::chrono::milliseconds(10));
    co_await tick.async_wait(use_tuple);
  }
  if (tracker.active() > 0) {
    support::log_message(support::log_level::warn, std::to_string(tracker.active()) + " connection(s) still busy after " +
                      std::to_string(timeout.count()) + " ms; exiting anyway");
  }
  ioc.stop();
}

// What was loaded, in one line, so that a partner reading the log sees at
// once which fixtures this server answers from.
void log_startup(const options& opts, const fixtures::fixture_set& fx, const faults::engine& engine,
                 std::uint64_t seed, const std::string& base_url, net::ssl::context* tls) {
  boost::json::object fields;
  boost::json::array platforms;
  for (const auto& p : fx.platforms) {
    platforms.emplace_back(p.plat_id);
  }
  boost::json::array apps;
  boost::json::array accounts;
  for (const auto& app : fx.apps) {
    apps.emplace_back(app.app_key);
    for (const auto& account : app.accounts) {
      accounts.emplace_back(account.user_id);
    }
  }
  boost::json::array stubs;
  for (const auto& stub : fx.stubs) {
    stubs.emplace_back(stub.path);
  }
  boost::json::array scenarios;
  for (const auto& info : engine.list()) {
    scenarios.emplace_back(info.name);
  }
  const std::string active = engine.active().value_or("none");
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
  fields["admin"] = opts.admin_enabled ? (opts.admin_token.empty() ? "open" : "token") : "off";
  const std::string certificate = tls != nullptr ? transport::describe_certificate(*tls) : std::string();
  fields["tls"] = tls != nullptr ? boost::json::value(certificate) : boost::json::value(nullptr);
  const std::string text = "authsim " + std::string(support::version()) + " on " + base_url + " from " +
                           opts.fixtures_dir + ": " + std::to_string(fx.platforms.size()) + " platform(s), " +
                           std::to_string(fx.apps.size()) + " app(s), " + std::to_string(fields["accounts"].as_array().size()) +
                           " account(s), " + std::to_string(fx.stubs.size()) + " stub(s), " +
                           std::to_string(engine.list().size()) + " scenario(s) loaded, active: " + active +
                           ", random seed " + std::to_string(seed) + " (replay with --seed " + std::to_string(seed) +
                           ")" + (tls != nullptr ? "; TLS certificate " + certificate : "");
  support::log_event(support::log_level::info, fields, text);
}

}  // namespace

int run_server(const options& opts, std::shared_ptr<const fixtures::fixture_set> fixtures) {
  // Declared before the io_context so that they outlive it: when a drain
  // times out, the io_context's destructor destroys the sessions still
  // suspended, and their frames refer to the router and the tracker.
  state::clock clock;
  state::code_store codes(state::code_store::default_retention_ms, opts.max_codes);
  state::token_store tokens(state::token_store::default_retention_ms, opts.max_tokens);
  state::journal journal(opts.journal_size);
  state::metrics metrics;
  state::verification_modes modes(*fixtures);
  transport::connection_tracker tracker;
  std::optional<creditpay::api> creditpay_api;
  std::optional<uocs::api> uocs_api;
  const std::uint64_t seed = opts.seed ? *opts.seed : std::random_device{}();
  // Scenario rules may name every simulated endpoint, stubs included.
  std::vector<std::string> endpoints = {creditpay::identify_path, creditpay::redirect_path, uocs::login_path};
  for (const auto& stub : fixtures->stubs) {
    endpoints.push_back(stub.path);
  }
  faults::engine engine(std::filesystem::path(opts.fixtures_dir) / "scenarios", std::move(endpoints), clock,
                        fixtures->uocs.date_utc_offset_minutes, seed);
  engine.load();
  // "none" is the default spelled out, as the X-Authsim-Scenario header takes it.
  if (!opts.scenario.empty() && opts.scenario != "none" && !engine.select(opts.scenario)) {
    throw startup_error("--scenario: no scenario named '" + opts.scenario + "' in " +
                        (std::filesystem::path(opts.fixtures_dir) / "scenarios").string() +
                        " (loaded: " + engine.names() + ")");
  }
  admin::scenarios_api scenarios_admin(engine);
  admin::admin_api admin_routes({fixtures, clock, codes, tokens, journal, metrics, modes, engine});
  std::optional<admin::access_guard> guard;
  std::optional<http::router> router;
  std::optional<transport::session_context> ctx;

  // Loaded before binding, so that a bad certificate fails the start
  // before any client could connect.
  std::shared_ptr<net::ssl::context> tls;
  if (!opts.tls_cert.empty()) {
    try {
      tls = transport::make_tls_context(opts.tls_cert, opts.tls_key);
    } catch (const std::runtime_error& e) {
      throw startup_error(e.what());
    }
  }

  net::io_context ioc(static_cast<int>(opts.threads));
  auto control = net::make_strand(ioc);  // acceptor and signals live here

  tcp::acceptor acceptor(control);
  const tcp::endpoint wanted = resolve_listen_address(ioc, opts);
  boost::system::error_code ec;
  acceptor.open(wanted.protocol(), ec);
  if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(wanted, ec);
  if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    throw startup_error("--host/--port: cannot listen on " + url_of(wanted) + ": " + ec.message());
  }
  const std::string base_url = url_of(acceptor.local_endpoint(), tls != nullptr);
  guard.emplace(admin::access_config{opts.admin_token, acceptor.local_endpoint().address().is_loopback(),
                                     opts.admin_open});
  if (opts.admin_enabled && guard->unprotected_off_loopback()) {
    support::log_message(support::log_level::warn, "the admin API is open to anyone who can reach " + base_url +
                      " (--admin-open without --admin-token)");
  }

  creditpay_api.emplace(fixtures, clock, codes, modes,
                        opts.public_base_url.empty() ? base_url : opts.public_base_url);
  uocs_api.emplace(fixtures, clock, tokens);
  router.emplace([&creditpay_api](const http::request& req, const http::failure& f) {
    // Paths outside both APIs answer in the Credit Pay shape
    // ({"code","msg","data","trace"}), the simpler of the two envelopes.
    return creditpay_api->render_failure(req, f);
  });
  creditpay_api->register_routes(*router);
  uocs_api->register_routes(*router);
  if (opts.admin_enabled) {
    // Unknown admin paths and wrong methods are behind the guard too, so
    // that the routes cannot be listed without the token.
    router->add_family(admin::prefix, [&guard](const http::request& req, const http::failure& f) {
      if (auto refusal = guard->refuse(req)) {
        return std::move(*refusal);
      }
      return admin::render_failure(req, f);
    });
    scenarios_admin.register_routes(*router, *guard);
    admin_routes.register_routes(*router, *guard);
  }
  ctx.emplace(transport::session_context{*router,
                                         tracker,
                                         {opts.body_limit, opts.header_limit, opts.read_timeout, opts.idle_timeout, opts.max_connections},
                                         &engine,
                                         &journal,
                                         &metrics,
                                         &clock,
                                         tls.get(),
                                         opts.threads});
  log_startup(opts, *fixtures, engine, seed, base_url, tls.get());

  // SIGHUP re-reads the scenarios, as POST /__admin/scenarios/reload does.
  net::signal_set reload_signal(control, SIGHUP);
  std::function<void(const boost::system::error_code&, int)> on_reload = [&](const boost::system::error_code& sec,
                                                                             int) {
    if (sec) {
      return;
    }
    if (const auto error = engine.reload()) {
      support::log_message(support::log_level::warn, "SIGHUP: scenario reload failed, previous scenarios kept: " + *error);
    } else {
      support::log_line("SIGHUP: scenarios reloaded (" + std::to_string(engine.list().size()) + " loaded)");
    }
    reload_signal.async_wait(on_reload);
  };
  reload_signal.async_wait(on_reload);

  net::signal_set signals(control, SIGINT, SIGTERM);
  bool draining = false;
  std::function<void(const boost::system::error_code&, int)> on_signal =
      [&](const boost::system::error_code& sec, int signo) {
        if (sec) {
          return;
        }
        if (draining) {
          support::log_line("second signal: stopping now");
          ioc.stop();
          return;
        }
        draining = true;
        boost::system::error_code ignored;
        acceptor.close(ignored);
        reload_signal.cancel(ignored);
        // Logged once no new connection can be accepted, so that a client
        // that sees this line also sees the port closed.
        support::log_line(std::string("received ") + (signo == SIGINT ? "SIGINT" : "SIGTERM") +
                          ", finishing in-flight requests");
        net::co_spawn(control, drain(ioc, tracker, opts.shutdown_timeout), net::detached);
        signals.async_wait(on_signal);
      };
  signals.async_wait(on_signal);

  net::co_spawn(control, transport::accept_loop(ioc, acceptor, *ctx), net::detached);

  // Whoever reads the listening line finds the start-up summary already on
  // stderr.
  support::flush_log(std::chrono::milliseconds(500));
  std::printf("listening on %s\n", base_url.c_str());
  std::fflush(stdout);

  std::vector<std::thread> workers;
  workers.reserve(opts.threads - 1);
  for (unsigned i = 1; i < opts.threads; ++i) {
    workers.emplace_back([&ioc] { ioc.run(); });
  }
  ioc.run();
  for (auto& t : workers) {
    t.join();
  }
  return 0;
}

}  // namespace authsim::app

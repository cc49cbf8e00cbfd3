#include "pipeline/pipeline.hpp"

#include "admin/paths.hpp"
#include "http/serialize.hpp"
#include "journal/exchange.hpp"
#include "support/log.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>

namespace authsim::pipeline {

using steady = std::chrono::steady_clock;

namespace {

constexpr std::string_view health_path = "/__admin/health";

bool ends_without_answer(const faults::decision& d) {
  return d.failure && d.failure->kind != faults::fault_kind::malformed_body &&
         d.failure->kind != faults::fault_kind::slow_body;
}

}  // namespace

net::awaitable<outcome> pipeline::handle(http::request req, wire_facts wire) const {
  return respond(std::move(req), wire, std::nullopt);
}

net::awaitable<outcome> pipeline::refuse(http::request partial, http::failure_kind kind, std::string detail,
                                         wire_facts wire) const {
  wire.keep_alive = false;  // a request refused while being read ends its connection
  return respond(std::move(partial), wire, refusal{kind, std::move(detail)});
}

net::awaitable<outcome> pipeline::respond(http::request req, wire_facts wire, std::optional<refusal> refused) const {
  const auto started = steady::now();
  std::int64_t sim_time = parts_.clock != nullptr ? parts_.clock->now_ms() : 0;
  faults::decision d;
  outcome out;
  http::response res;
  std::optional<bool> known_path;  // found out by the routing when it runs
  bool answered = true;
  std::optional<std::string> unavailable;
  // The scenario decision and the handler's answer. Inline rather than a
  // coroutine of its own, which would cost every request a frame.
  try {
    // The health call reads no settings, and must answer even when they
    // cannot be refreshed.
    if (parts_.shared != nullptr && !parts_.shared->fresh() && req.path() != health_path) {
      co_await parts_.shared->refresh();
      sim_time = parts_.clock != nullptr ? parts_.clock->now_ms() : 0;  // the clock may have moved
    }
    if (!refused && parts_.engine != nullptr && parts_.engine->may_apply(req)) {
      d = co_await decide(req);
    }
    // A connection-level fault sends no answer; it is journaled all the same,
    // first, so that a client that sees the fault finds it in the journal.
    answered = !ends_without_answer(d);
    if (refused) {
      res = parts_.router.error(req, refused->kind, refused->detail);
    } else if (std::optional<http::response> taken_over = scenario_answer(req, d)) {
      res = std::move(*taken_over);
    } else if (answered) {
      // A plain handler runs in place; one that waits is awaited here.
      http::router::match_result m = parts_.router.match(req);
      known_path = m.known_path;
      std::optional<std::string> bug;
      if (m.refusal) {
        res = std::move(*m.refusal);
      } else if (m.sync != nullptr) {
        res = parts_.router.run(*m.sync, req);
      } else {
        try {
          res = co_await (*m.async)(req);
        } catch (const state::unavailable&) {
          throw;
        } catch (const std::exception& e) {
          bug = e.what();  // answered below: a coroutine cannot co_await in a catch block
        }
      }
      if (bug) {
        res = parts_.router.error(req, http::failure_kind::internal, *bug);
      }
    }
  } catch (const state::unavailable& e) {
    unavailable = e.what();  // answered below: a coroutine cannot co_await in a catch block
  }
  if (unavailable) {
    // Whatever the scenario had decided, the request could not be served.
    d = faults::decision{};
    answered = true;
    res = parts_.router.error(req, http::failure_kind::state_unavailable, *unavailable);
    res.headers.set("Retry-After", "1");
  }
  if (answered) {
    shape(res, d, wire, out);
  } else {
    out.fault = d.failure;
  }
  // Journaled before the answer leaves, so that a client that has its
  // answer always finds its request in the journal. An answer already in
  // bytes is handed to the journal instead of copied.
  record_entry entry =
      record(std::move(req), answered ? &res : nullptr, d, sim_time, started, out.bytes.has_value(), known_path);
  out.verdict = std::move(entry.verdict);
  if (entry.payload && !parts_.journal->try_add(entry.key, entry.payload)) {
    co_await parts_.journal->async_add(std::move(entry.key), std::move(entry.payload));
  }
  if (answered && !out.bytes) {
    out.answer = std::move(res);
  }
  co_return out;
}

net::awaitable<faults::decision> pipeline::decide(const http::request& req) const {
  faults::decision d = co_await parts_.engine->decide(req);
  if (d.delay.count() > 0) {
    const net::any_io_executor executor = co_await net::this_coro::executor;
    net::steady_timer pause(executor, d.delay);
    co_await pause.async_wait(use_tuple);
  }
  co_return d;
}

std::optional<http::response> pipeline::scenario_answer(const http::request& req, faults::decision& d) const {
  std::optional<http::response> res;
  if (!d.unknown_scenario.empty()) {
    res = parts_.router.error(req, http::failure_kind::unknown_scenario, d.unknown_scenario);
  } else if (d.rate_limited) {
    res = parts_.router.error(req, http::failure_kind::rate_limited, d.rate_detail);
    res->headers.set("Retry-After", std::to_string(d.retry_after_s));
  } else if (d.answer) {
    res = std::move(*d.answer);
  }
  return res;
}

void pipeline::shape(http::response& res, const faults::decision& d, const wire_facts& wire, outcome& out) const {
  if (d.applies()) {
    res.headers.set(faults::rule_header, d.rule_label);
  }
  if (d.failure && d.failure->kind == faults::fault_kind::malformed_body) {
    faults::make_malformed(res);
  }
  // Decided now, after any delay or wait: a shutdown that began meanwhile
  // must not be contradicted by a promise to keep the connection.
  out.keep_alive = wire.keep_alive && !(parts_.stopping && parts_.stopping());
  // HEAD has no body to dribble: it is answered at once.
  if (d.failure && d.failure->kind == faults::fault_kind::slow_body && !wire.head) {
    out.fault = d.failure;
  } else {
    out.bytes = http::to_bytes(res, wire.version, out.keep_alive, wire.head);
  }
}

// Admin calls are left out of the journal and the metrics (they are the
// observer, not the traffic observed) and logged only at debug level.
pipeline::record_entry pipeline::record(http::request&& req, http::response* res, const faults::decision& d,
                                        std::int64_t sim_time, steady::time_point started, bool take_answer,
                                        std::optional<bool> known_path) const {
  record_entry out;
  const std::string_view path = req.path();
  const bool admin_call = path.starts_with(admin::prefix);
  const support::log_level level = admin_call ? support::log_level::debug : support::log_level::info;
  const bool logged = support::log_enabled(level);
  if (admin_call && !logged) {
    return out;
  }
  journal::exchange x;
  x.req = &req;
  x.res = res;
  x.rule = d.rule_label;
  x.fault = d.failure ? faults::fault_name(d.failure->kind) : "";
  x.time_ms = sim_time;
  x.duration_us = std::chrono::duration_cast<std::chrono::microseconds>(steady::now() - started).count();
  journal::answer_summary summary = journal::summarize(x);
  if (logged) {
    journal::log(level, x, summary);
  }
  out.verdict = std::move(summary.outcome);
  if (admin_call) {
    return out;
  }
  const bool known = known_path ? *known_path : parts_.router.knows(path);
  std::string path_text(path);
  if (parts_.metrics != nullptr) {
    parts_.metrics->record_request(known ? path_text : "other", out.verdict,
                                   static_cast<double>(x.duration_us) / 1e6);
    if (d.delay.count() > 0) parts_.metrics->record_fault("delay");
    if (d.answer) parts_.metrics->record_fault("respond");
    if (d.rate_limited) parts_.metrics->record_fault("rate_limit");
    if (d.failure) parts_.metrics->record_fault(x.fault);
  }
  if (parts_.journal != nullptr) {
    out.key = journal::entry_key{std::move(path_text), out.verdict, known};
    out.payload = journal::make_payload(std::move(req), res, x, take_answer);
  }
  return out;
}

}  // namespace authsim::pipeline

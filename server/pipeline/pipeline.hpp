#pragma once
// What happens between "a request was read" and "these bytes, or this
// connection fault, must go out": the scenario decision (its delay, rate
// limit, injected answer or fault), routing, the handler (awaited when it
// waits for something), and the record of it all in the journal, the
// metrics and the log. No sockets: the transport reads a request, hands it
// here and carries out the outcome; unit tests call it directly.
//
// Thread-safe: every part it holds is (the router is read-only, the rest
// guard themselves). A handler that waits suspends only its own request.

#include "faults/engine.hpp"
#include "http/message.hpp"
#include "http/router.hpp"
#include "journal/store.hpp"
#include "state/clock.hpp"
#include "state/metrics.hpp"
#include "state/shared.hpp"
#include "support/async.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace authsim::pipeline {

// How a request came, as the transport read it.
struct wire_facts {
  unsigned version = 11;    // HTTP/1.0 is 10, HTTP/1.1 is 11
  bool keep_alive = true;   // what the client asked for
  bool head = false;        // HEAD: the answer goes out without its body
};

// What the transport does next. Either an answer (as `bytes`, or as
// `answer` when Beast must write it), or a connection-level fault without
// one (`fault` alone: reset, empty_response, hang, random_data_then_close).
// slow_body comes as `answer` with `fault` saying how to dribble it.
struct outcome {
  std::optional<std::string> bytes;
  std::optional<http::response> answer;
  std::optional<faults::fault> fault;
  bool keep_alive = false;  // after the answer, read the next request
  std::string verdict;      // as recorded: "ok", "rejected" or "fault"
};

// Everything here outlives the pipeline.
struct parts {
  const http::router& router;
  faults::engine* engine = nullptr;    // null: no scenarios
  journal::store* journal = nullptr;   // null: nothing journaled
  state::metrics* metrics = nullptr;   // null: nothing counted
  const state::clock* clock = nullptr;  // null: simulated time 0
  // A state shared between replicas: refreshed before a request when
  // this replica's view may be stale. Null: state in this process.
  state::shared_view* shared = nullptr;
  // True once the server began to stop: an answer then no longer promises
  // to keep the connection. Null: never.
  std::function<bool()> stopping;
};

class pipeline {
 public:
  explicit pipeline(parts p) : parts_(std::move(p)) {}

  // A request read whole.
  [[nodiscard]] net::awaitable<outcome> handle(http::request req, wire_facts wire) const;

  // A request refused while it was being read (413, 431, 400): its answer,
  // journaled and counted all the same, as a partner looks for their 413 in
  // the journal too. `partial` holds what had arrived; the connection
  // closes after the answer.
  [[nodiscard]] net::awaitable<outcome> refuse(http::request partial, http::failure_kind kind,
                                               std::string detail, wire_facts wire) const;

  [[nodiscard]] const http::router& router() const { return parts_.router; }

 private:
  struct refusal {
    http::failure_kind kind;
    std::string detail;
  };
  // handle() and refuse() in one coroutine, so that neither adds a frame.
  net::awaitable<outcome> respond(http::request req, wire_facts wire, std::optional<refusal> refused) const;
  // The scenario decision for the request, its delay waited out.
  net::awaitable<faults::decision> decide(const http::request& req) const;
  // The answer a scenario gives instead of the handler's, if any.
  std::optional<http::response> scenario_answer(const http::request& req, faults::decision& d) const;
  // The rule header, a malformed or dribbled body, keep-alive, and the
  // answer's bytes when it can go out as bytes.
  void shape(http::response& res, const faults::decision& d, const wire_facts& wire, outcome& out) const;

  // What record() leaves for the journal, which the caller awaits.
  struct record_entry {
    std::string verdict;
    journal::entry_key key;
    std::shared_ptr<const journal::payload> payload;  // null: nothing to journal
  };
  // Logs the exchange and counts it, and prepares its journal entry (taken
  // over: the request, and the answer's body with `take_answer`).
  // `known_path`: whether a route serves the path, when routing has said.
  record_entry record(http::request&& req, http::response* res, const faults::decision& d, std::int64_t sim_time,
                      std::chrono::steady_clock::time_point started, bool take_answer,
                      std::optional<bool> known_path) const;

  parts parts_;
};

}  // namespace authsim::pipeline

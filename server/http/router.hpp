#pragma once
// Maps method and path to a handler, and turns the failures that happen
// before any handler runs (unknown path, wrong method, oversized or
// malformed request) into answers in the envelope of the API the path
// belongs to. No sockets: the request pipeline calls match() and error().
//
// A handler is a plain function of the request, or a coroutine when it
// must wait for something it does not own (a store shared between
// replicas, an outbound call, a long poll): it then suspends without
// holding its thread. A plain one runs in place, at no extra cost.
//
// Built once at start-up, then only read: safe to share between threads.

#include "http/message.hpp"
#include "support/async.hpp"

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace authsim::http {

// Failures decided by the server rather than by an endpoint.
enum class failure_kind {
  not_found,           // 404: no endpoint at that path
  method_not_allowed,  // 405: the path exists, the method does not
  body_too_large,      // 413: Content-Length or chunked body over the limit
  header_too_large,    // 431: the header block over the limit
  bad_request,         // 400: not a valid HTTP request
  unknown_scenario,    // 400: X-Authsim-Scenario names no scenario
  rate_limited,        // 429: a scenario's rate limit was exceeded
  state_unavailable,   // 503: the shared state (Redis) did not answer in time
  internal,            // 500: a handler threw (a bug)
};

// Each API's renderer turns it into its own envelope (Credit Pay gives each
// kind a numeric `code` of its own).
struct failure {
  failure_kind kind = failure_kind::internal;
  unsigned status = 500;
  const char* name = "INTERNAL_ERROR";  // the kind's name, e.g. "NOT_FOUND"
  text message;
  std::string allow;  // for method_not_allowed: the Allow header value
};

// Builds the failure for `kind`, with the message in both languages;
// `detail` is added to the message where it helps (the limit, the path, the
// allowed methods); for method_not_allowed, `method` is the one refused.
failure make_failure(failure_kind kind, std::string_view detail = {}, std::string_view method = {});

using handler = std::function<response(const request&)>;
// Awaited at once: the request outlives the coroutine.
using async_handler = std::function<net::awaitable<response>(const request&)>;
// Renders a failure in one API's envelope.
using failure_renderer = std::function<response(const request&, const failure&)>;

// Whether `path` fits `path_template`, segment by segment ("{…}" segments
// match any non-empty segment).
bool template_matches(std::string_view path_template, std::string_view path);

// The segment of `path` at the place of the template's `{…}` number
// `index` (0 for the first); empty when the path does not fit.
std::string_view template_segment(std::string_view path_template, std::string_view path, std::size_t index);

class router {
 public:
  // Paths starting with `prefix` render failures with `renderer`; the
  // longest matching prefix wins; paths no prefix matches use `fallback`.
  explicit router(failure_renderer fallback);
  void add_family(std::string prefix, failure_renderer renderer);
  void add_route(std::string method, std::string path, handler h);
  void add_async_route(std::string method, std::string path, async_handler h);
  // A route for every path that starts with `prefix` (and has no exact
  // route); the handler reads the rest of the path itself.
  void add_prefix_route(std::string method, std::string prefix, handler h);
  void add_async_prefix_route(std::string method, std::string prefix, async_handler h);
  // A route for the paths of a template such as "/x/{id}/refund": each
  // "{…}" segment stands for one non-empty segment; the handler reads it
  // from the path itself. Served with the exact routes.
  void add_async_template_route(std::string method, std::string path_template, async_handler h);
  // True when some route, exact or prefix, serves this path.
  [[nodiscard]] bool knows(std::string_view path) const;
  // The exact paths of every route, for scenario rules to name.
  [[nodiscard]] std::vector<std::string> paths() const;

  // What answers a request: its route's handler (one of the two), or the
  // 404 or 405 answer when no route takes it.
  struct match_result {
    const handler* sync = nullptr;
    const async_handler* async = nullptr;
    std::optional<response> refusal;
    bool known_path = false;  // some route serves the path (knows() is true)
  };
  [[nodiscard]] match_result match(const request& req) const;

  // Runs a handler that match() found. One that throws is a bug: it is
  // answered 500, never a dropped connection.
  [[nodiscard]] response run(const handler& h, const request& req) const;
  [[nodiscard]] net::awaitable<response> run(const async_handler& h, const request& req) const;

  // match() and run() in one: the answer to the request.
  [[nodiscard]] net::awaitable<response> dispatch(const request& req) const;

  // The answer for a failure detected outside dispatch (by the transport).
  [[nodiscard]] response error(const request& req, const failure& f) const;

  // For a failure met while reading: the request holds only what had
  // arrived (perhaps just the target and headers).
  [[nodiscard]] response error(const request& req, failure_kind kind, std::string_view detail = {}) const {
    return error(req, make_failure(kind, detail, req.method));
  }

 private:
  struct route {
    std::string method;
    std::string path;
    handler sync;
    async_handler async;
    bool prefix = false;
    bool templated = false;

    [[nodiscard]] bool serves(std::string_view p) const {
      return prefix ? p.starts_with(path) : templated ? template_matches(path, p) : p == path;
    }
  };
  struct family {
    std::string prefix;
    failure_renderer renderer;
  };
  [[nodiscard]] const failure_renderer& renderer_for(std::string_view path) const;

  failure_renderer fallback_;
  std::vector<family> families_;
  std::vector<route> routes_;
};

}  // namespace authsim::http

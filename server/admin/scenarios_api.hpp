#pragma once
// The admin routes that select and reload fault-injection scenarios:
//   GET  /__admin/scenarios         list them, with the active one and the seed
//   PUT  /__admin/scenario          {"name": NAME} or {"name": null}
//   POST /__admin/scenarios/reload  re-read fixtures/scenarios/
// Answers are plain JSON objects; failures are
// {"error": {"code": "...", "message": "..."}}.

#include "admin/answers.hpp"
#include "faults/engine.hpp"
#include "http/router.hpp"

namespace authsim::admin {

class scenarios_api {
 public:
  explicit scenarios_api(faults::engine& engine) : engine_(engine) {}

  [[nodiscard]] http::response list(const http::request& req) const;
  // Awaited at once: the request outlives the call.
  [[nodiscard]] net::awaitable<http::response> select(const http::request& req) const;
  [[nodiscard]] net::awaitable<http::response> reload(const http::request& req) const;

  void register_routes(http::router& r, const class access_guard& guard) const;

 private:
  faults::engine& engine_;
};

}  // namespace authsim::admin

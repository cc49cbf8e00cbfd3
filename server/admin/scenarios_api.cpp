#include "admin/scenarios_api.hpp"

#include "admin/access.hpp"
#include "support/aliases.hpp"

#include "http/json_body.hpp"
#include "http/json_response.hpp"
#include "support/json_kind.hpp"
#include "support/log.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

namespace authsim::admin {

void scenarios_api::register_routes(http::router& r, const access_guard& guard) const {
  r.add_route("GET", "/__admin/scenarios", guard.wrap([this](const http::request& req) { return list(req); }));
  r.add_async_route("PUT", "/__admin/scenario",
                    guard.wrap([this](const http::request& req) { return select(req); }));
  r.add_async_route("POST", "/__admin/scenarios/reload",
                    guard.wrap([this](const http::request& req) { return reload(req); }));
}

http::response scenarios_api::list(const http::request&) const {
  json::array scenarios;
  for (const auto& s : engine_.list()) {
    scenarios.push_back(json::object{{"name", s.name}, {"description", s.description}, {"rules", s.rules}});
  }
  const auto active = engine_.active();
  json::object body;
  body["active"] = active ? json::value(*active) : json::value(nullptr);
  body["seed"] = engine_.seed();
  body["scenarios"] = std::move(scenarios);
  return http::json_response(200, body);
}

net::awaitable<http::response> scenarios_api::select(const http::request& req) const {
  const http::json_body parsed = http::parse_json_object(req.body);
  if (parsed.problem != http::body_problem::none) {
    co_return error_answer(400, "INVALID_BODY", "expected a JSON object such as {\"name\": \"slow\"} or {\"name\": null}");
  }
  const json::value* name = parsed.object.if_contains("name");
  if (name == nullptr) {
    co_return error_answer(400, "MISSING_FIELD", "missing field 'name' (a scenario name, or null for none)");
  }
  if (!name->is_null() && !name->is_string()) {
    co_return error_answer(400, "INVALID_FIELD",
                        "field 'name' must be a string or null, got " + support::json_kind_name(*name));
  }
  std::optional<std::string> wanted;
  if (name->is_string()) {
    wanted = std::string(name->get_string());
  }
  if (!co_await engine_.select(wanted)) {
    co_return error_answer(404, "UNKNOWN_SCENARIO",
                        "no scenario named '" + *wanted + "' is loaded (loaded: " + engine_.names() + ")");
  }
  support::log_line("active scenario: " + wanted.value_or("none"));
  co_return http::json_response(200,
                                json::object{{"active", wanted ? json::value(*wanted) : json::value(nullptr)}});
}

net::awaitable<http::response> scenarios_api::reload(const http::request& req) const {
  if (const auto error = co_await engine_.reload()) {
    support::log_message(support::log_level::warn, "scenario reload failed, previous scenarios kept: " + *error);
    co_return error_answer(422, "INVALID_SCENARIO", *error + " (the previous scenarios stay loaded)");
  }
  support::log_line("scenarios reloaded");
  co_return list(req);
}

}  // namespace authsim::admin

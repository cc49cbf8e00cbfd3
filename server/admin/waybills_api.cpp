#include "admin/waybills_api.hpp"

#include "admin/answers.hpp"
#include "admin/deliveries_api.hpp"
#include "http/json_body.hpp"
#include "http/json_response.hpp"
#include "support/aliases.hpp"
#include "support/json_kind.hpp"
#include "support/log.hpp"
#include "support/text.hpp"

#include <boost/json/serialize.hpp>

namespace authsim::admin {

namespace {

constexpr const char* waybills_path = "/__admin/waybills";
constexpr const char* waybill_path = "/__admin/waybills/{fy_code}";
constexpr const char* advance_path = "/__admin/waybills/{fy_code}/advance";
constexpr const char* app_endpoints_path = "/__admin/apps/{app_key}/endpoints";
constexpr std::size_t max_items = 1000;

json::value time_or_null(const std::optional<std::int64_t>& t) { return t ? json::value(*t) : json::value(nullptr); }

json::object waybill_json(const uocs::waybill& w, const fixtures::fixture_set& world, std::int64_t now) {
  const fixtures::uocs_app* app = world.find_app(w.app_key);
  const int status = w.status_at(now);
  json::object steps;
  static constexpr const char* names[] = {"", "picked_up_ms", "took_off_ms", "landed_ms", "received_ms"};
  for (int k = 1; k <= 4; ++k) {
    steps[names[k]] = time_or_null(w.step(k));
  }
  return json::object{{"fyCode", w.fy_code},
                      {"bizCode", w.request.biz_code},
                      {"devCode", w.request.dev_code},
                      {"app", w.app_key},
                      {"userId", w.user_id},
                      {"revision", app != nullptr ? json::value(fixtures::uocs_revision_name(app->revision)) : json::value(nullptr)},
                      {"orderStatus", status},
                      {"status", uocs::order_status_name(status)},
                      {"taskStatus", w.task_status_at(now)},
                      {"sendCode", w.send_code},
                      {"takeoffCode", w.takeoff_code()},
                      {"landingCode", w.landing_code()},
                      {"flightTime", w.flight_minutes},
                      {"uavId", w.uav_id},
                      {"taskId", w.task_id},
                      {"pickUpCode", w.pick_up_code},
                      {"created_ms", w.created_ms},
                      {"steps", std::move(steps)},
                      {"exception_ms", time_or_null(w.exception_ms)},
                      {"exceptionReason", w.exception_ms ? json::value(w.exception_reason) : json::value(nullptr)},
                      {"cancelled", w.cancelled},
                      {"pushes", w.push_ids.size()}};
}

}  // namespace

void waybills_api::register_routes(http::router& r, const access_guard& guard) const {
  r.add_async_route("GET", waybills_path, guard.wrap([this](const http::request& req) { return list(req); }));
  r.add_async_template_route("GET", waybill_path, guard.wrap([this](const http::request& req) { return one(req); }));
  r.add_async_template_route("POST", advance_path,
                             guard.wrap([this](const http::request& req) { return advance(req); }));
  for (const char* method : {"GET", "PUT"}) {
    r.add_async_template_route(method, app_endpoints_path,
                               guard.wrap([this](const http::request& req) { return endpoints(req); }));
  }
}

net::awaitable<http::response> waybills_api::list(const http::request& req) const {
  std::optional<http::response> error;
  const auto limit = int_param(req, "limit", static_cast<std::int64_t>(max_items), 1, max_items, error);
  std::optional<int> status;
  if (text_param(req, "status")) {
    status = static_cast<int>(int_param(req, "status", 0, 0, 5, error));
  }
  if (error) {
    co_return std::move(*error);
  }
  const std::int64_t now = clock_.now_ms();
  const auto listing = co_await waybills_.async_list(text_param(req, "app"), status, static_cast<std::size_t>(limit));
  json::array items;
  for (const auto& w : listing.items) {
    items.push_back(waybill_json(w, *fixtures_, now));
  }
  co_return http::json_response(200, json::object{{"count", listing.count}, {"now_ms", now}, {"items", std::move(items)}});
}

net::awaitable<http::response> waybills_api::one(const http::request& req) const {
  const std::string fy_code(http::template_segment(waybill_path, req.path(), 0));
  const auto w = co_await waybills_.async_find(fy_code);
  if (!w) {
    co_return error_answer(404, "UNKNOWN_WAYBILL", "no waybill '" + support::excerpt(fy_code, 64) + "'");
  }
  json::object body = waybill_json(*w, *fixtures_, clock_.now_ms());
  body.erase("pushes");
  const auto held = co_await deliveries_.async_find_many(w->push_ids);
  co_return object_with_array(body, "pushes", deliveries_json(held, deliveries_));
}

net::awaitable<http::response> waybills_api::advance(const http::request& req) const {
  const std::string fy_code(http::template_segment(advance_path, req.path(), 0));
  std::optional<int> status;
  std::optional<std::string> reason;
  if (!req.body.empty()) {
    const http::json_body parsed = http::parse_json_object(req.body);
    if (parsed.problem != http::body_problem::none) {
      co_return error_answer(400, "INVALID_BODY",
                             "expected no body (the next status) or a JSON object such as {\"status\": 5, "
                             "\"reason\": \"no-fly zone\"}");
    }
    for (const auto& member : parsed.object) {
      const std::string_view key = member.key();
      if (key == "status") {
        if (!member.value().is_int64() || member.value().get_int64() < 1 || member.value().get_int64() > 5) {
          co_return error_answer(400, "INVALID_FIELD", "field 'status' must be an orderStatus from 1 to 5, got " +
                                                           json::serialize(member.value()));
        }
        status = static_cast<int>(member.value().get_int64());
      } else if (key == "reason") {
        if (!member.value().is_string() || member.value().get_string().empty()) {
          co_return error_answer(400, "INVALID_FIELD", "field 'reason' must be a non-empty string, got " +
                                                           support::json_kind_name(member.value()));
        }
        reason = std::string(member.value().get_string());
      } else {
        co_return error_answer(400, "INVALID_BODY",
                               "unknown field '" + support::excerpt(key) + "': the fields are status and reason");
      }
    }
  }
  auto moved = co_await waybills_.async_advance(fy_code, status, reason);
  if (auto* refusal = std::get_if<http::status_refusal>(&moved)) {
    co_return error_answer(*refusal);
  }
  const auto& w = std::get<uocs::waybill>(moved);
  const std::int64_t now = clock_.now_ms();
  support::log_line("waybill " + w.fy_code + " moved to orderStatus " + std::to_string(w.status_at(now)));
  co_return http::json_response(200, waybill_json(w, *fixtures_, now));
}

net::awaitable<http::response> waybills_api::endpoints(const http::request& req) const {
  const std::string app_key(http::template_segment(app_endpoints_path, req.path(), 0));
  if (fixtures_->find_app(app_key) == nullptr) {
    co_return error_answer(404, "UNKNOWN_APP", "no app '" + support::excerpt(app_key) + "' in the fixtures");
  }
  if (req.method == "PUT") {
    const http::json_body parsed = http::parse_json_object(req.body);
    if (parsed.problem != http::body_problem::none) {
      co_return error_answer(400, "INVALID_BODY",
                             "expected a JSON object such as {\"callback_url\": \"http://127.0.0.1:9000/uocs\"}");
    }
    for (const auto& member : parsed.object) {
      if (member.key() != "callback_url") {
        co_return error_answer(400, "INVALID_BODY", "unknown field '" + support::excerpt(member.key()) +
                                                        "': only 'callback_url' can be set");
      }
    }
    std::optional<std::optional<std::string>> change;
    if (auto problem = read_endpoint(parsed.object, "callback_url", change)) {
      co_return error_answer(400, "INVALID_BODY", *problem);
    }
    if (change) {
      co_await apps_.async_set_callback_url(app_key, *change);
      support::log_line("app " + app_key + ": callback_url " + change->value_or("(none)"));
    }
  }
  const auto url = waybills_.callback_url(app_key);
  co_return http::json_response(
      200, json::object{{"appKey", app_key}, {"callback_url", url ? json::value(*url) : json::value(nullptr)}});
}

}  // namespace authsim::admin

#include "admin/deliveries_api.hpp"

#include "admin/answers.hpp"
#include "http/json_response.hpp"
#include "support/aliases.hpp"
#include "support/json_writer.hpp"
#include "support/text.hpp"


namespace authsim::admin {

namespace {

constexpr const char* webhooks_path = "/__admin/webhooks";
constexpr const char* wait_path = "/__admin/webhooks/wait";
constexpr const char* redeliver_path = "/__admin/webhooks/{event_id}/redeliver";
constexpr std::size_t max_items = 1000;
constexpr std::int64_t max_wait_ms = 60'000;

json::value attempt_json(const outbound::delivery_attempt& a) {
  return json::object{{"time_ms", a.time_ms},
                      {"retry", a.retry},
                      {"status", a.status ? json::value(*a.status) : json::value(nullptr)},
                      {"error", a.error.empty() ? json::value(nullptr) : json::value(a.error)},
                      {"latency_us", a.latency_us},
                      {"answer", a.answer},
                      {"trace", a.trace}};
}

// ?api=&platform=&app=&payment_id=&fy_code=&type=&event_id=&status=&attempts=.
// `platform` and `payment_id` are Credit Pay's lane and subject, `app` and
// `fy_code` UOCS's: naming one picks its API.
std::optional<outbound::delivery_filter> filter_of(const http::request& req, std::optional<http::response>& error,
                                                   std::optional<outbound::delivery_status> default_status) {
  outbound::delivery_filter f;
  f.api = text_param(req, "api");
  if (f.api && *f.api != "creditpay" && *f.api != "uocs") {
    error = error_answer(400, "INVALID_QUERY",
                         "query parameter 'api' must be creditpay or uocs, got '" + support::excerpt(*f.api, 40) + "'");
    return std::nullopt;
  }
  struct pick {
    const char* param;
    const char* api;
    std::optional<std::string> outbound::delivery_filter::*field;
  };
  for (const pick& p : {pick{"platform", "creditpay", &outbound::delivery_filter::lane},
                        pick{"payment_id", "creditpay", &outbound::delivery_filter::subject},
                        pick{"app", "uocs", &outbound::delivery_filter::lane},
                        pick{"fy_code", "uocs", &outbound::delivery_filter::subject}}) {
    if (auto value = text_param(req, p.param)) {
      if (f.api && *f.api != p.api) {
        error = error_answer(400, "INVALID_QUERY",
                             std::string("query parameter '") + p.param + "' belongs to api " + p.api +
                                 ", but the query asks for api " + *f.api);
        return std::nullopt;
      }
      f.api = p.api;
      f.*(p.field) = std::move(value);
    }
  }
  f.type = text_param(req, "type");
  f.event_id = text_param(req, "event_id");
  f.status = default_status;
  if (const auto status = text_param(req, "status")) {
    f.status = outbound::parse_delivery_status(*status);
    if (!f.status) {
      error = error_answer(400, "INVALID_QUERY",
                           "query parameter 'status' must be scheduled, retrying, delivered, failed, "
                           "undeliverable or dropped, got '" + support::excerpt(*status, 40) + "'");
      return std::nullopt;
    }
  }
  const auto attempts = int_param(req, "attempts", 0, 0, 1000, error);
  if (error) {
    return std::nullopt;
  }
  f.min_attempts = static_cast<std::size_t>(attempts);
  return f;
}

}  // namespace

std::string delivery_json(const outbound::delivery& d, const outbound::deliveries& all) {
  json::array attempts;
  for (const auto& a : d.attempts) {
    attempts.push_back(attempt_json(a));
  }
  const outbound::channel* ch = all.channel_of(d.api);
  support::json_object_writer out;
  out.string("event_id", d.event_id).string("api", d.api).string("type", d.type);
  out.string(ch != nullptr ? ch->lane_name() : "lane", d.lane);
  out.string(ch != nullptr ? ch->subject_name() : "subject", d.subject);
  out.number("due_ms", d.due_ms).string("status", outbound::delivery_status_name(d.status));
  if (d.next_attempt_ms) {
    out.number("next_attempt_ms", *d.next_attempt_ms);
  } else {
    out.null("next_attempt_ms");
  }
  // As it was sent: decimals stay as written (a tree would write 2.29 as 2.29E0).
  out.object(d.api == "uocs" ? "body" : "data", d.data_json.empty() ? std::string_view("null") : d.data_json);
  out.string_or_null("fault", d.fault ? faults::webhook_fault_name(d.fault->kind) : nullptr);
  out.value("attempts", attempts);
  return out.finish();
}

std::vector<std::string> deliveries_json(const std::vector<outbound::delivery>& held, const outbound::deliveries& all) {
  std::vector<std::string> out;
  out.reserve(held.size());
  for (const auto& d : held) {
    out.push_back(delivery_json(d, all));
  }
  return out;
}

http::response object_with_array(const json::object& head, std::string_view key, const std::vector<std::string>& items) {
  support::json_object_writer out;
  for (const auto& member : head) {
    out.value(member.key(), member.value());
  }
  std::string array = "[";
  for (const auto& item : items) {
    array += (array.size() > 1 ? "," : "") + item;
  }
  array += ']';
  out.object(key, array);
  return http::json_text_response(200, out.finish());
}

void deliveries_api::register_routes(http::router& r, const access_guard& guard) const {
  r.add_async_route("GET", webhooks_path, guard.wrap([this](const http::request& req) { return list(req); }));
  r.add_async_route("GET", wait_path, guard.wrap([this](const http::request& req) { return wait(req); }));
  r.add_async_template_route("POST", redeliver_path,
                             guard.wrap([this](const http::request& req) { return redeliver(req); }));
}

net::awaitable<http::response> deliveries_api::list(const http::request& req) const {
  std::optional<http::response> error;
  const auto filter = filter_of(req, error, std::nullopt);
  const auto limit = int_param(req, "limit", static_cast<std::int64_t>(max_items), 1, max_items, error);
  if (error) {
    co_return std::move(*error);
  }
  const auto listing = co_await deliveries_.async_list(*filter, static_cast<std::size_t>(limit));
  const std::size_t pending = co_await deliveries_.async_pending();
  co_return object_with_array(json::object{{"count", listing.count}, {"pending", pending}}, "items",
                              deliveries_json(listing.items, deliveries_));
}

net::awaitable<http::response> deliveries_api::wait(const http::request& req) const {
  std::optional<http::response> error;
  // Without ?status=, what is waited for is delivery.
  const auto filter = filter_of(req, error, outbound::delivery_status::delivered);
  const auto count = int_param(req, "count", 1, 1, 100'000, error);
  const auto timeout = int_param(req, "timeout_ms", 10'000, 0, max_wait_ms, error);
  if (error) {
    co_return std::move(*error);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout);
  const std::size_t have =
      co_await deliveries_.async_wait(*filter, static_cast<std::size_t>(count), deadline, req.interrupts);
  co_return http::json_response(200, json::object{{"matched", have},
                                                  {"wanted", count},
                                                  {"timed_out", have < static_cast<std::size_t>(count)}});
}

net::awaitable<http::response> deliveries_api::redeliver(const http::request& req) const {
  const std::string id(http::template_segment(redeliver_path, req.path(), 0));
  const auto attempt = co_await deliveries_.async_redeliver(id);
  if (!attempt) {
    co_return error_answer(404, "UNKNOWN_EVENT", "no webhook event or push '" + support::excerpt(id, 64) + "'");
  }
  const auto d = co_await deliveries_.async_find(id);
  co_return http::json_response(200, json::object{{"event_id", id},
                                                  {"status", d ? outbound::delivery_status_name(d->status) : "unknown"},
                                                  {"attempt", attempt_json(*attempt)}});
}

}  // namespace authsim::admin

#include "admin/payments_api.hpp"

#include "admin/answers.hpp"
#include "admin/deliveries_api.hpp"
#include "http/json_body.hpp"
#include "http/json_response.hpp"
#include "support/aliases.hpp"
#include "support/json_kind.hpp"
#include "support/log.hpp"
#include "support/text.hpp"



namespace authsim::admin {

namespace {

constexpr const char* payments_path = "/__admin/payments";
constexpr const char* payment_path = "/__admin/payments/{payment_id}";
constexpr const char* refund_path = "/__admin/payments/{payment_id}/refund";
constexpr std::size_t max_items = 1000;

// A payment; with `event_summaries`, its events in brief (one() shows them whole instead).
// `held` are its events as the deliveries hold them.
json::object payment_json(const creditpay::payment_record& p, const std::vector<outbound::delivery>& held,
                          bool event_summaries = true) {
  json::array events;
  for (const auto& e : held) {
    if (!event_summaries) {
      break;
    }
    {
      events.push_back(json::object{{"event_id", e.event_id},
                                    {"type", e.type},
                                    {"due_ms", e.due_ms},
                                    {"status", outbound::delivery_status_name(e.status)},
                                    {"attempts", e.attempts.size()}});
    }
  }
  json::array refunds;
  for (const auto& r : p.refunds) {
    refunds.push_back(json::object{
        {"event_id", r.event_id}, {"order_no", r.order_no}, {"amount", r.amount}, {"time_ms", r.time_ms}});
  }
  return json::object{{"payment_id", p.payment_id},
                      {"ident_code", p.ident_code},
                      {"platform", p.plat_id},
                      {"custom_no", p.custom_no},
                      {"outcome", creditpay::payment_outcome_name(p.outcome)},
                      {"amount", p.amount},
                      {"currency", p.currency},
                      {"order_no", p.order_no},
                      {"started_ms", p.started_ms},
                      {"paid_at_ms", p.paid_at_ms ? json::value(*p.paid_at_ms) : json::value(nullptr)},
                      {"events", std::move(events)},
                      {"refunds", std::move(refunds)}};
}

// A string field of a JSON object: absent, or a string (else `problem`).
std::optional<std::string> string_field(const json::object& o, const char* name, std::string& problem) {
  const json::value* v = o.if_contains(name);
  if (v == nullptr) {
    return std::nullopt;
  }
  if (!v->is_string()) {
    problem = std::string("field '") + name + "' must be a string, got " + support::json_kind_name(*v);
    return std::nullopt;
  }
  return std::string(v->get_string());
}

}  // namespace

void payments_api::register_routes(http::router& r, const access_guard& guard) const {
  r.add_async_route("POST", payments_path, guard.wrap([this](const http::request& req) { return start(req); }));
  r.add_async_route("GET", payments_path, guard.wrap([this](const http::request& req) { return list(req); }));
  r.add_async_template_route("GET", payment_path, guard.wrap([this](const http::request& req) { return one(req); }));
  r.add_async_template_route("POST", refund_path, guard.wrap([this](const http::request& req) { return one(req); }));
}

net::awaitable<http::response> payments_api::start(const http::request& req) const {
  const http::json_body parsed = http::parse_json_object(req.body);
  if (parsed.problem != http::body_problem::none) {
    co_return error_answer(400, "INVALID_BODY",
                           "expected a JSON object such as {\"ident_code\": \"…\", \"outcome\": \"paid\", "
                           "\"amount\": \"12.30\", \"currency\": \"CNY\"}");
  }
  const json::object& o = parsed.object;
  for (const auto& member : o) {
    const std::string_view key = member.key();
    if (key != "ident_code" && key != "outcome" && key != "amount" && key != "currency" && key != "pay_after_ms" &&
        key != "merchant_name" && key != "tag") {
      co_return error_answer(400, "INVALID_BODY",
                             "unknown field '" + support::excerpt(key) +
                                 "': the fields are ident_code, outcome, amount, currency, pay_after_ms, "
                                 "merchant_name and tag");
    }
  }
  std::string problem;
  creditpay::payment_request r;
  const auto code = string_field(o, "ident_code", problem);
  const auto outcome = string_field(o, "outcome", problem);
  const auto amount = string_field(o, "amount", problem);
  r.currency = string_field(o, "currency", problem);
  r.merchant_name = string_field(o, "merchant_name", problem);
  r.tag = string_field(o, "tag", problem);
  if (!problem.empty()) {
    co_return error_answer(400, "INVALID_FIELD", problem);
  }
  if (!code || code->empty() || !outcome || !amount) {
    co_return error_answer(400, "MISSING_FIELD",
                           std::string("field '") + (!code || code->empty() ? "ident_code" : !outcome ? "outcome" : "amount") +
                               "' is required");
  }
  const auto parsed_outcome = creditpay::parse_payment_outcome(*outcome);
  if (!parsed_outcome) {
    co_return error_answer(400, "INVALID_FIELD",
                           "outcome must be paid, unpaid, assign_failed or barcode_failed, got '" +
                               support::excerpt(*outcome, 40) + "'");
  }
  if (const json::value* after = o.if_contains("pay_after_ms")) {
    if (!after->is_int64()) {
      co_return error_answer(400, "INVALID_FIELD", "field 'pay_after_ms' must be an integer (milliseconds)");
    }
    r.pay_after_ms = after->get_int64();
  }
  r.ident_code = *code;
  r.outcome = *parsed_outcome;
  r.amount = *amount;
  auto result = co_await payments_.async_start(r);
  if (auto* refusal = std::get_if<creditpay::payment_refusal>(&result)) {
    co_return error_answer(*refusal);
  }
  const auto& p = std::get<creditpay::payment_record>(result);
  support::log_line("payment " + p.payment_id + " started for " + p.ident_code + ": " +
                    creditpay::payment_outcome_name(p.outcome) + ", " + std::to_string(p.event_ids.size()) +
                    " event(s) planned");
  const auto held = co_await deliveries_.async_find_many(p.event_ids);
  co_return http::json_response(201, payment_json(p, held));
}

net::awaitable<http::response> payments_api::list(const http::request& req) const {
  std::optional<http::response> error;
  const auto limit = int_param(req, "limit", static_cast<std::int64_t>(max_items), 1, max_items, error);
  if (error) {
    co_return std::move(*error);
  }
  const auto listing = co_await payments_.async_list(text_param(req, "platform"), text_param(req, "ident_code"),
                                                     static_cast<std::size_t>(limit));
  json::array items;
  for (const auto& p : listing.items) {
    const auto held = co_await deliveries_.async_find_many(p.event_ids);
    items.push_back(payment_json(p, held));
  }
  co_return http::json_response(200, json::object{{"count", listing.count}, {"items", std::move(items)}});
}

net::awaitable<http::response> payments_api::one(const http::request& req) const {
  const bool refund = req.method == "POST";
  const std::string rest(http::template_segment(refund ? refund_path : payment_path, req.path(), 0));
  if (!refund) {
    const auto p = co_await payments_.async_find(rest);
    if (!p) {
      co_return error_answer(404, "UNKNOWN_PAYMENT", "no payment '" + support::excerpt(rest, 64) + "'");
    }
    json::object body = payment_json(*p, {}, false);
    body.erase("events");
    const auto held = co_await deliveries_.async_find_many(p->event_ids);
    co_return object_with_array(body, "events", deliveries_json(held, deliveries_));
  }
  const http::json_body parsed = http::parse_json_object(req.body);
  const json::value* amount = parsed.problem == http::body_problem::none ? parsed.object.if_contains("amount") : nullptr;
  if (amount == nullptr || !amount->is_string() || parsed.object.size() != 1) {
    co_return error_answer(400, "INVALID_BODY", "expected {\"amount\": \"2.30\"} (the amount as a string)");
  }
  auto result = co_await payments_.async_refund(rest, std::string(amount->get_string()));
  if (auto* refusal = std::get_if<creditpay::payment_refusal>(&result)) {
    co_return error_answer(*refusal);
  }
  const auto& r = std::get<creditpay::refund_record>(result);
  co_return http::json_response(201, json::object{{"payment_id", rest},
                                                  {"event_id", r.event_id},
                                                  {"order_no", r.order_no},
                                                  {"amount", r.amount},
                                                  {"time_ms", r.time_ms}});
}

}  // namespace authsim::admin

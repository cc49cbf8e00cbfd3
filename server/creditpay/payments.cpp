#include "creditpay/payments.hpp"

#include "creditpay/credit_limit_query.hpp"
#include "creditpay/signing.hpp"
#include "support/aliases.hpp"
#include "support/crypto.hpp"
#include "support/event.hpp"
#include "support/interrupt.hpp"
#include "support/json_writer.hpp"
#include "support/text.hpp"
#include "support/validate.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/json/serialize.hpp>


#include <algorithm>
#include <atomic>
#include <cctype>

namespace authsim::creditpay {

namespace {

std::string upper_hex(std::size_t bytes) {
  std::string s = support::random_hex(bytes);
  for (char& c : s) {
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return s;
}

std::string result_of(const outbound::answer& a) {
  if (a.answered()) {
    return a.status == 200 ? "delivered" : "http_error";
  }
  switch (a.error) {
    case outbound::failure::timeout: return "timeout";
    case outbound::failure::connect:
    case outbound::failure::resolve:
    case outbound::failure::tls: return "connect_error";
    default: return "other_error";
  }
}

// The fields PAY_SUCCESS and REFUND share: the trade's amount, its own
// order number, the payment's order as chargeOrderNo, and when it was made.
json::object trade_data(const payment_record& p, const std::string& amount, const std::string& order_no,
                        std::int64_t trade_time_ms) {
  return {{"tag", p.tag},
          {"token", p.token},
          {"amount", amount},
          {"currency", p.currency},
          {"orderNo", order_no},
          {"tradeTime", trade_time_ms},
          {"merchantName", percent_encode(p.merchant_name)},
          {"chargeOrderNo", p.order_no},
          {"realIp", p.real_ip},
          {"remark", ""}};
}

// The `data` of a planned event of `p`, due at `due_ms`.
json::object event_data(const std::string& type, const payment_record& p, std::int64_t due_ms) {
  if (type == "SESSION_RENEWAL") {
    return {{"token", p.token}, {"timestamp", due_ms}};
  }
  if (type == "PAY_SUCCESS") {
    return trade_data(p, p.amount, p.order_no, due_ms);
  }
  if (type == "PAY_START") {
    return {{"tag", p.tag},         {"token", p.token},       {"session_sign", p.session_sign},
            {"real_ip", p.real_ip}, {"amount", p.amount},     {"currency", p.currency},
            {"orderNo", p.order_no}};
  }
  if (type == "PAY_FINISH") {
    return {{"tag", p.tag}, {"token", p.token}, {"amount", p.amount}, {"currency", p.currency}, {"orderNo", p.order_no}};
  }
  // ASSIGN_*, GET_BARCODE_*, PAY_TIMEOUT.
  return {{"tag", p.tag}, {"token", p.token}, {"session_sign", p.session_sign}, {"real_ip", p.real_ip}};
}

}  // namespace

std::optional<payment_outcome> parse_payment_outcome(std::string_view text) {
  if (text == "paid") return payment_outcome::paid;
  if (text == "unpaid") return payment_outcome::unpaid;
  if (text == "assign_failed") return payment_outcome::assign_failed;
  if (text == "barcode_failed") return payment_outcome::barcode_failed;
  return std::nullopt;
}

const char* payment_outcome_name(payment_outcome o) {
  switch (o) {
    case payment_outcome::paid: return "paid";
    case payment_outcome::unpaid: return "unpaid";
    case payment_outcome::assign_failed: return "assign_failed";
    case payment_outcome::barcode_failed: return "barcode_failed";
  }
  return "paid";
}

const char* delivery_status_name(delivery_status s) {
  switch (s) {
    case delivery_status::scheduled: return "scheduled";
    case delivery_status::retrying: return "retrying";
    case delivery_status::delivered: return "delivered";
    case delivery_status::failed: return "failed";
    case delivery_status::undeliverable: return "undeliverable";
    case delivery_status::dropped: return "dropped";
  }
  return "scheduled";
}

std::optional<delivery_status> parse_delivery_status(std::string_view text) {
  for (const auto s : {delivery_status::scheduled, delivery_status::retrying, delivery_status::delivered,
                       delivery_status::failed, delivery_status::undeliverable, delivery_status::dropped}) {
    if (text == delivery_status_name(s)) {
      return s;
    }
  }
  return std::nullopt;
}

std::vector<planned_event> plan_lifecycle(payment_outcome outcome, std::int64_t pay_after_ms) {
  using t = lifecycle_timing;
  std::vector<planned_event> out{{"PAY_START", 0}};
  if (outcome == payment_outcome::assign_failed) {
    out.push_back({"ASSIGN_FAILED", t::assign_ms});
    return out;
  }
  out.push_back({"ASSIGN_SUCCESS", t::assign_ms});
  if (outcome == payment_outcome::barcode_failed) {
    out.push_back({"GET_BARCODE_FAILED", t::barcode_ms});
    return out;
  }
  // The trade is open from the first barcode until it is paid or times out.
  const std::int64_t ends = outcome == payment_outcome::paid ? pay_after_ms : t::barcode_end_ms + t::timeout_after_expiry_ms;
  for (int i = 0; i < t::barcodes; ++i) {
    const std::int64_t at = t::barcode_ms + i * t::barcode_life_ms;
    if (at < ends) {
      out.push_back({"GET_BARCODE_SUCCESS", at});
    }
  }
  for (std::int64_t at = t::barcode_ms + t::renewal_every_ms; at < ends; at += t::renewal_every_ms) {
    out.push_back({"SESSION_RENEWAL", at});
  }
  if (outcome == payment_outcome::paid) {
    out.push_back({"PAY_SUCCESS", pay_after_ms});
    out.push_back({"PAY_FINISH", pay_after_ms + t::finish_after_success_ms});
  } else {
    out.push_back({"PAY_TIMEOUT", ends});
  }
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.offset_ms < b.offset_ms; });
  return out;
}

std::string percent_encode(std::string_view text) {
  static constexpr std::string_view unreserved =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.!~*'()";
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : text) {
    if (unreserved.find(c) != std::string_view::npos) {
      out.push_back(c);
    } else {
      const auto b = static_cast<unsigned char>(c);
      out.push_back('%');
      out.push_back(hex[b >> 4U]);
      out.push_back(hex[b & 0xFU]);
    }
  }
  return out;
}

std::optional<std::int64_t> amount_units(std::string_view text) {
  if (!support::is_plain_amount(text)) {
    return std::nullopt;
  }
  const std::size_t point = text.find('.');
  const std::string_view whole = text.substr(0, point);
  const std::string_view decimals = point == std::string_view::npos ? std::string_view() : text.substr(point + 1);
  if (whole.size() > 10 || decimals.size() > 8) {
    return std::nullopt;
  }
  std::int64_t units = 0;
  for (const char c : whole) {
    units = units * 10 + (c - '0');
  }
  for (std::size_t i = 0; i < 8; ++i) {
    units = units * 10 + (i < decimals.size() ? decimals[i] - '0' : 0);
  }
  return units;
}

outbound::request webhook_request(const fixtures::platform& platform, const fixtures::creditpay_settings& settings,
                                  const webhook_request_parts& parts, const std::string& trace, std::int64_t now_ms) {
  outbound::request r;
  r.url = parts.url;
  support::json_object_writer body;
  body.string("type", parts.type)
      .string("platform_id", parts.plat_id)
      .number("retry", parts.retry)
      .string("event_id", parts.event_id)
      .object("data", parts.data_json);
  r.body = body.finish();
  const std::string signature =
      compute_signature(platform, signed_path_of_url(parts.url).value_or("/"), r.body);
  using header = fixtures::platform::signature_header;
  r.headers.emplace_back("Content-Type", "application/json");
  if (platform.webhook_signature_header != header::signerature) {
    r.headers.emplace_back("signature", signature);
  }
  if (platform.webhook_signature_header != header::signature) {
    r.headers.emplace_back("signerature", signature);
  }
  r.headers.emplace_back("token", parts.token);
  r.headers.emplace_back("trace", trace);
  r.headers.emplace_back("timestamp", std::to_string(now_ms));
  r.verify_tls = platform.verify_tls;
  r.connect_timeout = std::chrono::milliseconds(settings.outbound_connect_timeout_ms);
  r.total_timeout = std::chrono::milliseconds(settings.outbound_timeout_ms);
  return r;
}

payments::payments(std::shared_ptr<const fixtures::fixture_set> fixtures, const state::clock& clock,
                   state::code_store& codes, const state::platform_endpoints& endpoints, outbound::client& outbound,
                   state::metrics& metrics, std::shared_ptr<jobs::scheduler> scheduler, std::size_t capacity)
    : fixtures_(std::move(fixtures)),
      clock_(clock),
      codes_(codes),
      endpoints_(endpoints),
      outbound_(outbound),
      metrics_(metrics),
      scheduler_(std::move(scheduler)),
      capacity_(capacity) {}

net::awaitable<std::variant<payment_record, payment_refusal>> payments::async_start(const payment_request& r) {
  const std::int64_t now = clock_.now_ms();
  const std::optional<state::code_record> code = co_await codes_.async_find(r.ident_code, now);
  if (!code) {
    co_return payment_refusal{404, "UNKNOWN_CODE",
                              "ident_code '" + support::excerpt(r.ident_code, 64) +
                                  "' is not held by this simulator (never issued, or forgotten)"};
  }
  if (!code->redeemed_at_ms) {
    co_return payment_refusal{409, "CODE_NOT_REDEEMED",
                              "ident_code '" + code->ident_code + "' is " +
                                  state::code_status_name(state::status_of(*code, now)) +
                                  ": a payment needs a code the cashier has logged in with (redeemed)"};
  }
  const fixtures::platform* platform = fixtures_->find_platform(code->plat_id);
  if (platform == nullptr) {
    co_return payment_refusal{409, "UNKNOWN_PLATFORM",
                              "the code's platform '" + code->plat_id + "' is no longer in the fixtures"};
  }
  const std::optional<std::int64_t> units = amount_units(r.amount);
  if (!units || *units == 0) {
    co_return payment_refusal{400, "INVALID_FIELD",
                              "amount must be a positive amount such as \"12.30\" (a string, at most 10 digits "
                              "before the point and 8 after), got '" + support::excerpt(r.amount, 40) + "'"};
  }
  if (const auto max = amount_units(platform->max_amount); max && *units > *max) {
    co_return payment_refusal{400, "INVALID_FIELD",
                              "amount " + r.amount + " is over the platform's max_amount " + platform->max_amount};
  }
  const std::string currency = r.currency.value_or(platform->credit_limit_currency);
  if (!support::is_currency_code(currency)) {
    co_return payment_refusal{400, "INVALID_FIELD",
                              "currency must be three capital letters such as CNY, got '" +
                                  support::excerpt(currency, 16) + "'"};
  }
  using t = lifecycle_timing;
  if (r.outcome == payment_outcome::paid && (r.pay_after_ms < t::barcode_ms || r.pay_after_ms >= t::barcode_end_ms)) {
    co_return payment_refusal{400, "INVALID_FIELD",
                              "pay_after_ms must be from " + std::to_string(t::barcode_ms) + " (the first barcode) "
                              "to " + std::to_string(t::barcode_end_ms - 1) + " (before the last barcode expires), got " +
                                  std::to_string(r.pay_after_ms)};
  }

  payment_record p;
  p.payment_id = "pay_" + support::random_hex(12);
  p.ident_code = code->ident_code;
  p.plat_id = code->plat_id;
  p.custom_no = code->custom_no;
  p.outcome = r.outcome;
  p.amount = r.amount;
  p.currency = currency;
  p.order_no = "CP" + upper_hex(10);
  p.started_ms = now;
  if (r.outcome == payment_outcome::paid) {
    p.paid_at_ms = now + r.pay_after_ms;
  }
  p.token = code->customer_token;
  p.session_sign = code->session_sign.value_or("");
  p.real_ip = code->client_ip;
  p.tag = r.tag.value_or(code->credit ? code->credit->tag : std::string());
  p.merchant_name = r.merchant_name.value_or(platform->name);

  std::vector<std::pair<std::string, std::int64_t>> to_schedule;
  {
    const std::lock_guard lock(mutex_);
    for (const planned_event& planned : plan_lifecycle(r.outcome, r.pay_after_ms)) {
      stored_event s;
      s.event.event_id = "evt_" + support::random_hex(12);
      s.event.payment_id = p.payment_id;
      s.event.plat_id = p.plat_id;
      s.event.type = planned.type;
      s.event.token = p.token;
      s.event.due_ms = now + planned.offset_ms;
      s.event.next_attempt_ms = s.event.due_ms;
      s.event.data_json = json::serialize(event_data(planned.type, p, s.event.due_ms));
      s.first_due_ms = s.event.due_ms;
      p.event_ids.push_back(s.event.event_id);
      to_schedule.emplace_back(s.event.event_id, s.event.due_ms);
      events_.emplace(s.event.event_id, std::move(s));
    }
    payments_.emplace(p.payment_id, p);
    order_.push_back(p.payment_id);
    evict_if_full();
  }
  for (const auto& [id, due] : to_schedule) {
    schedule(id, p.plat_id, due, 0);
  }
  co_return p;
}

std::variant<refund_record, payment_refusal> payments::refund(const std::string& payment_id,
                                                              const std::string& amount) {
  const std::int64_t now = clock_.now_ms();
  const std::optional<std::int64_t> units = amount_units(amount);
  if (!units || *units == 0) {
    return payment_refusal{400, "INVALID_FIELD",
                           "amount must be a positive amount such as \"2.30\" (a string), got '" +
                               support::excerpt(amount, 40) + "'"};
  }
  refund_record refund;
  std::string event_id;
  std::string plat_id;
  const std::int64_t due = now;
  {
    const std::lock_guard lock(mutex_);
    const auto it = payments_.find(payment_id);
    if (it == payments_.end()) {
      return payment_refusal{404, "UNKNOWN_PAYMENT", "no payment '" + support::excerpt(payment_id, 64) + "'"};
    }
    payment_record& p = it->second;
    if (!p.paid_at_ms || *p.paid_at_ms > now) {
      return payment_refusal{409, "NOT_PAID",
                             "payment " + payment_id + " is not paid" +
                                 (p.paid_at_ms ? " yet (PAY_SUCCESS is due at " + std::to_string(*p.paid_at_ms) +
                                                     "; move the clock there first)"
                                               : std::string(" (its outcome is ") + payment_outcome_name(p.outcome) + ")")};
    }
    if (p.refunds.size() >= max_refunds) {
      return payment_refusal{409, "TOO_MANY_REFUNDS",
                             "payment " + payment_id + " has " + std::to_string(max_refunds) + " refunds already"};
    }
    std::int64_t refunded = 0;
    for (const auto& r : p.refunds) {
      refunded += amount_units(r.amount).value_or(0);
    }
    const std::int64_t paid = amount_units(p.amount).value_or(0);
    if (refunded + *units > paid) {
      return payment_refusal{409, "REFUND_TOO_LARGE",
                             "a refund of " + amount + " would take the refunds over the " + p.amount + " " +
                                 p.currency + " paid (" + std::to_string(p.refunds.size()) + " refund(s) so far)"};
    }
    // The refund's event: PAY_SUCCESS's fields, its own order number, the
    // payment's as chargeOrderNo.
    stored_event s;
    s.event.event_id = "evt_" + support::random_hex(12);
    s.event.payment_id = p.payment_id;
    s.event.plat_id = p.plat_id;
    s.event.type = "REFUND";
    s.event.token = p.token;
    s.event.due_ms = due;
    s.event.next_attempt_ms = due;
    refund.order_no = "RF" + upper_hex(10);
    refund.amount = amount;
    refund.time_ms = now;
    refund.event_id = s.event.event_id;
    s.event.data_json = json::serialize(trade_data(p, amount, refund.order_no, now));
    s.first_due_ms = due;
    event_id = s.event.event_id;
    p.event_ids.push_back(event_id);
    p.refunds.push_back(refund);
    plat_id = p.plat_id;
    events_.emplace(event_id, std::move(s));
  }
  schedule(event_id, plat_id, due, 0);
  return refund;
}

// A platform's events go in the platform's lane.
void payments::schedule(const std::string& event_id, const std::string& plat_id, std::int64_t due_ms, int retry) {
  scheduler_->add(due_ms, plat_id, [this, event_id, retry]() { return attempt(event_id, retry); });
}

net::awaitable<void> payments::attempt(std::string event_id, int retry) {
  std::optional<faults::webhook_fault> fault;
  std::string type;
  std::string plat_id;
  bool decide = false;
  {
    const std::lock_guard lock(mutex_);
    const auto it = events_.find(event_id);
    // Forgotten (a reset), or delivered meanwhile by a redelivery.
    if (it == events_.end() || it->second.event.status == delivery_status::delivered) {
      co_return;
    }
    decide = !it->second.fault_decided;
    it->second.fault_decided = true;
    type = it->second.event.type;
    plat_id = it->second.event.plat_id;
    fault = it->second.event.fault;
  }
  if (decide && decide_fault_) {
    fault = decide_fault_(type, plat_id);
    const std::lock_guard lock(mutex_);
    if (const auto it = events_.find(event_id); it != events_.end()) {
      it->second.event.fault = fault;
    }
    if (fault) {
      metrics_.record_fault(std::string("webhook_") + faults::webhook_fault_name(fault->kind));
    }
  }
  using kind = faults::webhook_fault_kind;
  if (fault && fault->kind == kind::drop) {
    {
      const std::lock_guard lock(mutex_);
      if (const auto it = events_.find(event_id); it != events_.end()) {
        it->second.event.status = delivery_status::dropped;
        it->second.event.next_attempt_ms.reset();
      }
    }
    metrics_.record_webhook(type, "dropped");
    notify_waiters();
    co_return;
  }
  if (fault && fault->kind == kind::out_of_order && retry == 0) {
    std::optional<std::int64_t> later;
    {
      const std::lock_guard lock(mutex_);
      if (const auto it = events_.find(event_id); it != events_.end() && !it->second.held) {
        it->second.held = true;
        later = it->second.event.due_ms + fault->hold_ms;
        it->second.first_due_ms = *later;
        it->second.event.next_attempt_ms = later;
      }
    }
    if (later) {
      // Held back: the platform's later events go first.
      schedule(event_id, plat_id, *later, 0);
      co_return;
    }
  }
  if (fault && fault->kind == kind::delay && retry == 0) {
    // The platform's later events wait behind this one.
    net::steady_timer timer(co_await net::this_coro::executor);
    timer.expires_after(std::chrono::milliseconds(fault->delay_ms));
    co_await timer.async_wait(use_tuple);
  }
  co_await send(event_id, retry, false, fault && fault->kind == kind::bad_signature && retry == 0);
  const fixtures::creditpay_settings& s = fixtures_->creditpay;
  std::optional<std::int64_t> next;
  {
    const std::lock_guard lock(mutex_);
    const auto it = events_.find(event_id);
    if (it == events_.end()) {
      co_return;
    }
    webhook_event& e = it->second.event;
    if (e.status == delivery_status::retrying || e.status == delivery_status::scheduled) {
      if (retry < s.webhook_max_retries) {
        next = it->second.first_due_ms + (retry + 1) * s.webhook_retry_interval_ms;
        e.status = delivery_status::retrying;
        e.next_attempt_ms = next;
      } else {
        e.status = delivery_status::failed;
        e.next_attempt_ms.reset();
      }
    }
  }
  notify_waiters();
  if (next) {
    schedule(event_id, plat_id, *next, retry + 1);
  }
}

net::awaitable<delivery_attempt> payments::send(const std::string& event_id, int retry, bool redelivery,
                                                bool bad_signature) {
  bool twice = false;
  {
    const std::lock_guard lock(mutex_);
    const auto it = events_.find(event_id);
    twice = it != events_.end() && it->second.event.fault &&
            it->second.event.fault->kind == faults::webhook_fault_kind::duplicate;
  }
  delivery_attempt a = co_await send_once(event_id, retry, redelivery, bad_signature);
  // An attempt that sent nothing (no webhook_url) has no trace to repeat.
  if (twice && !a.trace.empty()) {
    a = co_await send_once(event_id, retry, redelivery, bad_signature);
  }
  co_return a;
}

net::awaitable<delivery_attempt> payments::send_once(const std::string& event_id, int retry, bool redelivery,
                                                     bool bad_signature) {
  const std::int64_t now = clock_.now_ms();
  delivery_attempt a;
  a.time_ms = now;
  a.retry = retry;
  webhook_request_parts parts;
  {
    const std::lock_guard lock(mutex_);
    const auto it = events_.find(event_id);
    if (it == events_.end()) {
      a.error = "the event is no longer held";
      co_return a;
    }
    const webhook_event& e = it->second.event;
    parts.type = e.type;
    parts.plat_id = e.plat_id;
    parts.retry = retry;
    parts.event_id = e.event_id;
    parts.data_json = e.data_json;
    parts.token = e.token;
  }
  const fixtures::platform* platform = fixtures_->find_platform(parts.plat_id);
  const std::optional<state::endpoints> endpoints =
      platform != nullptr ? endpoints_.get(parts.plat_id) : std::nullopt;
  if (platform == nullptr || !endpoints || !endpoints->webhook_url) {
    a.error = "the platform has no webhook_url: the event is kept as undeliverable (set one with PUT "
              "/__admin/platforms/" + parts.plat_id + "/endpoints, then redeliver it)";
    const std::lock_guard lock(mutex_);
    if (const auto it = events_.find(event_id); it != events_.end()) {
      it->second.event.status = delivery_status::undeliverable;
      it->second.event.next_attempt_ms.reset();
      auto& attempts = it->second.event.attempts;
      attempts.push_back(a);
      if (attempts.size() > max_attempts_kept) {
        attempts.erase(attempts.begin());
      }
    }
    metrics_.record_webhook(parts.type, "undeliverable");
    co_return a;
  }
  parts.url = *endpoints->webhook_url;
  a.trace = support::random_trace_id();  // only what is sent has one
  outbound::request req = webhook_request(*platform, fixtures_->creditpay, parts, a.trace, now);
  if (bad_signature) {
    // Signed with a key that is not the platform's: a receiver must refuse it.
    fixtures::platform wrong = *platform;
    wrong.signature_key = "not-" + platform->signature_key;
    const std::string bad = compute_signature(wrong, signed_path_of_url(parts.url).value_or("/"), req.body);
    for (auto& [name, value] : req.headers) {
      if (name == "signature" || name == "signerature") {
        value = bad;
      }
    }
    a.error = "sent with a wrong signature (scenario fault bad_signature)";
  }
  const outbound::answer answer = co_await outbound_.async_post(req);
  a.latency_us = answer.latency_us;
  const std::string note = a.error;  // the fault carried out, if any
  if (answer.answered()) {
    a.status = answer.status;
    a.answer = support::valid_utf8(std::string_view(answer.body).substr(0, answer_excerpt_bytes));
    a.error = answer.status != 200 ? "answered HTTP " + std::to_string(answer.status) + "; only 200 counts as delivered"
                                   : std::string();
  } else {
    a.error = answer.detail;
  }
  if (!note.empty()) {
    a.error = a.error.empty() ? note + "; the platform took it (HTTP 200)" : note + "; " + a.error;
  }
  metrics_.record_webhook(parts.type, result_of(answer));
  {
    const std::lock_guard lock(mutex_);
    if (const auto it = events_.find(event_id); it != events_.end()) {
      webhook_event& e = it->second.event;
      e.attempts.push_back(a);
      if (e.attempts.size() > max_attempts_kept) {
        e.attempts.erase(e.attempts.begin());
      }
      if (a.status == 200u) {
        e.status = delivery_status::delivered;
        e.next_attempt_ms.reset();
      } else if (redelivery && e.status == delivery_status::undeliverable) {
        e.status = delivery_status::failed;
      }
    }
  }
  notify_waiters();
  co_return a;
}

net::awaitable<std::optional<delivery_attempt>> payments::async_redeliver(const std::string& event_id) {
  int retry = 0;
  {
    const std::lock_guard lock(mutex_);
    const auto it = events_.find(event_id);
    if (it == events_.end()) {
      co_return std::nullopt;
    }
    retry = static_cast<int>(it->second.event.attempts.empty() ? 0 : it->second.event.attempts.back().retry + 1);
  }
  co_return co_await send(event_id, retry, true);
}

std::optional<payment_record> payments::find(const std::string& payment_id) const {
  const std::lock_guard lock(mutex_);
  const auto it = payments_.find(payment_id);
  return it == payments_.end() ? std::nullopt : std::optional(it->second);
}

payments::payment_listing payments::list(const std::optional<std::string>& plat_id,
                                         const std::optional<std::string>& ident_code, std::size_t limit) const {
  payment_listing out;
  const std::lock_guard lock(mutex_);
  for (auto it = order_.rbegin(); it != order_.rend(); ++it) {
    const payment_record& p = payments_.at(*it);
    if ((plat_id && p.plat_id != *plat_id) || (ident_code && p.ident_code != *ident_code)) {
      continue;
    }
    ++out.count;
    if (out.items.size() < limit) {
      out.items.push_back(p);
    }
  }
  return out;
}

std::optional<webhook_event> payments::event(const std::string& event_id) const {
  const std::lock_guard lock(mutex_);
  const auto it = events_.find(event_id);
  return it == events_.end() ? std::nullopt : std::optional(it->second.event);
}

bool payments::matches(const webhook_event& e, const webhook_filter& f) const {
  return (!f.plat_id || e.plat_id == *f.plat_id) && (!f.type || e.type == *f.type) &&
         (!f.event_id || e.event_id == *f.event_id) && (!f.payment_id || e.payment_id == *f.payment_id) &&
         (!f.status || e.status == *f.status) && e.attempts.size() >= f.min_attempts;
}

payments::event_listing payments::events(const webhook_filter& filter, std::size_t limit) const {
  event_listing out;
  std::vector<const webhook_event*> found;
  {
    const std::lock_guard lock(mutex_);
    for (const auto& [id, s] : events_) {
      if (matches(s.event, filter)) {
        found.push_back(&s.event);
      }
    }
    std::stable_sort(found.begin(), found.end(), [](const webhook_event* a, const webhook_event* b) {
      return a->due_ms != b->due_ms ? a->due_ms < b->due_ms : a->event_id < b->event_id;
    });
    out.count = found.size();
    for (std::size_t i = 0; i < found.size() && i < limit; ++i) {
      out.items.push_back(*found[i]);
    }
  }
  return out;
}

std::size_t payments::count(const webhook_filter& filter) const {
  const std::lock_guard lock(mutex_);
  return static_cast<std::size_t>(
      std::count_if(events_.begin(), events_.end(), [&](const auto& kv) { return matches(kv.second.event, filter); }));
}

net::awaitable<std::size_t> payments::async_wait(const webhook_filter& filter, std::size_t wanted,
                                                 std::chrono::steady_clock::time_point deadline,
                                                 support::interrupt_source* interrupts) {
  auto wake = std::make_shared<support::event>(co_await net::this_coro::executor);
  {
    const std::lock_guard lock(mutex_);
    waiters_.push_back(wake);
  }
  const auto interrupted = std::make_shared<std::atomic<bool>>(false);
  std::shared_ptr<void> subscription;
  if (interrupts != nullptr) {
    subscription = interrupts->subscribe([wake, interrupted] {
      interrupted->store(true);
      wake->raise();
    });
  }
  std::size_t have = count(filter);
  while (have < wanted && std::chrono::steady_clock::now() < deadline && !interrupted->load()) {
    co_await wake->wait_until(deadline);
    have = count(filter);
  }
  co_return have;
}

void payments::notify_waiters() {
  std::vector<std::shared_ptr<support::event>> live;
  {
    const std::lock_guard lock(mutex_);
    std::erase_if(waiters_, [&](const std::weak_ptr<support::event>& w) {
      auto s = w.lock();
      if (!s) {
        return true;
      }
      live.push_back(std::move(s));
      return false;
    });
  }
  for (auto& w : live) {
    w->raise();
  }
}

std::size_t payments::pending() const {
  const std::lock_guard lock(mutex_);
  return static_cast<std::size_t>(std::count_if(events_.begin(), events_.end(), [](const auto& kv) {
    const delivery_status s = kv.second.event.status;
    return s == delivery_status::scheduled || s == delivery_status::retrying;
  }));
}

void payments::clear() {
  {
    const std::lock_guard lock(mutex_);
    payments_.clear();
    order_.clear();
    events_.clear();
  }
  scheduler_->clear();
  notify_waiters();
}

// Under the lock. The oldest payments go, with their events.
void payments::evict_if_full() {
  while (order_.size() > capacity_) {
    const auto it = payments_.find(order_.front());
    if (it != payments_.end()) {
      for (const auto& id : it->second.event_ids) {
        events_.erase(id);
      }
      payments_.erase(it);
    }
    order_.pop_front();
  }
}

}  // namespace authsim::creditpay

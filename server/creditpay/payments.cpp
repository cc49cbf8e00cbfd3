#include "creditpay/payments.hpp"

#include "creditpay/credit_limit_query.hpp"
#include "creditpay/signing.hpp"
#include "support/aliases.hpp"
#include "support/crypto.hpp"
#include "support/json_fields.hpp"
#include "support/json_writer.hpp"
#include "support/text.hpp"
#include "support/validate.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>


#include <algorithm>
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

// A delivery of one of `p`'s events, due at `due_ms`, its data still to set.
outbound::delivery event_of(const payment_record& p, const std::string& type, std::int64_t due_ms) {
  outbound::delivery d;
  d.event_id = "evt_" + support::random_hex(12);
  d.api = api_name;
  d.lane = p.plat_id;
  d.subject = p.payment_id;
  d.type = type;
  d.token = p.token;
  d.due_ms = due_ms;
  return d;
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

std::variant<outbound::request, std::string> webhook_channel::build(const outbound::delivery& d, int retry,
                                                                    const std::string& trace,
                                                                    std::int64_t now_ms) const {
  const fixtures::platform* platform = fixtures_->find_platform(d.lane);
  const std::optional<state::endpoints> endpoints = platform != nullptr ? endpoints_.get(d.lane) : std::nullopt;
  if (platform == nullptr || !endpoints || !endpoints->webhook_url) {
    return "the platform has no webhook_url: the event is kept as undeliverable (set one with PUT "
           "/__admin/platforms/" + d.lane + "/endpoints, then redeliver it)";
  }
  webhook_request_parts parts;
  parts.url = *endpoints->webhook_url;
  parts.type = d.type;
  parts.plat_id = d.lane;
  parts.retry = retry;
  parts.event_id = d.event_id;
  parts.data_json = d.data_json;
  parts.token = d.token;
  return webhook_request(*platform, fixtures_->creditpay, parts, trace, now_ms);
}

bool webhook_channel::spoil_signature(outbound::request& r, const outbound::delivery& d) const {
  const fixtures::platform* platform = fixtures_->find_platform(d.lane);
  if (platform == nullptr) {
    return false;
  }
  // Signed with a key that is not the platform's: a receiver must refuse it.
  fixtures::platform wrong = *platform;
  wrong.signature_key = "not-" + platform->signature_key;
  const std::string bad = compute_signature(wrong, signed_path_of_url(r.url).value_or("/"), r.body);
  for (auto& [name, value] : r.headers) {
    if (name == "signature" || name == "signerature") {
      value = bad;
    }
  }
  return true;
}

std::string webhook_channel::judge(const outbound::answer& a) const {
  if (!a.answered()) {
    return a.detail;
  }
  return a.status == 200 ? std::string()
                         : "answered HTTP " + std::to_string(a.status) + "; only 200 counts as delivered";
}

std::optional<std::int64_t> webhook_channel::retry_due(std::int64_t first_due_ms, int retry) const {
  const fixtures::creditpay_settings& s = fixtures_->creditpay;
  if (retry > s.webhook_max_retries) {
    return std::nullopt;
  }
  return first_due_ms + retry * s.webhook_retry_interval_ms;
}

namespace {

// How many times a refund is tried again when the payment changed meanwhile.
constexpr int max_refund_tries = 16;

}  // namespace

std::string encode_payment(const payment_record& p) {
  json::array events(p.event_ids.begin(), p.event_ids.end());
  json::array refunds;
  for (const auto& r : p.refunds) {
    refunds.push_back(
        json::object{{"event_id", r.event_id}, {"order_no", r.order_no}, {"amount", r.amount}, {"time_ms", r.time_ms}});
  }
  return json::serialize(json::object{{"payment_id", p.payment_id},
                                      {"ident_code", p.ident_code},
                                      {"plat_id", p.plat_id},
                                      {"custom_no", p.custom_no},
                                      {"outcome", payment_outcome_name(p.outcome)},
                                      {"amount", p.amount},
                                      {"currency", p.currency},
                                      {"order_no", p.order_no},
                                      {"started_ms", p.started_ms},
                                      {"paid_at_ms", p.paid_at_ms ? json::value(*p.paid_at_ms) : json::value(nullptr)},
                                      {"token", p.token},
                                      {"session_sign", p.session_sign},
                                      {"real_ip", p.real_ip},
                                      {"tag", p.tag},
                                      {"merchant_name", p.merchant_name},
                                      {"event_ids", std::move(events)},
                                      {"refunds", std::move(refunds)}});
}

std::optional<payment_record> decode_payment(const std::string& text) {
  using support::json_int;
  using support::json_text_or_empty;
  const std::optional<json::object> parsed = support::json_object_of(text);
  if (!parsed) {
    return std::nullopt;
  }
  const json::object& o = *parsed;
  payment_record p;
  p.payment_id = json_text_or_empty(o, "payment_id");
  p.ident_code = json_text_or_empty(o, "ident_code");
  p.plat_id = json_text_or_empty(o, "plat_id");
  p.custom_no = json_text_or_empty(o, "custom_no");
  p.outcome = parse_payment_outcome(json_text_or_empty(o, "outcome")).value_or(payment_outcome::paid);
  p.amount = json_text_or_empty(o, "amount");
  p.currency = json_text_or_empty(o, "currency");
  p.order_no = json_text_or_empty(o, "order_no");
  p.started_ms = json_int(o, "started_ms").value_or(0);
  p.paid_at_ms = json_int(o, "paid_at_ms");
  p.token = json_text_or_empty(o, "token");
  p.session_sign = json_text_or_empty(o, "session_sign");
  p.real_ip = json_text_or_empty(o, "real_ip");
  p.tag = json_text_or_empty(o, "tag");
  p.merchant_name = json_text_or_empty(o, "merchant_name");
  p.event_ids = support::json_strings(o, "event_ids");
  if (const json::value* refunds = o.if_contains("refunds"); refunds != nullptr && refunds->is_array()) {
    for (const auto& r : refunds->get_array()) {
      if (r.is_object()) {
        const json::object& ro = r.get_object();
        p.refunds.push_back(refund_record{json_text_or_empty(ro, "event_id"), json_text_or_empty(ro, "order_no"),
                                          json_text_or_empty(ro, "amount"), json_int(ro, "time_ms").value_or(0)});
      }
    }
  }
  return p;
}

payments::payments(std::shared_ptr<const fixtures::fixture_set> fixtures, const state::clock& clock,
                   state::code_store& codes, const state::platform_endpoints& endpoints, state::records& records,
                   outbound::deliveries& deliveries, std::size_t capacity)
    : fixtures_(std::move(fixtures)),
      clock_(clock),
      codes_(codes),
      records_(records),
      deliveries_(deliveries),
      capacity_(capacity) {
  deliveries_.add_channel(api_name, std::make_shared<webhook_channel>(fixtures_, endpoints));
}

state::record_write payments::write_of(const payment_record& p, std::uint64_t expect) const {
  state::record_write w;
  w.kind = kind;
  w.id = p.payment_id;
  w.body = encode_payment(p);
  w.expect = expect;
  // The bound evicts the oldest payments, and their events with them.
  for (const auto& id : p.event_ids) {
    w.owned.emplace_back(outbound::deliveries::kind, id);
  }
  w.capacity = capacity_;
  w.fields = {{"plat_id", p.plat_id}, {"ident_code", p.ident_code}};
  return w;
}
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

  std::vector<outbound::delivery> events;
  for (const planned_event& planned : plan_lifecycle(r.outcome, r.pay_after_ms)) {
    events.push_back(event_of(p, planned.type, now + planned.offset_ms));
    events.back().data_json = json::serialize(event_data(planned.type, p, events.back().due_ms));
    p.event_ids.push_back(events.back().event_id);
  }
  std::vector<state::record_write> writes{write_of(p, 0)};
  std::vector<state::scheduled_job> jobs;
  for (auto& e : events) {
    deliveries_.prepare(std::move(e), writes, jobs);
  }
  // A new payment id: nothing can be there before it.
  co_await records_.async_commit(std::move(writes), std::move(jobs));
  co_return p;
}

net::awaitable<std::variant<refund_record, payment_refusal>> payments::async_refund(const std::string& payment_id,
                                                                                    const std::string& amount) {
  const std::optional<std::int64_t> units = amount_units(amount);
  if (!units || *units == 0) {
    co_return payment_refusal{400, "INVALID_FIELD",
                              "amount must be a positive amount such as \"2.30\" (a string), got '" +
                                  support::excerpt(amount, 40) + "'"};
  }
  for (int i = 0; i < max_refund_tries; ++i) {
    const std::int64_t now = clock_.now_ms();
    const std::optional<state::record> got = co_await records_.async_get(kind, payment_id);
    std::optional<payment_record> found = got ? decode_payment(got->body) : std::nullopt;
    if (!found) {
      co_return payment_refusal{404, "UNKNOWN_PAYMENT", "no payment '" + support::excerpt(payment_id, 64) + "'"};
    }
    payment_record& p = *found;
    if (!p.paid_at_ms || *p.paid_at_ms > now) {
      co_return payment_refusal{
          409, "NOT_PAID",
          "payment " + payment_id + " is not paid" +
              (p.paid_at_ms ? " yet (PAY_SUCCESS is due at " + std::to_string(*p.paid_at_ms) +
                                  "; move the clock there first)"
                            : std::string(" (its outcome is ") + payment_outcome_name(p.outcome) + ")")};
    }
    if (p.refunds.size() >= max_refunds) {
      co_return payment_refusal{409, "TOO_MANY_REFUNDS",
                                "payment " + payment_id + " has " + std::to_string(max_refunds) + " refunds already"};
    }
    std::int64_t refunded = 0;
    for (const auto& r : p.refunds) {
      refunded += amount_units(r.amount).value_or(0);
    }
    const std::int64_t paid = amount_units(p.amount).value_or(0);
    if (refunded + *units > paid) {
      co_return payment_refusal{409, "REFUND_TOO_LARGE",
                                "a refund of " + amount + " would take the refunds over the " + p.amount + " " +
                                    p.currency + " paid (" + std::to_string(p.refunds.size()) + " refund(s) so far)"};
    }
    // The refund's event: PAY_SUCCESS's fields, its own order number, the
    // payment's as chargeOrderNo.
    outbound::delivery event = event_of(p, "REFUND", now);
    refund_record refund;
    refund.order_no = "RF" + upper_hex(10);
    refund.amount = amount;
    refund.time_ms = now;
    refund.event_id = event.event_id;
    event.data_json = json::serialize(trade_data(p, amount, refund.order_no, now));
    p.event_ids.push_back(event.event_id);
    p.refunds.push_back(refund);
    std::vector<state::record_write> writes{write_of(p, got->version)};
    std::vector<state::scheduled_job> jobs;
    deliveries_.prepare(std::move(event), writes, jobs);
    // Another refund of this payment (any replica) may have come first:
    // then the checks run again on the payment as it is now.
    if (co_await records_.async_commit(std::move(writes), std::move(jobs))) {
      co_return refund;
    }
  }
  co_return payment_refusal{409, "PAYMENT_BUSY",
                            "payment " + payment_id + " changed " + std::to_string(max_refund_tries) +
                                " times while this refund was checked; try again"};
}

net::awaitable<std::optional<payment_record>> payments::async_find(const std::string& payment_id) const {
  const std::optional<state::record> got = co_await records_.async_get(kind, payment_id);
  co_return got ? decode_payment(got->body) : std::nullopt;
}

net::awaitable<payments::payment_listing> payments::async_list(const std::optional<std::string>& plat_id,
                                                               const std::optional<std::string>& ident_code,
                                                               std::size_t limit) const {
  state::record_match match;
  if (plat_id) {
    match.equal.emplace_back("plat_id", *plat_id);
  }
  if (ident_code) {
    match.equal.emplace_back("ident_code", *ident_code);
  }
  const state::record_listing got = co_await records_.async_select(kind, match, limit, true);
  payment_listing out;
  out.count = got.count;
  for (const auto& r : got.items) {
    if (auto p = decode_payment(r.body)) {
      out.items.push_back(std::move(*p));
    }
  }
  co_return out;
}

net::awaitable<void> payments::async_clear() { co_await records_.async_clear(kind); }

}  // namespace authsim::creditpay

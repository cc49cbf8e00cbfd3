#pragma once
// Credit Pay's payment lifecycle, played out as the platform's webhook
// events: a payment started by the admin API plans its events at
// simulated times (the upstream's timing), a scheduler sends each when its
// time comes, and a failed delivery is retried every 5 minutes, at most 10
// times (fixture settings).
//
// `payments` keeps the payments (bounded) and hands their events to
// outbound::deliveries, which sends, retries and journals them in the
// platform's lane. Its lifecycle planning and the webhook request it sends
// are pure functions, tested on their own.
//
// Payments are kept in state::records (memory, or shared by every
// replica), each with its events: starting one is one commit of the
// payment, its deliveries and their jobs. Thread-safe.

#include "fixtures/fixtures.hpp"
#include "http/message.hpp"
#include "outbound/client.hpp"
#include "outbound/deliveries.hpp"
#include "state/clock.hpp"
#include "state/code_store.hpp"
#include "state/platform_endpoints.hpp"
#include "state/records.hpp"

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace authsim::creditpay {

// How a payment ends, as POST /__admin/payments names it.
enum class payment_outcome { paid, unpaid, assign_failed, barcode_failed };
std::optional<payment_outcome> parse_payment_outcome(std::string_view text);
const char* payment_outcome_name(payment_outcome o);

// The upstream's timing, in milliseconds after the payment starts (see
// NOTES: the barcode refreshed every 45 s at most 3 times, a session
// renewal once a minute while the trade is open, the time-out 2 minutes
// after the barcode expires).
struct lifecycle_timing {
  static constexpr std::int64_t assign_ms = 1'000;
  static constexpr std::int64_t barcode_ms = 2'000;
  static constexpr std::int64_t barcode_life_ms = 45'000;
  static constexpr int barcodes = 3;
  static constexpr std::int64_t renewal_every_ms = 60'000;
  static constexpr std::int64_t timeout_after_expiry_ms = 120'000;
  static constexpr std::int64_t finish_after_success_ms = 1'000;
  static constexpr std::int64_t default_pay_after_ms = 50'000;
  // The last barcode's end: a payment is made before it.
  static constexpr std::int64_t barcode_end_ms = barcode_ms + barcodes * barcode_life_ms;
};

struct planned_event {
  std::string type;        // PAY_START, ASSIGN_SUCCESS, ...
  std::int64_t offset_ms;  // after the payment's start
};

// The events of a payment with this outcome, in due order. `pay_after_ms`
// (paid only) is when the user pays, after the first barcode and before
// the last one ends.
std::vector<planned_event> plan_lifecycle(payment_outcome outcome, std::int64_t pay_after_ms);

// What a webhook request is made of, besides the per-attempt trace and
// timestamp.
struct webhook_request_parts {
  std::string url;
  std::string type;
  std::string plat_id;
  int retry = 0;
  std::string event_id;
  std::string data_json;  // the event's `data`, as compact JSON
  std::string token;      // the user's customer_token
};

// The body {"type","platform_id","retry","event_id","data"} (compact) and
// the headers: the signature over the URL's path and the body (under the
// name(s) the platform's `webhook_signature_header` says), token, trace,
// timestamp (13-digit ms), Content-Type.
outbound::request webhook_request(const fixtures::platform& platform, const fixtures::creditpay_settings& settings,
                                  const webhook_request_parts& parts, const std::string& trace, std::int64_t now_ms);

// Percent-encoding of UTF-8 as encodeURIComponent does it (the upstream's
// merchantName).
std::string percent_encode(std::string_view text);

// An amount as a count of 10^-8 units: "12.30" is 1'230'000'000. nullopt
// for text that is not a plain amount of at most 10 integer digits and 8
// decimals (18 digits in all: an int64 holds them).
std::optional<std::int64_t> amount_units(std::string_view text);

// Credit Pay's channel of outbound::deliveries: webhook_request to the
// platform's webhook_url, signed; HTTP 200 is delivered; a retry every
// webhook_retry_interval_ms after the first due time, at most
// webhook_max_retries.
class webhook_channel : public outbound::channel {
 public:
  webhook_channel(std::shared_ptr<const fixtures::fixture_set> fixtures, const state::platform_endpoints& endpoints)
      : fixtures_(std::move(fixtures)), endpoints_(endpoints) {}
  [[nodiscard]] const char* lane_name() const override { return "platform"; }
  [[nodiscard]] const char* subject_name() const override { return "payment_id"; }
  [[nodiscard]] std::variant<outbound::request, std::string> build(const outbound::delivery& d, int retry,
                                                                   const std::string& trace,
                                                                   std::int64_t now_ms) const override;
  bool spoil_signature(outbound::request& r, const outbound::delivery& d) const override;
  [[nodiscard]] std::string judge(const outbound::answer& a) const override;
  [[nodiscard]] std::optional<std::int64_t> retry_due(std::int64_t first_due_ms, int retry) const override;

 private:
  std::shared_ptr<const fixtures::fixture_set> fixtures_;
  const state::platform_endpoints& endpoints_;
};

inline constexpr const char* api_name = "creditpay";  // its deliveries' api

struct refund_record {
  std::string event_id;
  std::string order_no;
  std::string amount;
  std::int64_t time_ms = 0;
};

struct payment_record {
  std::string payment_id;
  std::string ident_code;
  std::string plat_id;
  std::string custom_no;
  payment_outcome outcome = payment_outcome::paid;
  std::string amount;
  std::string currency;
  std::string order_no;
  std::int64_t started_ms = 0;
  std::optional<std::int64_t> paid_at_ms;  // PAY_SUCCESS's due time (paid only)
  // What the events carry of the code and the request, fixed at the start.
  std::string token;         // the code's customer_token
  std::string session_sign;  // "" when identify had none
  std::string real_ip;       // the code's client_ip
  std::string tag;
  std::string merchant_name;  // as given, before percent-encoding
  std::vector<std::string> event_ids;      // in due order, refunds after
  std::vector<refund_record> refunds;
};

// What POST /__admin/payments asks for.
struct payment_request {
  std::string ident_code;
  payment_outcome outcome = payment_outcome::paid;
  std::string amount;
  std::optional<std::string> currency;  // the platform's credit_limit_currency when unset
  std::int64_t pay_after_ms = lifecycle_timing::default_pay_after_ms;
  std::optional<std::string> merchant_name;
  std::optional<std::string> tag;  // the identify request's credit tag when unset
};

// A refusal of the admin API.
using payment_refusal = http::status_refusal;

std::string encode_payment(const payment_record& p);
std::optional<payment_record> decode_payment(const std::string& text);

class payments {
 public:
  static constexpr std::size_t default_capacity = 10'000;  // payments kept; the oldest go first
  static constexpr std::size_t max_refunds = 50;
  static inline const std::string kind = "payment";  // their records

  // Registers Credit Pay's channel with `deliveries`.
  payments(std::shared_ptr<const fixtures::fixture_set> fixtures, const state::clock& clock, state::code_store& codes,
           const state::platform_endpoints& endpoints, state::records& records, outbound::deliveries& deliveries,
           std::size_t capacity = default_capacity);

  // Starts a payment: checks the code (known, redeemed) and the request,
  // plans its events and schedules them. The record, or why not.
  net::awaitable<std::variant<payment_record, payment_refusal>> async_start(const payment_request& r);
  // A refund of a paid payment, sent now; never more than was paid in all.
  net::awaitable<std::variant<refund_record, payment_refusal>> async_refund(const std::string& payment_id,
                                                                            const std::string& amount);

  [[nodiscard]] net::awaitable<std::optional<payment_record>> async_find(const std::string& payment_id) const;
  // Newest first; `count` is how many match.
  struct payment_listing {
    std::size_t count = 0;
    std::vector<payment_record> items;
  };
  [[nodiscard]] net::awaitable<payment_listing> async_list(const std::optional<std::string>& plat_id,
                                                           const std::optional<std::string>& ident_code,
                                                           std::size_t limit) const;

  // Forgets every payment (POST /__admin/reset; the deliveries go too).
  net::awaitable<void> async_clear();

 private:
  [[nodiscard]] state::record_write write_of(const payment_record& p, std::uint64_t expect) const;

  std::shared_ptr<const fixtures::fixture_set> fixtures_;
  const state::clock& clock_;
  state::code_store& codes_;
  state::records& records_;
  outbound::deliveries& deliveries_;
  std::size_t capacity_;
};

}  // namespace authsim::creditpay

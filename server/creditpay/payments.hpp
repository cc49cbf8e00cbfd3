#pragma once
// Credit Pay's payment lifecycle, played out as the platform's webhook
// events: a payment started by the admin API plans its events at
// simulated times (the upstream's timing), a scheduler sends each when its
// time comes, and a failed delivery is retried every 5 minutes, at most 10
// times (fixture settings).
//
// `payments` keeps the payments and their events (bounded), delivers
// through outbound::client, and lets a test wait for deliveries. Its
// lifecycle planning and the webhook request it sends are pure functions,
// tested on their own.
//
// Thread-safe: one mutex guards the payments and events; deliveries run
// as scheduler jobs, one platform's in order.

#include "faults/scenario.hpp"
#include "fixtures/fixtures.hpp"
#include "jobs/scheduler.hpp"
#include "outbound/client.hpp"
#include "state/clock.hpp"
#include "state/code_store.hpp"
#include "state/metrics.hpp"
#include "state/platform_endpoints.hpp"

#include <boost/json/object.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace authsim::support {
class event;
class interrupt_source;
}

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

// One attempt to deliver an event.
struct delivery_attempt {
  std::int64_t time_ms = 0;  // simulated time it was sent
  int retry = 0;
  std::optional<unsigned> status;  // HTTP status when there was an answer
  std::string error;               // why there was none, or why it is not delivered
  std::int64_t latency_us = 0;
  std::string answer;              // the first 1 KiB of the answer's body
  std::string trace;
};

enum class delivery_status { scheduled, retrying, delivered, failed, undeliverable, dropped };
const char* delivery_status_name(delivery_status s);
std::optional<delivery_status> parse_delivery_status(std::string_view text);

struct webhook_event {
  std::string event_id;
  std::string payment_id;
  std::string plat_id;
  std::string type;
  std::string data_json;
  std::string token;
  std::int64_t due_ms = 0;
  delivery_status status = delivery_status::scheduled;
  std::optional<std::int64_t> next_attempt_ms;  // the next (re)try's due time, while one is planned
  std::vector<delivery_attempt> attempts;
  // The active scenario's webhook fault, decided at the first attempt.
  std::optional<faults::webhook_fault> fault;
};

// Asks the active scenario what happens to an event (type, platform).
using webhook_fault_decider =
    std::function<std::optional<faults::webhook_fault>(const std::string& type, const std::string& plat_id)>;

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

// A refusal of the admin API: HTTP status, error id and message.
struct payment_refusal {
  unsigned status;
  std::string error;
  std::string message;
};

struct webhook_filter {
  std::optional<std::string> plat_id;
  std::optional<std::string> type;
  std::optional<std::string> event_id;
  std::optional<std::string> payment_id;
  std::optional<delivery_status> status;
  std::size_t min_attempts = 0;
};

class payments {
 public:
  static constexpr std::size_t default_capacity = 10'000;  // payments kept; the oldest go first
  static constexpr std::size_t max_refunds = 50;
  static constexpr std::size_t max_attempts_kept = 20;
  static constexpr std::size_t answer_excerpt_bytes = 1024;

  payments(std::shared_ptr<const fixtures::fixture_set> fixtures, const state::clock& clock, state::code_store& codes,
           const state::platform_endpoints& endpoints, outbound::client& outbound, state::metrics& metrics,
           std::shared_ptr<jobs::scheduler> scheduler, std::size_t capacity = default_capacity);

  // Where webhook faults come from (the scenario engine); none: no faults.
  void set_fault_decider(webhook_fault_decider decider) { decide_fault_ = std::move(decider); }

  // Starts a payment: checks the code (known, redeemed) and the request,
  // plans its events and schedules them. The record, or why not.
  net::awaitable<std::variant<payment_record, payment_refusal>> async_start(const payment_request& r);
  // A refund of a paid payment, sent now; never more than was paid in all.
  std::variant<refund_record, payment_refusal> refund(const std::string& payment_id, const std::string& amount);

  [[nodiscard]] std::optional<payment_record> find(const std::string& payment_id) const;
  // Newest first; `count` is how many match.
  struct payment_listing {
    std::size_t count = 0;
    std::vector<payment_record> items;
  };
  [[nodiscard]] payment_listing list(const std::optional<std::string>& plat_id,
                                     const std::optional<std::string>& ident_code, std::size_t limit) const;

  [[nodiscard]] std::optional<webhook_event> event(const std::string& event_id) const;
  struct event_listing {
    std::size_t count = 0;
    std::vector<webhook_event> items;
  };
  // In due order.
  [[nodiscard]] event_listing events(const webhook_filter& filter, std::size_t limit) const;
  [[nodiscard]] std::size_t count(const webhook_filter& filter) const;

  // Waits until `count` events match the filter, or `deadline`, or `stop`
  // says so; answers how many match then. Awaited at once.
  net::awaitable<std::size_t> async_wait(const webhook_filter& filter, std::size_t count,
                                         std::chrono::steady_clock::time_point deadline,
                                         support::interrupt_source* interrupts);

  // Sends the event again now, whatever its status; answers the attempt.
  // nullopt for an unknown event. Awaited at once.
  net::awaitable<std::optional<delivery_attempt>> async_redeliver(const std::string& event_id);

  // Events not yet delivered and not given up (scheduled or retrying).
  [[nodiscard]] std::size_t pending() const;
  // Forgets every payment and event (POST /__admin/reset).
  void clear();

 private:
  struct stored_event {
    webhook_event event;
    std::int64_t first_due_ms = 0;
    bool fault_decided = false;
    bool held = false;  // out_of_order: the hold is under way or done
  };

  net::awaitable<void> attempt(std::string event_id, int retry);
  // One attempt (two with `duplicate`); `bad_signature` signs it wrong.
  net::awaitable<delivery_attempt> send(const std::string& event_id, int retry, bool redelivery,
                                        bool bad_signature = false);
  net::awaitable<delivery_attempt> send_once(const std::string& event_id, int retry, bool redelivery,
                                             bool bad_signature);
  void schedule(const std::string& event_id, const std::string& plat_id, std::int64_t due_ms, int retry);
  bool matches(const webhook_event& e, const webhook_filter& f) const;
  void notify_waiters();
  void evict_if_full();
  std::shared_ptr<const fixtures::fixture_set> fixtures_;
  const state::clock& clock_;
  state::code_store& codes_;
  const state::platform_endpoints& endpoints_;
  outbound::client& outbound_;
  state::metrics& metrics_;
  std::shared_ptr<jobs::scheduler> scheduler_;
  std::size_t capacity_;

  mutable std::mutex mutex_;
  std::map<std::string, payment_record> payments_;
  std::deque<std::string> order_;  // payment ids, oldest first
  std::map<std::string, stored_event> events_;
  std::vector<std::weak_ptr<support::event>> waiters_;
  webhook_fault_decider decide_fault_;
};

}  // namespace authsim::creditpay

#pragma once
// Calls authsim makes on its own to a partner's endpoint, one journal for
// both APIs: Credit Pay's webhooks to a platform and UOCS's pushes to an
// integrator. Each is a delivery: due at a simulated time, sent by the job
// scheduler in its lane (one platform's or app's in order), retried while
// the partner does not take it, and kept with every attempt for the admin
// API (list, long-poll, redeliver).
//
// What differs between the APIs is a channel: how an attempt's request is
// built (URL, body, headers, signature), what answer counts as taken, and
// when a retry is due. The scenario engine's webhook faults (duplicate,
// out_of_order, delay, drop, bad_signature) apply to every channel.
//
// Kept in state::records (memory, or shared by every replica), each
// attempt a job of the scheduler: a job finds its delivery as the records
// hold it and does nothing when the delivery has moved on (delivered
// meanwhile, or its attempt already made by a job that ran twice), so that
// a job run again after a replica died mid-way is harmless. Thread-safe.

#include "faults/scenario.hpp"
#include "jobs/scheduler.hpp"
#include "outbound/client.hpp"
#include "state/clock.hpp"
#include "state/metrics.hpp"
#include "state/records.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
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

namespace authsim::outbound {

// One attempt to deliver.
struct delivery_attempt {
  std::int64_t time_ms = 0;  // simulated time it was sent
  int retry = 0;
  std::optional<unsigned> status;  // HTTP status when there was an answer
  std::string error;               // why it was not taken, or what fault was carried out
  std::int64_t latency_us = 0;
  std::string answer;              // the first 1 KiB of the answer's body
  std::string trace;               // empty when nothing was sent
};

enum class delivery_status { scheduled, retrying, delivered, failed, undeliverable, dropped };
const char* delivery_status_name(delivery_status s);
std::optional<delivery_status> parse_delivery_status(std::string_view text);

struct delivery {
  std::string event_id;
  std::string api;      // "creditpay" or "uocs": the channel
  std::string lane;     // the platform (plat_id) or app (appKey) it goes to
  std::string subject;  // what it is about: a payment id or a waybill's fyCode
  std::string type;     // PAY_SUCCESS, ORDER_STATUS, ...
  std::string data_json;  // the event's data (Credit Pay) or the whole push body (UOCS), compact JSON
  std::string token;      // Credit Pay: the user's customer_token (the `token` header)
  std::int64_t due_ms = 0;
  delivery_status status = delivery_status::scheduled;
  std::optional<std::int64_t> next_attempt_ms;  // the next (re)try's due time, while one is planned
  std::vector<delivery_attempt> attempts;
  // The active scenario's fault, decided at the first attempt.
  std::optional<faults::webhook_fault> fault;
};

// What one API does with its deliveries.
class channel {
 public:
  channel() = default;
  channel(const channel&) = delete;
  channel& operator=(const channel&) = delete;
  virtual ~channel() = default;

  // What the admin API calls the lane and the subject ("platform",
  // "payment_id"; "app", "fy_code").
  [[nodiscard]] virtual const char* lane_name() const = 0;
  [[nodiscard]] virtual const char* subject_name() const = 0;
  // The request of one attempt, or why nothing can be sent (no URL): the
  // delivery is then undeliverable until redelivered.
  [[nodiscard]] virtual std::variant<request, std::string> build(const delivery& d, int retry, const std::string& trace,
                                                                 std::int64_t now_ms) const = 0;
  // Signs `r` with a wrong key (fault bad_signature). False when the API
  // signs nothing, so there is nothing to spoil.
  virtual bool spoil_signature(request& r, const delivery& d) const = 0;
  // Why the answer is not taken as delivered; empty when it is.
  [[nodiscard]] virtual std::string judge(const answer& a) const = 0;
  // When retry `retry` (1, 2, ...) is due, for a delivery first due at
  // `first_due_ms`; nullopt when there is no such retry.
  [[nodiscard]] virtual std::optional<std::int64_t> retry_due(std::int64_t first_due_ms, int retry) const = 0;
};

// Asks the active scenario what happens to a delivery (api, type, lane).
using fault_decider = std::function<std::optional<faults::webhook_fault>(
    const std::string& api, const std::string& type, const std::string& lane)>;

struct delivery_filter {
  std::optional<std::string> api;
  std::optional<std::string> lane;
  std::optional<std::string> subject;
  std::optional<std::string> type;
  std::optional<std::string> event_id;
  std::optional<delivery_status> status;
  std::size_t min_attempts = 0;
};

// A delivery as the records keep it: besides what the admin API shows, the
// bookkeeping of its attempts.
struct stored_delivery {
  delivery d;
  std::int64_t first_due_ms = 0;  // retries are due after it
  bool fault_decided = false;
  bool held = false;       // out_of_order: the hold is under way or done
  int planned_retry = 0;   // the retry the planned attempt (next_attempt_ms) is
};
std::string encode_delivery(const stored_delivery& s);
// nullopt for text that is not one (never written by encode_delivery).
std::optional<stored_delivery> decode_delivery(const std::string& text);

class deliveries {
 public:
  static constexpr std::size_t max_attempts_kept = 20;
  static constexpr std::size_t answer_excerpt_bytes = 1024;
  // std::string, not char pointers: passed to the records' calls inside a
  // co_await, a converted temporary is a trap of g++ 12 (support/async.hpp).
  static inline const std::string kind = "delivery";      // their records
  static inline const std::string job_kind = "delivery";  // their scheduled attempts
  static inline const std::string pending_tag = "pending";

  // Registers the handler of its attempts with `scheduler`, and listens to
  // the records' changes (long polls).
  deliveries(const state::clock& clock, client& outbound, state::metrics& metrics, state::records& records,
             jobs::scheduler& scheduler);

  // Registers the channel of an API; before any delivery of it is added.
  void add_channel(const std::string& api, std::shared_ptr<const channel> c);
  [[nodiscard]] const channel* channel_of(const std::string& api) const;
  // Where faults come from (the scenario engine); none: no faults.
  void set_fault_decider(fault_decider decider) { decide_fault_ = std::move(decider); }

  // The write that keeps `d` and the job of its first attempt at d.due_ms,
  // for the owner's commit (with its own record). Deliveries of one lane
  // due at the same time go in the order they are committed.
  void prepare(delivery d, std::vector<state::record_write>& writes, std::vector<state::scheduled_job>& jobs) const;

  [[nodiscard]] net::awaitable<std::optional<delivery>> async_find(const std::string& event_id) const;
  // Those of `event_ids` still held, in that order.
  [[nodiscard]] net::awaitable<std::vector<delivery>> async_find_many(const std::vector<std::string>& event_ids) const;
  struct listing {
    std::size_t count = 0;
    std::vector<delivery> items;
  };
  // In due order (the order added for the same due time).
  [[nodiscard]] net::awaitable<listing> async_list(const delivery_filter& filter, std::size_t limit) const;

  // Waits until `count` deliveries match the filter, or `deadline`, or
  // `interrupts` says so; answers how many match then. Awaited at once.
  net::awaitable<std::size_t> async_wait(const delivery_filter& filter, std::size_t count,
                                         std::chrono::steady_clock::time_point deadline,
                                         support::interrupt_source* interrupts);

  // Sends it again now, whatever its status; the attempt, or nullopt for
  // an unknown event. Awaited at once.
  net::awaitable<std::optional<delivery_attempt>> async_redeliver(const std::string& event_id);

  // Not yet delivered and not given up (scheduled or retrying).
  [[nodiscard]] net::awaitable<std::size_t> async_pending() const;
  // Forgets every delivery (POST /__admin/reset).
  net::awaitable<void> async_clear();
  // authsim is stopping: an attempt waiting out a `delay` fault ends (it
  // is made again later, with a shared schedule by another replica).
  void stop() { stopping_.store(true); }

 private:
  struct outcome {
    delivery_attempt attempt;
    bool taken = false;
    bool built = true;       // false: nothing could be sent (no URL)
    bool cancelled = false;  // the call was cut short by authsim's own shutdown
  };
  using change_fn = std::function<bool(stored_delivery&, std::vector<state::scheduled_job>&)>;
  net::awaitable<void> attempt(const std::string& arg);
  // One attempt (two with `duplicate`) of `d`; `bad_signature` signs it wrong.
  net::awaitable<std::vector<outcome>> send(const delivery& d, int retry, bool bad_signature);
  net::awaitable<outcome> send_once(const delivery& d, int retry, bool bad_signature);
  // Files the attempts `sent` with `s` (the last max_attempts_kept kept)
  // and sets what they settle: delivered when one was taken, undeliverable
  // when none could be built. Answers whether they settled it.
  static bool file_attempts(stored_delivery& s, const std::vector<outcome>& sent);
  // Reads, changes and commits one delivery until no other change came in
  // between; `change` answers false when there is nothing to write. The
  // delivery as written (or as read, unchanged), nullopt when not held.
  net::awaitable<std::optional<stored_delivery>> update(const std::string& event_id, const change_fn& change);
  [[nodiscard]] state::record_write write_of(const stored_delivery& s, std::uint64_t expect) const;
  static bool matches(const delivery& d, const delivery_filter& f);
  [[nodiscard]] net::awaitable<std::size_t> count(const delivery_filter& filter) const;
  void notify_waiters();

  const state::clock& clock_;
  client& outbound_;
  state::metrics& metrics_;
  state::records& records_;
  std::map<std::string, std::shared_ptr<const channel>> channels_;
  fault_decider decide_fault_;

  std::atomic<bool> stopping_{false};
  std::mutex mutex_;  // the waiters
  std::vector<std::weak_ptr<support::event>> waiters_;
};

}  // namespace authsim::outbound

#pragma once
// UOCS waybills, with state: created by createWaybill, they go through
// orderStatus 0 awaiting pickup -> 1 awaiting take-off -> 2 in flight ->
// 3 awaiting receipt -> 4 done on the simulated clock (durations from the
// fixtures, the flight from the route), or end in 5 exception (the admin
// API, or a cancel before pickup). Each change is pushed to the app's
// callback_url through outbound::deliveries (lane: the app), in the
// upstream's bodies: order status, take-off, landing, locker pickup code,
// flight task.
//
// A waybill's step times are fixed when it is planned, so what the calls
// answer follows the clock at once; the pushes are made by scheduler jobs
// at those times. Waybills are kept in state::records (memory, or shared by
// every replica): each change is one commit of the waybill, the pushes it
// made and their jobs. Thread-safe.

#include "fixtures/fixtures.hpp"
#include "jobs/scheduler.hpp"
#include "outbound/deliveries.hpp"
#include "state/app_endpoints.hpp"
#include "state/clock.hpp"
#include "state/records.hpp"
#include "http/message.hpp"
#include "uocs/waybill_request.hpp"

#include <array>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace authsim::uocs {

inline constexpr const char* api_name = "uocs";  // its deliveries' api

// orderStatus: 0 awaiting pickup ... 4 done, 5 exception.
inline constexpr int status_exception = 5;
const char* order_status_name(int status);     // "awaiting pickup", ...
const char* order_status_name_zh(int status);  // "待揽件", ...

struct waybill {
  std::string fy_code;
  std::string send_code;
  std::string app_key;
  std::string user_id;  // the account whose token created it
  create_request request;
  double distance_km = 0;
  std::int64_t flight_minutes = 1;
  std::string uav_id;
  std::string task_id;
  std::string pick_up_code;
  std::int64_t created_ms = 0;
  // When orderStatus k (1-4) is reached; unset once it no longer will be.
  std::array<std::optional<std::int64_t>, 5> reached_ms;
  std::optional<std::int64_t> exception_ms;
  std::string exception_reason;
  bool cancelled = false;
  std::vector<std::string> push_ids;  // its pushes, in the order made
  // Bookkeeping of the pushes: the last status pushed, the plan's version.
  int pushed_through = 0;
  bool exception_pushed = false;
  std::uint64_t generation = 0;

  [[nodiscard]] std::optional<std::int64_t>& step(int status) { return reached_ms.at(static_cast<std::size_t>(status)); }
  [[nodiscard]] const std::optional<std::int64_t>& step(int status) const {
    return reached_ms.at(static_cast<std::size_t>(status));
  }
  // The stations: those createWaybill named (and checked).
  [[nodiscard]] const std::string& takeoff_code() const { return request.sender_code; }
  [[nodiscard]] const std::string& landing_code() const { return request.receiver_code; }
  [[nodiscard]] int status_at(std::int64_t now_ms) const;
  // taskStatus: 1 not flying, 2 in flight, 3 landed, 7 exception in flight.
  [[nodiscard]] int task_status_at(std::int64_t now_ms) const;
  // A step's time when it has happened by `now_ms`.
  [[nodiscard]] std::optional<std::int64_t> reached_by(int status, std::int64_t now_ms) const;
};


// UOCS's channel: the push body as is to the app's callback_url, no
// signature; taken when HTTP 200 answers a JSON object whose `code` is 0
// (or "0"); retried after push_retry_first, doubling up to push_retry_max,
// at most push_max_retries times.
class push_channel : public outbound::channel {
 public:
  push_channel(std::shared_ptr<const fixtures::fixture_set> fixtures, std::function<std::optional<std::string>(const std::string&)> callback_of)
      : fixtures_(std::move(fixtures)), callback_of_(std::move(callback_of)) {}
  [[nodiscard]] const char* lane_name() const override { return "app"; }
  [[nodiscard]] const char* subject_name() const override { return "fy_code"; }
  [[nodiscard]] std::variant<outbound::request, std::string> build(const outbound::delivery& d, int retry,
                                                                   const std::string& trace,
                                                                   std::int64_t now_ms) const override;
  bool spoil_signature(outbound::request&, const outbound::delivery&) const override { return false; }
  [[nodiscard]] std::string judge(const outbound::answer& a) const override;
  [[nodiscard]] std::optional<std::int64_t> retry_due(std::int64_t first_due_ms, int retry) const override;

 private:
  std::shared_ptr<const fixtures::fixture_set> fixtures_;
  std::function<std::optional<std::string>(const std::string&)> callback_of_;
};

std::string encode_waybill(const waybill& w);
std::optional<waybill> decode_waybill(const std::string& text);

class waybills {
 public:
  static constexpr std::size_t default_capacity = 10'000;  // waybills kept; the oldest go first
  static inline const std::string kind = "waybill";           // their records
  static inline const std::string biz_code_kind = "bizcode";  // (devCode, bizCode) -> fyCode
  static inline const std::string step_job = "waybill_step";  // a step's pushes, when it is reached

  // Registers UOCS's channel with `deliveries` and the steps' jobs with
  // `scheduler`.
  waybills(std::shared_ptr<const fixtures::fixture_set> fixtures, const state::clock& clock,
           const state::app_endpoints& apps, state::records& records, outbound::deliveries& deliveries,
           jobs::scheduler& scheduler, std::size_t capacity = default_capacity);

  // A new waybill of `app` on `r`'s route; refused when the devCode already
  // used its bizCode.
  net::awaitable<std::variant<waybill, refusal>> async_create(const fixtures::uocs_app& app, const std::string& user_id,
                                                              const create_request& r, const route& way);
  [[nodiscard]] net::awaitable<std::optional<waybill>> async_find(const std::string& fy_code) const;
  // Cancels a waybill not yet picked up (orderStatus 0).
  net::awaitable<std::variant<waybill, refusal>> async_cancel(const std::string& fy_code,
                                                              const std::optional<std::string>& reason);

  // POST /__admin/waybills/{fyCode}/advance: to the next status, or to
  // `status` (later than the current one; 5 with `reason`).
  net::awaitable<std::variant<waybill, http::status_refusal>> async_advance(const std::string& fy_code,
                                                                            std::optional<int> status,
                                                                            const std::optional<std::string>& reason);
  struct listing {
    std::size_t count = 0;
    std::vector<waybill> items;
  };
  // Newest first.
  [[nodiscard]] net::awaitable<listing> async_list(const std::optional<std::string>& app_key,
                                                   std::optional<int> status, std::size_t limit) const;

  // The app's callback_url (from the fixtures until changed); nullopt for
  // an app without one, or unknown.
  [[nodiscard]] std::optional<std::string> callback_url(const std::string& app_key) const;

  // Forgets every waybill (POST /__admin/reset; their pushes go with the deliveries).
  net::awaitable<void> async_clear();

 private:
  // What a change of a waybill does: nullopt to write it (with what it
  // added to `writes` and `jobs`), or a refusal that leaves it as it is.
  template <typename Refusal>
  using change_fn = std::function<std::optional<Refusal>(waybill&, std::int64_t now_ms,
                                                         std::vector<state::record_write>&,
                                                         std::vector<state::scheduled_job>&)>;
  // Reads, changes and commits a waybill until no other change came in
  // between: the waybill as written, `unknown` when there is none, or the
  // change's refusal.
  template <typename Refusal>
  net::awaitable<std::variant<waybill, Refusal>> update(const std::string& fy_code, Refusal unknown,
                                                        const change_fn<Refusal>& change);
  // The jobs of the steps still to come after `now_ms`.
  void schedule_steps(const waybill& w, std::int64_t now_ms, std::vector<state::scheduled_job>& jobs) const;
  net::awaitable<void> run_step(const std::string& arg);
  // The pushes of what `w` reached by `now_ms` and has not pushed, marked
  // as made and filed with `w`, prepared for the commit.
  void take_pushes(waybill& w, std::int64_t now_ms, std::vector<state::record_write>& writes,
                   std::vector<state::scheduled_job>& jobs) const;
  std::vector<outbound::delivery> pushes_due(waybill& w, std::int64_t now_ms) const;
  [[nodiscard]] state::record_write write_of(const waybill& w, std::uint64_t expect) const;

  std::shared_ptr<const fixtures::fixture_set> fixtures_;
  const state::clock& clock_;
  const state::app_endpoints& apps_;
  state::records& records_;
  outbound::deliveries& deliveries_;
  std::size_t capacity_;
};

// The id of a (devCode, bizCode) pair's record.
std::string biz_code_id(const std::string& dev_code, const std::string& biz_code);

}  // namespace authsim::uocs

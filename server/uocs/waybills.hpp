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
// answer follows the clock at once; the pushes are sent by scheduler jobs
// at those times. Thread-safe: one mutex guards the waybills.

#include "fixtures/fixtures.hpp"
#include "jobs/scheduler.hpp"
#include "outbound/deliveries.hpp"
#include "state/app_endpoints.hpp"
#include "state/clock.hpp"
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

class waybills {
 public:
  static constexpr std::size_t default_capacity = 10'000;  // waybills kept; the oldest go first

  // Registers UOCS's channel with `deliveries`.
  waybills(std::shared_ptr<const fixtures::fixture_set> fixtures, const state::clock& clock,
           const state::app_endpoints& apps, outbound::deliveries& deliveries,
           std::shared_ptr<jobs::scheduler> scheduler, std::size_t capacity = default_capacity);

  // A new waybill of `app` on `r`'s route; refused when the devCode already
  // used its bizCode.
  std::variant<waybill, refusal> create(const fixtures::uocs_app& app, const std::string& user_id,
                                        const create_request& r, const route& way);
  [[nodiscard]] std::optional<waybill> find(const std::string& fy_code) const;
  // Cancels a waybill not yet picked up (orderStatus 0).
  std::variant<waybill, refusal> cancel(const std::string& fy_code, const std::optional<std::string>& reason);

  // POST /__admin/waybills/{fyCode}/advance: to the next status, or to
  // `status` (later than the current one; 5 with `reason`).
  std::variant<waybill, http::status_refusal> advance(const std::string& fy_code, std::optional<int> status,
                                               const std::optional<std::string>& reason);
  struct listing {
    std::size_t count = 0;
    std::vector<waybill> items;
  };
  // Newest first.
  [[nodiscard]] listing list(const std::optional<std::string>& app_key, std::optional<int> status,
                             std::size_t limit) const;

  // The app's callback_url (from the fixtures until changed); nullopt for
  // an app without one, or unknown.
  [[nodiscard]] std::optional<std::string> callback_url(const std::string& app_key) const;

  // Forgets every waybill and push (POST /__admin/reset).
  void clear();

 private:
  void schedule_steps(const waybill& w, std::int64_t now_ms);
  net::awaitable<void> run_step(std::string fy_code, std::uint64_t generation);
  // Under the lock: the pushes of what `w` reached by `now_ms` and has not
  // pushed, marked as made (take_pushes also files their ids with `w`).
  std::vector<outbound::delivery> pushes_due(waybill& w, std::int64_t now_ms) const;
  std::vector<outbound::delivery> take_pushes(waybill& w, std::int64_t now_ms) const;
  // Outside the lock: hands pushes to the deliveries, in order.
  void send(std::vector<outbound::delivery> pushes);
  std::vector<std::string> evict_if_full();

  std::shared_ptr<const fixtures::fixture_set> fixtures_;
  const state::clock& clock_;
  const state::app_endpoints& apps_;
  outbound::deliveries& deliveries_;
  std::shared_ptr<jobs::scheduler> scheduler_;
  std::size_t capacity_;

  mutable std::mutex mutex_;
  std::map<std::string, waybill> waybills_;
  std::deque<std::string> order_;  // fyCodes, oldest first
  std::map<std::pair<std::string, std::string>, std::string> biz_codes_;  // (devCode, bizCode) -> fyCode
};

}  // namespace authsim::uocs

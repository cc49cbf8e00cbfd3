#include "uocs/waybills.hpp"

#include "support/aliases.hpp"
#include "support/crypto.hpp"
#include "support/json_writer.hpp"
#include "support/text.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <cmath>

namespace authsim::uocs {

namespace {

// `n` random decimal digits.
std::string random_digits(std::size_t n) {
  const std::string bytes = support::random_bytes(n);
  std::string out;
  for (const char b : bytes) {
    out.push_back(static_cast<char>('0' + static_cast<unsigned char>(b) % 10));
  }
  return out;
}

}  // namespace

const char* order_status_name(int status) {
  static constexpr const char* names[] = {"awaiting pickup", "awaiting take-off", "in flight",
                                          "awaiting receipt", "done", "exception"};
  return status >= 0 && status <= 5 ? names[status] : "unknown";
}

const char* order_status_name_zh(int status) {
  static constexpr const char* names[] = {"待揽件", "待起飞", "飞行中", "待派件", "已完成", "异常"};
  return status >= 0 && status <= 5 ? names[status] : "未知";
}

int waybill::status_at(std::int64_t now_ms) const {
  if (exception_ms && *exception_ms <= now_ms) {
    return status_exception;
  }
  int s = 0;
  for (int k = 1; k <= 4; ++k) {
    if (step(k) && *step(k) <= now_ms) {
      s = k;
    }
  }
  return s;
}

std::optional<std::int64_t> waybill::reached_by(int status, std::int64_t now_ms) const {
  if (status < 1 || status > 4 || !step(status) || *step(status) > now_ms) {
    return std::nullopt;
  }
  return step(status);
}

int waybill::task_status_at(std::int64_t now_ms) const {
  const bool landed = reached_by(3, now_ms).has_value();
  const bool flown = reached_by(2, now_ms).has_value();
  if (status_at(now_ms) == status_exception && flown && !landed) {
    return 7;
  }
  return landed ? 3 : flown ? 2 : 1;
}

std::variant<outbound::request, std::string> push_channel::build(const outbound::delivery& d, int,
                                                                 const std::string&, std::int64_t) const {
  const fixtures::uocs_app* app = fixtures_->find_app(d.lane);
  const std::optional<std::string> url = app != nullptr ? callback_of_(d.lane) : std::nullopt;
  if (!url) {
    return "the app has no callback_url: the push is kept as undeliverable (set one with PUT /__admin/apps/" +
           d.lane + "/endpoints, then redeliver it)";
  }
  outbound::request r;
  r.url = *url;
  r.body = d.data_json;
  r.headers.emplace_back("Content-Type", "application/json");
  r.verify_tls = app->verify_tls;
  r.connect_timeout = std::chrono::milliseconds(fixtures_->uocs.push_connect_timeout_ms);
  r.total_timeout = std::chrono::milliseconds(fixtures_->uocs.push_timeout_ms);
  return r;
}

std::string push_channel::judge(const outbound::answer& a) const {
  if (!a.answered()) {
    return a.detail;
  }
  if (a.status != 200) {
    return "answered HTTP " + std::to_string(a.status) + "; a push is taken by HTTP 200 with {\"code\":0}";
  }
  boost::system::error_code ec;
  const json::value body = json::parse(a.body, ec);
  const json::object* o = ec ? nullptr : body.if_object();
  if (o == nullptr) {
    return "answered HTTP 200 without a JSON object; a push is taken by {\"code\":0,\"errorMsg\":null}";
  }
  const json::value* code = o->if_contains("code");
  const bool zero = code != nullptr && ((code->is_int64() && code->get_int64() == 0) ||
                                        (code->is_uint64() && code->get_uint64() == 0) ||
                                        (code->is_string() && code->get_string() == "0"));
  if (!zero) {
    const json::value* msg = o->if_contains("errorMsg");
    return "answered code " + (code != nullptr ? json::serialize(*code) : std::string("(none)")) +
           (msg != nullptr && msg->is_string() ? " (" + support::excerpt(msg->get_string(), 200) + ")" : "") +
           "; only code 0 counts as taken";
  }
  return {};
}

std::optional<std::int64_t> push_channel::retry_due(std::int64_t first_due_ms, int retry) const {
  const fixtures::uocs_settings& s = fixtures_->uocs;
  if (retry > s.push_max_retries) {
    return std::nullopt;
  }
  std::int64_t due = first_due_ms;
  std::int64_t wait = s.push_retry_first_ms;
  for (int k = 1; k <= retry; ++k) {
    due += wait;
    wait = std::min(wait * 2, s.push_retry_max_ms);
  }
  return due;
}

waybills::waybills(std::shared_ptr<const fixtures::fixture_set> fixtures, const state::clock& clock,
                   const state::app_endpoints& apps, outbound::deliveries& deliveries,
                   std::shared_ptr<jobs::scheduler> scheduler, std::size_t capacity)
    : fixtures_(std::move(fixtures)),
      clock_(clock),
      apps_(apps),
      deliveries_(deliveries),
      scheduler_(std::move(scheduler)),
      capacity_(capacity) {
  deliveries_.add_channel(api_name, std::make_shared<push_channel>(fixtures_, [this](const std::string& app) {
                            return callback_url(app);
                          }));
}

std::optional<std::string> waybills::callback_url(const std::string& app_key) const {
  return apps_.callback_url(app_key).value_or(std::nullopt);
}

std::variant<waybill, refusal> waybills::create(const fixtures::uocs_app& app, const std::string& user_id,
                                                const create_request& r, const route& way) {
  const std::int64_t now = clock_.now_ms();
  const fixtures::uocs_settings& s = fixtures_->uocs;
  waybill w;
  w.fy_code = "FY" + random_digits(14);
  w.send_code = random_digits(5);
  w.app_key = app.app_key;
  w.user_id = user_id;
  w.request = r;
  w.distance_km = way.distance_km;
  w.flight_minutes = way.flight_minutes;
  w.uav_id = random_digits(4);
  w.task_id = random_digits(6);
  w.pick_up_code = random_digits(6);
  w.created_ms = now;
  w.step(1) = now + s.pickup_ms;
  w.step(2) = *w.step(1) + s.takeoff_ms;
  w.step(3) = *w.step(2) + w.flight_minutes * 60'000;
  w.step(4) = *w.step(3) + s.receipt_ms;
  std::vector<std::string> evicted;
  {
    const std::lock_guard lock(mutex_);
    const auto key = std::make_pair(r.dev_code, r.biz_code);
    if (const auto it = biz_codes_.find(key); it != biz_codes_.end()) {
      return refusal{error_id::duplicate_biz_code, {support::excerpt(r.biz_code, 64), r.dev_code, it->second}};
    }
    biz_codes_.emplace(key, w.fy_code);
    waybills_.emplace(w.fy_code, w);
    order_.push_back(w.fy_code);
    evicted = evict_if_full();
  }
  deliveries_.forget(evicted);
  schedule_steps(w, now);
  return w;
}

std::optional<waybill> waybills::find(const std::string& fy_code) const {
  const std::lock_guard lock(mutex_);
  const auto it = waybills_.find(fy_code);
  return it == waybills_.end() ? std::nullopt : std::optional(it->second);
}

std::variant<waybill, refusal> waybills::cancel(const std::string& fy_code, const std::optional<std::string>& reason) {
  const std::int64_t now = clock_.now_ms();
  waybill copy;
  std::vector<outbound::delivery> pushes;
  {
    const std::lock_guard lock(mutex_);
    const auto it = waybills_.find(fy_code);
    if (it == waybills_.end()) {
      return refusal{error_id::unknown_waybill, {support::excerpt(fy_code, 64)}};
    }
    waybill& w = it->second;
    const int status = w.status_at(now);
    if (status != 0) {
      const bool cancelled = w.cancelled && status == status_exception;
      return refusal{error_id::cancel_not_allowed,
                     {w.fy_code, cancelled ? "cancelled already" : std::string(order_status_name(status)) + " (orderStatus " + std::to_string(status) + ")",
                      cancelled ? "已取消" : order_status_name_zh(status)}};
    }
    w.cancelled = true;
    w.exception_ms = now;
    w.exception_reason = "cancelled: " + reason.value_or("no reason given");
    for (auto& t : w.reached_ms) {
      t.reset();
    }
    ++w.generation;
    pushes = take_pushes(w, now);
    copy = w;
  }
  send(std::move(pushes));
  return copy;
}

std::variant<waybill, http::status_refusal> waybills::advance(const std::string& fy_code, std::optional<int> status,
                                                       const std::optional<std::string>& reason) {
  const std::int64_t now = clock_.now_ms();
  waybill copy;
  std::vector<outbound::delivery> pushes;
  {
    const std::lock_guard lock(mutex_);
    const auto it = waybills_.find(fy_code);
    if (it == waybills_.end()) {
      return http::status_refusal{404, "UNKNOWN_WAYBILL", "no waybill '" + support::excerpt(fy_code, 64) + "'"};
    }
    waybill& w = it->second;
    const int current = w.status_at(now);
    if (current >= 4) {
      return http::status_refusal{409, "WAYBILL_ENDED",
                           "waybill " + fy_code + " is " + order_status_name(current) + " (orderStatus " +
                               std::to_string(current) + "): it moves no further"};
    }
    const int target = status.value_or(current + 1);
    if (target <= current || target > status_exception) {
      return http::status_refusal{409, "INVALID_STATUS",
                           "waybill " + fy_code + " is at orderStatus " + std::to_string(current) + " (" +
                               order_status_name(current) + "): it can move to " + std::to_string(current + 1) +
                               " to 5, not " + std::to_string(target)};
    }
    if (reason && target != status_exception) {
      return http::status_refusal{400, "INVALID_FIELD", "reason goes with status 5 (exception) only"};
    }
    if (target == status_exception) {
      w.exception_ms = now;
      w.exception_reason = reason.value_or("exception set through the admin API");
      for (int k = current + 1; k <= 4; ++k) {
        w.step(k).reset();
      }
    } else {
      // The steps up to the target happen now; the later ones keep their
      // durations after it.
      const std::int64_t shift = now - *w.step(target);
      for (int k = current + 1; k <= target; ++k) {
        w.step(k) = now;
      }
      for (int k = target + 1; k <= 4; ++k) {
        *w.step(k) += shift;
      }
    }
    ++w.generation;
    pushes = take_pushes(w, now);
    copy = w;
  }
  send(std::move(pushes));
  schedule_steps(copy, now);
  return copy;
}

// One job per step still to come: it pushes what the waybill reached.
void waybills::schedule_steps(const waybill& w, std::int64_t now_ms) {
  for (int k = 1; k <= 4; ++k) {
    if (w.step(k) && *w.step(k) > now_ms) {
      scheduler_->add(*w.step(k), w.app_key,
                      [this, fy = w.fy_code, gen = w.generation]() { return run_step(fy, gen); });
    }
  }
}

std::vector<outbound::delivery> waybills::take_pushes(waybill& w, std::int64_t now_ms) const {
  std::vector<outbound::delivery> pushes = pushes_due(w, now_ms);
  for (const auto& p : pushes) {
    w.push_ids.push_back(p.event_id);
  }
  return pushes;
}

void waybills::send(std::vector<outbound::delivery> pushes) {
  for (auto& p : pushes) {
    deliveries_.add(std::move(p));
  }
}

net::awaitable<void> waybills::run_step(std::string fy_code, std::uint64_t generation) {
  std::vector<outbound::delivery> pushes;
  {
    const std::lock_guard lock(mutex_);
    const auto it = waybills_.find(fy_code);
    if (it == waybills_.end() || it->second.generation != generation) {
      co_return;  // forgotten, or planned anew since
    }
    pushes = take_pushes(it->second, clock_.now_ms());
  }
  send(std::move(pushes));
  co_return;
}

std::vector<outbound::delivery> waybills::pushes_due(waybill& w, std::int64_t now_ms) const {
  const int offset = fixtures_->uocs.date_utc_offset_minutes;
  auto when = [offset](std::int64_t ms) { return support::format_date_time(ms, offset); };
  std::vector<outbound::delivery> out;
  auto push = [&](const char* type, std::int64_t due, std::string body) {
    outbound::delivery d;
    d.event_id = "psh_" + support::random_hex(12);
    d.api = api_name;
    d.lane = w.app_key;
    d.subject = w.fy_code;
    d.type = type;
    d.data_json = std::move(body);
    d.due_ms = due;
    out.push_back(std::move(d));
  };
  auto order_status = [&](int status, std::int64_t at) {
    support::json_object_writer b;
    b.string("fyCode", w.fy_code).number("orderStatus", status).string("pushTime", when(at));
    push("ORDER_STATUS", at, b.finish());
  };
  const fixtures::uocs_station* from = fixtures_->find_station(w.takeoff_code());
  const fixtures::uocs_station* to = fixtures_->find_station(w.landing_code());
  auto flight_task = [&](int flight_status, std::int64_t at) {
    const auto takeoff = w.reached_by(2, at);
    const auto landing = w.reached_by(3, at);
    support::json_object_writer b;
    b.number("timestamp", at)
        .string("area", from != nullptr ? from->addr : "")
        .string("createTm", when(w.step(1).value_or(at)))
        .string("flightCode", w.task_id)
        .string("uas", w.uav_id)
        .string("uasType", "ARK40")
        .string("takeoffPoint", from != nullptr ? from->name : w.takeoff_code())
        .string("takeoff_lon", from != nullptr ? from->lon : "")
        .string("takeoff_lat", from != nullptr ? from->lat : "")
        .string("landPoint", to != nullptr ? to->name : w.landing_code())
        .string("land_lon", to != nullptr ? to->lon : "")
        .string("land_lat", to != nullptr ? to->lat : "")
        .string("routeCode", w.takeoff_code() + "-" + w.landing_code())
        .number("flightStatus", flight_status)
        .string("planFlyTime", std::to_string(w.flight_minutes))
        .decimal("planFlyDist", support::fixed_decimal(w.distance_km, 2));
    b.string_or_null("realTakeoffTime", takeoff ? std::optional(when(*takeoff)) : std::nullopt);
    b.string_or_null("realLandTime", landing ? std::optional(when(*landing)) : std::nullopt);
    if (landing) {
      b.decimal("factFlyR", support::fixed_decimal(w.distance_km, 2));
    } else {
      b.null("factFlyR");
    }
    push("FLIGHT_TASK", at, b.finish());
  };
  const int reached = w.status_at(now_ms);
  const int last_step = reached == status_exception ? 4 : reached;
  for (int k = w.pushed_through + 1; k <= last_step; ++k) {
    const auto at = w.reached_by(k, now_ms);
    if (!at) {
      break;
    }
    if (k == 1) {
      order_status(1, *at);
      flight_task(0, *at);
    } else if (k == 2) {
      support::json_object_writer b;
      b.string("fyCode", w.fy_code)
          .string("uavId", w.uav_id)
          .string("taskId", w.task_id)
          .string("takeoffCode", w.takeoff_code())
          .string("takeoffTime", when(*at));
      push("TAKEOFF", *at, b.finish());
      flight_task(1, *at);
      order_status(2, *at);
    } else if (k == 3) {
      support::json_object_writer b;
      b.string("fyCode", w.fy_code)
          .string("uavId", w.uav_id)
          .string("taskId", w.task_id)
          .string("landingCode", w.landing_code())
          .string("landingTime", when(*at));
      push("LANDING", *at, b.finish());
      flight_task(5, *at);
      support::json_object_writer code;
      code.string("fyCode", w.fy_code).string("pickUpCode", w.pick_up_code);
      push("PICKUP_CODE", *at, code.finish());
      order_status(3, *at);
    } else {
      order_status(4, *at);
    }
    w.pushed_through = k;
  }
  if (reached == status_exception && !w.exception_pushed) {
    const std::int64_t at = *w.exception_ms;
    if (w.task_status_at(at) == 7) {
      flight_task(4, at);  // an emergency landing
    }
    order_status(status_exception, at);
    w.exception_pushed = true;
  }
  return out;
}

waybills::listing waybills::list(const std::optional<std::string>& app_key, std::optional<int> status,
                                 std::size_t limit) const {
  const std::int64_t now = clock_.now_ms();
  listing out;
  const std::lock_guard lock(mutex_);
  for (auto it = order_.rbegin(); it != order_.rend(); ++it) {
    const waybill& w = waybills_.at(*it);
    if ((app_key && w.app_key != *app_key) || (status && w.status_at(now) != *status)) {
      continue;
    }
    ++out.count;
    if (out.items.size() < limit) {
      out.items.push_back(w);
    }
  }
  return out;
}

void waybills::clear() {
  {
    const std::lock_guard lock(mutex_);
    waybills_.clear();
    order_.clear();
    biz_codes_.clear();
  }
  deliveries_.clear(api_name);
}

// Under the lock. The oldest waybills go; answers their pushes.
std::vector<std::string> waybills::evict_if_full() {
  std::vector<std::string> pushes;
  while (order_.size() > capacity_) {
    const auto it = waybills_.find(order_.front());
    if (it != waybills_.end()) {
      pushes.insert(pushes.end(), it->second.push_ids.begin(), it->second.push_ids.end());
      biz_codes_.erase({it->second.request.dev_code, it->second.request.biz_code});
      waybills_.erase(it);
    }
    order_.pop_front();
  }
  return pushes;
}

}  // namespace authsim::uocs

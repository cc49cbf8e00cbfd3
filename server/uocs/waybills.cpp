#include "uocs/waybills.hpp"

#include "support/aliases.hpp"
#include "support/crypto.hpp"
#include "support/json_fields.hpp"
#include "support/json_writer.hpp"
#include "support/text.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <stdexcept>

#include <cmath>
#include <limits>

namespace authsim::uocs {

namespace {

json::value opt_int(const std::optional<std::int64_t>& v) { return v ? json::value(*v) : json::value(nullptr); }
json::value opt_text(const std::optional<std::string>& v) { return v ? json::value(*v) : json::value(nullptr); }

json::object point_json(const point& p) {
  return {{"lon", p.lon}, {"lat", p.lat}, {"lon_deg", p.lon_deg}, {"lat_deg", p.lat_deg}};
}

point point_in(const json::object& o, std::string_view key) {
  point p;
  if (const json::object* po = support::json_object(o, key)) {
    p.lon = support::json_text_or_empty(*po, "lon");
    p.lat = support::json_text_or_empty(*po, "lat");
    p.lon_deg = support::json_number(*po, "lon_deg");
    p.lat_deg = support::json_number(*po, "lat_deg");
  }
  return p;
}

// How many times a change is tried again when another came in between.
constexpr int max_update_tries = 16;

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

std::string encode_waybill(const waybill& w) {
  const create_request& r = w.request;
  json::object request{{"dev_code", r.dev_code},
                       {"push_time", r.push_time},
                       {"use_cab", r.use_cab},
                       {"box_code", opt_text(r.box_code)},
                       {"biz_code", r.biz_code},
                       {"gps_type", r.gps_type},
                       {"sender_code", r.sender_code},
                       {"sender", point_json(r.sender)},
                       {"sender_addr", r.sender_addr},
                       {"sender_tel", r.sender_tel},
                       {"sender_name", r.sender_name},
                       {"goods_type", r.goods_type},
                       {"goods_weight", r.goods_weight},
                       {"receiver_code", r.receiver_code},
                       {"receiver", point_json(r.receiver)},
                       {"receiver_addr", r.receiver_addr},
                       {"receiver_tel", r.receiver_tel},
                       {"receiver_name", r.receiver_name},
                       {"amount", r.amount ? json::value(*r.amount) : json::value(nullptr)},
                       {"goods_code", opt_text(r.goods_code)},
                       {"remark", opt_text(r.remark)}};
  json::array reached;
  for (const auto& t : w.reached_ms) {
    reached.push_back(opt_int(t));
  }
  return json::serialize(json::object{{"fy_code", w.fy_code},
                                      {"send_code", w.send_code},
                                      {"app_key", w.app_key},
                                      {"user_id", w.user_id},
                                      {"request", std::move(request)},
                                      {"distance_km", w.distance_km},
                                      {"flight_minutes", w.flight_minutes},
                                      {"uav_id", w.uav_id},
                                      {"task_id", w.task_id},
                                      {"pick_up_code", w.pick_up_code},
                                      {"created_ms", w.created_ms},
                                      {"reached_ms", std::move(reached)},
                                      {"exception_ms", opt_int(w.exception_ms)},
                                      {"exception_reason", w.exception_reason},
                                      {"cancelled", w.cancelled},
                                      {"push_ids", json::array(w.push_ids.begin(), w.push_ids.end())},
                                      {"pushed_through", w.pushed_through},
                                      {"exception_pushed", w.exception_pushed},
                                      {"generation", w.generation}});
}

std::optional<waybill> decode_waybill(const std::string& text) {
  using support::json_int;
  using support::json_text;
  using support::json_text_or_empty;
  const std::optional<json::object> parsed = support::json_object_of(text);
  if (!parsed) {
    return std::nullopt;
  }
  const json::object& o = *parsed;
  waybill w;
  w.fy_code = json_text_or_empty(o, "fy_code");
  w.send_code = json_text_or_empty(o, "send_code");
  w.app_key = json_text_or_empty(o, "app_key");
  w.user_id = json_text_or_empty(o, "user_id");
  if (const json::object* ro = support::json_object(o, "request")) {
    create_request& r = w.request;
    r.dev_code = json_text_or_empty(*ro, "dev_code");
    r.push_time = json_text_or_empty(*ro, "push_time");
    r.use_cab = json_int(*ro, "use_cab").value_or(1);
    r.box_code = json_text(*ro, "box_code");
    r.biz_code = json_text_or_empty(*ro, "biz_code");
    r.gps_type = json_int(*ro, "gps_type").value_or(1);
    r.sender_code = json_text_or_empty(*ro, "sender_code");
    r.sender = point_in(*ro, "sender");
    r.sender_addr = json_text_or_empty(*ro, "sender_addr");
    r.sender_tel = json_text_or_empty(*ro, "sender_tel");
    r.sender_name = json_text_or_empty(*ro, "sender_name");
    r.goods_type = json_int(*ro, "goods_type").value_or(10);
    r.goods_weight = json_int(*ro, "goods_weight").value_or(0);
    r.receiver_code = json_text_or_empty(*ro, "receiver_code");
    r.receiver = point_in(*ro, "receiver");
    r.receiver_addr = json_text_or_empty(*ro, "receiver_addr");
    r.receiver_tel = json_text_or_empty(*ro, "receiver_tel");
    r.receiver_name = json_text_or_empty(*ro, "receiver_name");
    if (const json::value* a = ro->if_contains("amount"); a != nullptr && !a->is_null()) {
      r.amount = support::json_number(*ro, "amount");
    }
    r.goods_code = json_text(*ro, "goods_code");
    r.remark = json_text(*ro, "remark");
  }
  w.distance_km = support::json_number(o, "distance_km");
  w.flight_minutes = json_int(o, "flight_minutes").value_or(1);
  w.uav_id = json_text_or_empty(o, "uav_id");
  w.task_id = json_text_or_empty(o, "task_id");
  w.pick_up_code = json_text_or_empty(o, "pick_up_code");
  w.created_ms = json_int(o, "created_ms").value_or(0);
  if (const json::value* reached = o.if_contains("reached_ms"); reached != nullptr && reached->is_array()) {
    const json::array& list = reached->get_array();
    for (std::size_t k = 0; k < w.reached_ms.size() && k < list.size(); ++k) {
      if (list[k].is_int64()) {
        w.reached_ms.at(k) = list[k].get_int64();
      }
    }
  }
  w.exception_ms = json_int(o, "exception_ms");
  w.exception_reason = json_text_or_empty(o, "exception_reason");
  w.cancelled = support::json_flag(o, "cancelled");
  w.push_ids = support::json_strings(o, "push_ids");
  w.pushed_through = static_cast<int>(json_int(o, "pushed_through").value_or(0));
  w.exception_pushed = support::json_flag(o, "exception_pushed");
  w.generation = static_cast<std::uint64_t>(json_int(o, "generation").value_or(0));
  return w;
}

std::string biz_code_id(const std::string& dev_code, const std::string& biz_code) {
  // Length first: no devCode and bizCode pair reads as another.
  return std::to_string(dev_code.size()) + ":" + dev_code + biz_code;
}

waybills::waybills(std::shared_ptr<const fixtures::fixture_set> fixtures, const state::clock& clock,
                   const state::app_endpoints& apps, state::records& records, outbound::deliveries& deliveries,
                   jobs::scheduler& scheduler, std::size_t capacity)
    : fixtures_(std::move(fixtures)),
      clock_(clock),
      apps_(apps),
      records_(records),
      deliveries_(deliveries),
      capacity_(capacity) {
  deliveries_.add_channel(api_name, std::make_shared<push_channel>(fixtures_, [this](const std::string& app) {
                            return callback_url(app);
                          }));
  scheduler.on(step_job, [this](const std::string& arg) { return run_step(arg); });
}

std::optional<std::string> waybills::callback_url(const std::string& app_key) const {
  return apps_.callback_url(app_key).value_or(std::nullopt);
}

state::record_write waybills::write_of(const waybill& w, std::uint64_t expect) const {
  state::record_write out;
  out.kind = kind;
  out.id = w.fy_code;
  out.body = encode_waybill(w);
  out.expect = expect;
  out.capacity = capacity_;
  out.fields = {{"app_key", w.app_key}};
  // The bound evicts the oldest waybills, with their bizCode and pushes.
  out.owned.emplace_back(biz_code_kind, biz_code_id(w.request.dev_code, w.request.biz_code));
  for (const auto& id : w.push_ids) {
    out.owned.emplace_back(outbound::deliveries::kind, id);
  }
  return out;
}

net::awaitable<std::variant<waybill, refusal>> waybills::async_create(const fixtures::uocs_app& app,
                                                                      const std::string& user_id,
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
  const std::string biz_id = biz_code_id(r.dev_code, r.biz_code);
  for (int i = 0; i < max_update_tries; ++i) {
    std::vector<state::record_write> writes;
    state::record_write biz;
    biz.kind = biz_code_kind;
    biz.id = biz_id;
    biz.body = w.fy_code;
    writes.push_back(std::move(biz));
    writes.push_back(write_of(w, 0));
    std::vector<state::scheduled_job> jobs;
    schedule_steps(w, now, jobs);
    // The bizCode's record is new, or the commit fails (the fyCode is new).
    if (co_await records_.async_commit(std::move(writes), std::move(jobs))) {
      co_return w;
    }
    if (const auto used = co_await records_.async_get(biz_code_kind, biz_id)) {
      co_return refusal{error_id::duplicate_biz_code, {support::excerpt(r.biz_code, 64), r.dev_code, used->body}};
    }
    // Forgotten meanwhile (its waybill evicted): try again.
  }
  throw std::runtime_error("bizCode " + support::excerpt(r.biz_code, 64) + " changed hands " +
                           std::to_string(max_update_tries) + " times while a waybill was created");
}

net::awaitable<std::optional<waybill>> waybills::async_find(const std::string& fy_code) const {
  const std::optional<state::record> got = co_await records_.async_get(kind, fy_code);
  co_return got ? decode_waybill(got->body) : std::nullopt;
}

template <typename Refusal>
net::awaitable<std::variant<waybill, Refusal>> waybills::update(const std::string& fy_code, Refusal unknown,
                                                                const change_fn<Refusal>& change) {
  for (int i = 0; i < max_update_tries; ++i) {
    const std::int64_t now = clock_.now_ms();
    const std::optional<state::record> got = co_await records_.async_get(kind, fy_code);
    std::optional<waybill> w = got ? decode_waybill(got->body) : std::nullopt;
    if (!w) {
      co_return unknown;
    }
    std::vector<state::record_write> writes;
    std::vector<state::scheduled_job> jobs;
    if (auto refused = change(*w, now, writes, jobs)) {
      co_return std::move(*refused);
    }
    writes.insert(writes.begin(), write_of(*w, got->version));
    if (co_await records_.async_commit(std::move(writes), std::move(jobs))) {
      co_return std::move(*w);
    }
  }
  throw jobs::interrupted("waybill " + fy_code + " changed " + std::to_string(max_update_tries) +
                           " times while a change was made");
}

net::awaitable<std::variant<waybill, refusal>> waybills::async_cancel(const std::string& fy_code,
                                                                      const std::optional<std::string>& reason) {
  // Named before the co_await (g++ 12 mishandles temporaries made in one).
  const refusal unknown{error_id::unknown_waybill, {support::excerpt(fy_code, 64)}};
  const change_fn<refusal> change =
      [&](waybill& w, std::int64_t now, std::vector<state::record_write>& writes,
          std::vector<state::scheduled_job>& jobs) -> std::optional<refusal> {
        const int status = w.status_at(now);
        if (status != 0) {
          const bool cancelled = w.cancelled && status == status_exception;
          return refusal{error_id::cancel_not_allowed,
                         {w.fy_code,
                          cancelled ? std::string("cancelled already")
                                    : std::string(order_status_name(status)) + " (orderStatus " +
                                          std::to_string(status) + ")",
                          cancelled ? "已取消" : order_status_name_zh(status)}};
        }
        w.cancelled = true;
        w.exception_ms = now;
        w.exception_reason = "cancelled: " + reason.value_or("no reason given");
        for (auto& t : w.reached_ms) {
          t.reset();
        }
        ++w.generation;
        take_pushes(w, now, writes, jobs);
        return std::nullopt;
      };
  co_return co_await update<refusal>(fy_code, unknown, change);
}

net::awaitable<std::variant<waybill, http::status_refusal>> waybills::async_advance(
    const std::string& fy_code, std::optional<int> status, const std::optional<std::string>& reason) {
  const http::status_refusal unknown{404, "UNKNOWN_WAYBILL", "no waybill '" + support::excerpt(fy_code, 64) + "'"};
  const change_fn<http::status_refusal> change =
      [&](waybill& w, std::int64_t now, std::vector<state::record_write>& writes,
          std::vector<state::scheduled_job>& jobs) -> std::optional<http::status_refusal> {
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
                                          order_status_name(current) + "): it can move to " +
                                          std::to_string(current + 1) + " to 5, not " + std::to_string(target)};
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
        take_pushes(w, now, writes, jobs);
        schedule_steps(w, now, jobs);
        return std::nullopt;
      };
  co_return co_await update<http::status_refusal>(fy_code, unknown, change);
}

// One job per step still to come: it pushes what the waybill reached.
void waybills::schedule_steps(const waybill& w, std::int64_t now_ms, std::vector<state::scheduled_job>& jobs) const {
  for (int k = 1; k <= 4; ++k) {
    if (w.step(k) && *w.step(k) > now_ms) {
      jobs.push_back(state::scheduled_job{*w.step(k), w.app_key, step_job,
                                          w.fy_code + " " + std::to_string(w.generation)});
    }
  }
}

void waybills::take_pushes(waybill& w, std::int64_t now_ms, std::vector<state::record_write>& writes,
                           std::vector<state::scheduled_job>& jobs) const {
  for (auto& p : pushes_due(w, now_ms)) {
    w.push_ids.push_back(p.event_id);
    deliveries_.prepare(std::move(p), writes, jobs);
  }
}

net::awaitable<void> waybills::run_step(const std::string& arg) {
  // "fyCode generation"
  const std::size_t space = arg.find(' ');
  if (space == std::string::npos) {
    co_return;
  }
  const std::string fy_code = arg.substr(0, space);
  const std::uint64_t generation = std::stoull(arg.substr(space + 1));
  struct nothing {};
  const change_fn<nothing> change = [&](waybill& w, std::int64_t now, std::vector<state::record_write>& writes,
                                        std::vector<state::scheduled_job>& jobs) -> std::optional<nothing> {
    if (w.generation != generation) {
      return nothing{};  // planned anew since
    }
    take_pushes(w, now, writes, jobs);
    if (writes.empty()) {
      return nothing{};  // pushed already (a job that ran twice)
    }
    return std::nullopt;
  };
  co_await update<nothing>(fy_code, nothing{}, change);
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

net::awaitable<waybills::listing> waybills::async_list(const std::optional<std::string>& app_key,
                                                       std::optional<int> status, std::size_t limit) const {
  const std::int64_t now = clock_.now_ms();
  state::record_match match;
  if (app_key) {
    match.equal.emplace_back("app_key", *app_key);
  }
  // A status follows the clock: with one asked for, each of the app's
  // waybills is read to know it.
  const std::size_t wanted = status ? std::numeric_limits<std::size_t>::max() : limit;
  const state::record_listing got = co_await records_.async_select(kind, match, wanted, true);
  listing out;
  out.count = status ? 0 : got.count;
  for (const auto& r : got.items) {
    std::optional<waybill> w = decode_waybill(r.body);
    if (!w || (status && w->status_at(now) != *status)) {
      continue;
    }
    if (status) {
      ++out.count;
    }
    if (out.items.size() < limit) {
      out.items.push_back(std::move(*w));
    }
  }
  co_return out;
}

net::awaitable<void> waybills::async_clear() {
  co_await records_.async_clear(kind);
  co_await records_.async_clear(biz_code_kind);
}

}  // namespace authsim::uocs

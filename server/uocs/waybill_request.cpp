#include "uocs/waybill_request.hpp"

#include "support/aliases.hpp"
#include "support/json_kind.hpp"
#include "support/terms.hpp"
#include "support/text.hpp"
#include "support/validate.hpp"

#include <algorithm>
#include <cmath>

namespace authsim::uocs {

namespace {

// Reads fields in the order of the upstream's table; the first problem is
// kept and every later read is skipped.
class field_reader {
 public:
  explicit field_reader(const json::object& body) : body_(body) {}

  [[nodiscard]] bool failed() const { return problem_.has_value(); }
  refusal take() { return std::move(*problem_); }

  // A required String, not empty.
  std::string text(const char* name, std::size_t max = 256) {
    const json::value* v = present(name);
    if (v == nullptr) {
      return {};
    }
    return string_of(name, *v, max).value_or("");
  }
  // An optional String: absent or null is none.
  std::optional<std::string> optional_text(const char* name, std::size_t max = 1024) {
    const json::value* v = body_.if_contains(name);
    if (failed() || v == nullptr || v->is_null()) {
      return std::nullopt;
    }
    return string_of(name, *v, max);
  }
  // A required Int.
  std::int64_t integer(const char* name) {
    const json::value* v = present(name);
    if (v == nullptr) {
      return 0;
    }
    if (v->is_int64()) {
      return v->get_int64();
    }
    fail(error_id::invalid_parameter, {name, support::term("an integer (Int)"), support::term(support::json_kind_name(*v))});
    return 0;
  }
  // An optional Double.
  std::optional<double> optional_number(const char* name) {
    const json::value* v = body_.if_contains(name);
    if (failed() || v == nullptr || v->is_null()) {
      return std::nullopt;
    }
    if (!v->is_number()) {
      fail(error_id::invalid_parameter, {name, support::term("a number (Double)"), support::term(support::json_kind_name(*v))});
      return std::nullopt;
    }
    return v->to_number<double>();
  }
  // A longitude or latitude: decimal degrees in a String.
  point coordinates(const char* lon_name, const char* lat_name) {
    point p;
    p.lon = text(lon_name, 32);
    p.lat = text(lat_name, 32);
    if (failed()) {
      return p;
    }
    const auto lon = support::decimal_degrees(p.lon, 180);
    if (!lon) {
      fail(error_id::invalid_parameter,
           {lon_name,
            support::both("a longitude in decimal degrees as a string, such as \"113.9311883\"",
                          "以字符串写的十进制经度，例如 \"113.9311883\""),
            quoted(p.lon)});
      return p;
    }
    const auto lat = support::decimal_degrees(p.lat, 90);
    if (!lat) {
      fail(error_id::invalid_parameter,
           {lat_name,
            support::both("a latitude in decimal degrees as a string, such as \"22.5616979\"",
                          "以字符串写的十进制纬度，例如 \"22.5616979\""),
            quoted(p.lat)});
      return p;
    }
    p.lon_deg = *lon;
    p.lat_deg = *lat;
    return p;
  }

  void fail(error_id id, std::vector<std::string> args) {
    if (!problem_) {
      problem_ = refusal{id, std::move(args)};
    }
  }
  static std::string quoted(std::string_view value) { return '\'' + support::excerpt(value, 40) + '\''; }

 private:
  const json::value* present(const char* name) {
    if (failed()) {
      return nullptr;
    }
    const json::value* v = body_.if_contains(name);
    if (v == nullptr || v->is_null()) {
      fail(error_id::missing_parameter, {name});
      return nullptr;
    }
    return v;
  }
  std::optional<std::string> string_of(const char* name, const json::value& v, std::size_t max) {
    const json::string* s = v.if_string();
    if (s == nullptr) {
      fail(error_id::invalid_parameter, {name, support::term("a string (String)"), support::term(support::json_kind_name(v))});
      return std::nullopt;
    }
    if (s->empty()) {
      fail(error_id::invalid_parameter, {name, support::both("a non-empty string", "非空字符串"), support::both("an empty string", "空字符串")});
      return std::nullopt;
    }
    if (s->size() > max) {
      fail(error_id::invalid_parameter,
           {name, support::both("at most " + std::to_string(max) + " bytes", "最多 " + std::to_string(max) + " 字节"),
            support::both(std::to_string(s->size()) + " bytes", std::to_string(s->size()) + " 字节")});
      return std::nullopt;
    }
    return std::string(*s);
  }

  const json::object& body_;
  std::optional<refusal> problem_;
};

void check_gps_type(field_reader& f, std::int64_t gps_type) {
  if (!f.failed() && gps_type != 1) {
    f.fail(error_id::invalid_parameter, {"gpsType", support::both("1 (WGS-84, the one coordinate system UOCS takes)", "1（WGS-84，UOCS 唯一接受的坐标系）"),
                                         std::to_string(gps_type)});
  }
}

void check_goods(field_reader& f, std::int64_t goods_type, std::int64_t goods_weight) {
  if (f.failed()) {
    return;
  }
  if (!is_goods_type(goods_type)) {
    f.fail(error_id::invalid_parameter,
           {"goodsType", support::both("one of the published goods types (10: express parcels; 1, 2, 3 ... 99)",
                                         "已公布的物品类型之一（10：快递包裹；1、2、3 … 99）"),
            std::to_string(goods_type)});
  } else if (goods_weight <= 0) {
    f.fail(error_id::invalid_parameter, {"goodsWeight", support::both("a positive weight in grams", "以克计的正数重量"), std::to_string(goods_weight)});
  }
}

bool is_tel(std::string_view tel) {
  return tel.size() <= 20 && tel.find_first_not_of("0123456789+- ") == std::string_view::npos;
}

// "yyyy-MM-dd HH:mm:ss", as the upstream's example "2024-10-21 17:00:00".
bool is_date_time(std::string_view t) {
  if (t.size() != 19) {
    return false;
  }
  for (std::size_t i = 0; i < t.size(); ++i) {
    const char c = t[i];
    const bool ok = i == 4 || i == 7 ? c == '-' : i == 10 ? c == ' ' : i == 13 || i == 16 ? c == ':' : c >= '0' && c <= '9';
    if (!ok) {
      return false;
    }
  }
  auto num = [&](std::size_t at, std::size_t n) { return std::stoi(std::string(t.substr(at, n))); };
  return num(5, 2) >= 1 && num(5, 2) <= 12 && num(8, 2) >= 1 && num(8, 2) <= 31 && num(11, 2) < 24 &&
         num(14, 2) < 60 && num(17, 2) < 60;
}

std::string metres(double m) { return std::to_string(static_cast<std::int64_t>(std::llround(m))); }

// The station nearest the point, with its distance.
std::pair<const fixtures::uocs_station*, double> nearest(const fixtures::fixture_set& world, const point& p) {
  const fixtures::uocs_station* best = nullptr;
  double best_m = 0;
  for (const auto& s : world.stations) {
    const double d = distance_m(p.lat_deg, p.lon_deg, s.lat_deg, s.lon_deg);
    // The nearest that serves the point wins over a nearer one that does not.
    const bool serves = d <= static_cast<double>(s.radius_m);
    const bool best_serves = best != nullptr && best_m <= static_cast<double>(best->radius_m);
    if (best == nullptr || (serves && !best_serves) || (serves == best_serves && d < best_m)) {
      best = &s;
      best_m = d;
    }
  }
  return {best, best_m};
}

std::optional<refusal> overweight(const fixtures::fixture_set& world, std::int64_t weight) {
  if (weight > world.uocs.max_goods_weight_g) {
    return refusal{error_id::overweight, {std::to_string(weight), std::to_string(world.uocs.max_goods_weight_g)}};
  }
  return std::nullopt;
}

std::string station_codes(const fixtures::fixture_set& world) {
  std::string out;
  for (const auto& s : world.stations) {
    out += (out.empty() ? "" : ", ") + s.code;
    if (out.size() > 200) {
      return out + ", ...";
    }
  }
  return out.empty() ? "none in the fixtures" : out;
}

}  // namespace

bool is_goods_type(std::int64_t type) {
  static constexpr std::int64_t published[] = {1,  2,  3,  4,  5,  6,  8,  9,  10, 12, 13, 14, 15, 16, 17, 18, 20, 21,
                                               22, 27, 32, 33, 34, 35, 36, 41, 47, 48, 55, 56, 57, 58, 59, 60, 65, 90, 99};
  return std::find(std::begin(published), std::end(published), type) != std::end(published);
}

std::variant<capacity_request, refusal> read_capacity(const json::object& body) {
  field_reader f(body);
  capacity_request r;
  r.dev_code = f.text("devCode", 64);
  r.gps_type = f.integer("gpsType");
  check_gps_type(f, r.gps_type);
  r.sender = f.coordinates("senderLon", "senderLat");
  r.goods_type = f.integer("goodsType");
  r.goods_weight = f.integer("goodsWeight");
  check_goods(f, r.goods_type, r.goods_weight);
  r.receiver = f.coordinates("receiverLon", "receiverLat");
  if (f.failed()) {
    return f.take();
  }
  return r;
}

std::variant<create_request, refusal> read_create(const json::object& body) {
  field_reader f(body);
  create_request r;
  r.dev_code = f.text("devCode", 64);
  r.push_time = f.text("pushTime", 32);
  if (!f.failed() && !is_date_time(r.push_time)) {
    f.fail(error_id::invalid_parameter,
           {"pushTime",
            support::both("a time written \"yyyy-MM-dd HH:mm:ss\", such as \"2024-10-21 17:00:00\"",
                          "写成 \"yyyy-MM-dd HH:mm:ss\" 的时间，例如 \"2024-10-21 17:00:00\""),
            field_reader::quoted(r.push_time)});
  }
  r.use_cab = f.integer("useCab");
  if (!f.failed() && r.use_cab != 1 && r.use_cab != 2) {
    f.fail(error_id::invalid_parameter, {"useCab", support::both("1 (no locker) or 2 (sent from a locker)", "1（不用柜子）或 2（从柜子寄出）"),
                                      std::to_string(r.use_cab)});
  }
  r.box_code = f.optional_text("boxCode", 64);
  if (!f.failed() && r.use_cab == 2 && !r.box_code) {
    f.fail(error_id::missing_parameter, {support::both("boxCode (required when useCab is 2)", "boxCode（useCab 为 2 时必填）")});
  }
  r.biz_code = f.text("bizCode", 64);
  r.gps_type = f.integer("gpsType");
  check_gps_type(f, r.gps_type);
  r.sender_code = f.text("senderCode", 64);
  r.sender = f.coordinates("senderLon", "senderLat");
  r.sender_addr = f.text("senderAddr");
  r.sender_tel = f.text("senderTel", 32);
  if (!f.failed() && !is_tel(r.sender_tel)) {
    f.fail(error_id::invalid_parameter, {"senderTel", support::both("a telephone number (digits, +, - and spaces)", "电话号码（数字、+、- 和空格）"),
                                         field_reader::quoted(r.sender_tel)});
  }
  r.sender_name = f.text("senderName");
  r.goods_type = f.integer("goodsType");
  r.goods_weight = f.integer("goodsWeight");
  check_goods(f, r.goods_type, r.goods_weight);
  r.receiver_code = f.text("receiverCode", 64);
  r.receiver = f.coordinates("receiverLon", "receiverLat");
  r.receiver_addr = f.text("receiverAddr");
  r.receiver_tel = f.text("receiverTel", 32);
  if (!f.failed() && !is_tel(r.receiver_tel)) {
    f.fail(error_id::invalid_parameter, {"receiverTel", support::both("a telephone number (digits, +, - and spaces)", "电话号码（数字、+、- 和空格）"),
                                           field_reader::quoted(r.receiver_tel)});
  }
  r.receiver_name = f.text("receiverName");
  r.amount = f.optional_number("amount");
  if (!f.failed() && r.amount && (*r.amount < 0 || !std::isfinite(*r.amount))) {
    f.fail(error_id::invalid_parameter, {"amount", support::both("an amount in yuan, zero or more", "不小于零、以元计的金额"),
                                      support::both("a negative number", "负数")});
  }
  r.goods_code = f.optional_text("goodsCode");
  r.remark = f.optional_text("remark");
  if (f.failed()) {
    return f.take();
  }
  return r;
}

std::variant<waybill_ref, refusal> read_ref(const json::object& body, bool with_reason) {
  field_reader f(body);
  waybill_ref r;
  r.dev_code = f.text("devCode", 64);
  r.fy_code = f.text("fyCode", 64);
  if (with_reason) {
    r.reason = f.optional_text("reason", 512);
  }
  if (f.failed()) {
    return f.take();
  }
  return r;
}

double distance_m(double lat1, double lon1, double lat2, double lon2) {
  constexpr double earth_radius_m = 6'371'008.8;
  constexpr double to_rad = 3.14159265358979323846 / 180.0;
  const double dlat = (lat2 - lat1) * to_rad;
  const double dlon = (lon2 - lon1) * to_rad;
  const double a = std::sin(dlat / 2) * std::sin(dlat / 2) +
                   std::cos(lat1 * to_rad) * std::cos(lat2 * to_rad) * std::sin(dlon / 2) * std::sin(dlon / 2);
  return 2 * earth_radius_m * std::asin(std::min(1.0, std::sqrt(a)));
}

route route_between(const fixtures::uocs_settings& settings, const fixtures::uocs_station& takeoff,
                    const fixtures::uocs_station& landing) {
  route r;
  r.takeoff = &takeoff;
  r.landing = &landing;
  r.distance_km = distance_m(takeoff.lat_deg, takeoff.lon_deg, landing.lat_deg, landing.lon_deg) / 1000.0;
  const double minutes = r.distance_km / static_cast<double>(settings.drone_speed_kmh) * 60.0;
  r.flight_minutes = std::max<std::int64_t>(1, static_cast<std::int64_t>(std::ceil(minutes - 1e-9)));
  return r;
}

std::variant<route, refusal> plan_route(const fixtures::fixture_set& world, const capacity_request& r) {
  if (auto heavy = overweight(world, r.goods_weight)) {
    return *heavy;
  }
  const fixtures::uocs_station* ends[2] = {nullptr, nullptr};
  const std::pair<std::string, const point*> points[2] = {{support::both("sender", "寄件"), &r.sender},
                                                          {support::both("receiver", "收件"), &r.receiver}};
  for (int i = 0; i < 2; ++i) {
    const auto [station, d] = nearest(world, *points[i].second);
    if (station == nullptr || d > static_cast<double>(station->radius_m)) {
      return refusal{error_id::out_of_service_area,
                     {points[i].first, points[i].second->lon, points[i].second->lat,
                      station != nullptr ? station->code : support::both("(no station)", "（没有航站）"), station != nullptr ? metres(d) : "-",
                      station != nullptr ? std::to_string(station->radius_m) : "0"}};
    }
    ends[i] = station;
  }
  return route_between(world.uocs, *ends[0], *ends[1]);
}

std::variant<route, refusal> check_route(const fixtures::fixture_set& world, const create_request& r) {
  const fixtures::uocs_station* ends[2] = {nullptr, nullptr};
  struct side {
    const char* code_field;
    const std::string* code;
    std::string point_name;
    const point* p;
  };
  const side sides[2] = {{"senderCode", &r.sender_code,
                          support::both("the sender's point (senderLon, senderLat)", "寄件点（senderLon, senderLat）"),
                          &r.sender},
                         {"receiverCode", &r.receiver_code,
                          support::both("the receiver's point (receiverLon, receiverLat)",
                                        "收件点（receiverLon, receiverLat）"),
                          &r.receiver}};
  for (int i = 0; i < 2; ++i) {
    const fixtures::uocs_station* s = world.find_station(*sides[i].code);
    if (s == nullptr) {
      return refusal{error_id::unknown_station,
                     {sides[i].code_field, support::excerpt(*sides[i].code, 40), station_codes(world)}};
    }
    const double d = distance_m(sides[i].p->lat_deg, sides[i].p->lon_deg, s->lat_deg, s->lon_deg);
    if (d > static_cast<double>(s->radius_m)) {
      return refusal{error_id::station_too_far, {sides[i].point_name, metres(d), s->code, std::to_string(s->radius_m)}};
    }
    ends[i] = s;
  }
  if (auto heavy = overweight(world, r.goods_weight)) {
    return *heavy;
  }
  return route_between(world.uocs, *ends[0], *ends[1]);
}

}  // namespace authsim::uocs

#pragma once
// The bodies of UOCS's waybill calls, read field by field as the upstream
// types them (String, Int, Double), and the route a waybill flies: its
// take-off and landing stations from the fixtures' station list, and the
// flight time between them. Pure functions: no state, no clock.

#include "fixtures/fixtures.hpp"
#include "uocs/errors.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace authsim::uocs {

// Why a request is refused: the cause and its message's details.
struct refusal {
  error_id id;
  std::vector<std::string> args;
};

// A point as UOCS sends it: decimal degrees in strings.
struct point {
  std::string lon;
  std::string lat;
  double lon_deg = 0;
  double lat_deg = 0;
};

// carrierWaybill.
struct capacity_request {
  std::string dev_code;
  std::int64_t gps_type = 1;
  point sender;
  point receiver;
  std::int64_t goods_type = 10;
  std::int64_t goods_weight = 0;
};

// createWaybill.
struct create_request {
  std::string dev_code;
  std::string push_time;
  std::int64_t use_cab = 1;
  std::optional<std::string> box_code;
  std::string biz_code;
  std::int64_t gps_type = 1;
  std::string sender_code;
  point sender;
  std::string sender_addr;
  std::string sender_tel;
  std::string sender_name;
  std::int64_t goods_type = 10;
  std::int64_t goods_weight = 0;
  std::string receiver_code;
  point receiver;
  std::string receiver_addr;
  std::string receiver_tel;
  std::string receiver_name;
  std::optional<double> amount;
  std::optional<std::string> goods_code;
  std::optional<std::string> remark;
};

// selectOrderDetails / selectWaybillDetails, orderH5View /
// selectWaybillH5View, cancelWaybill (with its optional reason).
struct waybill_ref {
  std::string dev_code;
  std::string fy_code;
  std::optional<std::string> reason;
};

std::variant<capacity_request, refusal> read_capacity(const boost::json::object& body);
std::variant<create_request, refusal> read_create(const boost::json::object& body);
std::variant<waybill_ref, refusal> read_ref(const boost::json::object& body, bool with_reason);

// The goods types of the upstream's table (10: express parcels).
bool is_goods_type(std::int64_t type);

// The great-circle distance in metres between two points (degrees).
double distance_m(double lat1, double lon1, double lat2, double lon2);

struct route {
  const fixtures::uocs_station* takeoff = nullptr;
  const fixtures::uocs_station* landing = nullptr;
  double distance_km = 0;  // between the stations
  std::int64_t flight_minutes = 1;
};

// The flight between two stations at the drone's speed: whole minutes,
// rounded up, at least 1.
route route_between(const fixtures::uocs_settings& settings, const fixtures::uocs_station& takeoff,
                    const fixtures::uocs_station& landing);

// The capacity check: the station nearest each point that serves it, and
// the weight against the drone's limit; or why it cannot be carried.
std::variant<route, refusal> plan_route(const fixtures::fixture_set& world, const capacity_request& r);

// createWaybill's stations: both codes known, each point within its
// station's radius, the weight within the limit.
std::variant<route, refusal> check_route(const fixtures::fixture_set& world, const create_request& r);

}  // namespace authsim::uocs

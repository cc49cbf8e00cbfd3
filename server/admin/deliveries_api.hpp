#pragma once
// The admin routes of the calls authsim makes on its own, both APIs in one
// journal (Credit Pay's webhooks, UOCS's pushes):
//   GET  /__admin/webhooks                       every delivery and its attempts (filters)
//   GET  /__admin/webhooks/wait                  long-poll until enough deliveries match
//   POST /__admin/webhooks/{event_id}/redeliver  send one again now

#include "admin/access.hpp"
#include "http/router.hpp"
#include "outbound/deliveries.hpp"

#include <boost/json/object.hpp>

#include <string>
#include <vector>

namespace authsim::admin {

// A delivery as the admin API shows it, as JSON text: its API's names for
// the lane and subject (platform and payment_id, or app and fy_code), the
// data or body as sent, every attempt.
std::string delivery_json(const outbound::delivery& d, const outbound::deliveries& all);
// Each of `held` as delivery_json.
std::vector<std::string> deliveries_json(const std::vector<outbound::delivery>& held, const outbound::deliveries& all);
// A 200 answer: `head`'s members, then `key` holding `items` (JSON texts).
http::response object_with_array(const boost::json::object& head, std::string_view key,
                                 const std::vector<std::string>& items);

class deliveries_api {
 public:
  explicit deliveries_api(outbound::deliveries& deliveries) : deliveries_(deliveries) {}

  void register_routes(http::router& r, const access_guard& guard) const;

  [[nodiscard]] net::awaitable<http::response> list(const http::request& req) const;
  [[nodiscard]] net::awaitable<http::response> wait(const http::request& req) const;
  [[nodiscard]] net::awaitable<http::response> redeliver(const http::request& req) const;

 private:
  outbound::deliveries& deliveries_;
};

}  // namespace authsim::admin

#pragma once
// The admin routes of UOCS's waybills and the apps' push address:
//   GET  /__admin/waybills                    list them (?app=&status=&limit=), newest first
//   GET  /__admin/waybills/{fyCode}           one, with its pushes
//   POST /__admin/waybills/{fyCode}/advance   the next status now, or {"status": N, "reason": ...}
//   GET|PUT /__admin/apps/{appKey}/endpoints  {"callback_url": ...}

#include "admin/access.hpp"
#include "http/router.hpp"
#include "outbound/deliveries.hpp"
#include "state/clock.hpp"
#include "uocs/waybills.hpp"

namespace authsim::admin {

class waybills_api {
 public:
  waybills_api(uocs::waybills& waybills, const outbound::deliveries& deliveries,
               std::shared_ptr<const fixtures::fixture_set> fixtures, const state::clock& clock,
               state::app_endpoints& apps)
      : waybills_(waybills), deliveries_(deliveries), fixtures_(std::move(fixtures)), clock_(clock), apps_(apps) {}

  void register_routes(http::router& r, const access_guard& guard) const;

  [[nodiscard]] net::awaitable<http::response> list(const http::request& req) const;
  [[nodiscard]] net::awaitable<http::response> one(const http::request& req) const;
  [[nodiscard]] net::awaitable<http::response> advance(const http::request& req) const;
  [[nodiscard]] net::awaitable<http::response> endpoints(const http::request& req) const;

 private:
  uocs::waybills& waybills_;
  const outbound::deliveries& deliveries_;
  std::shared_ptr<const fixtures::fixture_set> fixtures_;
  const state::clock& clock_;
  state::app_endpoints& apps_;
};

}  // namespace authsim::admin

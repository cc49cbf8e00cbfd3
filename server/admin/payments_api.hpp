#pragma once
// The admin routes of Credit Pay's payment lifecycle (its webhooks are in
// deliveries_api, with UOCS's pushes):
//   POST /__admin/payments                       start a payment for a redeemed code
//   GET  /__admin/payments                       list them (?platform=&ident_code=&limit=)
//   GET  /__admin/payments/{payment_id}          one, with its events
//   POST /__admin/payments/{payment_id}/refund   a refund, sent now

#include "admin/access.hpp"
#include "creditpay/payments.hpp"
#include "http/router.hpp"

namespace authsim::admin {

class payments_api {
 public:
  payments_api(creditpay::payments& payments, const outbound::deliveries& deliveries)
      : payments_(payments), deliveries_(deliveries) {}

  void register_routes(http::router& r, const access_guard& guard) const;

  [[nodiscard]] net::awaitable<http::response> start(const http::request& req) const;
  [[nodiscard]] net::awaitable<http::response> list(const http::request& req) const;
  // /__admin/payments/{id} and /__admin/payments/{id}/refund.
  [[nodiscard]] net::awaitable<http::response> one(const http::request& req) const;
 private:
  creditpay::payments& payments_;
  const outbound::deliveries& deliveries_;
};

}  // namespace authsim::admin

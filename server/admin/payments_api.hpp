#pragma once
// The admin routes of Credit Pay's payment lifecycle and its webhooks:
//   POST /__admin/payments                       start a payment for a redeemed code
//   GET  /__admin/payments                       list them (?platform=&ident_code=&limit=)
//   GET  /__admin/payments/{payment_id}          one, with its events
//   POST /__admin/payments/{payment_id}/refund   a refund, sent now
//   GET  /__admin/webhooks                       every event and its attempts (filters)
//   GET  /__admin/webhooks/wait                  long-poll until enough events match
//   POST /__admin/webhooks/{event_id}/redeliver  send an event again now

#include "admin/access.hpp"
#include "creditpay/payments.hpp"
#include "http/router.hpp"

namespace authsim::admin {

class payments_api {
 public:
  explicit payments_api(creditpay::payments& payments) : payments_(payments) {}

  void register_routes(http::router& r, const access_guard& guard) const;

  [[nodiscard]] net::awaitable<http::response> start(const http::request& req) const;
  [[nodiscard]] http::response list(const http::request& req) const;
  // /__admin/payments/{id} and /__admin/payments/{id}/refund.
  [[nodiscard]] net::awaitable<http::response> one(const http::request& req) const;
  [[nodiscard]] http::response webhooks(const http::request& req) const;
  [[nodiscard]] net::awaitable<http::response> wait(const http::request& req) const;
  [[nodiscard]] net::awaitable<http::response> redeliver(const http::request& req) const;

 private:
  creditpay::payments& payments_;
};

}  // namespace authsim::admin

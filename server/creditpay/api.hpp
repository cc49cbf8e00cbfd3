#pragma once
// The simulated Credit Pay endpoints:
//   POST /dg/v1/platform/identify/auth — issue a one-time code (signed)
//   POST /dg/v1/identify/redirect      — redeem it for an open token
//   GET  /dg/oauth?ident_code=...       — the cashier page the code's url opens
//   POST /dg/v1/cashier/fetch_data      — the cashier's data (Bearer open_token),
//                                          asking the platform for the credit limit
// Each handler is a coroutine of the request that awaits the code store
// and, for the cashier's data, the call to the platform; the state it
// touches is thread-safe, the fixtures are read-only.

#include "creditpay/messages.hpp"
#include "fixtures/fixtures.hpp"
#include "http/message.hpp"
#include "http/router.hpp"
#include "outbound/client.hpp"
#include "state/clock.hpp"
#include "state/code_store.hpp"
#include "state/platform_endpoints.hpp"
#include "state/verification_modes.hpp"

#include <memory>
#include <string>
#include <string_view>

namespace authsim::creditpay {

inline constexpr const char* identify_path = "/dg/v1/platform/identify/auth";
inline constexpr const char* redirect_path = "/dg/v1/identify/redirect";
inline constexpr const char* fetch_data_path = "/dg/v1/cashier/fetch_data";
// Paths under this prefix answer failures in the Credit Pay envelope.
inline constexpr const char* path_prefix = "/dg/";

class api {
 public:
  api(std::shared_ptr<const fixtures::fixture_set> fixtures, const state::clock& clock, state::code_store& codes,
      const state::verification_modes& modes, const state::platform_endpoints& endpoints,
      outbound::client& outbound, std::string public_base_url);

  // Awaited at once: the request outlives the call.
  [[nodiscard]] net::awaitable<http::response> identify(const http::request& req) const;
  [[nodiscard]] net::awaitable<http::response> redirect(const http::request& req) const;
  [[nodiscard]] net::awaitable<http::response> fetch_data(const http::request& req) const;
  // GET /dg/oauth?ident_code=...: the simulated cashier page (HTML).
  [[nodiscard]] net::awaitable<http::response> cashier(const http::request& req) const;

  // A server-decided failure (404, 405, 413...) in the Credit Pay envelope.
  [[nodiscard]] http::response render_failure(const http::request& req, const http::failure& f) const;

  // Registers the routes and the failure envelope for paths under /dg/.
  void register_routes(http::router& r) const;

  // The base of the `url` in issued codes, once the server knows the
  // address it bound; set before it serves.
  void set_public_base_url(std::string url) { public_base_url_ = std::move(url); }

 private:
  [[nodiscard]] http::response reject(const http::request& req, const rejection& r) const;

  std::shared_ptr<const fixtures::fixture_set> fixtures_;
  const state::clock& clock_;
  state::code_store& codes_;
  const state::verification_modes& modes_;
  const state::platform_endpoints& endpoints_;
  outbound::client& outbound_;
  std::string public_base_url_;
};

// {"code":..,"msg":..,"data":..,"trace":..}: the trace header echoed, or
// null when the request had none (or an empty one). `data` is JSON text:
// "null", or an object a json_object_writer finished.
http::response envelope(unsigned status, int code, const std::string& msg, std::string_view data,
                        const http::request& req);

}  // namespace authsim::creditpay

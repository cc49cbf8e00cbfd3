#pragma once
// The simulated UOCS endpoints: POST /apis-auth/login/auth (app
// credentials plus an assigned account give a 7-day token), and with the
// token the waybill calls of both API revisions (capacity check, create,
// details, tracking page, cancel), the tracking page itself, and the stubs
// of fixtures/stubs for paths authsim does not model.
// Business failures answer HTTP 200 with success:false, as UOCS does:
// errorCode is one of the upstream's published codes (uocs/errors.hpp),
// errorMessage the precise cause, naming the field at fault.

#include "fixtures/fixtures.hpp"
#include "http/message.hpp"
#include "http/router.hpp"
#include "state/clock.hpp"
#include "state/token_store.hpp"
#include "uocs/errors.hpp"
#include "uocs/waybill_request.hpp"
#include "uocs/waybills.hpp"

#include <boost/json/object.hpp>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace authsim::uocs {

inline constexpr const char* login_path = "/apis-auth/login/auth";
// Paths under these prefixes answer failures in the UOCS envelope.
inline constexpr const char* auth_prefix = "/apis-auth/";
inline constexpr const char* service_prefix = "/uocs-tes/";     // revision 2024-12
inline constexpr const char* service_prefix_2025 = "/uocs-ces/";  // revision 2025

// The waybill calls.
enum class call { capacity, create, details, tracking, cancel };

// True for the path of a call authsim answers itself (the login, a waybill
// call of either revision): a stub cannot take it.
bool models_path(std::string_view path);

class api {
 public:
  api(std::shared_ptr<const fixtures::fixture_set> fixtures, const state::clock& clock, state::token_store& tokens,
      waybills& book, std::string public_base_url);
  void set_public_base_url(std::string url) { public_base_url_ = std::move(url); }

  // Awaited at once: the request outlives the call.
  [[nodiscard]] net::awaitable<http::response> login(const http::request& req) const;
  // A call to a stubbed path: needs a live token in the `token` header.
  [[nodiscard]] net::awaitable<http::response> stub(const http::request& req, const fixtures::uocs_stub& stub) const;
  // A waybill call at one revision's path.
  [[nodiscard]] net::awaitable<http::response> waybill_call(const http::request& req, call which,
                                                            fixtures::uocs_revision path_revision) const;
  // GET /uocs-h5/waybill/{fyCode}.
  [[nodiscard]] net::awaitable<http::response> tracking(const http::request& req) const;
  [[nodiscard]] http::response render_failure(const http::request& req, const http::failure& f) const;
  void register_routes(http::router& r) const;

 private:
  // The UOCS envelope: requestId, success, business, errorCode,
  // errorMessage, (with `params`: "params": null, as the waybill calls'
  // examples carry it), date, version, obj (JSON text: "null", "1" or an
  // object a json_object_writer finished).
  [[nodiscard]] http::response envelope(unsigned status, const std::string& request_id, const char* error_code,
                                        const std::string& error_message, std::string_view obj,
                                        bool params = false) const;
  [[nodiscard]] http::response reject(const http::request& req, const std::string& request_id, error_id id,
                                      std::initializer_list<std::string_view> args,
                                      fixtures::uocs_revision revision = fixtures::uocs_revision::r2024_12) const;
  [[nodiscard]] http::response reject(const http::request& req, const std::string& request_id, const refusal& r,
                                      fixtures::uocs_revision revision) const;
  // The token of a protected call: the record, or the refusal.
  struct token_check {
    std::optional<http::response> refusal;
    state::token_record record;
  };
  [[nodiscard]] net::awaitable<token_check> check_token(const http::request& req, const std::string& request_id,
                                                        fixtures::uocs_revision revision) const;
  [[nodiscard]] net::awaitable<http::response> answer_waybill_call(const http::request& req, const std::string& request_id, call which,
                                                   fixtures::uocs_revision revision, const fixtures::uocs_app& app,
                                                   const state::token_record& token,
                                                   const boost::json::object& body) const;
  [[nodiscard]] std::string details_obj(const waybill& w, std::int64_t now_ms) const;

  // A login request checked field by field: the token to issue, or the
  // answer that refuses it.
  struct login_check {
    login_check() = default;
    login_check(http::response refused) : refusal(std::move(refused)) {}  // NOLINT: a refusal is a check's result
    std::optional<http::response> refusal;
    state::token_record record;
    const fixtures::uocs_app* app = nullptr;  // the app logged in to
  };
  [[nodiscard]] login_check check_login(const http::request& req) const;

  std::shared_ptr<const fixtures::fixture_set> fixtures_;
  const state::clock& clock_;
  state::token_store& tokens_;
  waybills& waybills_;
  std::string public_base_url_;
};

}  // namespace authsim::uocs

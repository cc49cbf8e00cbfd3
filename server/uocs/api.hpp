#pragma once
// The simulated UOCS endpoint POST /apis-auth/login/auth: fixed app
// credentials plus an assigned account give a 7-day token.
// Business failures answer HTTP 200 with success:false, as UOCS does; a
// stable errorCode names the cause and errorMessage the field at fault.

#include "fixtures/fixtures.hpp"
#include "http/message.hpp"
#include "http/router.hpp"
#include "state/clock.hpp"
#include "state/token_store.hpp"

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace authsim::uocs {

inline constexpr const char* login_path = "/apis-auth/login/auth";
// Paths under these prefixes answer failures in the UOCS envelope.
inline constexpr const char* auth_prefix = "/apis-auth/";
inline constexpr const char* service_prefix = "/uocs-tes/";

enum class error_id {
  invalid_json,
  missing_parameter,
  invalid_parameter,
  app_key_invalid,
  app_secret_invalid,
  user_not_found,
  password_invalid,
  token_missing,
  token_invalid,
  token_expired,
};

struct error_info {
  error_id id;
  const char* code;  // the errorCode string
  const char* en;
  const char* zh;
};
const std::vector<error_info>& all_errors();

class api {
 public:
  api(std::shared_ptr<const fixtures::fixture_set> fixtures, const state::clock& clock, state::token_store& tokens);

  // Awaited at once: the request outlives the call.
  [[nodiscard]] net::awaitable<http::response> login(const http::request& req) const;
  // A call to a stubbed path: needs a live token in the `token` header.
  [[nodiscard]] net::awaitable<http::response> stub(const http::request& req, const fixtures::uocs_stub& stub) const;
  [[nodiscard]] http::response render_failure(const http::request& req, const http::failure& f) const;
  void register_routes(http::router& r) const;

 private:
  // The UOCS envelope: requestId, success, business, errorCode,
  // errorMessage, date, version, obj (JSON text: "null" or an object a
  // json_object_writer finished).
  [[nodiscard]] http::response envelope(unsigned status, const std::string& request_id, const char* error_code,
                                        const std::string& error_message, std::string_view obj) const;
  [[nodiscard]] http::response reject(const http::request& req, const std::string& request_id, error_id id,
                                      std::initializer_list<std::string_view> args) const;

  // A login request checked field by field: the token to issue, or the
  // answer that refuses it.
  struct login_check {
    login_check() = default;
    login_check(http::response refused) : refusal(std::move(refused)) {}  // NOLINT: a refusal is a check's result
    std::optional<http::response> refusal;
    state::token_record record;
  };
  [[nodiscard]] login_check check_login(const http::request& req) const;

  std::shared_ptr<const fixtures::fixture_set> fixtures_;
  const state::clock& clock_;
  state::token_store& tokens_;
};

}  // namespace authsim::uocs

#include "admin/access.hpp"

#include "admin/answers.hpp"
#include "support/crypto.hpp"
#include "support/text.hpp"
#include "support/validate.hpp"

namespace authsim::admin {

std::optional<http::response> access_guard::refuse(const http::request& req) const {
  if (!config_.token.empty()) {
    const std::string* auth = req.headers.find("Authorization");
    // The scheme name is case-insensitive (RFC 9110 section 11.1); the token is not.
    const bool bearer = auth != nullptr && auth->size() > 7 && support::iequals(auth->substr(0, 7), "Bearer ");
    if (!bearer || !support::constant_time_equal(auth->substr(7), config_.token)) {
      http::response res =
          error_answer(401, auth == nullptr ? "ADMIN_TOKEN_MISSING" : "ADMIN_TOKEN_INVALID",
                       auth == nullptr ? "this admin API needs the header 'Authorization: Bearer <token>' (--admin-token)"
                                       : "the Authorization header does not carry the admin token (--admin-token)");
      res.headers.set("WWW-Authenticate", "Bearer realm=\"authsim admin\"");
      return res;
    }
    return std::nullopt;
  }
  // A container's health probe runs inside it, on loopback, while authsim
  // is bound to every address: the health route (version, uptime, counts;
  // nothing to change, nothing secret) stays open to loopback callers.
  if (!config_.bound_to_loopback && !config_.open &&
      !(req.path() == "/__admin/health" && support::is_loopback_address(req.remote_address))) {
    return error_answer(403, "ADMIN_FORBIDDEN",
                        "authsim is bound to a non-loopback address and no --admin-token is set, so the admin API "
                        "is off; restart with --admin-token T (or --admin-open to serve it unprotected)");
  }
  return std::nullopt;
}

http::handler access_guard::wrap(http::handler h) const {
  return [this, h = std::move(h)](const http::request& req) {
    if (auto refusal = refuse(req)) {
      return std::move(*refusal);
    }
    http::response res = h(req);
    if (req.method != "GET" && on_change_) {
      on_change_();
    }
    return res;
  };
}

http::async_handler access_guard::wrap(http::async_handler h) const {
  return [this, h = std::move(h)](const http::request& req) -> net::awaitable<http::response> {
    if (auto refusal = refuse(req)) {
      co_return std::move(*refusal);
    }
    http::response res = co_await h(req);
    if (req.method != "GET" && on_change_) {
      on_change_();
    }
    co_return res;
  };
}

}  // namespace authsim::admin

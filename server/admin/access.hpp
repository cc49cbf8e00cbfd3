#pragma once
// Who may call /__admin: with --admin-token, only callers that present it
// as a Bearer token; without one, anybody, but only while authsim is bound
// to a loopback address (or --admin-open says otherwise). GET
// /__admin/health is the exception: without a token, a caller on loopback
// may always ask it, so that a container's health probe works.

#include "http/router.hpp"

#include <optional>
#include <string>

namespace authsim::admin {

struct access_config {
  std::string token;        // empty: no token required
  bool bound_to_loopback = true;
  bool open = false;        // --admin-open
};

class access_guard {
 public:
  explicit access_guard(access_config config) : config_(std::move(config)) {}

  // The refusal for a caller that may not use the admin API, or nullopt.
  [[nodiscard]] std::optional<http::response> refuse(const http::request& req) const;
  // `h`, behind the check.
  [[nodiscard]] http::handler wrap(http::handler h) const;
  [[nodiscard]] http::async_handler wrap(http::async_handler h) const;

  // True when the admin API answers anyone who can reach the port.
  [[nodiscard]] bool unprotected_off_loopback() const {
    return config_.token.empty() && !config_.bound_to_loopback && config_.open;
  }

 private:
  access_config config_;
};

}  // namespace authsim::admin

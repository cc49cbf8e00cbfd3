#pragma once
// Who may call /__admin: with --admin-token, only callers that present it
// as a Bearer token; without one, anybody, but only while authsim is bound
// to a loopback address (or --admin-open says otherwise). GET
// /__admin/health is the exception: without a token, a caller on loopback
// may always ask it, so that a container's health probe works.

#include "http/router.hpp"

#include <functional>
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
  // `h`, behind the check. A call with any method but GET that passed the
  // check tells `on_change` (set below) once it has its answer.
  [[nodiscard]] http::handler wrap(http::handler h) const;
  [[nodiscard]] http::async_handler wrap(http::async_handler h) const;

  // Told after every admin call that may have changed something (the
  // dashboard's change feed). Set before the routes are registered.
  void set_on_change(std::function<void()> f) { on_change_ = std::move(f); }
  [[nodiscard]] bool token_required() const { return !config_.token.empty(); }

  // True when the admin API answers anyone who can reach the port.
  [[nodiscard]] bool unprotected_off_loopback() const {
    return config_.token.empty() && !config_.bound_to_loopback && config_.open;
  }

 private:
  access_config config_;
  std::function<void()> on_change_;
};

}  // namespace authsim::admin

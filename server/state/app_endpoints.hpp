#pragma once
// Each UOCS app's callback_url, where UOCS pushes waybill statuses. In the
// upstream it is agreed with the integrator; here it starts from the
// fixtures and changes at run time through PUT
// /__admin/apps/{appKey}/endpoints.
//
// Reading never waits (every push reads it): a store shared between
// replicas answers from its own view, kept current. Changing it is one
// operation.

#include "fixtures/fixtures.hpp"
#include "support/async.hpp"

#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace authsim::state {

class app_endpoints {
 public:
  app_endpoints() = default;
  app_endpoints(const app_endpoints&) = delete;
  app_endpoints& operator=(const app_endpoints&) = delete;
  virtual ~app_endpoints() = default;

  // The app's callback_url (nullopt inside: unset); nullopt for an app the
  // fixtures do not have.
  [[nodiscard]] virtual std::optional<std::optional<std::string>> callback_url(const std::string& app_key) const = 0;
  // False for an app the fixtures do not have. Awaited at once.
  virtual net::awaitable<bool> async_set_callback_url(const std::string& app_key,
                                                      const std::optional<std::string>& url) = 0;
};

// Thread-safe: one mutex guards the map.
class memory_app_endpoints final : public app_endpoints {
 public:
  explicit memory_app_endpoints(const fixtures::fixture_set& fixtures);
  [[nodiscard]] std::optional<std::optional<std::string>> callback_url(const std::string& app_key) const override;
  bool set_callback_url(const std::string& app_key, const std::optional<std::string>& url);
  net::awaitable<bool> async_set_callback_url(const std::string& app_key,
                                              const std::optional<std::string>& url) override;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::optional<std::string>> callbacks_;
};

}  // namespace authsim::state

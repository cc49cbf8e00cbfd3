#pragma once
// Each platform's endpoints that Credit Pay calls: its webhook and its
// credit-limit query. In the upstream they are set in the back office; here
// they start from the fixtures and change at run time through
// PUT /__admin/platforms/{platId}/endpoints, so that a test can point them
// at a receiver of its own.
//
// Reading never waits: a store shared between replicas answers from its own
// view, kept current. Changing them is one operation.

#include "fixtures/fixtures.hpp"
#include "support/async.hpp"

#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace authsim::state {

struct endpoints {
  std::optional<std::string> webhook_url;
  std::optional<std::string> credit_limit_url;
};

// A change: a field left out keeps its value; one holding nullopt unsets it.
struct endpoints_change {
  std::optional<std::optional<std::string>> webhook_url;
  std::optional<std::optional<std::string>> credit_limit_url;
};

class platform_endpoints {
 public:
  platform_endpoints() = default;
  platform_endpoints(const platform_endpoints&) = delete;
  platform_endpoints& operator=(const platform_endpoints&) = delete;
  virtual ~platform_endpoints() = default;

  // nullopt for a platform the fixtures do not have.
  [[nodiscard]] virtual std::optional<endpoints> get(const std::string& plat_id) const = 0;
  // Applies the change and answers the endpoints after it; nullopt for a
  // platform the fixtures do not have. Awaited at once.
  virtual net::awaitable<std::optional<endpoints>> async_change(const std::string& plat_id,
                                                                const endpoints_change& change) = 0;
};

// Thread-safe: one mutex guards the map.
class memory_platform_endpoints final : public platform_endpoints {
 public:
  explicit memory_platform_endpoints(const fixtures::fixture_set& fixtures);

  [[nodiscard]] std::optional<endpoints> get(const std::string& plat_id) const override;
  std::optional<endpoints> change(const std::string& plat_id, const endpoints_change& change);
  net::awaitable<std::optional<endpoints>> async_change(const std::string& plat_id,
                                                        const endpoints_change& change) override;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, endpoints> endpoints_;
};

}  // namespace authsim::state

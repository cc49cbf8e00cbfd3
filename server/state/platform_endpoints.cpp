#include "state/platform_endpoints.hpp"

namespace authsim::state {

memory_platform_endpoints::memory_platform_endpoints(const fixtures::fixture_set& fixtures) {
  for (const auto& p : fixtures.platforms) {
    endpoints_.emplace(p.plat_id, endpoints{p.webhook_url, p.credit_limit_url});
  }
}

std::optional<endpoints> memory_platform_endpoints::get(const std::string& plat_id) const {
  const std::lock_guard lock(mutex_);
  const auto it = endpoints_.find(plat_id);
  return it == endpoints_.end() ? std::nullopt : std::optional(it->second);
}

std::optional<endpoints> memory_platform_endpoints::change(const std::string& plat_id,
                                                           const endpoints_change& change) {
  const std::lock_guard lock(mutex_);
  const auto it = endpoints_.find(plat_id);
  if (it == endpoints_.end()) {
    return std::nullopt;
  }
  if (change.webhook_url) {
    it->second.webhook_url = *change.webhook_url;
  }
  if (change.credit_limit_url) {
    it->second.credit_limit_url = *change.credit_limit_url;
  }
  return it->second;
}

net::awaitable<std::optional<endpoints>> memory_platform_endpoints::async_change(const std::string& plat_id,
                                                                                 const endpoints_change& change) {
  co_return this->change(plat_id, change);
}

}  // namespace authsim::state

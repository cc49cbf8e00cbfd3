#include "state/app_endpoints.hpp"

namespace authsim::state {

memory_app_endpoints::memory_app_endpoints(const fixtures::fixture_set& fixtures) {
  for (const auto& app : fixtures.apps) {
    callbacks_.emplace(app.app_key, app.callback_url);
  }
}

std::optional<std::optional<std::string>> memory_app_endpoints::callback_url(const std::string& app_key) const {
  const std::lock_guard lock(mutex_);
  const auto it = callbacks_.find(app_key);
  return it == callbacks_.end() ? std::nullopt : std::optional(it->second);
}

bool memory_app_endpoints::set_callback_url(const std::string& app_key, const std::optional<std::string>& url) {
  const std::lock_guard lock(mutex_);
  const auto it = callbacks_.find(app_key);
  if (it == callbacks_.end()) {
    return false;
  }
  it->second = url;
  return true;
}

net::awaitable<bool> memory_app_endpoints::async_set_callback_url(const std::string& app_key,
                                                                  const std::optional<std::string>& url) {
  co_return set_callback_url(app_key, url);
}

}  // namespace authsim::state

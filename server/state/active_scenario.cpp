#include "state/active_scenario.hpp"

namespace authsim::state {

std::optional<std::string> memory_active_scenario::get() const {
  if (!any_.load(std::memory_order_acquire)) {
    return std::nullopt;
  }
  const std::lock_guard lock(mutex_);
  return name_;
}

void memory_active_scenario::set(const std::optional<std::string>& name) {
  const std::lock_guard lock(mutex_);
  name_ = name;
  any_.store(name.has_value(), std::memory_order_release);
}

net::awaitable<void> memory_active_scenario::async_set(const std::optional<std::string>& name) {
  set(name);
  co_return;
}

}  // namespace authsim::state

#include "state/verification_modes.hpp"

namespace authsim::state {

memory_verification_modes::memory_verification_modes(const fixtures::fixture_set& fixtures) {
  for (const auto& p : fixtures.platforms) {
    modes_.emplace(p.plat_id, p.verification);
  }
}

std::optional<fixtures::verification_mode> memory_verification_modes::get(const std::string& plat_id) const {
  const std::lock_guard lock(mutex_);
  const auto it = modes_.find(plat_id);
  return it == modes_.end() ? std::nullopt : std::optional(it->second);
}

bool memory_verification_modes::set(const std::string& plat_id, fixtures::verification_mode mode) {
  const std::lock_guard lock(mutex_);
  const auto it = modes_.find(plat_id);
  if (it == modes_.end()) {
    return false;
  }
  it->second = mode;
  return true;
}

net::awaitable<bool> memory_verification_modes::async_set(const std::string& plat_id,
                                                          fixtures::verification_mode mode) {
  co_return set(plat_id, mode);
}

}  // namespace authsim::state

#include "state/verification_modes.hpp"

namespace authsim::state {

verification_modes::verification_modes(const fixtures::fixture_set& fixtures) {
  for (const auto& p : fixtures.platforms) {
    modes_.emplace(p.plat_id, p.verification);
  }
}

std::optional<fixtures::verification_mode> verification_modes::get(const std::string& plat_id) const {
  const std::lock_guard lock(mutex_);
  const auto it = modes_.find(plat_id);
  return it == modes_.end() ? std::nullopt : std::optional(it->second);
}

bool verification_modes::set(const std::string& plat_id, fixtures::verification_mode mode) {
  const std::lock_guard lock(mutex_);
  const auto it = modes_.find(plat_id);
  if (it == modes_.end()) {
    return false;
  }
  it->second = mode;
  return true;
}

}  // namespace authsim::state

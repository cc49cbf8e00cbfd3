#pragma once
// Each platform's signature verification mode, starting from the fixtures
// and changed at run time by PUT /__admin/platforms/{platId}/verification.
//
// Thread-safe: one mutex guards the map.

#include "fixtures/fixtures.hpp"

#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace authsim::state {

class verification_modes {
 public:
  explicit verification_modes(const fixtures::fixture_set& fixtures);

  // nullopt for a platform the fixtures do not have.
  [[nodiscard]] std::optional<fixtures::verification_mode> get(const std::string& plat_id) const;
  // False for a platform the fixtures do not have.
  bool set(const std::string& plat_id, fixtures::verification_mode mode);

 private:
  mutable std::mutex mutex_;
  std::map<std::string, fixtures::verification_mode> modes_;
};

}  // namespace authsim::state

#pragma once
// Each platform's signature verification mode, starting from the fixtures
// and changed at run time by PUT /__admin/platforms/{platId}/verification.
//
// Reading never waits (identify reads it on every call): a store shared
// between replicas answers from its own view, kept current. Changing it is
// one operation.

#include "fixtures/fixtures.hpp"
#include "support/async.hpp"

#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace authsim::state {

class verification_modes {
 public:
  verification_modes() = default;
  verification_modes(const verification_modes&) = delete;
  verification_modes& operator=(const verification_modes&) = delete;
  virtual ~verification_modes() = default;

  // nullopt for a platform the fixtures do not have.
  [[nodiscard]] virtual std::optional<fixtures::verification_mode> get(const std::string& plat_id) const = 0;
  // False for a platform the fixtures do not have. Awaited at once.
  virtual net::awaitable<bool> async_set(const std::string& plat_id, fixtures::verification_mode mode) = 0;
};

// Thread-safe: one mutex guards the map.
class memory_verification_modes final : public verification_modes {
 public:
  explicit memory_verification_modes(const fixtures::fixture_set& fixtures);

  [[nodiscard]] std::optional<fixtures::verification_mode> get(const std::string& plat_id) const override;
  bool set(const std::string& plat_id, fixtures::verification_mode mode);
  net::awaitable<bool> async_set(const std::string& plat_id, fixtures::verification_mode mode) override;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, fixtures::verification_mode> modes_;
};

}  // namespace authsim::state

#pragma once
// Which fault-injection scenario is active: chosen by --scenario, PUT
// /__admin/scenario, or none. The scenario engine checks the name against
// the scenarios it loaded; this only keeps it.
//
// Reading never waits (every request reads it): a store shared between
// replicas answers from its own view, kept current. Changing it is one
// operation.

#include "support/async.hpp"

#include <atomic>
#include <mutex>
#include <optional>
#include <string>

namespace authsim::state {

class active_scenario {
 public:
  active_scenario() = default;
  active_scenario(const active_scenario&) = delete;
  active_scenario& operator=(const active_scenario&) = delete;
  virtual ~active_scenario() = default;

  [[nodiscard]] virtual std::optional<std::string> get() const = 0;
  // nullopt: none. Awaited at once.
  virtual net::awaitable<void> async_set(const std::optional<std::string>& name) = 0;
};

// Thread-safe: one mutex guards the name; "none" is read without it.
class memory_active_scenario final : public active_scenario {
 public:
  [[nodiscard]] std::optional<std::string> get() const override;
  void set(const std::optional<std::string>& name);
  net::awaitable<void> async_set(const std::optional<std::string>& name) override;

 private:
  mutable std::mutex mutex_;
  std::optional<std::string> name_;
  std::atomic<bool> any_{false};  // name_ is set: most requests see none and skip the lock
};

}  // namespace authsim::state

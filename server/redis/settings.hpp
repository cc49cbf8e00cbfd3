#pragma once
// The settings every replica must agree on at once: the clock's offset,
// the active scenario, each platform's verification mode and endpoints,
// each UOCS app's callback_url.
// They live in one Redis hash with a version; a change is one script that
// writes it, bumps the version and publishes it on the sandbox's channel.
//
// Every request reads them, so each replica keeps a snapshot and reads
// that without a round trip. The snapshot cannot be stale unnoticed:
// Redis writes the announcement into every subscriber's socket before the
// changing replica even has its answer, so a request that comes after the
// change (as the next call of a test does) finds either the announcement's
// bytes still unread on the subscription socket (an ioctl tells) or the
// announced version above the snapshot's; either way, and while the
// subscription is down or was just made again, fresh() is false and the
// request refreshes the snapshot first (one round trip).
//
// Thread-safe: the snapshot is guarded by a mutex (the offset is atomic);
// refresh() and change() from any executor.

#include "fixtures/fixtures.hpp"
#include "redis/backend.hpp"
#include "state/active_scenario.hpp"
#include "state/app_endpoints.hpp"
#include "state/clock.hpp"
#include "state/platform_endpoints.hpp"
#include "state/shared.hpp"
#include "state/verification_modes.hpp"

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace authsim::redis {

class shared_settings final : public state::shared_view {
 public:
  shared_settings(backend& b, std::shared_ptr<const fixtures::fixture_set> fixtures);
  shared_settings(const shared_settings&) = delete;
  shared_settings& operator=(const shared_settings&) = delete;

  // The snapshot is known to be current.
  [[nodiscard]] bool fresh() const override;
  // Reads the settings in one round trip and applies them. Throws
  // unavailable.
  net::awaitable<void> refresh() override;
  // Applies `ops` (triples: "set"/"setnx"/"incr"/"del", field, value) in
  // one script; the snapshot then holds the settings after it.
  net::awaitable<void> change(std::vector<std::string> ops);

  [[nodiscard]] std::int64_t offset_ms() const { return offset_.load(std::memory_order_relaxed); }
  [[nodiscard]] std::optional<std::string> scenario() const;
  [[nodiscard]] std::optional<fixtures::verification_mode> mode(const std::string& plat_id) const;
  [[nodiscard]] std::optional<state::endpoints> endpoints_of(const std::string& plat_id) const;
  [[nodiscard]] std::optional<std::optional<std::string>> callback_of(const std::string& app_key) const;
  [[nodiscard]] std::int64_t version() const { return version_.load(std::memory_order_acquire); }

  state::clock& clock() { return *clock_; }
  state::active_scenario& active() { return *active_; }
  state::verification_modes& modes() { return *modes_; }
  state::platform_endpoints& endpoints() { return *endpoints_; }
  state::app_endpoints& apps() { return *apps_; }

  // Called when a snapshot applied moves the clock's offset (whichever
  // replica moved it): the job schedule looks again. Set before use.
  std::function<void()> on_clock_moved;

 private:
  void apply(const reply& fields);
  void on_event();
  void refresh_in_background();

  backend& backend_;
  std::shared_ptr<const fixtures::fixture_set> fixtures_;
  std::atomic<std::int64_t> version_{-1};
  std::string epoch_;  // under mutex_: which incarnation of the hash the snapshot is of
  // Events that may have changed the settings (announcements received,
  // subscriptions made), and how many of them a completed refresh covers:
  // the snapshot is current only when it covers them all.
  std::atomic<std::uint64_t> events_{0};
  std::atomic<std::uint64_t> covered_{0};
  // This replica's mark for a hash it creates (see the change script).
  const std::string my_epoch_;
  std::atomic<std::int64_t> offset_{0};
  mutable std::mutex mutex_;
  std::map<std::string, std::string, std::less<>> fields_;
  std::unique_ptr<state::clock> clock_;
  std::unique_ptr<state::active_scenario> active_;
  std::unique_ptr<state::verification_modes> modes_;
  std::unique_ptr<state::platform_endpoints> endpoints_;
  std::unique_ptr<state::app_endpoints> apps_;
};

}  // namespace authsim::redis

#pragma once
// The simulated clock: the system clock plus an offset that the admin API
// moves. Every expiry, JWT `iat`/`exp`, UOCS `date` and token timestamp
// reads it, so tests can move time instead of waiting.
//
// `clock` is what the server uses; memory_clock (below) keeps the offset
// in this process. Reading never waits: a clock shared between replicas
// answers from its own view, kept current; moving it is one operation.

#include "support/async.hpp"

#include <atomic>
#include <cstdint>
#include <optional>

namespace authsim::state {

class clock {
 public:
  clock() = default;
  clock(const clock&) = delete;
  clock& operator=(const clock&) = delete;
  virtual ~clock() = default;

  // Milliseconds since the Unix epoch, as the simulator sees it.
  [[nodiscard]] virtual std::int64_t now_ms() const = 0;
  [[nodiscard]] virtual std::int64_t offset_ms() const = 0;
  // The lowest offset this clock accepts (a clock shared through Redis
  // bounds how far back it may be set); nullopt: any.
  [[nodiscard]] virtual std::optional<std::int64_t> min_offset_ms() const { return std::nullopt; }

  // Moves simulated time forward (or back, with a negative value).
  virtual net::awaitable<void> async_advance(std::int64_t delta_ms) = 0;
  // Makes now_ms() return `epoch_ms` at this instant; time keeps running.
  virtual net::awaitable<void> async_set(std::int64_t epoch_ms) = 0;
  // Back to the system clock.
  virtual net::awaitable<void> async_reset() = 0;

 protected:
  static std::int64_t system_now_ms();
};

// Thread-safe: the offset is atomic; readers never block.
class memory_clock final : public clock {
 public:
  [[nodiscard]] std::int64_t now_ms() const override { return system_now_ms() + offset_ms(); }
  [[nodiscard]] std::int64_t offset_ms() const override { return offset_ms_.load(std::memory_order_relaxed); }

  void advance_ms(std::int64_t delta) { offset_ms_.fetch_add(delta, std::memory_order_relaxed); }
  void set_ms(std::int64_t epoch_ms) { offset_ms_.store(epoch_ms - system_now_ms(), std::memory_order_relaxed); }
  void reset() { offset_ms_.store(0, std::memory_order_relaxed); }

  net::awaitable<void> async_advance(std::int64_t delta_ms) override;
  net::awaitable<void> async_set(std::int64_t epoch_ms) override;
  net::awaitable<void> async_reset() override;

 private:
  std::atomic<std::int64_t> offset_ms_{0};
};

}  // namespace authsim::state

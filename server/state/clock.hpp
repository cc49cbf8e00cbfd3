#pragma once
// The simulated clock: the system clock plus an adjustable offset. Every
// expiry, JWT `iat`/`exp`, UOCS `date` and token timestamp reads it, so tests
// can move time instead of waiting.
//
// Thread-safe: the offset is atomic; readers never block.

#include <atomic>
#include <cstdint>

namespace authsim::state {

class clock {
 public:
  // Milliseconds since the Unix epoch, as the simulator sees it.
  [[nodiscard]] std::int64_t now_ms() const;

  // Moves simulated time forward (or back, with a negative value).
  void advance_ms(std::int64_t delta);
  // Makes now_ms() return `epoch_ms` at this instant; time keeps running.
  void set_ms(std::int64_t epoch_ms);
  // Back to the system clock.
  void reset();

  [[nodiscard]] std::int64_t offset_ms() const { return offset_ms_.load(std::memory_order_relaxed); }

 private:
  static std::int64_t system_now_ms();

  std::atomic<std::int64_t> offset_ms_{0};
};

}  // namespace authsim::state

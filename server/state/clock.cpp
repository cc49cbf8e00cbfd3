#include "state/clock.hpp"

#include <chrono>

namespace authsim::state {

std::int64_t clock::system_now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::int64_t clock::now_ms() const { return system_now_ms() + offset_ms(); }

void clock::advance_ms(std::int64_t delta) { offset_ms_.fetch_add(delta, std::memory_order_relaxed); }

void clock::set_ms(std::int64_t epoch_ms) {
  offset_ms_.store(epoch_ms - system_now_ms(), std::memory_order_relaxed);
}

void clock::reset() { offset_ms_.store(0, std::memory_order_relaxed); }

}  // namespace authsim::state

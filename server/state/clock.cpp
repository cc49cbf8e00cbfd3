#include "state/clock.hpp"

#include <chrono>

namespace authsim::state {

std::int64_t clock::system_now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

net::awaitable<void> memory_clock::async_advance(std::int64_t delta_ms) {
  advance_ms(delta_ms);
  co_return;
}

net::awaitable<void> memory_clock::async_set(std::int64_t epoch_ms) {
  set_ms(epoch_ms);
  co_return;
}

net::awaitable<void> memory_clock::async_reset() {
  reset();
  co_return;
}

}  // namespace authsim::state

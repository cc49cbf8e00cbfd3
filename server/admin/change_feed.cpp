#include "admin/change_feed.hpp"

#include "support/crypto.hpp"

#include <charconv>
#include <functional>

namespace authsim::admin {

change_feed::change_feed() : instance_(support::random_hex(4)) {}

void change_feed::bump() {
  count_.fetch_add(1, std::memory_order_relaxed);
  waiters_.wake_all();
}

std::string change_feed::cursor() const {
  return instance_ + "-" + std::to_string(count_.load(std::memory_order_relaxed));
}

std::optional<std::uint64_t> change_feed::count_of(std::string_view cursor) const {
  if (cursor.size() <= instance_.size() + 1 || !cursor.starts_with(instance_) || cursor[instance_.size()] != '-') {
    return std::nullopt;
  }
  const std::string_view digits = cursor.substr(instance_.size() + 1);
  std::uint64_t n = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (ec != std::errc() || end != digits.data() + digits.size()) {
    return std::nullopt;
  }
  return n;
}

net::awaitable<bool> change_feed::async_wait(std::optional<std::uint64_t> after,
                                             std::chrono::steady_clock::time_point deadline,
                                             support::interrupt_source* interrupts) {
  // No count, or one from the future (a cursor of this process cannot be,
  // a hand-made one can): from now, until the next change.
  const std::uint64_t now = count_.load(std::memory_order_relaxed);
  const std::uint64_t base = after && *after <= now ? *after : now;
  const std::function<net::awaitable<std::uint64_t>()> counted = [this]() -> net::awaitable<std::uint64_t> {
    co_return count_.load(std::memory_order_relaxed);
  };
  const std::uint64_t reached = co_await waiters_.wait(counted, base + 1, deadline, interrupts);
  co_return reached > base;
}

}  // namespace authsim::admin

#include "transport/connection_tracker.hpp"

namespace authsim::transport {

connection_tracker::registration connection_tracker::add(std::function<void()> close_if_idle) {
  const std::lock_guard lock(mutex_);
  const std::uint64_t id = next_id_++;
  closers_.emplace(id, std::move(close_if_idle));
  return registration(*this, id);
}

void connection_tracker::remove(std::uint64_t id) {
  const std::lock_guard lock(mutex_);
  closers_.erase(id);
  if (closers_.empty() && on_empty_) {
    on_empty_();
  }
}

void connection_tracker::notify_when_empty(std::function<void()> f) {
  const std::lock_guard lock(mutex_);
  on_empty_ = std::move(f);
  if (closers_.empty() && on_empty_) {
    on_empty_();
  }
}

void connection_tracker::shutdown() {
  // The flag is set before the closers run: a connection that is about to
  // start waiting for a request checks it first, so none is missed.
  stopping_.store(true, std::memory_order_release);
  const std::lock_guard lock(mutex_);
  for (auto& [id, close] : closers_) {
    close();
  }
}

std::size_t connection_tracker::active() const {
  const std::lock_guard lock(mutex_);
  return closers_.size();
}

}  // namespace authsim::transport

#include "jobs/scheduler.hpp"

#include "support/event.hpp"
#include "support/log.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include <chrono>
#include <exception>
#include <limits>

namespace authsim::jobs {

namespace {
// With nothing due, the dispatcher still looks once a minute (a clock
// moved by another replica, later, is noticed that way too).
constexpr std::int64_t idle_look_ms = 60'000;
}  // namespace

scheduler::scheduler(net::any_io_executor executor, const state::clock& clock)
    : executor_(std::move(executor)), clock_(clock), wake_(std::make_shared<support::event>(executor_)) {}

void scheduler::start() {
  net::co_spawn(executor_, [self = shared_from_this()]() { return self->dispatch(); }, net::detached);
}

void scheduler::add(std::int64_t due_ms, const std::string& lane, job j) {
  {
    const std::lock_guard lock(mutex_);
    if (stopped_) {
      return;
    }
    waiting_.emplace(std::tuple{due_ms, next_seq_++}, std::pair{lane, std::move(j)});
  }
  wake_->raise();
}

void scheduler::poke() { wake_->raise(); }

std::size_t scheduler::stop() {
  std::size_t dropped = 0;
  {
    const std::lock_guard lock(mutex_);
    stopped_ = true;
    dropped = waiting_.size();
    for (auto& [name, lane] : lanes_) {
      dropped += lane.queue.size();
      lane.queue.clear();
    }
    waiting_.clear();
  }
  wake_->raise();
  return dropped;
}

std::size_t scheduler::pending() const {
  const std::lock_guard lock(mutex_);
  std::size_t n = waiting_.size();
  for (const auto& [name, lane] : lanes_) {
    n += lane.queue.size();
  }
  return n;
}

std::int64_t scheduler::release_due(std::int64_t now_ms) {
  std::vector<std::string> to_start;
  std::int64_t next = std::numeric_limits<std::int64_t>::max();
  {
    const std::lock_guard lock(mutex_);
    while (!waiting_.empty() && std::get<0>(waiting_.begin()->first) <= now_ms) {
      auto node = waiting_.extract(waiting_.begin());
      lane_state& lane = lanes_[node.mapped().first];
      lane.queue.push_back(std::move(node.mapped().second));
      if (!lane.busy) {
        lane.busy = true;
        to_start.push_back(node.mapped().first);
      }
    }
    if (!waiting_.empty()) {
      next = std::get<0>(waiting_.begin()->first);
    }
  }
  for (auto& lane : to_start) {
    net::co_spawn(executor_, [self = shared_from_this(), lane]() { return self->run_lane(lane); }, net::detached);
  }
  return next;
}

net::awaitable<void> scheduler::dispatch() {
  for (;;) {
    {
      const std::lock_guard lock(mutex_);
      if (stopped_) {
        co_return;
      }
    }
    const std::int64_t now = clock_.now_ms();
    const std::int64_t next = release_due(now);
    const std::int64_t sleep_ms = next == std::numeric_limits<std::int64_t>::max()
                                      ? idle_look_ms
                                      : std::min(idle_look_ms, std::max<std::int64_t>(next - now, 0));
    co_await wake_->wait_until(std::chrono::steady_clock::now() + std::chrono::milliseconds(sleep_ms));
  }
}

net::awaitable<void> scheduler::run_lane(std::string lane) {
  for (;;) {
    job next;
    {
      const std::lock_guard lock(mutex_);
      lane_state& state = lanes_[lane];
      if (stopped_ || state.queue.empty()) {
        state.busy = false;
        if (state.queue.empty()) {
          lanes_.erase(lane);
        }
        co_return;
      }
      next = std::move(state.queue.front());
      state.queue.pop_front();
    }
    try {
      co_await next();
    } catch (const std::exception& e) {
      support::log_message(support::log_level::error, std::string("a scheduled job failed: ") + e.what());
    }
  }
}

}  // namespace authsim::jobs

#include "jobs/scheduler.hpp"

#include "support/event.hpp"
#include "state/shared.hpp"
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

memory_scheduler::memory_scheduler(net::any_io_executor executor, const state::clock& clock)
    : executor_(std::move(executor)), clock_(clock), wake_(std::make_shared<support::event>(executor_)) {}

void memory_scheduler::start() {
  net::co_spawn(executor_, [self = shared_from_this()]() { return self->dispatch(); }, net::detached);
}

void memory_scheduler::add(state::scheduled_job j) {
  {
    const std::lock_guard lock(mutex_);
    if (stopped_) {
      return;
    }
    const std::int64_t due = j.due_ms;
    waiting_.emplace(std::tuple{due, next_seq_++}, std::move(j));
  }
  wake_->raise();
}

void memory_scheduler::poke() { wake_->raise(); }

std::size_t memory_scheduler::stop() {
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

std::size_t memory_scheduler::pending() const {
  const std::lock_guard lock(mutex_);
  std::size_t n = waiting_.size();
  for (const auto& [name, lane] : lanes_) {
    n += lane.queue.size();
  }
  return n;
}

std::int64_t memory_scheduler::release_due(std::int64_t now_ms) {
  std::vector<std::string> to_start;
  std::int64_t next = std::numeric_limits<std::int64_t>::max();
  {
    const std::lock_guard lock(mutex_);
    while (!waiting_.empty() && std::get<0>(waiting_.begin()->first) <= now_ms) {
      auto node = waiting_.extract(waiting_.begin());
      lane_state& lane = lanes_[node.mapped().lane];
      const std::string name = node.mapped().lane;
      lane.queue.push_back(std::move(node.mapped()));
      if (!lane.busy) {
        lane.busy = true;
        to_start.push_back(name);
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

net::awaitable<void> memory_scheduler::dispatch() {
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

net::awaitable<void> memory_scheduler::run_lane(std::string lane) {
  for (;;) {
    state::scheduled_job next;
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
    co_await run(next.kind, next.arg);
  }
}

net::awaitable<scheduler::ending> scheduler::run(const std::string& kind, const std::string& arg) const {
  const auto it = handlers_.find(kind);
  if (it == handlers_.end()) {
    support::log_message(support::log_level::error, "a scheduled job of an unknown kind: " + kind);
    co_return ending::done;
  }
  try {
    co_await it->second(arg);
    co_return ending::done;
  } catch (const interrupted& e) {
    support::log_message(support::log_level::info, "a scheduled " + kind + " job stopped: " + e.what());
    co_return ending::interrupted;
  } catch (const state::unavailable& e) {
    support::log_message(support::log_level::warn,
                         "a scheduled " + kind + " job stopped: the state backend is unavailable (" + e.what() + ")");
    co_return ending::unavailable;
  } catch (const std::exception& e) {
    support::log_message(support::log_level::error, "a scheduled " + kind + " job failed: " + e.what());
  }
  co_return ending::done;
}

}  // namespace authsim::jobs

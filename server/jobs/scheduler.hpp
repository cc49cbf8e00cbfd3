#pragma once
// Jobs due at simulated times: a payment's webhook events, their retries.
//
// A job runs once the simulated clock reaches its due time. The clock runs
// with the wall clock (whether it is shifted or not), so the scheduler
// sleeps until the next due time; when the clock is moved (PUT
// /__admin/clock), poke() makes it look again at once, and every job that
// became due runs then, in due order (ties in the order they were added).
//
// Jobs run in lanes: the jobs of one lane (one platform) run one after the
// other, in due order, each to its end (a webhook call included) before
// the next starts; lanes run side by side. So a platform's endpoint sees
// its events in order, and a slow one holds up only its own.
//
// Thread-safe. Jobs are coroutines run on the scheduler's executor.

#include "state/clock.hpp"
#include "support/async.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <tuple>

namespace authsim::support {
class event;
}

namespace authsim::jobs {

class scheduler : public std::enable_shared_from_this<scheduler> {
 public:
  using job = std::function<net::awaitable<void>()>;

  // Make one with std::make_shared, then start() it.
  scheduler(net::any_io_executor executor, const state::clock& clock);

  // Begins watching the due times (spawns the dispatcher).
  void start();
  // Runs `j` in `lane` once the simulated clock reaches `due_ms`.
  void add(std::int64_t due_ms, const std::string& lane, job j);
  // The clock moved: run what is due now, and sleep anew.
  void poke();
  // Runs nothing more; jobs not started are dropped. Answers how many.
  std::size_t stop();
  // Jobs waiting for their time or for their lane.
  [[nodiscard]] std::size_t pending() const;

 private:
  net::awaitable<void> dispatch();
  net::awaitable<void> run_lane(std::string lane);
  // Moves due jobs to their lanes; answers the next due time, if any.
  std::int64_t release_due(std::int64_t now_ms);

  net::any_io_executor executor_;
  const state::clock& clock_;
  std::shared_ptr<support::event> wake_;

  mutable std::mutex mutex_;
  bool stopped_ = false;
  std::uint64_t next_seq_ = 0;
  std::map<std::tuple<std::int64_t, std::uint64_t>, std::pair<std::string, job>> waiting_;
  struct lane_state {
    std::deque<job> queue;
    bool busy = false;
  };
  std::map<std::string, lane_state> lanes_;
};

}  // namespace authsim::jobs

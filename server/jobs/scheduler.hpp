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
// A job is a kind and an argument (text), so that a schedule can be kept
// outside the process: memory_scheduler here keeps this process's jobs,
// redis::shared_scheduler the jobs every replica shares. Thread-safe. Jobs
// are coroutines run on the scheduler's executor.

#include "state/clock.hpp"
#include "state/records.hpp"
#include "support/async.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <tuple>

namespace authsim::support {
class event;
}

namespace authsim::jobs {

// Thrown by a job that stopped before its end and must run again: its
// replica is stopping, or its record kept changing under it.
class interrupted : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// What every scheduler does: runs each job by the handler of its kind.
class scheduler {
 public:
  using handler = std::function<net::awaitable<void>(const std::string& arg)>;

  scheduler() = default;
  scheduler(const scheduler&) = delete;
  scheduler& operator=(const scheduler&) = delete;
  virtual ~scheduler() = default;

  // Before start(): what runs the jobs of `kind`.
  void on(const std::string& kind, handler h) { handlers_[kind] = std::move(h); }
  // Begins watching the due times.
  virtual void start() = 0;
  // The clock moved, or a job was added: look again at once.
  virtual void poke() = 0;
  // Runs nothing more; answers how many jobs it held that were dropped
  // (a shared schedule keeps its jobs for the other replicas: 0).
  virtual std::size_t stop() = 0;
  // Jobs still running (with a shared schedule: until their claims are
  // settled), which a stop waits a moment for.
  [[nodiscard]] virtual std::size_t running() const { return 0; }

 protected:
  // How a job ended.
  enum class ending {
    done,         // to its end (a job that threw for another reason too: it is logged)
    interrupted,  // it must run again now (see `interrupted`)
    unavailable,  // the state backend went away mid-way: it runs again later
  };
  // Runs one job; a job that throws is logged, never propagated.
  net::awaitable<ending> run(const std::string& kind, const std::string& arg) const;

 private:
  std::map<std::string, handler> handlers_;
};

// This process's jobs, in its memory.
class memory_scheduler final : public scheduler, public std::enable_shared_from_this<memory_scheduler> {
 public:
  // Make one with std::make_shared, then start() it.
  memory_scheduler(net::any_io_executor executor, const state::clock& clock);

  void start() override;
  // Runs `j` once the simulated clock reaches its due time.
  void add(state::scheduled_job j);
  void poke() override;
  std::size_t stop() override;
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
  std::map<std::tuple<std::int64_t, std::uint64_t>, state::scheduled_job> waiting_;
  struct lane_state {
    std::deque<state::scheduled_job> queue;
    bool busy = false;
  };
  std::map<std::string, lane_state> lanes_;
};

}  // namespace authsim::jobs

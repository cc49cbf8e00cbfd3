#pragma once
// Payments, deliveries and waybills shared by every replica, and the job
// schedule they share.
//
// shared_records keeps state::records in Redis: a commit is one script
// that checks every expected version, writes, bounds each kind and adds
// the jobs, all at once; each commit is announced on the records channel,
// so long polls on any replica look again.
//
// shared_scheduler runs the jobs of that schedule: each replica claims due
// jobs with one script, one job per lane at a time across all replicas (a
// platform's webhooks stay in order whichever replica sends them), under a
// lease in Redis's time that the replica extends while the job runs. A
// replica that dies mid-job stops extending it; when the lease runs out
// the job goes back to the schedule and another replica runs it. Jobs find
// their record and do nothing when it has moved on, so a job run twice
// that way sends nothing twice unless the first run never recorded its
// attempt.

#include "jobs/scheduler.hpp"
#include "redis/backend.hpp"
#include "state/records.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <set>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace authsim::support {
class event;
}

namespace authsim::redis {

class shared_records final : public state::records {
 public:
  // `jobs_added` is told when a commit added jobs (the local scheduler
  // looks at once).
  shared_records(backend& b, std::function<void()> jobs_added);

  net::awaitable<std::optional<state::record>> async_get(const std::string& kind, const std::string& id) override;
  net::awaitable<std::vector<state::record>> async_get_many(const std::string& kind,
                                                            const std::vector<std::string>& ids) override;
  net::awaitable<bool> async_commit(std::vector<state::record_write> writes,
                                    std::vector<state::scheduled_job> jobs) override;
  net::awaitable<state::record_listing> async_select(const std::string& kind, const state::record_match& match,
                                                     std::size_t limit, bool newest_first) override;
  net::awaitable<std::size_t> async_count(const std::string& kind, const std::string& tag) override;
  net::awaitable<void> async_clear(const std::string& kind) override;

  // Members a page of a selection looks at (one script call).
  static constexpr std::size_t select_page = 1000;

 private:
  [[nodiscard]] std::string record_key(const std::string& kind, const std::string& id) const;
  backend& backend_;
  std::function<void()> jobs_added_;
};

class shared_scheduler final : public jobs::scheduler, public std::enable_shared_from_this<shared_scheduler> {
 public:
  static constexpr std::size_t max_running = 64;  // jobs one replica runs at once

  // Make one with std::make_shared, then start() it.
  shared_scheduler(backend& b, const state::clock& clock, net::any_io_executor executor,
                   std::chrono::milliseconds lease);

  void start() override;
  void poke() override;
  // Claims nothing more; the jobs stay in Redis for the other replicas,
  // and a job cut short by the stop is handed back to them at once.
  std::size_t stop() override;
  [[nodiscard]] std::size_t running() const override { return unsettled_.load(); }

 private:
  net::awaitable<void> dispatch();
  net::awaitable<void> renew();
  net::awaitable<void> run_claimed(std::string member, std::string token);
  // The jobs_settle script on (member, token) claims: "finish", "release"
  // or a lease to extend by.
  net::awaitable<void> settle(const char* how, std::vector<std::pair<std::string, std::string>> claims);

  backend& backend_;
  const state::clock& clock_;
  net::any_io_executor executor_;
  std::chrono::milliseconds lease_;
  std::shared_ptr<support::event> wake_;
  std::atomic<bool> stopped_{false};
  std::atomic<std::size_t> unsettled_{0};  // claimed, not yet settled

  std::mutex mutex_;
  // This replica's claims (member, token): a member claimed again after its
  // lease ran out is another claim.
  std::set<std::pair<std::string, std::string>> running_;
};

// A job as the claim script answers its member (see the records_commit
// script): its lane, kind and argument (the due time is not in it).
std::optional<state::scheduled_job> job_of_member(const std::string& member);

}  // namespace authsim::redis

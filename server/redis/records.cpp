#include "redis/records.hpp"

#include "support/aliases.hpp"
#include "support/crypto.hpp"
#include "support/event.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <charconv>

namespace authsim::redis {

namespace {

// A reply element that is a number or a numeric string (scores).
std::int64_t number_of(const reply& r) {
  if (r.kind == reply::type::integer) {
    return r.integer;
  }
  // Scores come as text, possibly with a fraction: the whole part counts.
  return integer_of(r.str);
}

// With nothing due, the dispatcher still looks once a minute; with Redis
// away, once a second.
constexpr std::int64_t idle_look_ms = 60'000;
constexpr std::int64_t unavailable_look_ms = 1'000;

}  // namespace

std::optional<state::scheduled_job> job_of_member(const std::string& member) {
  if (member.size() < 20) {
    return std::nullopt;
  }
  std::size_t lane_size = 0;
  const auto [end, ec] = std::from_chars(member.data() + 16, member.data() + 20, lane_size, 16);
  if (ec != std::errc() || member.size() < 20 + lane_size) {
    return std::nullopt;
  }
  state::scheduled_job j;
  j.lane = member.substr(20, lane_size);
  const std::string rest = member.substr(20 + lane_size);
  const std::size_t space = rest.find(' ');
  j.kind = rest.substr(0, space);
  j.arg = space == std::string::npos ? std::string() : rest.substr(space + 1);
  return j;
}

shared_records::shared_records(backend& b, std::function<void()> jobs_added)
    : backend_(b), jobs_added_(std::move(jobs_added)) {
  backend_.on_records_message = [this](const std::string& payload) {
    if (on_change) on_change();
    // Jobs added by any replica: the local scheduler looks too (their own
    // replica may be busy, or gone).
    if (payload == "1" && jobs_added_) jobs_added_();
  };
}

std::string shared_records::record_key(const std::string& kind, const std::string& id) const {
  return backend_.key("rec:" + kind + ":" + id);
}

net::awaitable<std::optional<state::record>> shared_records::async_get(const std::string& kind,
                                                                       const std::string& id) {
  std::vector<command> get;
  get.push_back({"HMGET", record_key(kind, id), "body", "version"});
  const std::vector<reply> replies = co_await backend_.exec(std::move(get));
  const reply& r = replies.at(0);
  if (r.elements.size() < 2 || r.elements[0].kind != reply::type::string) {
    co_return std::nullopt;
  }
  co_return state::record{id, r.elements[0].str, static_cast<std::uint64_t>(integer_of(r.elements[1].str))};
}

net::awaitable<std::vector<state::record>> shared_records::async_get_many(const std::string& kind,
                                                                          const std::vector<std::string>& ids) {
  std::vector<state::record> out;
  if (ids.empty()) {
    co_return out;
  }
  std::vector<command> gets;
  gets.reserve(ids.size());
  for (const auto& id : ids) {
    gets.push_back({"HMGET", record_key(kind, id), "body", "version"});
  }
  const std::vector<reply> replies = co_await backend_.exec(std::move(gets));
  for (std::size_t i = 0; i < ids.size() && i < replies.size(); ++i) {
    const reply& r = replies[i];
    if (r.elements.size() >= 2 && r.elements[0].kind == reply::type::string) {
      out.push_back(state::record{ids[i], r.elements[0].str, static_cast<std::uint64_t>(integer_of(r.elements[1].str))});
    }
  }
  co_return out;
}

net::awaitable<bool> shared_records::async_commit(std::vector<state::record_write> writes,
                                                  std::vector<state::scheduled_job> jobs) {
  std::vector<std::string> args;
  args.reserve(3 + writes.size() * 9 + jobs.size() * 3);
  args.push_back(backend_.key(""));
  args.push_back(backend_.records_channel());
  args.push_back(std::to_string(writes.size()));
  for (auto& w : writes) {
    json::array owned;
    for (const auto& [kind, id] : w.owned) {
      owned.push_back(json::array{json::string(kind), json::string(id)});
    }
    args.push_back(std::move(w.kind));
    args.push_back(std::move(w.id));
    args.push_back(std::move(w.body));
    args.push_back(std::to_string(w.expect));
    args.push_back(std::to_string(w.order));
    args.push_back(std::move(w.tag));
    args.push_back(std::to_string(w.capacity));
    args.push_back(json::serialize(owned));
    json::array fields;
    for (const auto& [name, value] : w.fields) {
      fields.push_back(json::array{json::string(name), json::string(value)});
    }
    args.push_back(json::serialize(fields));
  }
  const bool with_jobs = !jobs.empty();
  for (auto& j : jobs) {
    args.push_back(std::to_string(j.due_ms));
    args.push_back(std::move(j.lane));
    args.push_back(j.kind + " " + j.arg);
  }
  const std::vector<std::string> no_keys;
  const reply r = co_await backend_.eval(all_scripts().records_commit, no_keys, args);
  const bool done = r.integer == 1;
  // Before the announcement comes back: a job due now starts at once.
  if (done && with_jobs && jobs_added_) {
    jobs_added_();
  }
  co_return done;
}

net::awaitable<state::record_listing> shared_records::async_select(const std::string& kind,
                                                                   const state::record_match& match,
                                                                   std::size_t limit, bool newest_first) {
  state::record_listing out;
  // A count alone walks the order written, which records added or removed
  // meanwhile do not shift: each is counted once.
  const char* walk = limit == 0 ? "2" : newest_first ? "1" : "0";
  std::vector<std::string> args{backend_.key(""),
                                kind,
                                "0",
                                std::to_string(select_page),
                                "0",
                                walk,
                                match.at_least_field,
                                std::to_string(match.at_least)};
  for (const auto& [name, value] : match.equal) {
    args.push_back(name);
    args.push_back(value);
  }
  const std::vector<std::string> no_keys;
  for (std::size_t start = 0;;) {
    args[2] = std::to_string(start);
    args[4] = std::to_string(limit - out.items.size());
    const reply r = co_await backend_.eval(all_scripts().records_select, no_keys, args);
    if (r.elements.size() < 2) {
      break;
    }
    out.count += static_cast<std::size_t>(std::max<std::int64_t>(number_of(r.elements[0]), 0));
    for (std::size_t i = 2; i + 2 < r.elements.size(); i += 3) {
      out.items.push_back(state::record{r.elements[i].str, r.elements[i + 1].str,
                                        static_cast<std::uint64_t>(integer_of(r.elements[i + 2].str))});
    }
    const std::int64_t next = number_of(r.elements[1]);
    if (next < 0) {
      break;
    }
    start = static_cast<std::size_t>(next);
  }
  co_return out;
}

net::awaitable<std::size_t> shared_records::async_count(const std::string& kind, const std::string& tag) {
  std::vector<command> count;
  if (tag.empty()) {
    count.push_back({"ZCARD", backend_.key("recs:" + kind)});
  } else {
    count.push_back({"HGET", backend_.key("recs:" + kind + ":tags"), tag});
  }
  const std::vector<reply> replies = co_await backend_.exec(std::move(count));
  co_return static_cast<std::size_t>(std::max<std::int64_t>(number_of(replies.at(0)), 0));
}

net::awaitable<void> shared_records::async_clear(const std::string& kind) {
  // Page by page, each page one step that keeps the listings and the tag
  // counts true: a commit landing between two pages is either forgotten
  // by a later page or kept whole, never left half listed.
  const std::vector<std::string> args{backend_.key(""), kind, std::to_string(select_page),
                                      backend_.records_channel()};
  const std::vector<std::string> no_keys;
  for (;;) {
    const reply left = co_await backend_.eval(all_scripts().records_clear, no_keys, args);
    if (left.integer <= 0) {
      break;
    }
  }
}

shared_scheduler::shared_scheduler(backend& b, const state::clock& clock, net::any_io_executor executor,
                                   std::chrono::milliseconds lease)
    : backend_(b),
      clock_(clock),
      executor_(std::move(executor)),
      lease_(lease),
      wake_(std::make_shared<support::event>(executor_)) {}

void shared_scheduler::start() {
  net::co_spawn(executor_, [self = shared_from_this()]() { return self->dispatch(); }, net::detached);
  net::co_spawn(executor_, [self = shared_from_this()]() { return self->renew(); }, net::detached);
}

void shared_scheduler::poke() { wake_->raise(); }

std::size_t shared_scheduler::stop() {
  stopped_ = true;
  wake_->raise();
  return 0;
}

net::awaitable<void> shared_scheduler::settle(const char* how, std::vector<std::pair<std::string, std::string>> claims) {
  if (claims.empty()) {
    co_return;
  }
  std::vector<std::string> args{backend_.key(""), how, backend_.records_channel()};
  for (auto& [member, token] : claims) {
    args.push_back(std::move(member));
    args.push_back(std::move(token));
  }
  const std::vector<std::string> no_keys;
  try {
    co_await backend_.eval(all_scripts().jobs_settle, no_keys, args);
  } catch (const unavailable&) {
    // The leases run out instead; a job run again finds nothing left to do.
  }
}

net::awaitable<void> shared_scheduler::dispatch() {
  while (!stopped_) {
    std::int64_t sleep_ms = idle_look_ms;
    // The claim call counts as unsettled until its jobs are: a stop meanwhile
    // waits for it to hand them back.
    ++unsettled_;
    try {
      std::size_t room = 0;
      {
        const std::lock_guard lock(mutex_);
        room = max_running - std::min(running_.size(), max_running);
      }
      const std::int64_t now = clock_.now_ms();
      const std::string token = support::random_hex(8);
      // Full: the claim only hands back leases that ran out; a job's end
      // wakes this loop again.
      const std::vector<std::string> args{backend_.key(""), std::to_string(now), std::to_string(lease_.count()),
                                          token, std::to_string(room)};
      const std::vector<std::string> no_keys;
      const reply r = co_await backend_.eval(all_scripts().jobs_claim, no_keys, args);
      if (r.elements.size() >= 3) {
        const std::int64_t redis_now = number_of(r.elements[0]);
        const std::int64_t next_due = number_of(r.elements[1]);
        const std::int64_t next_lease = number_of(r.elements[2]);
        std::vector<std::pair<std::string, std::string>> claimed;
        for (std::size_t i = 3; i + 1 < r.elements.size(); i += 2) {
          claimed.emplace_back(r.elements[i].str, token);
        }
        if (stopped_) {
          // Stopped while claiming: the jobs go back for the other replicas.
          co_await settle("release", std::move(claimed));
          --unsettled_;
          co_return;
        }
        if (next_due >= 0 && claimed.size() < room) {
          // Lanes due now that were not claimed are busy no more only when
          // a job ends (which wakes this loop): at most a short look.
          sleep_ms = std::min(sleep_ms, std::max<std::int64_t>(next_due - now, claimed.empty() ? 50 : 0));
        }
        if (next_lease >= 0) {
          // A lease is looked at once it ran out (+1: strictly after).
          sleep_ms = std::min(sleep_ms, std::max<std::int64_t>(next_lease - redis_now + 1, 0));
        }
        for (auto& [member, claim] : claimed) {
          {
            const std::lock_guard lock(mutex_);
            running_.emplace(member, claim);
          }
          ++unsettled_;
          net::co_spawn(executor_,
                        [self = shared_from_this(), member = std::move(member), claim = std::move(claim)]() mutable {
                          return self->run_claimed(std::move(member), std::move(claim));
                        },
                        net::detached);
        }
      }
    } catch (const unavailable&) {
      sleep_ms = unavailable_look_ms;
    }
    --unsettled_;
    co_await wake_->wait_until(std::chrono::steady_clock::now() + std::chrono::milliseconds(sleep_ms));
  }
}

net::awaitable<void> shared_scheduler::run_claimed(std::string member, std::string token) {
  const std::optional<state::scheduled_job> j = job_of_member(member);
  const ending how = j ? co_await run(j->kind, j->arg) : ending::done;
  {
    const std::lock_guard lock(mutex_);
    running_.erase({member, token});
  }
  std::vector<std::pair<std::string, std::string>> claim{{std::move(member), std::move(token)}};
  if (how == ending::done) {
    co_await settle("finish", std::move(claim));
  } else if (how == ending::interrupted || stopped_) {
    // Cut short (this replica's stop, a record that kept changing): it runs
    // again now, here or on another replica.
    co_await settle("release", std::move(claim));
  }
  // Otherwise (Redis away mid-way) the claim runs out with its lease, and
  // the job runs again then.
  --unsettled_;
  // The lane's next job may be due already.
  wake_->raise();
}

net::awaitable<void> shared_scheduler::renew() {
  net::steady_timer timer(executor_);
  const auto every = std::max(lease_ / 3, std::chrono::milliseconds(10));
  const std::string lease_text = std::to_string(lease_.count());
  while (!stopped_) {
    timer.expires_after(every);
    co_await timer.async_wait(use_tuple);
    std::vector<std::pair<std::string, std::string>> claims;
    {
      const std::lock_guard lock(mutex_);
      claims.assign(running_.begin(), running_.end());
    }
    // A lease that runs out because Redis was away meanwhile lets another
    // replica run the job again.
    co_await settle(lease_text.c_str(), std::move(claims));
  }
}

}  // namespace authsim::redis

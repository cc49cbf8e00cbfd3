#include "outbound/deliveries.hpp"

#include "support/aliases.hpp"
#include "support/crypto.hpp"
#include "support/event.hpp"
#include "support/interrupt.hpp"
#include "support/text.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>

#include <algorithm>
#include <atomic>
#include <stdexcept>

namespace authsim::outbound {

namespace {

// The metric's result label of one attempt.
std::string result_of(const answer& a, bool taken) {
  if (taken) {
    return "delivered";
  }
  if (a.answered()) {
    return a.status == 200 ? "refused" : "http_error";
  }
  switch (a.error) {
    case failure::timeout: return "timeout";
    case failure::connect:
    case failure::resolve:
    case failure::tls: return "connect_error";
    default: return "other_error";
  }
}

}  // namespace

const char* delivery_status_name(delivery_status s) {
  switch (s) {
    case delivery_status::scheduled: return "scheduled";
    case delivery_status::retrying: return "retrying";
    case delivery_status::delivered: return "delivered";
    case delivery_status::failed: return "failed";
    case delivery_status::undeliverable: return "undeliverable";
    case delivery_status::dropped: return "dropped";
  }
  return "scheduled";
}

std::optional<delivery_status> parse_delivery_status(std::string_view text) {
  for (const auto s : {delivery_status::scheduled, delivery_status::retrying, delivery_status::delivered,
                       delivery_status::failed, delivery_status::undeliverable, delivery_status::dropped}) {
    if (text == delivery_status_name(s)) {
      return s;
    }
  }
  return std::nullopt;
}

deliveries::deliveries(const state::clock& clock, client& outbound, state::metrics& metrics,
                       std::shared_ptr<jobs::scheduler> scheduler)
    : clock_(clock), outbound_(outbound), metrics_(metrics), scheduler_(std::move(scheduler)) {}

void deliveries::add_channel(const std::string& api, std::shared_ptr<const channel> c) {
  channels_[api] = std::move(c);
}

const channel* deliveries::channel_of(const std::string& api) const {
  const auto it = channels_.find(api);
  return it == channels_.end() ? nullptr : it->second.get();
}

void deliveries::add(delivery d) {
  if (channel_of(d.api) == nullptr) {
    throw std::logic_error("a delivery for an API without a channel: " + d.api);
  }
  const std::string id = d.event_id;
  const std::string lane = d.lane;
  const std::int64_t due = d.due_ms;
  {
    const std::lock_guard lock(mutex_);
    stored s;
    s.d = std::move(d);
    s.d.next_attempt_ms = due;
    s.first_due_ms = due;
    s.seq = next_seq_++;
    items_.insert_or_assign(id, std::move(s));
  }
  schedule(id, lane, due, 0);
}

void deliveries::schedule(const std::string& event_id, const std::string& lane, std::int64_t due_ms, int retry) {
  scheduler_->add(due_ms, lane, [this, event_id, retry]() { return attempt(event_id, retry); });
}

net::awaitable<void> deliveries::attempt(std::string event_id, int retry) {
  std::optional<faults::webhook_fault> fault;
  std::string type;
  std::string lane;
  std::string api;
  bool decide = false;
  {
    const std::lock_guard lock(mutex_);
    const auto it = items_.find(event_id);
    // Forgotten (a reset), or delivered meanwhile by a redelivery.
    if (it == items_.end() || it->second.d.status == delivery_status::delivered) {
      co_return;
    }
    decide = !it->second.fault_decided;
    it->second.fault_decided = true;
    type = it->second.d.type;
    lane = it->second.d.lane;
    api = it->second.d.api;
    fault = it->second.d.fault;
  }
  if (decide && decide_fault_) {
    fault = decide_fault_(api, type, lane);
    const std::lock_guard lock(mutex_);
    if (const auto it = items_.find(event_id); it != items_.end()) {
      it->second.d.fault = fault;
    }
    if (fault) {
      metrics_.record_fault(std::string("webhook_") + faults::webhook_fault_name(fault->kind));
    }
  }
  using kind = faults::webhook_fault_kind;
  if (fault && fault->kind == kind::drop) {
    {
      const std::lock_guard lock(mutex_);
      if (const auto it = items_.find(event_id); it != items_.end()) {
        it->second.d.status = delivery_status::dropped;
        it->second.d.next_attempt_ms.reset();
      }
    }
    metrics_.record_webhook(type, "dropped");
    notify_waiters();
    co_return;
  }
  if (fault && fault->kind == kind::out_of_order && retry == 0) {
    std::optional<std::int64_t> later;
    {
      const std::lock_guard lock(mutex_);
      if (const auto it = items_.find(event_id); it != items_.end() && !it->second.held) {
        it->second.held = true;
        later = it->second.d.due_ms + fault->hold_ms;
        it->second.first_due_ms = *later;
        it->second.d.next_attempt_ms = later;
      }
    }
    if (later) {
      // Held back: the lane's later deliveries go first.
      schedule(event_id, lane, *later, 0);
      co_return;
    }
  }
  if (fault && fault->kind == kind::delay && retry == 0) {
    // The lane's later deliveries wait behind this one.
    net::steady_timer timer(co_await net::this_coro::executor);
    timer.expires_after(std::chrono::milliseconds(fault->delay_ms));
    co_await timer.async_wait(use_tuple);
  }
  co_await send(event_id, retry, false, fault && fault->kind == kind::bad_signature && retry == 0);
  const channel* ch = channel_of(api);
  std::optional<std::int64_t> next;
  {
    const std::lock_guard lock(mutex_);
    const auto it = items_.find(event_id);
    if (it == items_.end()) {
      co_return;
    }
    delivery& d = it->second.d;
    if (d.status == delivery_status::retrying || d.status == delivery_status::scheduled) {
      next = ch->retry_due(it->second.first_due_ms, retry + 1);
      d.status = next ? delivery_status::retrying : delivery_status::failed;
      d.next_attempt_ms = next;
    }
  }
  notify_waiters();
  if (next) {
    schedule(event_id, lane, *next, retry + 1);
  }
}

net::awaitable<delivery_attempt> deliveries::send(const std::string& event_id, int retry, bool redelivery,
                                                  bool bad_signature) {
  bool twice = false;
  {
    const std::lock_guard lock(mutex_);
    const auto it = items_.find(event_id);
    twice = it != items_.end() && it->second.d.fault &&
            it->second.d.fault->kind == faults::webhook_fault_kind::duplicate;
  }
  delivery_attempt a = co_await send_once(event_id, retry, redelivery, bad_signature);
  // An attempt that sent nothing (no URL) has no trace to repeat.
  if (twice && !a.trace.empty()) {
    a = co_await send_once(event_id, retry, redelivery, bad_signature);
  }
  co_return a;
}

// Under no lock. Keeps the attempt (the last ones) and sets the status.
void deliveries::record(const std::string& event_id, const delivery_attempt& a,
                        std::optional<delivery_status> status) {
  const std::lock_guard lock(mutex_);
  const auto it = items_.find(event_id);
  if (it == items_.end()) {
    return;
  }
  delivery& d = it->second.d;
  d.attempts.push_back(a);
  if (d.attempts.size() > max_attempts_kept) {
    d.attempts.erase(d.attempts.begin());
  }
  if (status) {
    d.status = *status;
    if (*status != delivery_status::scheduled && *status != delivery_status::retrying) {
      d.next_attempt_ms.reset();
    }
  }
}

net::awaitable<delivery_attempt> deliveries::send_once(const std::string& event_id, int retry, bool redelivery,
                                                       bool bad_signature) {
  const std::int64_t now = clock_.now_ms();
  delivery_attempt a;
  a.time_ms = now;
  a.retry = retry;
  delivery d;
  {
    const std::lock_guard lock(mutex_);
    const auto it = items_.find(event_id);
    if (it == items_.end()) {
      a.error = "the event is no longer held";
      co_return a;
    }
    d = it->second.d;
    d.attempts.clear();
  }
  const channel* ch = channel_of(d.api);
  const std::string trace = support::random_trace_id();
  auto built = ch->build(d, retry, trace, now);
  if (auto* why = std::get_if<std::string>(&built)) {
    a.error = std::move(*why);
    record(event_id, a, delivery_status::undeliverable);
    metrics_.record_webhook(d.type, "undeliverable");
    notify_waiters();
    co_return a;
  }
  request& req = std::get<request>(built);
  a.trace = trace;  // only what is sent has one
  if (bad_signature) {
    a.error = ch->spoil_signature(req, d) ? "sent with a wrong signature (scenario fault bad_signature)"
                                          : "fault bad_signature: this API signs nothing, sent as is";
  }
  const answer got = co_await outbound_.async_post(req);
  a.latency_us = got.latency_us;
  const std::string note = a.error;  // the fault carried out, if any
  const std::string refused = ch->judge(got);
  if (got.answered()) {
    a.status = got.status;
    a.answer = support::valid_utf8(std::string_view(got.body).substr(0, answer_excerpt_bytes));
  }
  a.error = got.answered() ? refused : got.detail;
  if (!note.empty()) {
    a.error = a.error.empty() ? note + "; the partner took it" : note + "; " + a.error;
  }
  metrics_.record_webhook(d.type, result_of(got, refused.empty()));
  std::optional<delivery_status> status;
  if (refused.empty()) {
    status = delivery_status::delivered;
  } else if (redelivery && d.status == delivery_status::undeliverable) {
    status = delivery_status::failed;
  }
  record(event_id, a, status);
  notify_waiters();
  co_return a;
}

net::awaitable<std::optional<delivery_attempt>> deliveries::async_redeliver(const std::string& event_id) {
  int retry = 0;
  {
    const std::lock_guard lock(mutex_);
    const auto it = items_.find(event_id);
    if (it == items_.end()) {
      co_return std::nullopt;
    }
    retry = it->second.d.attempts.empty() ? 0 : it->second.d.attempts.back().retry + 1;
  }
  co_return co_await send(event_id, retry, true);
}

std::optional<delivery> deliveries::find(const std::string& event_id) const {
  const std::lock_guard lock(mutex_);
  const auto it = items_.find(event_id);
  return it == items_.end() ? std::nullopt : std::optional(it->second.d);
}

bool deliveries::matches(const delivery& d, const delivery_filter& f) {
  return (!f.api || d.api == *f.api) && (!f.lane || d.lane == *f.lane) && (!f.subject || d.subject == *f.subject) &&
         (!f.type || d.type == *f.type) && (!f.event_id || d.event_id == *f.event_id) &&
         (!f.status || d.status == *f.status) && d.attempts.size() >= f.min_attempts;
}

deliveries::listing deliveries::list(const delivery_filter& filter, std::size_t limit) const {
  listing out;
  std::vector<const stored*> found;
  const std::lock_guard lock(mutex_);
  for (const auto& [id, s] : items_) {
    if (matches(s.d, filter)) {
      found.push_back(&s);
    }
  }
  std::sort(found.begin(), found.end(), [](const stored* a, const stored* b) {
    return a->d.due_ms != b->d.due_ms ? a->d.due_ms < b->d.due_ms : a->seq < b->seq;
  });
  out.count = found.size();
  for (std::size_t i = 0; i < found.size() && i < limit; ++i) {
    out.items.push_back(found[i]->d);
  }
  return out;
}

std::size_t deliveries::count(const delivery_filter& filter) const {
  const std::lock_guard lock(mutex_);
  return static_cast<std::size_t>(
      std::count_if(items_.begin(), items_.end(), [&](const auto& kv) { return matches(kv.second.d, filter); }));
}

net::awaitable<std::size_t> deliveries::async_wait(const delivery_filter& filter, std::size_t wanted,
                                                   std::chrono::steady_clock::time_point deadline,
                                                   support::interrupt_source* interrupts) {
  auto wake = std::make_shared<support::event>(co_await net::this_coro::executor);
  {
    const std::lock_guard lock(mutex_);
    waiters_.push_back(wake);
  }
  const auto interrupted = std::make_shared<std::atomic<bool>>(false);
  std::shared_ptr<void> subscription;
  if (interrupts != nullptr) {
    subscription = interrupts->subscribe([wake, interrupted] {
      interrupted->store(true);
      wake->raise();
    });
  }
  std::size_t have = count(filter);
  while (have < wanted && std::chrono::steady_clock::now() < deadline && !interrupted->load()) {
    co_await wake->wait_until(deadline);
    have = count(filter);
  }
  co_return have;
}

void deliveries::notify_waiters() {
  std::vector<std::shared_ptr<support::event>> live;
  {
    const std::lock_guard lock(mutex_);
    std::erase_if(waiters_, [&](const std::weak_ptr<support::event>& w) {
      auto s = w.lock();
      if (!s) {
        return true;
      }
      live.push_back(std::move(s));
      return false;
    });
  }
  for (auto& w : live) {
    w->raise();
  }
}

std::size_t deliveries::pending() const {
  const std::lock_guard lock(mutex_);
  return static_cast<std::size_t>(std::count_if(items_.begin(), items_.end(), [](const auto& kv) {
    const delivery_status s = kv.second.d.status;
    return s == delivery_status::scheduled || s == delivery_status::retrying;
  }));
}

void deliveries::forget(const std::vector<std::string>& event_ids) {
  const std::lock_guard lock(mutex_);
  for (const auto& id : event_ids) {
    items_.erase(id);
  }
}

void deliveries::clear(const std::string& api) {
  {
    const std::lock_guard lock(mutex_);
    std::erase_if(items_, [&](const auto& kv) { return kv.second.d.api == api; });
  }
  notify_waiters();
}

}  // namespace authsim::outbound

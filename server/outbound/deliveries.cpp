#include "outbound/deliveries.hpp"

#include "support/aliases.hpp"
#include "support/crypto.hpp"
#include "support/event.hpp"
#include "support/json_fields.hpp"
#include "support/interrupt.hpp"
#include "support/text.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
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

namespace {

json::value optional_int(const std::optional<std::int64_t>& v) { return v ? json::value(*v) : json::value(nullptr); }

std::optional<faults::webhook_fault_kind> fault_kind_of(std::string_view name) {
  using k = faults::webhook_fault_kind;
  for (const auto kind : {k::duplicate, k::out_of_order, k::bad_signature, k::delay, k::drop}) {
    if (name == faults::webhook_fault_name(kind)) {
      return kind;
    }
  }
  return std::nullopt;
}

// The job argument of an attempt: "event_id retry due_ms".
std::string job_arg(const std::string& event_id, int retry, std::int64_t due_ms) {
  return event_id + " " + std::to_string(retry) + " " + std::to_string(due_ms);
}

bool is_pending(delivery_status s) { return s == delivery_status::scheduled || s == delivery_status::retrying; }

// How many times a change is tried again when another came in between.
constexpr int max_update_tries = 16;

}  // namespace

std::string encode_delivery(const stored_delivery& s) {
  const delivery& d = s.d;
  json::array attempts;
  for (const auto& a : d.attempts) {
    attempts.push_back(json::object{{"time_ms", a.time_ms},
                                    {"retry", a.retry},
                                    {"status", a.status ? json::value(*a.status) : json::value(nullptr)},
                                    {"error", a.error},
                                    {"latency_us", a.latency_us},
                                    {"answer", a.answer},
                                    {"trace", a.trace}});
  }
  json::value fault = nullptr;
  if (d.fault) {
    fault = json::object{{"kind", faults::webhook_fault_name(d.fault->kind)},
                         {"hold_ms", d.fault->hold_ms},
                         {"delay_ms", d.fault->delay_ms}};
  }
  return json::serialize(json::object{{"event_id", d.event_id},
                                      {"api", d.api},
                                      {"lane", d.lane},
                                      {"subject", d.subject},
                                      {"type", d.type},
                                      {"data", d.data_json},
                                      {"token", d.token},
                                      {"due_ms", d.due_ms},
                                      {"status", delivery_status_name(d.status)},
                                      {"next_attempt_ms", optional_int(d.next_attempt_ms)},
                                      {"attempts", std::move(attempts)},
                                      {"fault", std::move(fault)},
                                      {"first_due_ms", s.first_due_ms},
                                      {"fault_decided", s.fault_decided},
                                      {"held", s.held},
                                      {"planned_retry", s.planned_retry}});
}

std::optional<stored_delivery> decode_delivery(const std::string& text) {
  using support::json_int;
  using support::json_text_or_empty;
  const std::optional<json::object> parsed = support::json_object_of(text);
  if (!parsed) {
    return std::nullopt;
  }
  const json::object& o = *parsed;
  stored_delivery s;
  delivery& d = s.d;
  d.event_id = json_text_or_empty(o, "event_id");
  d.api = json_text_or_empty(o, "api");
  d.lane = json_text_or_empty(o, "lane");
  d.subject = json_text_or_empty(o, "subject");
  d.type = json_text_or_empty(o, "type");
  d.data_json = json_text_or_empty(o, "data");
  d.token = json_text_or_empty(o, "token");
  d.due_ms = json_int(o, "due_ms").value_or(0);
  d.status = parse_delivery_status(json_text_or_empty(o, "status")).value_or(delivery_status::scheduled);
  d.next_attempt_ms = json_int(o, "next_attempt_ms");
  if (const json::value* list = o.if_contains("attempts"); list != nullptr && list->is_array()) {
    for (const auto& item : list->get_array()) {
      if (!item.is_object()) {
        continue;
      }
      const json::object& a = item.get_object();
      delivery_attempt at;
      at.time_ms = json_int(a, "time_ms").value_or(0);
      at.retry = static_cast<int>(json_int(a, "retry").value_or(0));
      if (const auto status = json_int(a, "status")) {
        at.status = static_cast<unsigned>(*status);
      }
      at.error = json_text_or_empty(a, "error");
      at.latency_us = json_int(a, "latency_us").value_or(0);
      at.answer = json_text_or_empty(a, "answer");
      at.trace = json_text_or_empty(a, "trace");
      d.attempts.push_back(std::move(at));
    }
  }
  if (const json::object* f = support::json_object(o, "fault")) {
    if (const auto k = fault_kind_of(json_text_or_empty(*f, "kind"))) {
      faults::webhook_fault fault;
      fault.kind = *k;
      fault.hold_ms = json_int(*f, "hold_ms").value_or(fault.hold_ms);
      fault.delay_ms = json_int(*f, "delay_ms").value_or(fault.delay_ms);
      d.fault = fault;
    }
  }
  s.first_due_ms = json_int(o, "first_due_ms").value_or(d.due_ms);
  s.fault_decided = support::json_flag(o, "fault_decided");
  s.held = support::json_flag(o, "held");
  s.planned_retry = static_cast<int>(json_int(o, "planned_retry").value_or(0));
  return s;
}

deliveries::deliveries(const state::clock& clock, client& outbound, state::metrics& metrics, state::records& records,
                       jobs::scheduler& scheduler)
    : clock_(clock), outbound_(outbound), metrics_(metrics), records_(records) {
  scheduler.on(job_kind, [this](const std::string& arg) { return attempt(arg); });
  records_.on_change = [this] { notify_waiters(); };
}

void deliveries::add_channel(const std::string& api, std::shared_ptr<const channel> c) {
  channels_[api] = std::move(c);
}

const channel* deliveries::channel_of(const std::string& api) const {
  const auto it = channels_.find(api);
  return it == channels_.end() ? nullptr : it->second.get();
}

state::record_write deliveries::write_of(const stored_delivery& s, std::uint64_t expect) const {
  state::record_write w;
  w.kind = kind;
  w.id = s.d.event_id;
  w.body = encode_delivery(s);
  w.expect = expect;
  w.order = s.d.due_ms;
  w.tag = is_pending(s.d.status) ? pending_tag : "";
  w.fields = {{"api", s.d.api},
              {"lane", s.d.lane},
              {"subject", s.d.subject},
              {"type", s.d.type},
              {"status", delivery_status_name(s.d.status)},
              {"attempts", std::to_string(s.d.attempts.size())}};
  return w;
}

void deliveries::prepare(delivery d, std::vector<state::record_write>& writes,
                         std::vector<state::scheduled_job>& jobs) const {
  if (channel_of(d.api) == nullptr) {
    throw std::logic_error("a delivery for an API without a channel: " + d.api);
  }
  stored_delivery s;
  s.d = std::move(d);
  s.d.status = delivery_status::scheduled;
  s.d.next_attempt_ms = s.d.due_ms;
  s.first_due_ms = s.d.due_ms;
  jobs.push_back(state::scheduled_job{s.d.due_ms, s.d.lane, job_kind, job_arg(s.d.event_id, 0, s.d.due_ms)});
  writes.push_back(write_of(s, 0));
}

net::awaitable<std::optional<stored_delivery>> deliveries::update(const std::string& event_id,
                                                                  const change_fn& change) {
  for (int i = 0; i < max_update_tries; ++i) {
    const std::optional<state::record> got = co_await records_.async_get(kind, event_id);
    if (!got) {
      co_return std::nullopt;
    }
    std::optional<stored_delivery> s = decode_delivery(got->body);
    if (!s) {
      co_return std::nullopt;
    }
    std::vector<state::scheduled_job> jobs;
    if (!change(*s, jobs)) {
      co_return s;
    }
    std::vector<state::record_write> writes;
    writes.push_back(write_of(*s, got->version));
    if (co_await records_.async_commit(std::move(writes), std::move(jobs))) {
      co_return s;
    }
  }
  // The job runs again later (with a shared schedule, once its lease ends).
  throw jobs::interrupted("delivery " + event_id + " changed " + std::to_string(max_update_tries) +
                          " times while an attempt was being recorded");
}

net::awaitable<void> deliveries::attempt(const std::string& arg) {
  // "event_id retry due_ms"
  const std::size_t first = arg.find(' ');
  const std::size_t second = arg.find(' ', first + 1);
  if (first == std::string::npos || second == std::string::npos) {
    co_return;
  }
  const std::string event_id = arg.substr(0, first);
  const int retry = std::stoi(arg.substr(first + 1, second - first - 1));
  const std::int64_t due = std::stoll(arg.substr(second + 1));

  using kind_t = faults::webhook_fault_kind;
  enum class next_step { skip, dropped, held, send };
  next_step step = next_step::skip;
  bool fault_new = false;
  // Asked once, however often the change below runs again: the scenario
  // engine counts and draws with each question.
  std::optional<std::optional<faults::webhook_fault>> decided;
  // Named before the co_await (g++ 12 mishandles temporaries made in one).
  const change_fn prepare = [&](stored_delivery& s, std::vector<state::scheduled_job>& jobs) {
    step = next_step::skip;
    fault_new = false;
    // Delivered meanwhile (a redelivery), given up, or this attempt is no
    // longer the planned one (made already by a job that ran twice).
    if (!is_pending(s.d.status) || s.planned_retry != retry || s.d.next_attempt_ms != due) {
      return false;
    }
    bool changed = false;
    if (!s.fault_decided) {
      s.fault_decided = true;
      changed = true;
      if (!decided) {
        decided = decide_fault_ ? decide_fault_(s.d.api, s.d.type, s.d.lane) : std::nullopt;
      }
      s.d.fault = *decided;
      fault_new = s.d.fault.has_value();
    }
    const auto& fault = s.d.fault;
    if (fault && fault->kind == kind_t::drop) {
      s.d.status = delivery_status::dropped;
      s.d.next_attempt_ms.reset();
      step = next_step::dropped;
      return true;
    }
    if (fault && fault->kind == kind_t::out_of_order && retry == 0 && !s.held) {
      // Held back: the lane's later deliveries go first.
      s.held = true;
      const std::int64_t later = s.d.due_ms + fault->hold_ms;
      s.first_due_ms = later;
      s.d.next_attempt_ms = later;
      jobs.push_back(state::scheduled_job{later, s.d.lane, job_kind, job_arg(event_id, 0, later)});
      step = next_step::held;
      return true;
    }
    step = next_step::send;
    return changed;
  };
  const auto prepared = co_await update(event_id, prepare);
  if (prepared && fault_new) {
    metrics_.record_fault(std::string("webhook_") + faults::webhook_fault_name(prepared->d.fault->kind));
  }
  if (!prepared || step == next_step::skip || step == next_step::held) {
    co_return;
  }
  const delivery& d = prepared->d;
  if (step == next_step::dropped) {
    metrics_.record_webhook(d.type, "dropped");
    co_return;
  }
  if (d.fault && d.fault->kind == kind_t::delay && retry == 0) {
    // The lane's later deliveries wait behind this one; a stop ends the
    // wait (looked at every 50 ms), and the attempt is made again later.
    net::steady_timer timer(co_await net::this_coro::executor);
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(d.fault->delay_ms);
    while (std::chrono::steady_clock::now() < until) {
      if (stopping_.load()) {
        throw jobs::interrupted("a delayed attempt was cut short: authsim is stopping");
      }
      timer.expires_after(std::min<std::chrono::steady_clock::duration>(until - std::chrono::steady_clock::now(),
                                                                        std::chrono::milliseconds(50)));
      co_await timer.async_wait(use_tuple);
    }
  }
  const std::vector<outcome> sent = co_await send(d, retry, d.fault && d.fault->kind == kind_t::bad_signature && retry == 0);
  for (const auto& o : sent) {
    if (o.cancelled) {
      // authsim is stopping: the attempt is not the partner's doing, so it
      // is not recorded; with a shared schedule another replica makes it.
      throw jobs::interrupted("the call was cancelled: authsim is stopping");
    }
  }
  const channel* ch = channel_of(d.api);
  const change_fn record = [&](stored_delivery& s, std::vector<state::scheduled_job>& jobs) {
    if (!file_attempts(s, sent) && is_pending(s.d.status) && s.planned_retry == retry) {
      const std::optional<std::int64_t> next = ch->retry_due(s.first_due_ms, retry + 1);
      s.d.status = next ? delivery_status::retrying : delivery_status::failed;
      s.d.next_attempt_ms = next;
      s.planned_retry = retry + 1;
      if (next) {
        jobs.push_back(state::scheduled_job{*next, s.d.lane, job_kind, job_arg(event_id, retry + 1, *next)});
      }
    }
    return true;
  };
  co_await update(event_id, record);
}

bool deliveries::file_attempts(stored_delivery& s, const std::vector<outcome>& sent) {
  bool taken = false;
  bool built = true;
  for (const auto& o : sent) {
    s.d.attempts.push_back(o.attempt);
    taken = taken || o.taken;
    built = built && o.built;
  }
  while (s.d.attempts.size() > max_attempts_kept) {
    s.d.attempts.erase(s.d.attempts.begin());
  }
  if (taken || !built) {
    s.d.status = taken ? delivery_status::delivered : delivery_status::undeliverable;
    s.d.next_attempt_ms.reset();
  }
  return taken || !built;
}

net::awaitable<std::vector<deliveries::outcome>> deliveries::send(const delivery& d, int retry, bool bad_signature) {
  std::vector<outcome> out;
  out.push_back(co_await send_once(d, retry, bad_signature));
  // An attempt that sent nothing (no URL) has no trace to repeat.
  if (d.fault && d.fault->kind == faults::webhook_fault_kind::duplicate && out.back().built) {
    out.push_back(co_await send_once(d, retry, bad_signature));
  }
  co_return out;
}

net::awaitable<deliveries::outcome> deliveries::send_once(const delivery& d, int retry, bool bad_signature) {
  const std::int64_t now = clock_.now_ms();
  outcome o;
  delivery_attempt& a = o.attempt;
  a.time_ms = now;
  a.retry = retry;
  const channel* ch = channel_of(d.api);
  const std::string trace = support::random_trace_id();
  auto built = ch->build(d, retry, trace, now);
  if (auto* why = std::get_if<std::string>(&built)) {
    a.error = std::move(*why);
    o.built = false;
    metrics_.record_webhook(d.type, "undeliverable");
    co_return o;
  }
  request& req = std::get<request>(built);
  a.trace = trace;  // only what is sent has one
  if (bad_signature) {
    a.error = ch->spoil_signature(req, d) ? "sent with a wrong signature (scenario fault bad_signature)"
                                          : "fault bad_signature: this API signs nothing, sent as is";
  }
  answer got = co_await outbound_.async_post(req);
  if (got.error == failure::cancelled && got.status != 0) {
    // The partner answered before authsim's stop cut the call short: its
    // answer counts, and the attempt is recorded.
    got.error = failure::none;
    got.detail.clear();
  }
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
  o.taken = refused.empty();
  o.cancelled = got.error == failure::cancelled;
  metrics_.record_webhook(d.type, result_of(got, o.taken));
  co_return o;
}

net::awaitable<std::optional<delivery_attempt>> deliveries::async_redeliver(const std::string& event_id) {
  const std::optional<delivery> d = co_await async_find(event_id);
  if (!d) {
    co_return std::nullopt;
  }
  const int retry = d->attempts.empty() ? 0 : d->attempts.back().retry + 1;
  const std::vector<outcome> sent = co_await send(*d, retry, false);
  const change_fn record = [&](stored_delivery& s, std::vector<state::scheduled_job>&) {
    if (!file_attempts(s, sent) && s.d.status == delivery_status::undeliverable) {
      s.d.status = delivery_status::failed;
    }
    return true;
  };
  co_await update(event_id, record);
  co_return sent.back().attempt;
}

net::awaitable<std::optional<delivery>> deliveries::async_find(const std::string& event_id) const {
  const std::optional<state::record> got = co_await records_.async_get(kind, event_id);
  std::optional<stored_delivery> s = got ? decode_delivery(got->body) : std::nullopt;
  co_return s ? std::optional(std::move(s->d)) : std::nullopt;
}

net::awaitable<std::vector<delivery>> deliveries::async_find_many(const std::vector<std::string>& event_ids) const {
  std::vector<delivery> out;
  for (const auto& r : co_await records_.async_get_many(kind, event_ids)) {
    if (auto s = decode_delivery(r.body)) {
      out.push_back(std::move(s->d));
    }
  }
  co_return out;
}

bool deliveries::matches(const delivery& d, const delivery_filter& f) {
  return (!f.api || d.api == *f.api) && (!f.lane || d.lane == *f.lane) && (!f.subject || d.subject == *f.subject) &&
         (!f.type || d.type == *f.type) && (!f.event_id || d.event_id == *f.event_id) &&
         (!f.status || d.status == *f.status) && d.attempts.size() >= f.min_attempts;
}

net::awaitable<deliveries::listing> deliveries::async_list(const delivery_filter& filter, std::size_t limit) const {
  listing out;
  if (filter.event_id) {
    if (auto d = co_await async_find(*filter.event_id); d && matches(*d, filter)) {
      out.count = 1;
      if (limit > 0) {
        out.items.push_back(std::move(*d));
      }
    }
    co_return out;
  }
  // The records' fields answer the filter: only the deliveries listed are
  // read whole.
  state::record_match match;
  const auto equal = [&](const char* name, const std::optional<std::string>& value) {
    if (value) {
      match.equal.emplace_back(name, *value);
    }
  };
  equal("api", filter.api);
  equal("lane", filter.lane);
  equal("subject", filter.subject);
  equal("type", filter.type);
  if (filter.status) {
    match.equal.emplace_back("status", delivery_status_name(*filter.status));
  }
  if (filter.min_attempts > 0) {
    match.at_least_field = "attempts";
    match.at_least = static_cast<std::int64_t>(filter.min_attempts);
  }
  const state::record_listing got = co_await records_.async_select(kind, match, limit, false);
  out.count = got.count;
  for (const auto& r : got.items) {
    if (auto s = decode_delivery(r.body)) {
      out.items.push_back(std::move(s->d));
    }
  }
  co_return out;
}

net::awaitable<std::size_t> deliveries::count(const delivery_filter& filter) const {
  const listing l = co_await async_list(filter, 0);
  co_return l.count;
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
  std::size_t have = co_await count(filter);
  while (have < wanted && std::chrono::steady_clock::now() < deadline && !interrupted->load()) {
    co_await wake->wait_until(deadline);
    have = co_await count(filter);
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

net::awaitable<std::size_t> deliveries::async_pending() const { co_return co_await records_.async_count(kind, pending_tag); }

net::awaitable<void> deliveries::async_clear() { co_await records_.async_clear(kind); }

}  // namespace authsim::outbound

#include "state/metrics.hpp"

#include <cstdio>
#include <sstream>

namespace authsim::state {

namespace {

// Label values are paths and fixed words; escape what the format requires.
std::string label(const std::string& v) {
  std::string out;
  for (const char c : v) {
    if (c == '\\' || c == '"') {
      out.push_back('\\');
      out.push_back(c);
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

}  // namespace

void metrics::record_request(const std::string& endpoint, const std::string& outcome, double seconds) {
  const std::lock_guard lock(mutex_);
  if (last_count_ == nullptr || last_endpoint_ != endpoint || last_outcome_ != outcome) {
    last_count_ = &requests_[{endpoint, outcome}];
    last_histogram_ = &latency_[endpoint];
    last_endpoint_ = endpoint;
    last_outcome_ = outcome;
  }
  ++*last_count_;
  histogram& h = *last_histogram_;
  for (std::size_t i = 0; i < buckets.size(); ++i) {
    if (seconds <= buckets[i]) {
      ++h.counts[i];
    }
  }
  ++h.count;
  h.sum += seconds;
}

void metrics::record_fault(const std::string& kind) {
  const std::lock_guard lock(mutex_);
  ++faults_[kind];
}

void metrics::record_webhook(const std::string& type, const std::string& result) {
  const std::lock_guard lock(mutex_);
  ++webhooks_[{type, result}];
}

std::string metrics::render(const gauges& g) const {
  const std::lock_guard lock(mutex_);
  std::ostringstream out;
  out << "# HELP authsim_requests_total Requests to the simulated APIs, by endpoint and outcome.\n"
         "# TYPE authsim_requests_total counter\n";
  for (const auto& [key, n] : requests_) {
    out << "authsim_requests_total{endpoint=\"" << label(key.first) << "\",outcome=\"" << label(key.second)
        << "\"} " << n << '\n';
  }
  out << "# HELP authsim_request_duration_seconds Time from a complete request to its answer being ready to send (delays included).\n"
         "# TYPE authsim_request_duration_seconds histogram\n";
  for (const auto& [endpoint, h] : latency_) {
    const std::string e = label(endpoint);
    for (std::size_t i = 0; i < buckets.size(); ++i) {
      out << "authsim_request_duration_seconds_bucket{endpoint=\"" << e << "\",le=\"" << number(buckets[i])
          << "\"} " << h.counts[i] << '\n';
    }
    out << "authsim_request_duration_seconds_bucket{endpoint=\"" << e << "\",le=\"+Inf\"} " << h.count << '\n';
    out << "authsim_request_duration_seconds_sum{endpoint=\"" << e << "\"} " << number(h.sum) << '\n';
    out << "authsim_request_duration_seconds_count{endpoint=\"" << e << "\"} " << h.count << '\n';
  }
  out << "# HELP authsim_faults_injected_total Scenario actions carried out, by kind.\n"
         "# TYPE authsim_faults_injected_total counter\n";
  for (const auto& [kind, n] : faults_) {
    out << "authsim_faults_injected_total{kind=\"" << label(kind) << "\"} " << n << '\n';
  }
  out << "# HELP authsim_webhook_deliveries_total Credit Pay webhook and UOCS push attempts, by type and result.\n"
         "# TYPE authsim_webhook_deliveries_total counter\n";
  for (const auto& [key, n] : webhooks_) {
    out << "authsim_webhook_deliveries_total{type=\"" << label(key.first) << "\",result=\"" << label(key.second)
        << "\"} " << n << '\n';
  }
  out << "# HELP authsim_webhook_events_pending Webhook events and pushes waiting for their time or for a retry.\n"
         "# TYPE authsim_webhook_events_pending gauge\n"
         "authsim_webhook_events_pending "
      << g.webhook_events_pending << '\n';
  out << "# HELP authsim_evictions_total Codes or tokens dropped before expiry because their store was full.\n"
         "# TYPE authsim_evictions_total counter\n";
  out << "authsim_evictions_total{store=\"codes\"} " << g.codes_evicted << '\n';
  out << "authsim_evictions_total{store=\"tokens\"} " << g.tokens_evicted << '\n';
  out << "# HELP authsim_log_lines_dropped_total Log lines dropped because stderr did not take them fast enough.\n"
         "# TYPE authsim_log_lines_dropped_total counter\n"
         "authsim_log_lines_dropped_total "
      << g.log_lines_dropped << '\n';
  if (g.shared_state) {
    out << "# HELP authsim_state_round_trips_total Calls to the shared state (Redis) whose reply was awaited.\n"
           "# TYPE authsim_state_round_trips_total counter\n"
           "authsim_state_round_trips_total "
        << g.state_round_trips
        << "\n"
           "# HELP authsim_state_sends_total Commands sent to the shared state without awaiting a reply (journal "
           "entries).\n"
           "# TYPE authsim_state_sends_total counter\n"
           "authsim_state_sends_total "
        << g.state_sends
        << "\n"
           "# HELP authsim_state_unsent_total Commands that could not be sent to the shared state or that it "
           "refused.\n"
           "# TYPE authsim_state_unsent_total counter\n"
           "authsim_state_unsent_total "
        << g.state_unsent << '\n';
  }
  out << "# HELP authsim_live_codes Credit Pay one-time codes held (issued, redeemed or recently expired).\n"
         "# TYPE authsim_live_codes gauge\n"
         "authsim_live_codes "
      << g.live_codes
      << "\n"
         "# HELP authsim_live_tokens UOCS tokens held (valid or recently expired).\n"
         "# TYPE authsim_live_tokens gauge\n"
         "authsim_live_tokens "
      << g.live_tokens
      << "\n"
         "# HELP authsim_journal_entries Requests held in the admin journal.\n"
         "# TYPE authsim_journal_entries gauge\n"
         "authsim_journal_entries "
      << g.journal_entries
      << "\n"
         "# HELP authsim_uptime_seconds Seconds since authsim started.\n"
         "# TYPE authsim_uptime_seconds gauge\n"
         "authsim_uptime_seconds "
      << number(g.uptime_seconds) << '\n';
  return out.str();
}

}  // namespace authsim::state

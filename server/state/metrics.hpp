#pragma once
// Counters for GET /__admin/metrics, rendered in the Prometheus text format.
//
// Thread-safe: one mutex guards the maps; recording is a few map updates.

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>

namespace authsim::state {

class metrics {
 public:
  // Upper bounds of the latency histogram's buckets, in seconds.
  static constexpr std::array<double, 12> buckets = {0.001, 0.005, 0.01, 0.025, 0.05, 0.1,
                                                      0.25,  0.5,   1,    2.5,   5,    10};

  // `endpoint` is a known path or "other", so labels stay few.
  void record_request(const std::string& endpoint, const std::string& outcome, double seconds);
  // `kind`: "delay", "respond", "rate_limit" or a fault kind.
  void record_fault(const std::string& kind);
  // One attempt of a Credit Pay webhook or a UOCS push: its type and
  // "delivered", "refused" (HTTP 200 not taken), "http_error", "timeout",
  // "connect_error", "other_error", "undeliverable" or "dropped".
  void record_webhook(const std::string& type, const std::string& result);

  struct gauges {
    std::size_t live_codes = 0;
    std::size_t live_tokens = 0;
    double uptime_seconds = 0;
    std::size_t journal_entries = 0;
    std::uint64_t codes_evicted = 0;
    std::uint64_t tokens_evicted = 0;
    std::uint64_t log_lines_dropped = 0;
    std::size_t webhook_events_pending = 0;  // scheduled or awaiting a retry
    // With shared state (Redis): calls whose reply a request or the admin
    // API awaited (round trips), commands sent without awaiting a reply
    // (journal entries), and those that could not be sent.
    bool shared_state = false;
    std::uint64_t state_round_trips = 0;
    std::uint64_t state_sends = 0;
    std::uint64_t state_unsent = 0;
  };
  [[nodiscard]] std::string render(const gauges& g) const;

 private:
  struct histogram {
    std::array<std::uint64_t, buckets.size()> counts{};
    std::uint64_t count = 0;
    double sum = 0;
  };

  mutable std::mutex mutex_;
  std::map<std::pair<std::string, std::string>, std::uint64_t> requests_;
  std::map<std::string, histogram> latency_;
  std::map<std::string, std::uint64_t> faults_;
  std::map<std::pair<std::string, std::string>, std::uint64_t> webhooks_;
  // Where the last (endpoint, outcome) was counted: consecutive requests
  // mostly share it, and then skip the lookups. Map nodes never move.
  std::string last_endpoint_;
  std::string last_outcome_;
  std::uint64_t* last_count_ = nullptr;
  histogram* last_histogram_ = nullptr;
};

}  // namespace authsim::state

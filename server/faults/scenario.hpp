#pragma once
// The scenario model: what a fixture file in fixtures/scenarios/ declares.
// A scenario is an ordered list of rules; the first rule whose match holds
// decides the answer. Immutable once loaded.

#include "state/scenario_counters.hpp"

#include <boost/json/value.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace authsim::faults {

// Which calls of a rule it applies to (counted per session by the
// scenario counters).
using call_filter = state::call_range;

struct match {
  // Set on a rule for outbound calls (Credit Pay's webhook events, UOCS's
  // pushes): the type ("*" for any) and, optionally, the platform (Credit
  // Pay) or the app (UOCS) they go to. Such a rule never matches an inbound
  // request, and the inbound conditions below stay unset.
  std::optional<std::string> webhook;
  std::optional<std::string> platform;
  std::optional<std::string> app;
  std::optional<std::string> endpoint;  // a simulated endpoint's path; absent: any path
  std::optional<std::string> method;
  std::vector<std::pair<std::string, std::string>> headers;  // name (any case) → exact value
  std::vector<std::pair<std::string, std::string>> query;    // name → exact decoded value
  std::vector<std::pair<std::string, boost::json::value>> body;  // JSON pointer → equal value
  std::optional<call_filter> calls;
  std::optional<double> probability;  // 0..1
};

struct delay {
  enum class kind { fixed, uniform, lognormal } type = kind::fixed;
  std::int64_t fixed_ms = 0;
  std::int64_t min_ms = 0;  // uniform
  std::int64_t max_ms = 0;  // uniform
  double median_ms = 0;     // lognormal
  double sigma = 0;         // lognormal
  std::int64_t cap_ms = 60'000;  // lognormal samples are cut here
};

struct respond {
  unsigned status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  // Exactly one of the two: a JSON body (serialised), or raw text as is.
  std::optional<boost::json::value> body;
  std::optional<std::string> raw_body;
};

enum class fault_kind {
  connection_reset,
  empty_response,
  hang,
  malformed_body,
  random_data_then_close,
  slow_body,
};

struct fault {
  fault_kind kind = fault_kind::connection_reset;
  std::int64_t max_ms = 60'000;       // hang: close after this long at most
  std::int64_t bytes = 256;           // random_data_then_close
  std::int64_t duration_ms = 3'000;   // slow_body
};

// What may happen to a webhook event on its way to the platform.
enum class webhook_fault_kind {
  duplicate,      // each attempt is sent twice
  out_of_order,   // the first attempt goes out hold_ms (simulated) late; later events overtake it
  bad_signature,  // the first attempt carries a wrong signature; retries are signed right
  delay,          // the first attempt waits delay_ms (wall clock) first, the platform's later events behind it
  drop,           // the event is never sent
};

struct webhook_fault {
  webhook_fault_kind kind = webhook_fault_kind::duplicate;
  std::int64_t hold_ms = 180'000;  // out_of_order
  std::int64_t delay_ms = 1'000;   // delay
};

const char* webhook_fault_name(webhook_fault_kind kind);

enum class rate_key { api_key, plat_id, user_id, client };

struct rate_limit {
  std::int64_t limit = 1;
  std::int64_t window_ms = 1'000;
  rate_key key = rate_key::client;
};

struct rule {
  match when;
  std::optional<delay> wait;
  std::optional<respond> answer;
  std::optional<fault> failure;
  std::optional<rate_limit> limit;
  std::optional<webhook_fault> outbound;  // with match.webhook only
};

struct scenario {
  std::string name;
  std::string description;
  std::vector<rule> rules;
};

// Every loaded scenario by name.
using scenario_set = std::map<std::string, std::shared_ptr<const scenario>>;

const char* fault_name(fault_kind kind);
const char* rate_key_name(rate_key key);

}  // namespace authsim::faults

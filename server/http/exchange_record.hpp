#pragma once
// One request and its answer, described for the admin journal: secrets
// redacted, the body cut, the decision that produced the answer named.

#include "http/message.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <string>

namespace authsim::http {

struct exchange {
  const request* req = nullptr;
  const response* res = nullptr;  // null: no answer was sent (a fault)
  std::string rule;               // "SCENARIO#INDEX" that decided, or empty
  std::string fault;              // connection-level fault carried out, or empty
  std::int64_t time_ms = 0;       // simulated time the request was complete
  std::int64_t duration_us = 0;
};

// "ok", "rejected" (an error status or a business failure in the body) or
// "fault" (an injected fault: no answer, or one that cannot be parsed).
std::string outcome_of(const exchange& x);

boost::json::object describe(const exchange& x);

// How a header value appears in the journal: api-key and token shortened,
// Authorization and Cookie masked, everything else as sent.
std::string redact_header(std::string_view name, std::string_view value);

// The body for the journal: at most 4 KiB, and a JSON object's top-level
// "password" and "appSecret" values masked.
std::string redact_body(std::string_view body, bool& truncated);

}  // namespace authsim::http

#pragma once
// One request and its answer, described for the admin journal and the log:
// secrets redacted, the body cut, the decision that produced the answer
// named, the business result of either API's envelope read out.

#include "http/message.hpp"
#include "journal/store.hpp"
#include "support/log.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace authsim::journal {

struct exchange {
  const http::request* req = nullptr;
  const http::response* res = nullptr;  // null: no answer was sent (a fault)
  std::string rule;               // "SCENARIO#INDEX" that decided, or empty
  std::string fault;              // connection-level fault carried out, or empty
  std::int64_t time_ms = 0;       // simulated time the request was complete
  std::int64_t duration_us = 0;
};

// "ok", "rejected" (an error status or a business failure in the body) or
// "fault" (an injected fault: no answer, or one that cannot be parsed).
std::string outcome_of(const exchange& x);

// What a log line says of an answer: its outcome, and the business result
// its JSON body carries, `code` (Credit Pay) or `success` (UOCS).
struct answer_summary {
  std::string outcome;
  std::optional<std::int64_t> code;
  std::optional<bool> success;
};
answer_summary summarize(const exchange& x);

// The request's log line, as a JSON object's text: event, method, path,
// status, code or success, outcome, rule, fault, duration_us, trace and
// client. `status` and `trace` are null when there was no answer or no
// trace header.
std::string log_object(const exchange& x, const answer_summary& summary);

// The same facts in one line of text, for --log-format text.
std::string log_text(const exchange& x, const answer_summary& summary);

// Logs the request's line at `level`, built in the log's format only.
void log(support::log_level level, const exchange& x, const answer_summary& summary);

boost::json::object describe(const exchange& x);

// What the journal keeps of an exchange: the request (taken over), the
// answer, and the decision; rendered by describe() when read. The answer's
// note is taken over (the client never sees it); its status, headers and
// body are copied, or taken over too with `take_answer`, when the caller
// has no more use for them.
std::shared_ptr<const payload> make_payload(http::request&& req, http::response* res, const exchange& x,
                                            bool take_answer = false);

// The payload that payload::encode wrote, rebuilt; null when `bytes` is
// not such an encoding.
std::shared_ptr<const payload> decode_payload(std::string_view bytes);

// How a header value appears in the journal: api-key and token shortened,
// Authorization and Cookie masked, everything else as sent.
std::string redact_header(std::string_view name, std::string_view value);

// The body for the journal: at most 4 KiB, and a JSON object's top-level
// "password" and "appSecret" values masked.
std::string redact_body(std::string_view body, bool& truncated);

}  // namespace authsim::journal

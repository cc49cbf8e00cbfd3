#pragma once
// Credit Pay's credit-limit query to a platform (the upstream's
// GET_DEFAULT_ACCOUNT_CREDIT_LIMIT): the request it sends, the contract the
// platform's answer is held to, and what the journal keeps of the call.
// Pure functions and values: the call itself goes through outbound::client.

#include "fixtures/fixtures.hpp"
#include "journal/note.hpp"
#include "outbound/client.hpp"
#include "state/code_store.hpp"
#include "state/credit_limit.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace authsim::creditpay {

// {"type":"GET_DEFAULT_ACCOUNT_CREDIT_LIMIT","data":{"tag":"","currency":C,"digits":D}}
// with the platform's currency and digits; `digits` is a string, as the
// upstream's table types it.
std::string credit_limit_query_body(const fixtures::platform& platform);

// The path a call to `url` signs: the URL's path as it goes on the request
// line, without the query ("/" when the URL has none); nullopt for a URL
// that is not absolute http(s).
std::optional<std::string> signed_path_of_url(const std::string& url);

// The whole request: signature (over the URL's path and the exact body),
// token (the code's customer_token), trace (fresh), lang (as given to
// identify), timestamp (13-digit ms by the simulated clock).
outbound::request credit_limit_request(const fixtures::platform& platform, const fixtures::creditpay_settings& s,
                                       const std::string& url, const state::code_record& code, std::int64_t now_ms);

// What came of the platform's answer: the credit data when it keeps the
// contract, and otherwise every way in which it does not (each a sentence
// naming the field, e.g. "data.available_cards[0].currency is \"HKD\"; the
// query asked for \"CNY\"").
struct credit_answer_check {
  std::optional<state::credit_limit> credit;
  std::vector<std::string> violations;
};

// An HTTP status other than 200, a body that is not JSON, no `data`
// object, `tag` or `available_cards` missing or of the wrong type, a card
// that is not an object or lacks a field or holds one of the wrong type, an
// amount that is not a plain non-negative amount or whose decimals differ
// from `digits`, a currency other than the one asked for, no card whose tag
// is the top-level tag. At most 20 violations are listed.
credit_answer_check check_credit_answer(const outbound::answer& answer, const fixtures::platform& platform);

// The outbound call, for the journal entry of the request that made it:
// the request sent (headers redacted as inbound ones are), the answer
// (status, headers, the first 4 KiB of the body), the latency, the failure
// if any, and each violation.
class outbound_call_detail final : public journal::detail {
 public:
  outbound_call_detail(outbound::request request, outbound::answer answer, std::vector<std::string> violations);
  [[nodiscard]] const char* name() const override { return "credit_limit_call"; }
  [[nodiscard]] json::object render(std::string_view request_body) const override;

 private:
  outbound::request request_;
  outbound::answer answer_;
  std::vector<std::string> violations_;
};

}  // namespace authsim::creditpay

#pragma once
// Placeholders in a rule's "respond" (body strings, raw_body, header values),
// replaced by values of the request being answered, so that a declared
// upstream error carries the caller's trace or requestId as the real one
// would:
//   {{trace}}        the `trace` header ("" when absent)
//   {{requestId}}    the UOCS body's requestId, or a fresh id when absent
//   {{id}}           a fresh 32-hex id (the same one within one answer)
//   {{now_ms}}       the simulated time, milliseconds since the epoch
//   {{date}}         the simulated time as yyyy-MM-dd HH:mm:ss, UOCS style
//   {{header:NAME}}  any request header ("" when absent)
//   {{query:NAME}}   any query parameter ("" when absent)
// Placeholders always produce text; in a JSON body they sit inside strings.

#include "http/message.hpp"

#include <boost/json/value.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace authsim::faults {

struct placeholder_values {
  const http::request* req = nullptr;
  std::string trace;
  std::string request_id;
  std::string id;
  std::string now_ms;
  std::string date;
};

// The first placeholder in `text` that is not one of the above, if any.
std::optional<std::string> first_unknown_placeholder(std::string_view text);
// The same, searched through every string of a JSON value.
std::optional<std::string> first_unknown_placeholder(const boost::json::value& v);

std::string fill_placeholders(std::string_view text, const placeholder_values& values);
void fill_placeholders(boost::json::value& v, const placeholder_values& values);

}  // namespace authsim::faults

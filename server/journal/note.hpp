#pragma once
// What an answer tells the journal and the log beyond its bytes: which
// check decided it, the business result its body carries, and details a
// handler attaches (Credit Pay's signature diagnostics, say). Never sent to
// the client. Plain values: handlers fill them without knowing how the
// journal stores or shows them.

#include "support/aliases.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace authsim::journal {

// A handler's extra detail for one exchange, kept as it came and turned
// into JSON only when the journal is read. Immutable once attached.
class detail {
 public:
  detail() = default;
  detail(const detail&) = delete;
  detail& operator=(const detail&) = delete;
  virtual ~detail() = default;
  // Its key under the entry's "diagnostics", e.g. "signature".
  [[nodiscard]] virtual const char* name() const = 0;
  // Its JSON; `request_body` is the body of the request it explains.
  [[nodiscard]] virtual json::object render(std::string_view request_body) const = 0;
};

// The business result an answer's body carries, as the two APIs' envelopes
// state it: Credit Pay's `code`, UOCS's `success`. Set by whoever wrote the
// body, so that the log, the journal and the metrics need not parse it
// again.
struct business_result {
  std::optional<std::int64_t> code;
  std::optional<bool> success;
};

struct note {
  std::string check;  // the check that decided, e.g. "signature_mismatch"
  std::optional<business_result> business;  // unset: read from the body when needed
  std::shared_ptr<const detail> diagnostics;  // null: none
};

}  // namespace authsim::journal

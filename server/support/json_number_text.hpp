#pragma once
// A parsed JSON number keeps its value, not how it was written: 1e12,
// 1000000000000.0 and 1000000000000 are one double or integer. A message
// that echoes a refused number should show what the client sent, so this
// finds that text again in the raw document.

#include <optional>
#include <string>
#include <string_view>

namespace authsim::support {

// The text of the number that `key`, a member of the top-level object of
// `json_text`, holds, exactly as written (e.g. "1796158753000.0", "1e12");
// nullopt when the document is not JSON, not an object, lacks the key at
// its top level, or holds something other than a number there.
std::optional<std::string> top_level_number_text(std::string_view json_text, std::string_view key);

}  // namespace authsim::support

#pragma once
// Boost.JSON keeps the last of two equal keys in an object without a word,
// so a document with a key written twice would be read with one of its
// values silently dropped. This finds such a key before that happens.

#include <optional>
#include <string>
#include <string_view>

namespace authsim::support {

// The JSON path (e.g. "settings.code_ttl_seconds", "apps[1].name") of the
// first key that appears twice in one object of `text`; nullopt when there
// is none or when `text` is not JSON (the caller's parser reports that).
std::optional<std::string> find_duplicate_key(std::string_view text);

}  // namespace authsim::support

#pragma once
// Small string helpers shared by the handlers and the fixture loader.

#include <cstdint>
#include <initializer_list>
#include <span>
#include <optional>
#include <string>
#include <string_view>

namespace authsim::support {

// Replaces {0}, {1}, ... in `pattern` with the matching argument. A placeholder
// without an argument is left as written, so a mistake shows in the output
// instead of being swallowed.
std::string substitute(std::string_view pattern, std::span<const std::string_view> args);
inline std::string substitute(std::string_view pattern, std::initializer_list<std::string_view> args) {
  return substitute(pattern, std::span<const std::string_view>(args.begin(), args.size()));
}

std::string ascii_lower(std::string_view s);
bool iequals(std::string_view a, std::string_view b);

// True when `s` is well-formed UTF-8 throughout.
bool is_valid_utf8(std::string_view s);
// The offset of the first byte of `s` that does not start a well-formed
// UTF-8 sequence; nullopt when there is none.
std::optional<std::size_t> first_invalid_utf8(std::string_view s);

// `s` with every byte that is not part of a well-formed UTF-8 sequence
// replaced by U+FFFD, so that a caller's bytes can go into JSON text.
std::string valid_utf8(std::string_view s);

// A caller's value quoted back in a message: valid UTF-8 (see valid_utf8),
// at most `max` bytes, with "..." when cut. The cut never splits a character.
std::string excerpt(std::string_view value, std::size_t max = 80);

// Milliseconds since the Unix epoch as "yyyy-MM-dd HH:mm:ss" at the given
// offset from UTC, in minutes.
std::string format_date_time(std::int64_t epoch_ms, int utc_offset_minutes);

// `value` written with exactly `decimals` digits after the point ("2.29",
// "10001.00"), as JSON numbers and amounts are written for partners.
std::string fixed_decimal(double value, int decimals);

// Escapes &, <, >, " and ' for HTML text and attribute values; what is
// not well-formed UTF-8 becomes U+FFFD first.
std::string html_escape(std::string_view text);

}  // namespace authsim::support

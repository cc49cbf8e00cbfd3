#pragma once
// Reading the members of a JSON object that authsim wrote itself (the
// records it keeps as JSON): a member that is absent or of another type
// reads as absent, never as an error.

#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace authsim::support {

// `text` parsed, when it is a JSON object.
std::optional<boost::json::object> json_object_of(std::string_view text);

std::optional<std::int64_t> json_int(const boost::json::object& o, std::string_view key);
std::optional<std::string> json_text(const boost::json::object& o, std::string_view key);
// "" when absent.
std::string json_text_or_empty(const boost::json::object& o, std::string_view key);
// false when absent.
bool json_flag(const boost::json::object& o, std::string_view key);
// A number, integer or not; 0 when absent.
double json_number(const boost::json::object& o, std::string_view key);
// The strings of an array member.
std::vector<std::string> json_strings(const boost::json::object& o, std::string_view key);
// An object member, or null.
const boost::json::object* json_object(const boost::json::object& o, std::string_view key);

}  // namespace authsim::support

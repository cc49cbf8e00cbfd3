#pragma once
// JSON text written directly into a string, member by member: the
// envelopes every simulated answer is wrapped in and the log's lines, with
// no tree built and freed on the way.

#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace authsim::support {

// Writes one JSON object. Keys and strings must be valid UTF-8
// (valid_utf8); both are escaped.
class json_object_writer {
 public:
  json_object_writer() { out_.reserve(256); out_.push_back('{'); }

  json_object_writer& string(std::string_view key, std::string_view value);
  // A string from a caller's bytes: what is not well-formed UTF-8 becomes
  // U+FFFD (see valid_utf8).
  json_object_writer& text(std::string_view key, std::string_view value);
  json_object_writer& number(std::string_view key, std::int64_t value);
  json_object_writer& boolean(std::string_view key, bool value);
  json_object_writer& null(std::string_view key);
  // A string, or null when `value` is null.
  json_object_writer& string_or_null(std::string_view key, const char* value);
  json_object_writer& string_or_null(std::string_view key, const std::optional<std::string>& value);
  json_object_writer& value(std::string_view key, const boost::json::value& value);
  // A number already written as JSON (a decimal such as "10.28": Boost.JSON
  // would write a double as 1.028E1).
  json_object_writer& decimal(std::string_view key, std::string_view number_text);
  // A member whose value is an object another writer finished.
  json_object_writer& object(std::string_view key, std::string_view finished_object);

  // The finished object; the writer is spent.
  [[nodiscard]] std::string finish();

 private:
  void key(std::string_view k);
  std::string out_;
};

// Appends `text` as a JSON string literal, quotes included.
void append_json_string(std::string& out, std::string_view text);
// The same for a caller's bytes: what is not well-formed UTF-8 becomes
// U+FFFD (see valid_utf8).
void append_json_text(std::string& out, std::string_view text);
// Appends the decimal digits of `value`.
void append_json_number(std::string& out, std::int64_t value);

}  // namespace authsim::support

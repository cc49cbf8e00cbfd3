#include "support/json_writer.hpp"

#include "support/text.hpp"

#include <boost/json/serialize.hpp>

#include <array>
#include <charconv>
#include <cstdint>
#include <cstring>

namespace authsim::support {

namespace {

// True when one of the 8 bytes in `w` must be escaped in a JSON string: a
// control character, a quote or a backslash. (Bytes of 0x80 and above, the
// UTF-8 of non-ASCII text, pass as they are.)
bool needs_escape(std::uint64_t w) {
  constexpr std::uint64_t ones = 0x0101010101010101ULL;
  constexpr std::uint64_t highs = 0x8080808080808080ULL;
  auto has_zero = [](std::uint64_t x) { return (x - ones) & ~x & highs; };
  const std::uint64_t below_space = (w - ones * 0x20) & ~w & highs;
  return (below_space | has_zero(w ^ (ones * '"')) | has_zero(w ^ (ones * '\\'))) != 0;
}

}  // namespace

namespace {

// The bytes a JSON string must escape: control characters, '"' and '\\'.
constexpr std::array<bool, 256> escaped_bytes = [] {
  std::array<bool, 256> table{};
  for (std::size_t c = 0; c < 0x20; ++c) {
    table[c] = true;
  }
  table['"'] = true;
  table['\\'] = true;
  return table;
}();

// How many bytes at the start of `text` need no escaping: most text is
// skipped eight bytes at a time, the rest byte by byte.
std::size_t clean_prefix(std::string_view text) {
  std::size_t i = 0;
  while (text.size() - i >= 8) {
    std::uint64_t w = 0;
    std::memcpy(&w, text.data() + i, sizeof w);
    if (needs_escape(w)) {
      break;
    }
    i += 8;
  }
  while (i < text.size() && !escaped_bytes[static_cast<unsigned char>(text[i])]) {
    ++i;
  }
  return i;
}

// Appends `text`, which starts with a byte that needs escaping, escaped.
void append_escaped(std::string& out, std::string_view text) {
  static constexpr char hex[] = "0123456789abcdef";
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i++]);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        out += "\\u00";
        out.push_back(hex[c >> 4U]);
        out.push_back(hex[c & 0x0fU]);
    }
    const std::size_t run = clean_prefix(text.substr(i));
    out.append(text.data() + i, run);
    i += run;
  }
}

}  // namespace

void append_json_string(std::string& out, std::string_view text) {
  // Most strings need no escaping at all: one scan, one copy.
  const std::size_t clean = clean_prefix(text);
  out.push_back('"');
  out.append(text.data(), clean);
  if (clean < text.size()) {
    append_escaped(out, text.substr(clean));
  }
  out.push_back('"');
}

void append_json_text(std::string& out, std::string_view text) {
  if (is_valid_utf8(text)) {
    append_json_string(out, text);
  } else {
    append_json_string(out, valid_utf8(text));
  }
}

void append_json_number(std::string& out, std::int64_t value) {
  char digits[24];
  const auto [end, ec] = std::to_chars(digits, digits + sizeof digits, value);
  out.append(digits, end);
}

void json_object_writer::key(std::string_view k) {
  if (out_.size() > 1) {
    out_.push_back(',');
  }
  append_json_string(out_, k);
  out_.push_back(':');
}

json_object_writer& json_object_writer::string(std::string_view k, std::string_view value) {
  key(k);
  append_json_string(out_, value);
  return *this;
}

json_object_writer& json_object_writer::text(std::string_view k, std::string_view value) {
  key(k);
  append_json_text(out_, value);
  return *this;
}

json_object_writer& json_object_writer::number(std::string_view k, std::int64_t value) {
  key(k);
  append_json_number(out_, value);
  return *this;
}

json_object_writer& json_object_writer::boolean(std::string_view k, bool value) {
  key(k);
  out_ += value ? "true" : "false";
  return *this;
}

json_object_writer& json_object_writer::null(std::string_view k) {
  key(k);
  out_ += "null";
  return *this;
}

json_object_writer& json_object_writer::string_or_null(std::string_view k, const char* value) {
  return value != nullptr ? string(k, value) : null(k);
}

json_object_writer& json_object_writer::string_or_null(std::string_view k, const std::optional<std::string>& value) {
  return value ? string(k, *value) : null(k);
}

json_object_writer& json_object_writer::value(std::string_view k, const boost::json::value& v) {
  key(k);
  if (v.is_null()) {
    out_ += "null";
  } else {
    out_ += boost::json::serialize(v);
  }
  return *this;
}

json_object_writer& json_object_writer::decimal(std::string_view k, std::string_view number_text) {
  key(k);
  out_ += number_text;
  return *this;
}

json_object_writer& json_object_writer::object(std::string_view k, std::string_view finished_object) {
  key(k);
  out_ += finished_object;
  return *this;
}

std::string json_object_writer::finish() {
  out_.push_back('}');
  return std::move(out_);
}

}  // namespace authsim::support

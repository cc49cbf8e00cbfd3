#include "support/json_writer.hpp"

#include "support/text.hpp"

#include <boost/json/serialize.hpp>

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

void append_json_string(std::string& out, std::string_view text) {
  static constexpr char hex[] = "0123456789abcdef";
  out.push_back('"');
  std::size_t clean = 0;  // start of the run that needs no escaping
  std::size_t i = 0;
  while (i < text.size()) {
    // Most text needs no escaping: it is skipped eight bytes at a time.
    if (text.size() - i >= 8) {
      std::uint64_t w = 0;
      std::memcpy(&w, text.data() + i, sizeof w);
      if (!needs_escape(w)) {
        i += 8;
        continue;
      }
    }
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != '"' && c != '\\') {
      ++i;
      continue;
    }
    out.append(text.data() + clean, i - clean);
    clean = i + 1;
    ++i;
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
  }
  out.append(text.data() + clean, text.size() - clean);
  out.push_back('"');
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
  return is_valid_utf8(value) ? string(k, value) : string(k, valid_utf8(value));
}

json_object_writer& json_object_writer::number(std::string_view k, std::int64_t value) {
  key(k);
  out_ += std::to_string(value);
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

json_object_writer& json_object_writer::value(std::string_view k, const boost::json::value& v) {
  key(k);
  if (v.is_null()) {
    out_ += "null";
  } else {
    out_ += boost::json::serialize(v);
  }
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

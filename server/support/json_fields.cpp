#include "support/json_fields.hpp"

#include <boost/json/parse.hpp>

namespace authsim::support {

std::optional<boost::json::object> json_object_of(std::string_view text) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(text, ec);
  if (ec || !v.is_object()) {
    return std::nullopt;
  }
  return std::move(v.get_object());
}

std::optional<std::int64_t> json_int(const boost::json::object& o, std::string_view key) {
  const boost::json::value* v = o.if_contains(key);
  return v != nullptr && v->is_int64() ? std::optional(v->get_int64()) : std::nullopt;
}

std::optional<std::string> json_text(const boost::json::object& o, std::string_view key) {
  const boost::json::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::optional(std::string(v->get_string())) : std::nullopt;
}

std::string json_text_or_empty(const boost::json::object& o, std::string_view key) {
  return json_text(o, key).value_or(std::string());
}

bool json_flag(const boost::json::object& o, std::string_view key) {
  const boost::json::value* v = o.if_contains(key);
  return v != nullptr && v->is_bool() && v->get_bool();
}

double json_number(const boost::json::object& o, std::string_view key) {
  const boost::json::value* v = o.if_contains(key);
  if (v == nullptr) {
    return 0;
  }
  return v->is_double() ? v->get_double() : v->is_int64() ? static_cast<double>(v->get_int64()) : 0;
}

std::vector<std::string> json_strings(const boost::json::object& o, std::string_view key) {
  std::vector<std::string> out;
  if (const boost::json::value* v = o.if_contains(key); v != nullptr && v->is_array()) {
    for (const auto& item : v->get_array()) {
      if (item.is_string()) {
        out.emplace_back(item.get_string());
      }
    }
  }
  return out;
}

const boost::json::object* json_object(const boost::json::object& o, std::string_view key) {
  const boost::json::value* v = o.if_contains(key);
  return v != nullptr ? v->if_object() : nullptr;
}

}  // namespace authsim::support

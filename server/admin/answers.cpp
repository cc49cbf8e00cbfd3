#include "admin/answers.hpp"

#include "support/text.hpp"

#include <charconv>

#include "http/json_response.hpp"
#include "support/aliases.hpp"

#include <boost/json/object.hpp>

namespace authsim::admin {

http::response error_answer(unsigned status, const char* code, const std::string& message) {
  json::object error;
  error["code"] = code;
  error["message"] = message;
  return http::json_response(status, json::object{{"error", std::move(error)}});
}

http::response render_failure(const http::request&, const http::failure& f) {
  return error_answer(f.status, f.name, f.message.en);
}

std::int64_t int_param(const http::request& req, const char* name, std::int64_t fallback, std::int64_t min,
                       std::int64_t max, std::optional<http::response>& error) {
  const auto text = req.query_param(name);
  if (!text || text->empty()) {
    return fallback;
  }
  std::int64_t value = 0;
  const char* end = text->data() + text->size();
  const auto [ptr, ec] = std::from_chars(text->data(), end, value);
  if (ec != std::errc() || ptr != end || value < min || value > max) {
    error = error_answer(400, "INVALID_QUERY",
                         support::substitute("query parameter '{0}' must be an integer from {1} to {2}, got '{3}'",
                                             {name, std::to_string(min), std::to_string(max),
                                              support::excerpt(*text, 40)}));
  }
  return value;
}

std::optional<std::string> text_param(const http::request& req, const char* name) {
  auto v = req.query_param(name);
  if (v && v->empty()) {
    return std::nullopt;
  }
  return v;
}

}  // namespace authsim::admin

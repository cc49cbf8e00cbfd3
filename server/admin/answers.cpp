#include "admin/answers.hpp"

#include "http/json_response.hpp"
#include "support/aliases.hpp"
#include "support/json_kind.hpp"
#include "support/text.hpp"
#include "support/validate.hpp"

#include <boost/json/object.hpp>

#include <charconv>

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

// One field of an endpoints change: left out, null (unset) or a URL.
std::optional<std::string> read_endpoint(const json::object& body, const char* name,
                                         std::optional<std::optional<std::string>>& out) {
  const json::value* v = body.if_contains(name);
  if (v == nullptr) {
    return std::nullopt;
  }
  if (v->is_null()) {
    out.emplace(std::nullopt);
    return std::nullopt;
  }
  if (!v->is_string()) {
    return std::string("field '") + name + "' must be a URL string or null, got " + support::json_kind_name(*v);
  }
  const std::string url(v->get_string());
  if (!support::is_http_url(url)) {
    return std::string("field '") + name + "' must be an absolute http:// or https:// URL, got '" +
           support::excerpt(url) + "'";
  }
  out.emplace(url);
  return std::nullopt;
}

}  // namespace authsim::admin

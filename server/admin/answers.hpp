#pragma once
// The admin API's own envelope: plain JSON objects for answers,
// {"error": {"code": "...", "message": "..."}} for failures.

#include "admin/paths.hpp"
#include "http/router.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace authsim::admin {

// {"error": {"code": code, "message": message}} with `status`.
http::response error_answer(unsigned status, const char* code, const std::string& message);

// A service's refusal of an admin call, in that envelope.
inline http::response error_answer(const http::status_refusal& r) {
  return error_answer(r.status, r.error.c_str(), r.message);
}

// A failure decided by the server (404, 405, 413...) in that envelope.
http::response render_failure(const http::request& req, const http::failure& f);

// An integer query parameter within [min, max], `fallback` when absent or
// empty; for a bad value, `error` is set to the 400 INVALID_QUERY answer
// naming the parameter and the range.
std::int64_t int_param(const http::request& req, const char* name, std::int64_t fallback, std::int64_t min,
                       std::int64_t max, std::optional<http::response>& error);

// One URL field of an endpoints change (PUT .../endpoints): left out (out
// stays empty), null (out holds nullopt: unset) or an http(s) URL. The
// problem, naming the field, when it is none of these.
std::optional<std::string> read_endpoint(const boost::json::object& body, const char* name,
                                         std::optional<std::optional<std::string>>& out);

// A text query parameter; nullopt when absent or empty.
std::optional<std::string> text_param(const http::request& req, const char* name);

}  // namespace authsim::admin

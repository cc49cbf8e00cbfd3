#pragma once
// The admin API's own envelope: plain JSON objects for answers,
// {"error": {"code": "...", "message": "..."}} for failures.

#include "admin/paths.hpp"
#include "http/router.hpp"

#include <string>

namespace authsim::admin {

// {"error": {"code": code, "message": message}} with `status`.
http::response error_answer(unsigned status, const char* code, const std::string& message);

// A failure decided by the server (404, 405, 413...) in that envelope.
http::response render_failure(const http::request& req, const http::failure& f);

}  // namespace authsim::admin

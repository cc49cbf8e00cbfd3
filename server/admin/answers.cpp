#include "admin/answers.hpp"

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

}  // namespace authsim::admin

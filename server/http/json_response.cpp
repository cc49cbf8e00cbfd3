#include "http/json_response.hpp"

#include <boost/json/serialize.hpp>

namespace authsim::http {

response json_response(unsigned status, const boost::json::value& body) {
  return json_text_response(status, boost::json::serialize(body));
}

response json_text_response(unsigned status, std::string body) {
  response res;
  res.status = status;
  res.headers.set("Content-Type", "application/json");
  res.body = std::move(body);
  return res;
}

}  // namespace authsim::http

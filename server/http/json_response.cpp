#include "http/json_response.hpp"

#include <boost/json/serialize.hpp>

namespace authsim::http {

response json_response(unsigned status, const boost::json::value& body) {
  response res;
  res.status = status;
  res.headers.set("Content-Type", "application/json");
  res.body = boost::json::serialize(body);
  return res;
}

}  // namespace authsim::http

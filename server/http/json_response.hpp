#pragma once
// Every answer authsim gives is JSON; this is the one place that makes one.

#include "http/message.hpp"

#include <boost/json/value.hpp>

namespace authsim::http {

response json_response(unsigned status, const boost::json::value& body);

}  // namespace authsim::http

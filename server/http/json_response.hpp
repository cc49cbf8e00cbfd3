#pragma once
// Every answer authsim gives is JSON; this is the one place that makes one.

#include "http/message.hpp"

#include <boost/json/value.hpp>

#include <string>

namespace authsim::http {

response json_response(unsigned status, const boost::json::value& body);

// An answer with a JSON body already written.
response json_text_response(unsigned status, std::string body);

}  // namespace authsim::http

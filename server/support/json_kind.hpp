#pragma once

#include <boost/json/value.hpp>

#include <string>

namespace authsim::support {

// "a string", "an integer", "null", ... for messages about a JSON value.
std::string json_kind_name(const boost::json::value& v);

}  // namespace authsim::support

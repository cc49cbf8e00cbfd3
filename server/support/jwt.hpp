#pragma once
// HS256 JSON Web Tokens (RFC 7519), as Credit Pay puts them in `open_token`.

#include <boost/json/object.hpp>

#include <string>
#include <string_view>

namespace authsim::support {

// header.payload.signature, each part base64url without padding; the header
// is {"alg":"HS256","typ":"JWT"}.
std::string jwt_sign_hs256(const boost::json::object& claims, std::string_view secret);

enum class jwt_problem { none, malformed, bad_signature };

struct jwt_check {
  jwt_problem problem = jwt_problem::none;
  std::string detail;           // what is malformed, in a few words
  boost::json::object claims;   // filled when problem is none
};

// Checks the form (three base64url parts; a JSON header naming HS256; JSON
// object claims) and the signature. Time claims are left to the caller,
// who knows which clock to read them by.
jwt_check jwt_verify_hs256(std::string_view token, std::string_view secret);

}  // namespace authsim::support

#pragma once
// HS256 JSON Web Tokens (RFC 7519), as Credit Pay puts them in `open_token`.

#include <boost/json/object.hpp>

#include <string>
#include <string_view>

namespace authsim::support {

// header.payload.signature, each part base64url without padding; the header
// is {"alg":"HS256","typ":"JWT"}.
std::string jwt_sign_hs256(const boost::json::object& claims, std::string_view secret);

}  // namespace authsim::support

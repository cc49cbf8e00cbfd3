#include "support/jwt.hpp"

#include "support/crypto.hpp"

#include <boost/json/serialize.hpp>

namespace authsim::support {

std::string jwt_sign_hs256(const boost::json::object& claims, std::string_view secret) {
  std::string signing_input = base64url_encode(R"({"alg":"HS256","typ":"JWT"})");
  signing_input += '.';
  signing_input += base64url_encode(boost::json::serialize(claims));
  const std::string mac = hmac(hmac_algorithm::sha256, secret, signing_input);
  return signing_input + '.' + base64url_encode(mac);
}

}  // namespace authsim::support

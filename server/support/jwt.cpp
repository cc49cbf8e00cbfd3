#include "support/jwt.hpp"

#include "support/crypto.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace authsim::support {

std::string jwt_sign_hs256(const boost::json::object& claims, std::string_view secret) {
  std::string signing_input = base64url_encode(R"({"alg":"HS256","typ":"JWT"})");
  signing_input += '.';
  signing_input += base64url_encode(boost::json::serialize(claims));
  const std::string mac = hmac(hmac_algorithm::sha256, secret, signing_input);
  return signing_input + '.' + base64url_encode(mac);
}

namespace {

jwt_check malformed(std::string detail) {
  jwt_check out;
  out.problem = jwt_problem::malformed;
  out.detail = std::move(detail);
  return out;
}

}  // namespace

jwt_check jwt_verify_hs256(std::string_view token, std::string_view secret) {
  const std::size_t first = token.find('.');
  const std::size_t second = first == std::string_view::npos ? first : token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) {
    return malformed("not three parts separated by dots");
  }
  const auto header = base64url_decode(token.substr(0, first));
  const auto payload = base64url_decode(token.substr(first + 1, second - first - 1));
  const auto signature = base64url_decode(token.substr(second + 1));
  if (!header || !payload || !signature) {
    return malformed(!header ? "the header is not base64url" : !payload ? "the claims are not base64url"
                                                                          : "the signature is not base64url");
  }
  boost::system::error_code ec;
  const boost::json::value h = boost::json::parse(*header, ec);
  const boost::json::object* ho = ec ? nullptr : h.if_object();
  if (ho == nullptr) {
    return malformed("the header is not a JSON object");
  }
  const boost::json::value* alg = ho->if_contains("alg");
  if (alg == nullptr || !alg->is_string() || alg->get_string() != "HS256") {
    return malformed("the header's alg is not HS256");
  }
  boost::json::value claims = boost::json::parse(*payload, ec);
  if (ec || !claims.is_object()) {
    return malformed("the claims are not a JSON object");
  }
  const std::string expected = hmac(hmac_algorithm::sha256, secret, token.substr(0, second));
  jwt_check out;
  if (!constant_time_equal(expected, *signature)) {
    out.problem = jwt_problem::bad_signature;
    out.detail = "the signature does not match";
    return out;
  }
  out.claims = std::move(claims.as_object());
  return out;
}

}  // namespace authsim::support

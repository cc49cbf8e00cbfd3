#include "creditpay/signing.hpp"

#include "support/crypto.hpp"
#include "support/text.hpp"

namespace authsim::creditpay {

std::string signed_path(std::string_view request_target) {
  std::string_view path = request_target.substr(0, request_target.find('?'));
  constexpr std::string_view gateway = "/dg";
  if (path.starts_with(gateway) && path.size() > gateway.size() && path[gateway.size()] == '/') {
    path.remove_prefix(gateway.size());
  }
  return std::string(path);
}

std::string compute_signature(const fixtures::platform& platform, std::string_view path,
                              std::string_view body) {
  const std::string digest = support::hmac(platform.algorithm, platform.signature_key, path, body);
  return platform.encoding == fixtures::digest_encoding::hex ? support::hex_encode(digest)
                                                              : support::base64_encode(digest);
}

scheme_description describe_scheme(const fixtures::platform& platform) {
  const bool sha1 = platform.algorithm == support::hmac_algorithm::sha1;
  const bool hex = platform.encoding == fixtures::digest_encoding::hex;
  const std::size_t digest = sha1 ? 20 : 32;
  return {sha1 ? "HMAC-SHA1" : "HMAC-SHA256", hex ? "lowercase hex" : "Base64",
          hex ? digest * 2 : 4 * ((digest + 2) / 3)};
}

bool signature_matches(const fixtures::platform& platform, std::string_view expected, std::string_view received) {
  const std::string normalised = platform.encoding == fixtures::digest_encoding::hex
                                     ? support::ascii_lower(received)
                                     : std::string(received);
  return support::constant_time_equal(normalised, expected);
}

signature_check verify_signature(const fixtures::platform& platform, std::string_view request_target,
                                 std::string_view body, std::string_view received) {
  signature_check check;
  check.path = signed_path(request_target);
  check.body_bytes = body.size();
  check.expected = compute_signature(platform, check.path, body);
  check.ok = signature_matches(platform, check.expected, received);
  return check;
}

}  // namespace authsim::creditpay

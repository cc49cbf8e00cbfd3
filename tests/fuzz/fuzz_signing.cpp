// Signature verification on arbitrary keys, paths, bodies and signatures:
// it must never crash, must accept the signature it computes itself, and
// must refuse any other value.
#include "creditpay/signing.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace authsim;
  if (size < 2) {
    return 0;
  }
  fixtures::platform p;
  p.algorithm = (data[0] & 1U) != 0 ? support::hmac_algorithm::sha256 : support::hmac_algorithm::sha1;
  p.encoding = (data[0] & 2U) != 0 ? fixtures::digest_encoding::hex : fixtures::digest_encoding::base64;
  // The rest splits at NUL bytes into key, target, body and a signature.
  std::string parts[4];
  std::size_t part = 0;
  for (std::size_t i = 1; i < size; ++i) {
    if (data[i] == 0 && part < 3) {
      ++part;
    } else {
      parts[part].push_back(static_cast<char>(data[i]));
    }
  }
  p.signature_key = parts[0];
  const std::string& target = parts[1];
  const std::string& body = parts[2];
  const std::string& received = parts[3];

  const std::string right = creditpay::compute_signature(p, creditpay::signed_path(target), body);
  if (!creditpay::verify_signature(p, target, body, right).ok) {
    std::abort();  // its own signature refused
  }
  const auto check = creditpay::verify_signature(p, target, body, received);
  const bool same = p.encoding == fixtures::digest_encoding::hex
                        ? received.size() == right.size() &&
                              std::equal(received.begin(), received.end(), right.begin(),
                                         [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == b; })
                        : received == right;
  if (check.ok != same) {
    std::abort();  // accepted a wrong signature, or refused the right one
  }
  return 0;
}

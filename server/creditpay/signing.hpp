#pragma once
// The Credit Pay request signature: HMAC over the signed path followed
// directly by the raw body, keyed with the platform's signature key.
// Pure functions: no I/O, thread-safe.

#include "fixtures/fixtures.hpp"

#include <cstddef>
#include <string>
#include <string_view>

namespace authsim::creditpay {

// The request path without the query and without the gateway prefix "/dg":
// "/dg/v1/platform/identify/auth?platId=x" → "/v1/platform/identify/auth".
std::string signed_path(std::string_view request_target);

// The signature a correct client sends, in the platform's algorithm and
// encoding (by default Base64 of HMAC-SHA1).
std::string compute_signature(const fixtures::platform& platform, std::string_view path,
                              std::string_view body);

// How the platform signs, for messages: "HMAC-SHA1", "Base64", 28.
struct scheme_description {
  std::string algorithm;
  std::string encoding;
  std::size_t length = 0;
};
scheme_description describe_scheme(const fixtures::platform& platform);

struct signature_check {
  bool ok = false;
  std::string path;          // what was signed, before the body
  std::size_t body_bytes = 0;
  std::string expected;      // never shown to the caller, only to diagnostics
};

// Whether `received` is the `expected` signature: compared in constant
// time; a hex signature without regard to letter case (Base64 is
// case-sensitive by nature).
bool signature_matches(const fixtures::platform& platform, std::string_view expected, std::string_view received);

// Signs the request target's signed path and the body, and compares with
// signature_matches.
signature_check verify_signature(const fixtures::platform& platform, std::string_view request_target,
                                 std::string_view body, std::string_view received);

}  // namespace authsim::creditpay

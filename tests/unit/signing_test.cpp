#include "creditpay/signing.hpp"

#include <doctest/doctest.h>

using namespace authsim;

namespace {

// The published signing-guide key, as in the default fixtures.
const char* guide_key =
    "18dd8a3c8003d2adcd13cb9981618bedd759a19f697a46d270542c6023479a08f541a5fa7f2e09a6f93cab7fe5de3b1b465abxxx";
const char* body =
    R"({"custom_no":"u1","customer_token":"t","token_expire":4102444800000,"callback_url":"https://example.com/cb","client_ip":"10.0.0.1"})";

fixtures::platform platform_with(support::hmac_algorithm algorithm, fixtures::digest_encoding encoding) {
  fixtures::platform p;
  p.plat_id = "p";
  p.api_key = "k";
  p.signature_key = guide_key;
  p.algorithm = algorithm;
  p.encoding = encoding;
  return p;
}

}  // namespace

// Known answers computed independently with:
//   printf '%s%s' /v1/platform/identify/auth "$BODY" | openssl dgst -sha1 -hmac "$KEY" -binary | base64
// (and -sha256, and -hex instead of -binary | base64).
TEST_CASE("the signature of each algorithm and encoding matches openssl's") {
  using enum fixtures::digest_encoding;
  const auto sha1 = support::hmac_algorithm::sha1;
  const auto sha256 = support::hmac_algorithm::sha256;
  const std::string path = "/v1/platform/identify/auth";
  CHECK(creditpay::compute_signature(platform_with(sha1, base64), path, body) == "L78QfqpfmvApaTZr3zkxYnAwWpY=");
  CHECK(creditpay::compute_signature(platform_with(sha1, hex), path, body) ==
        "2fbf107eaa5f9af02969366bdf39316270305a96");
  CHECK(creditpay::compute_signature(platform_with(sha256, base64), path, body) ==
        "FwNPaJfrXHehd4XlmAwiIpHwRKSemVnawHnZV5tDTIk=");
  CHECK(creditpay::compute_signature(platform_with(sha256, hex), path, body) ==
        "17034f6897eb5c77a17785e5980c222291f044a49e9959dac079d9579b434c89");
}

TEST_CASE("the signed path drops the /dg gateway prefix and the query") {
  CHECK(creditpay::signed_path("/dg/v1/platform/identify/auth?platId=x&y=z") == "/v1/platform/identify/auth");
  CHECK(creditpay::signed_path("/dg/v1/identify/redirect") == "/v1/identify/redirect");
  // Only a whole "/dg" segment is a gateway prefix.
  CHECK(creditpay::signed_path("/dgx/v1/a") == "/dgx/v1/a");
  CHECK(creditpay::signed_path("/v1/platform/identify/auth") == "/v1/platform/identify/auth");
}

TEST_CASE("verification accepts the right signature and says what was signed") {
  const auto p = platform_with(support::hmac_algorithm::sha1, fixtures::digest_encoding::base64);
  const auto check = creditpay::verify_signature(p, "/dg/v1/platform/identify/auth?platId=p", body,
                                                 "L78QfqpfmvApaTZr3zkxYnAwWpY=");
  CHECK(check.ok);
  CHECK(check.path == "/v1/platform/identify/auth");
  CHECK(check.body_bytes == std::string(body).size());
}

TEST_CASE("a signature over the path with the /dg prefix is refused") {
  const auto p = platform_with(support::hmac_algorithm::sha1, fixtures::digest_encoding::base64);
  const std::string wrong = creditpay::compute_signature(p, "/dg/v1/platform/identify/auth", body);
  CHECK_FALSE(creditpay::verify_signature(p, "/dg/v1/platform/identify/auth", body, wrong).ok);
}

TEST_CASE("a signature over a re-serialised body is refused") {
  const auto p = platform_with(support::hmac_algorithm::sha1, fixtures::digest_encoding::base64);
  const std::string spaced = std::string(body).insert(1, " ");
  const std::string sig = creditpay::compute_signature(p, "/v1/platform/identify/auth", body);
  CHECK_FALSE(creditpay::verify_signature(p, "/dg/v1/platform/identify/auth", spaced, sig).ok);
}

TEST_CASE("hex signatures are compared without regard to letter case, Base64 ones exactly") {
  const auto hex = platform_with(support::hmac_algorithm::sha1, fixtures::digest_encoding::hex);
  CHECK(creditpay::verify_signature(hex, "/dg/v1/platform/identify/auth", body,
                                    "2FBF107EAA5F9AF02969366BDF39316270305A96")
            .ok);
  const auto b64 = platform_with(support::hmac_algorithm::sha1, fixtures::digest_encoding::base64);
  CHECK_FALSE(
      creditpay::verify_signature(b64, "/dg/v1/platform/identify/auth", body, "l78QfqpfmvApaTZr3zkxYnAwWpY=").ok);
}

TEST_CASE("the scheme description gives the algorithm, encoding and length") {
  const auto d = creditpay::describe_scheme(
      platform_with(support::hmac_algorithm::sha256, fixtures::digest_encoding::hex));
  CHECK(d.algorithm == "HMAC-SHA256");
  CHECK(d.encoding == "lowercase hex");
  CHECK(d.length == 64);
  CHECK(creditpay::describe_scheme(platform_with(support::hmac_algorithm::sha1, fixtures::digest_encoding::base64))
            .length == 28);
}

#include "support/crypto.hpp"

#include <doctest/doctest.h>

#include <set>

using namespace authsim::support;

// Known answers computed independently with:
//   printf '%s' 'The quick brown fox jumps over the lazy dog' | openssl dgst -sha1 -hmac key -binary | base64
TEST_SUITE("crypto") {
  TEST_CASE("HMAC-SHA1 matches openssl's known answer") {
    CHECK(base64_encode(hmac(hmac_algorithm::sha1, "key", "The quick brown fox jumps over the lazy dog")) ==
          "3nybhbi3iqa8ino29wqQcBydtNk=");
  }

  TEST_CASE("HMAC-SHA256 matches openssl's known answer") {
    CHECK(base64_encode(hmac(hmac_algorithm::sha256, "key", "The quick brown fox jumps over the lazy dog")) ==
          "97yD9DBThCSxMpjmqm+xQ+9NWaFJRhdZl0edvC0aPNg=");
  }

  TEST_CASE("Base64 pads to a multiple of four") {
    CHECK(base64_encode("") == "");
    CHECK(base64_encode("f") == "Zg==");
    CHECK(base64_encode("fo") == "Zm8=");
    CHECK(base64_encode("foo") == "Zm9v");
    CHECK(base64_encode(std::string("\xfb\xff", 2)) == "+/8=");
  }

  TEST_CASE("Base64url drops padding and uses - and _") {
    CHECK(base64url_encode(std::string("\xfb\xff", 2)) == "-_8");
    CHECK(base64url_encode("foo") == "Zm9v");
  }

  TEST_CASE("hex encoding is lowercase, two digits a byte") {
    CHECK(hex_encode(std::string("\x00\x0f\xab\xff", 4)) == "000fabff");
  }

  TEST_CASE("random hex has the asked length, only hex digits, and does not repeat") {
    std::set<std::string> seen;
    for (int i = 0; i < 1000; ++i) {
      const std::string r = random_hex(16);
      REQUIRE(r.size() == 32);
      CHECK(r.find_first_not_of("0123456789abcdef") == std::string::npos);
      seen.insert(r);
    }
    CHECK(seen.size() == 1000);
  }

  TEST_CASE("constant-time equality compares content and length") {
    CHECK(constant_time_equal("abc", "abc"));
    CHECK_FALSE(constant_time_equal("abc", "abd"));
    CHECK_FALSE(constant_time_equal("abc", "abcd"));
    CHECK(constant_time_equal("", ""));
  }
}

TEST_CASE("a key used again signs exactly as the first time, whatever keys came between") {
  using authsim::support::hmac;
  using authsim::support::hmac_algorithm;
  const std::string first = hmac(hmac_algorithm::sha1, "key-a", "message");
  const std::string other = hmac(hmac_algorithm::sha1, "key-b", "message");
  const std::string sha256 = hmac(hmac_algorithm::sha256, "key-a", "message");
  CHECK(first != other);
  CHECK(first != sha256);
  CHECK(first.size() == 20);
  CHECK(sha256.size() == 32);
  for (int i = 0; i < 3; ++i) {
    CHECK(hmac(hmac_algorithm::sha1, "key-a", "message") == first);
    CHECK(hmac(hmac_algorithm::sha256, "key-a", "message") == sha256);
  }
  // RFC 2202 test case 2, after the cache holds other keys.
  CHECK(authsim::support::hex_encode(hmac(hmac_algorithm::sha1, "Jefe", "what do ya want for nothing?")) ==
        "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
}

TEST_CASE("the digest of two parts is the digest of them joined") {
  using authsim::support::hmac;
  using authsim::support::hmac_algorithm;
  CHECK(hmac(hmac_algorithm::sha1, "k", "/v1/path", "{\"a\":1}") == hmac(hmac_algorithm::sha1, "k", "/v1/path{\"a\":1}"));
  CHECK(hmac(hmac_algorithm::sha256, "k", "", "x") == hmac(hmac_algorithm::sha256, "k", "x"));
}

TEST_CASE("random bytes drawn in small pieces never repeat a piece") {
  std::set<std::string> seen;
  // More than one page of the per-thread pool.
  for (int i = 0; i < 1000; ++i) {
    CHECK(seen.insert(authsim::support::random_hex(16)).second);
  }
  CHECK(authsim::support::random_bytes(10000).size() == 10000);
}

TEST_CASE("base64url decoding takes exactly what base64url encoding makes") {
  using authsim::support::base64url_decode;
  using authsim::support::base64url_encode;
  for (const std::string s : {"", "f", "fo", "foo", "foob", "fooba", "foobar", "\xff\xfe\x00\x01"}) {
    CHECK(base64url_decode(base64url_encode(s)) == s);
  }
  CHECK(base64url_decode("-_8") == std::string("\xfb\xff", 2));
  CHECK_FALSE(base64url_decode("Zg==").has_value());  // padding
  CHECK_FALSE(base64url_decode("Z+8").has_value());   // standard alphabet
  CHECK_FALSE(base64url_decode("Z").has_value());     // no encoding is 1 character long
  CHECK_FALSE(base64url_decode("Zh").has_value());    // stray bits in the last character
}

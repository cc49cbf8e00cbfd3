#pragma once
// The helper commands beside the server: `authsim sign` prints the Credit
// Pay signature of a body, `authsim curl-example` prints a complete signed
// identify request. Parsing and output are pure functions, unit-tested; the
// command functions only add stdin, stdout and the fixtures.

#include "app/options.hpp"
#include "fixtures/fixtures.hpp"

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

namespace authsim::app {

struct sign_options {
  std::string key;
  std::string path = "/v1/platform/identify/auth";
  support::hmac_algorithm algorithm = support::hmac_algorithm::sha1;
  fixtures::digest_encoding encoding = fixtures::digest_encoding::base64;
  bool show_help = false;
};

sign_options parse_sign_options(const std::vector<std::string>& args);

// The signature of `body` as the server verifies it: the path is reduced as
// the server reduces a request target (no /dg prefix, no query).
std::string sign_body(const sign_options& opts, std::string_view body);

struct curl_example_options {
  std::string fixtures_dir = "fixtures";
  std::string base_url = "http://127.0.0.1:8080";
  std::string plat_id;  // empty: the first platform in the fixtures
  bool show_help = false;
};

curl_example_options parse_curl_example_options(const std::vector<std::string>& args);

// A ready-to-run curl command that asks `platform` for a code: a fresh
// custom_no and customer_token (from `nonce`), token_expire an hour after
// `now_ms`, signed as the platform signs.
std::string curl_example(const fixtures::platform& platform, const std::string& base_url, std::int64_t now_ms,
                         const std::string& nonce);

// Single-quotes `text` for a POSIX shell.
std::string shell_quote(std::string_view text);

std::string sign_usage();
std::string curl_example_usage();

// The commands as main runs them; they return the exit status (0, or 2 on
// a bad flag or unreadable fixtures, with the reason on `err`).
int run_sign(const std::vector<std::string>& args, std::istream& in, std::ostream& out, std::ostream& err);
int run_curl_example(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace authsim::app

#pragma once
// The helper commands beside the server: `authsim sign` prints the Credit
// Pay signature of a body, `authsim verify` checks the signature of a call
// Credit Pay makes to a platform (a webhook event, the credit-limit query)
// and says why it does not match, `authsim curl-example` prints a complete
// signed identify request. Parsing and output are pure functions, unit-tested; the
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

struct verify_options {
  std::string key;
  std::string path;  // the receiver's path: a scheme and host, and a query, are dropped
  std::string signature;
  support::hmac_algorithm algorithm = support::hmac_algorithm::sha1;
  fixtures::digest_encoding encoding = fixtures::digest_encoding::base64;
  bool show_help = false;
};

verify_options parse_verify_options(const std::vector<std::string>& args);

struct verify_result {
  bool ok = false;
  // One line saying what was checked; on a mismatch, the expected value and
  // what the received signature does match, when it matches a common
  // mistake (another digest or encoding, a final newline, the body alone).
  std::vector<std::string> lines;
};

verify_result verify_body(const verify_options& opts, std::string_view body);

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
std::string verify_usage();
std::string curl_example_usage();

// The commands as main runs them; they return the exit status (0, or 2 on
// a bad flag or unreadable fixtures, with the reason on `err`).
int run_sign(const std::vector<std::string>& args, std::istream& in, std::ostream& out, std::ostream& err);
// Exit status 0 when the signature matches, 1 when it does not, 2 on a bad flag.
int run_verify(const std::vector<std::string>& args, std::istream& in, std::ostream& out, std::ostream& err);
int run_curl_example(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace authsim::app

#include "app/tools.hpp"

#include "creditpay/api.hpp"
#include "creditpay/signing.hpp"
#include "support/crypto.hpp"
#include "support/text.hpp"
#include "support/validate.hpp"

#include <boost/json/parse.hpp>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <iostream>
#include <iterator>
#include <optional>
#include <sstream>

namespace authsim::app {

namespace {

// The helper commands' flags all take a value, which may not be empty;
// --help and -h print the usage.
template <typename OnFlag>
void read_flags(const std::vector<std::string>& args, std::initializer_list<const char*> valued, OnFlag on) {
  std::vector<flag_spec> table = {{"--help", flag_kind::action}, {"-h", flag_kind::action}};
  for (const char* name : valued) {
    table.push_back({name, flag_kind::value});
  }
  walk_flags(args, table, [&](const flag_spec& spec, const std::string& value) {
    const std::string flag = spec.name;
    if (spec.kind == flag_kind::action) {
      on(std::string("--help"), std::string());
      return;
    }
    if (value.empty()) {
      throw options_error(flag + ": expected a value, got an empty one");
    }
    on(flag, value);
  });
}

}  // namespace

std::string sign_usage() {
  return R"(Usage: authsim sign --key KEY [--path PATH] [--algo sha1|sha256] [--encoding base64|hex] < BODY

Prints the signature header value for the request body read from stdin,
byte for byte as it will be sent: HMAC over PATH followed by the body.

  --key KEY             the platform's signature key (not its api-key)
  --path PATH           the request path (default /v1/platform/identify/auth);
                        a /dg prefix and a query are dropped, as the server does
  --algo sha1|sha256    HMAC digest (default sha1)
  --encoding base64|hex digest encoding (default base64)

A body that ends with a newline is signed with it: send it with
curl --data-binary @FILE, not -d @FILE, which strips newlines.
)";
}

std::string verify_usage() {
  return R"(Usage: authsim verify --key KEY --path PATH --signature SIG [--algo sha1|sha256] [--encoding base64|hex] < BODY

Checks the signature of a call Credit Pay made to your platform (a webhook
event, the credit-limit query): HMAC over the path it was sent to, without
the query, followed by the body bytes read from stdin. Exit status 0 when it
matches; 1 when it does not, saying what was expected and, when the
signature matches a common mistake, which one; 2 on a bad flag.

  --key KEY             the platform's signature key (not its api-key)
  --path PATH           the path the call was sent to, e.g. /api/v1/credit-pay/notify
                        (a whole URL is taken too; its query is dropped)
  --signature SIG       the signature header's value
  --algo sha1|sha256    HMAC digest (default sha1)
  --encoding base64|hex digest encoding (default base64)
)";
}

std::string curl_example_usage() {
  return R"(Usage: authsim curl-example [--fixtures DIR] [--base-url URL] [--platform PLAT_ID]

Prints a curl command that asks authsim for a one-time code, signed with the
platform's key from the fixtures, with a fresh custom_no and a token_expire
one hour ahead. Pipe it to sh to run it.

  --fixtures DIR        fixtures directory (default ./fixtures)
  --base-url URL        where authsim listens (default http://127.0.0.1:8080)
  --platform PLAT_ID    which platform (default: the first in creditpay.json)
)";
}

namespace {

support::hmac_algorithm parse_algorithm(const std::string& value) {
  if (value == "sha1") return support::hmac_algorithm::sha1;
  if (value == "sha256") return support::hmac_algorithm::sha256;
  throw options_error("--algo: expected sha1 or sha256, got '" + value + "'");
}

fixtures::digest_encoding parse_encoding(const std::string& value) {
  if (value == "base64") return fixtures::digest_encoding::base64;
  if (value == "hex") return fixtures::digest_encoding::hex;
  throw options_error("--encoding: expected base64 or hex, got '" + value + "'");
}

// A platform that signs as the flags say: all the signing functions need.
fixtures::platform signer(const std::string& key, support::hmac_algorithm algorithm,
                          fixtures::digest_encoding encoding) {
  fixtures::platform p;
  p.signature_key = key;
  p.algorithm = algorithm;
  p.encoding = encoding;
  return p;
}

// Reads a command's flags. Returns the exit status when the command ends
// here (2 after a bad flag, 0 after the usage), nullopt when it goes on.
template <typename Options>
std::optional<int> start_command(const char* name, Options (*parse)(const std::vector<std::string>&),
                                 const std::vector<std::string>& args, const std::string& usage, Options& opts,
                                 std::ostream& out, std::ostream& err) {
  try {
    opts = parse(args);
  } catch (const options_error& e) {
    err << "authsim " << name << ": " << e.what() << "\n";
    return 2;
  }
  if (opts.show_help) {
    out << usage;
    return 0;
  }
  return std::nullopt;
}

// "http://host:9000/hook?x=1" or "/hook?x=1" → "/hook"; "http://host" → "/".
std::string receiver_path(const std::string& value) {
  std::string_view path = value;
  std::string lower;
  for (const char c : path.substr(0, 8)) {
    lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  const std::size_t scheme = lower.starts_with("http://") ? 7 : lower.starts_with("https://") ? 8 : 0;
  if (scheme > 0) {
    // The host ends where the path, the query or the fragment begins.
    const std::size_t end = path.find_first_of("/?#", scheme);
    path = end == std::string_view::npos || path[end] != '/' ? std::string_view("/") : path.substr(end);
  }
  if (!path.starts_with('/')) {
    throw options_error("--path: expected a path starting with '/' or an http(s) URL, got '" + value + "'");
  }
  return std::string(path.substr(0, path.find_first_of("?#")));
}

}  // namespace

sign_options parse_sign_options(const std::vector<std::string>& args) {
  sign_options opts;
  read_flags(args, {"--key", "--path", "--algo", "--encoding"}, [&](const std::string& flag, const std::string& value) {
    if (flag == "--help") {
      opts.show_help = true;
    } else if (flag == "--key") {
      opts.key = value;
    } else if (flag == "--path") {
      if (!value.starts_with('/')) {
        throw options_error("--path: expected a path starting with '/', got '" + value + "'");
      }
      opts.path = value;
    } else if (flag == "--algo") {
      opts.algorithm = parse_algorithm(value);
    } else if (flag == "--encoding") {
      opts.encoding = parse_encoding(value);
    }
  });
  if (opts.key.empty() && !opts.show_help) {
    throw options_error("--key: missing (the platform's signature key)");
  }
  return opts;
}

std::string sign_body(const sign_options& opts, std::string_view body) {
  return creditpay::compute_signature(signer(opts.key, opts.algorithm, opts.encoding),
                                      creditpay::signed_path(opts.path), body);
}


verify_options parse_verify_options(const std::vector<std::string>& args) {
  verify_options opts;
  read_flags(args, {"--key", "--path", "--signature", "--algo", "--encoding"},
             [&](const std::string& flag, const std::string& value) {
               if (flag == "--help") {
                 opts.show_help = true;
               } else if (flag == "--key") {
                 opts.key = value;
               } else if (flag == "--path") {
                 opts.path = receiver_path(value);
               } else if (flag == "--signature") {
                 opts.signature = value;
               } else if (flag == "--algo") {
                 opts.algorithm = parse_algorithm(value);
               } else if (flag == "--encoding") {
                 opts.encoding = parse_encoding(value);
               }
             });
  if (!opts.show_help) {
    if (opts.key.empty()) throw options_error("--key: missing (the platform's signature key)");
    if (opts.path.empty()) throw options_error("--path: missing (the path the call was sent to)");
    if (opts.signature.empty()) throw options_error("--signature: missing (the signature header's value)");
  }
  return opts;
}

verify_result verify_body(const verify_options& opts, std::string_view body) {
  const fixtures::platform p = signer(opts.key, opts.algorithm, opts.encoding);
  const auto matches = [&](const fixtures::platform& with, std::string_view path, std::string_view signed_body) {
    return creditpay::signature_matches(with, creditpay::compute_signature(with, path, signed_body), opts.signature);
  };
  const creditpay::scheme_description scheme = creditpay::describe_scheme(p);
  const std::string what = scheme.algorithm + " in " + scheme.encoding + " over '" + opts.path +
                           "' followed by the body (" + std::to_string(body.size()) + " bytes)";
  verify_result out;
  if (matches(p, opts.path, body)) {
    out.ok = true;
    out.lines.push_back("signature ok: " + what);
    return out;
  }
  out.lines.push_back("signature mismatch: expected " + creditpay::compute_signature(p, opts.path, body) + " (" +
                      what + "), got " + support::excerpt(opts.signature));
  // The mistakes seen most, each tried on its own.
  fixtures::platform other_algo = p;
  other_algo.algorithm = p.algorithm == support::hmac_algorithm::sha1 ? support::hmac_algorithm::sha256
                                                                      : support::hmac_algorithm::sha1;
  fixtures::platform other_encoding = p;
  other_encoding.encoding = p.encoding == fixtures::digest_encoding::base64 ? fixtures::digest_encoding::hex
                                                                            : fixtures::digest_encoding::base64;
  if (matches(other_algo, opts.path, body)) {
    out.lines.push_back(std::string("it matches with --algo ") +
                        (other_algo.algorithm == support::hmac_algorithm::sha256 ? "sha256" : "sha1") +
                        ": the platform's digest setting differs from the one checked");
  } else if (matches(other_encoding, opts.path, body)) {
    out.lines.push_back(std::string("it matches with --encoding ") +
                        (other_encoding.encoding == fixtures::digest_encoding::hex ? "hex" : "base64") +
                        ": the platform's encoding setting differs from the one checked");
  } else if (body.ends_with('\n') && matches(p, opts.path, body.substr(0, body.size() - 1))) {
    out.lines.push_back("it matches the body without its final newline: the body read here has one byte more "
                        "than the one signed (a file saved with a newline, or curl -d instead of --data-binary)");
  } else if (matches(p, "", body)) {
    out.lines.push_back("it matches the body alone: the path must come first, then the body, with nothing between");
  } else {
    out.lines.push_back("no common mistake explains it: check the key (the signature key, not the api-key) and "
                        "that the body is checked as received, before any parsing");
  }
  return out;
}

curl_example_options parse_curl_example_options(const std::vector<std::string>& args) {
  curl_example_options opts;
  read_flags(args, {"--fixtures", "--base-url", "--platform"}, [&](const std::string& flag, const std::string& value) {
    if (flag == "--help") {
      opts.show_help = true;
    } else if (flag == "--fixtures") {
      opts.fixtures_dir = value;
    } else if (flag == "--base-url") {
      opts.base_url = parse_base_url(flag, value);
    } else if (flag == "--platform") {
      opts.plat_id = value;
    }
  });
  return opts;
}

std::string shell_quote(std::string_view text) {
  std::string out = "'";
  for (const char c : text) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out.push_back(c);
    }
  }
  out.push_back('\'');
  return out;
}

std::string curl_example(const fixtures::platform& platform, const std::string& base_url, std::int64_t now_ms,
                         const std::string& nonce) {
  const std::int64_t token_expire = now_ms + 3'600'000;
  // The body is written once, here, and sent as these exact bytes: the
  // signature covers them.
  const std::string body = R"({"custom_no":"demo-)" + nonce + R"(","customer_token":"tok-)" + nonce +
                           R"(","token_expire":)" + std::to_string(token_expire) +
                           R"(,"callback_url":"https://partner.example/callback","client_ip":"127.0.0.1"})";
  const std::string signature =
      creditpay::compute_signature(platform, creditpay::signed_path(creditpay::identify_path), body);
  std::string out;
  out += "curl -sS -X POST " + shell_quote(base_url + "/dg/v1/platform/identify/auth?platId=" + platform.plat_id) +
         " \\\n";
  out += "  -H 'Content-Type: application/json' \\\n";
  out += "  -H " + shell_quote("trace: example-" + nonce) + " \\\n";
  out += "  -H " + shell_quote("api-key: " + platform.api_key) + " \\\n";
  out += "  -H " + shell_quote("signature: " + signature) + " \\\n";
  out += "  --data-binary " + shell_quote(body) + "\n";
  return out;
}

int run_sign(const std::vector<std::string>& args, std::istream& in, std::ostream& out, std::ostream& err) {
  sign_options opts;
  if (const auto done = start_command("sign", parse_sign_options, args, sign_usage(), opts, out, err)) {
    return *done;
  }
  const std::string body{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (body.ends_with('\n')) {
    err << "authsim sign: note: the body ends with a newline, which is signed too; send it with "
           "curl --data-binary @FILE (curl -d @FILE strips newlines)\n";
  }
  boost::system::error_code ec;
  boost::json::parse(body, ec);
  if (ec) {
    err << "authsim sign: note: the body is not valid JSON (" << ec.message()
        << "); it is signed anyway, but authsim will refuse it\n";
  }
  out << sign_body(opts, body) << "\n";
  return 0;
}

int run_verify(const std::vector<std::string>& args, std::istream& in, std::ostream& out, std::ostream& err) {
  verify_options opts;
  if (const auto done = start_command("verify", parse_verify_options, args, verify_usage(), opts, out, err)) {
    return *done;
  }
  const std::string body{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  const verify_result result = verify_body(opts, body);
  for (const auto& line : result.lines) {
    (result.ok ? out : err) << line << "\n";
  }
  return result.ok ? 0 : 1;
}

int run_curl_example(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  curl_example_options opts;
  if (const auto done =
          start_command("curl-example", parse_curl_example_options, args, curl_example_usage(), opts, out, err)) {
    return *done;
  }
  try {
    const fixtures::fixture_set fx = fixtures::load_fixture_set(opts.fixtures_dir);
    const fixtures::platform* platform = opts.plat_id.empty()
                                             ? (fx.platforms.empty() ? nullptr : &fx.platforms.front())
                                             : fx.find_platform(opts.plat_id);
    if (platform == nullptr) {
      err << "authsim curl-example: --platform: no platform '" << opts.plat_id << "' in " << opts.fixtures_dir
          << "/creditpay.json\n";
      return 2;
    }
    const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    out << curl_example(*platform, opts.base_url, now_ms, support::random_hex(8));
    return 0;
  } catch (const std::exception& e) {
    err << "authsim curl-example: " << e.what() << "\n";
    return 2;
  }
}

}  // namespace authsim::app

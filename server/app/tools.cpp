#include "app/tools.hpp"

#include "creditpay/api.hpp"
#include "creditpay/signing.hpp"
#include "support/crypto.hpp"
#include "support/validate.hpp"

#include <boost/json/parse.hpp>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <iterator>
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
      if (value == "sha1") {
        opts.algorithm = support::hmac_algorithm::sha1;
      } else if (value == "sha256") {
        opts.algorithm = support::hmac_algorithm::sha256;
      } else {
        throw options_error("--algo: expected sha1 or sha256, got '" + value + "'");
      }
    } else if (flag == "--encoding") {
      if (value == "base64") {
        opts.encoding = fixtures::digest_encoding::base64;
      } else if (value == "hex") {
        opts.encoding = fixtures::digest_encoding::hex;
      } else {
        throw options_error("--encoding: expected base64 or hex, got '" + value + "'");
      }
    }
  });
  if (opts.key.empty() && !opts.show_help) {
    throw options_error("--key: missing (the platform's signature key)");
  }
  return opts;
}

std::string sign_body(const sign_options& opts, std::string_view body) {
  fixtures::platform p;
  p.signature_key = opts.key;
  p.algorithm = opts.algorithm;
  p.encoding = opts.encoding;
  return creditpay::compute_signature(p, creditpay::signed_path(opts.path), body);
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
  try {
    opts = parse_sign_options(args);
  } catch (const options_error& e) {
    err << "authsim sign: " << e.what() << "\n";
    return 2;
  }
  if (opts.show_help) {
    out << sign_usage();
    return 0;
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

int run_curl_example(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  curl_example_options opts;
  try {
    opts = parse_curl_example_options(args);
  } catch (const options_error& e) {
    err << "authsim curl-example: " << e.what() << "\n";
    return 2;
  }
  if (opts.show_help) {
    out << curl_example_usage();
    return 0;
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

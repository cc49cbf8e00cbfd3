#include "app/tools.hpp"

#include "creditpay/signing.hpp"
#include "support/crypto.hpp"

#include <doctest/doctest.h>

#include <sstream>

using namespace authsim;
using namespace authsim::app;

namespace {

const std::string demo_key =
    "18dd8a3c8003d2adcd13cb9981618bedd759a19f697a46d270542c6023479a08f541a5fa7f2e09a6f93cab7fe5de3b1b465abxxx";

}  // namespace

TEST_CASE("sign: HMAC-SHA1 in Base64 over the identify path and the body, by default") {
  const sign_options opts = parse_sign_options({"--key", demo_key});
  const std::string body = R"({"a":1})";
  const std::string expected = support::base64_encode(
      support::hmac(support::hmac_algorithm::sha1, demo_key, "/v1/platform/identify/auth" + body));
  CHECK(sign_body(opts, body) == expected);
}

TEST_CASE("sign: a /dg prefix and a query in --path are dropped, as the server drops them") {
  const std::string body = "{}";
  const std::string plain = sign_body(parse_sign_options({"--key", "k"}), body);
  CHECK(sign_body(parse_sign_options({"--key", "k", "--path", "/dg/v1/platform/identify/auth?platId=x"}), body) ==
        plain);
  CHECK(sign_body(parse_sign_options({"--key", "k", "--path=/v1/other"}), body) != plain);
}

TEST_CASE("sign: --algo sha256 --encoding hex gives 64 lowercase hex digits") {
  const std::string sig = sign_body(parse_sign_options({"--key", "k", "--algo", "sha256", "--encoding", "hex"}), "{}");
  CHECK(sig.size() == 64);
  CHECK(sig == support::hex_encode(support::hmac(support::hmac_algorithm::sha256, "k", "/v1/platform/identify/auth{}")));
}

TEST_CASE("sign: bad flags are refused naming the flag") {
  CHECK_THROWS_WITH_AS(parse_sign_options({}), "--key: missing (the platform's signature key)", options_error);
  CHECK_THROWS_WITH_AS(parse_sign_options({"--key", "k", "--algo", "md5"}), "--algo: expected sha1 or sha256, got 'md5'",
                       options_error);
  CHECK_THROWS_WITH_AS(parse_sign_options({"--key", "k", "--encoding", "b32"}),
                       "--encoding: expected base64 or hex, got 'b32'", options_error);
  CHECK_THROWS_WITH_AS(parse_sign_options({"--key", "k", "--path", "v1"}),
                       "--path: expected a path starting with '/', got 'v1'", options_error);
  CHECK_THROWS_WITH_AS(parse_sign_options({"--key"}), "--key: missing value", options_error);
  CHECK_THROWS_WITH_AS(parse_sign_options({"--kee", "k"}), "--kee: unknown option (see --help)", options_error);
}

TEST_CASE("sign: the command signs stdin byte for byte and warns about a trailing newline") {
  std::istringstream in("{\"a\":1}\n");
  std::ostringstream out;
  std::ostringstream err;
  CHECK(run_sign({"--key", "k"}, in, out, err) == 0);
  CHECK(out.str() == sign_body(parse_sign_options({"--key", "k"}), "{\"a\":1}\n") + "\n");
  CHECK(err.str().find("ends with a newline") != std::string::npos);
  std::istringstream in2("{}");
  std::ostringstream out2;
  std::ostringstream err2;
  CHECK(run_sign({"--algo", "x", "--key", "k"}, in2, out2, err2) == 2);
  CHECK(err2.str() == "authsim sign: --algo: expected sha1 or sha256, got 'x'\n");
}

TEST_CASE("shell_quote survives single quotes") {
  CHECK(shell_quote("abc") == "'abc'");
  CHECK(shell_quote("it's") == "'it'\\''s'");
}

TEST_CASE("curl-example: the printed body is what the printed signature covers") {
  fixtures::platform p;
  p.plat_id = "plat-1";
  p.api_key = "api-1";
  p.signature_key = demo_key;
  const std::string cmd = curl_example(p, "http://127.0.0.1:9", 1'700'000'000'000, "abcd");
  CHECK(cmd.find("'http://127.0.0.1:9/dg/v1/platform/identify/auth?platId=plat-1'") != std::string::npos);
  CHECK(cmd.find("'api-key: api-1'") != std::string::npos);
  const std::size_t b = cmd.find("--data-binary '") + 15;
  const std::string body = cmd.substr(b, cmd.rfind('\'') - b);
  CHECK(body.find(R"("token_expire":1700003600000)") != std::string::npos);
  CHECK(body.find(R"("custom_no":"demo-abcd")") != std::string::npos);
  const std::string sig = creditpay::compute_signature(p, "/v1/platform/identify/auth", body);
  CHECK(cmd.find("'signature: " + sig + "'") != std::string::npos);
}

TEST_CASE("curl-example: flags are checked") {
  CHECK(parse_curl_example_options({"--base-url", "https://sim.example/"}).base_url == "https://sim.example");
  CHECK_THROWS_WITH_AS(parse_curl_example_options({"--base-url", "sim"}),
                       "--base-url: expected an http:// or https:// URL with a host, got 'sim'", options_error);
  std::ostringstream out;
  std::ostringstream err;
  CHECK(run_curl_example({"--fixtures", AUTHSIM_FIXTURES_DIR, "--platform", "nope"}, out, err) == 2);
  CHECK(err.str().find("--platform: no platform 'nope'") != std::string::npos);
}

namespace {

// The signature a correct sender makes, computed here with the crypto
// helpers directly: HMAC over path + body.
std::string hmac_of(support::hmac_algorithm algo, const std::string& path, const std::string& body, bool hex = false) {
  const std::string digest = support::hmac(algo, "k", path + body);
  return hex ? support::hex_encode(digest) : support::base64_encode(digest);
}

verify_result check(const std::string& signature, const std::string& body,
                    std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {"--key", "k", "--path", "/api/v1/credit-pay/notify", "--signature", signature};
  args.insert(args.end(), extra.begin(), extra.end());
  return verify_body(parse_verify_options(args), body);
}

const std::string event = R"({"type":"PAY_START","platform_id":"p","retry":0,"event_id":"e-1","data":{}})";
const std::string notify = "/api/v1/credit-pay/notify";

}  // namespace

TEST_CASE("verify: a right signature is ok, over the path without its query") {
  const verify_result r = check(hmac_of(support::hmac_algorithm::sha1, notify, event), event);
  CHECK(r.ok);
  REQUIRE(r.lines.size() == 1);
  CHECK(r.lines[0].starts_with("signature ok: HMAC-SHA1 in Base64 over '/api/v1/credit-pay/notify'"));

  const verify_options url = parse_verify_options(
      {"--key", "k", "--path", "http://127.0.0.1:9000/api/v1/credit-pay/notify?a=1", "--signature", "x"});
  CHECK(url.path == notify);
  CHECK(parse_verify_options({"--key", "k", "--path", "/hook?x#y", "--signature", "x"}).path == "/hook");

  const std::string hex = hmac_of(support::hmac_algorithm::sha256, notify, event, true);
  CHECK(check(hex, event, {"--algo", "sha256", "--encoding", "hex"}).ok);
  std::string upper = hex;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  CHECK(check(upper, event, {"--algo", "sha256", "--encoding", "hex"}).ok);  // hex in any case
}

TEST_CASE("verify: a mismatch says what was expected and which common mistake explains it") {
  const std::string right = hmac_of(support::hmac_algorithm::sha1, notify, event);
  const auto hint = [&](const std::string& signature, const std::string& body) {
    const verify_result r = check(signature, body);
    CHECK_FALSE(r.ok);
    REQUIRE(r.lines.size() == 2);
    return r.lines[1];
  };
  const verify_result newline = check(right, event + "\n");
  CHECK_FALSE(newline.ok);
  CHECK(newline.lines[0].find("expected " + hmac_of(support::hmac_algorithm::sha1, notify, event + "\n")) !=
        std::string::npos);
  CHECK(hint(right, event + "\n").find("without its final newline") != std::string::npos);
  CHECK(hint(hmac_of(support::hmac_algorithm::sha256, notify, event), event).find("--algo sha256") !=
        std::string::npos);
  CHECK(hint(hmac_of(support::hmac_algorithm::sha1, notify, event, true), event).find("--encoding hex") !=
        std::string::npos);
  CHECK(hint(hmac_of(support::hmac_algorithm::sha1, "", event), event).find("the body alone") != std::string::npos);
  CHECK(hint("AAAA", event).find("no common mistake") != std::string::npos);
}

TEST_CASE("verify: flags are checked, and the exit status says the verdict") {
  CHECK_THROWS_AS(parse_verify_options({"--path", "/a", "--signature", "s"}), options_error);
  CHECK_THROWS_AS(parse_verify_options({"--key", "k", "--signature", "s"}), options_error);
  CHECK_THROWS_AS(parse_verify_options({"--key", "k", "--path", "/a"}), options_error);
  CHECK_THROWS_AS(parse_verify_options({"--key", "k", "--path", "hook", "--signature", "s"}), options_error);
  CHECK_THROWS_AS(parse_verify_options({"--key", "k", "--path", "/a", "--signature", "s", "--algo", "md5"}),
                  options_error);

  const std::string right = hmac_of(support::hmac_algorithm::sha1, notify, event);
  std::istringstream in(event);
  std::ostringstream out;
  std::ostringstream err;
  CHECK(run_verify({"--key", "k", "--path", notify, "--signature", right}, in, out, err) == 0);
  CHECK(out.str().starts_with("signature ok"));
  std::istringstream in2(event + "x");
  std::ostringstream out2;
  std::ostringstream err2;
  CHECK(run_verify({"--key", "k", "--path", notify, "--signature", right}, in2, out2, err2) == 1);
  CHECK(err2.str().starts_with("signature mismatch"));
  std::istringstream in3;
  std::ostringstream out3;
  std::ostringstream err3;
  CHECK(run_verify({"--key", "k"}, in3, out3, err3) == 2);
  CHECK(err3.str().starts_with("authsim verify: --path: missing"));
}

TEST_CASE("verify: --path takes a path or an http(s) URL, and keeps only the path") {
  const auto path_of = [](const std::string& value) {
    return parse_verify_options({"--key", "k", "--path", value, "--signature", "s"}).path;
  };
  CHECK(path_of("/hook?cb=http://x/y") == "/hook");
  CHECK(path_of("http://h:9000") == "/");
  CHECK(path_of("HTTPS://h:9000/a/b#frag") == "/a/b");
  CHECK(path_of("http://h:9000?x=/y") == "/");
  CHECK(path_of("http://h#a/b") == "/");
  CHECK_THROWS_AS(path_of("ftp://h/hook"), options_error);
}

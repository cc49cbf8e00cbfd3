#include "integration/helpers.hpp"
#include "support/https_client.hpp"
#include "support/server_process.hpp"
#include "support/temp_dir.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

using namespace authsim::testing;

namespace {

// Runs scripts/dev-cert.sh DIR; returns its exit status.
int dev_cert(const std::filesystem::path& dir) {
  const std::string cmd = std::string("bash '") + AUTHSIM_SOURCE_DIR + "/scripts/dev-cert.sh' '" + dir.string() +
                          "' >/dev/null 2>&1";
  const int status = std::system(cmd.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::vector<std::string> tls_args(const std::filesystem::path& dir) {
  return {"--tls-cert", (dir / "cert.pem").string(), "--tls-key", (dir / "key.pem").string()};
}

}  // namespace

TEST_SUITE("tls") {
  TEST_CASE("dev-cert.sh writes a pair that serves HTTPS, and plain HTTP still works on the same port") {
    temp_dir dir;
    REQUIRE(dev_cert(dir.path()) == 0);
    REQUIRE(std::filesystem::exists(dir.path() / "cert.pem"));
    REQUIRE(std::filesystem::exists(dir.path() / "key.pem"));
    // The key is a secret: readable by its owner only.
    const auto perms = std::filesystem::status(dir.path() / "key.pem").permissions();
    CHECK((perms & (std::filesystem::perms::group_all | std::filesystem::perms::others_all)) ==
          std::filesystem::perms::none);

    server_process server(tls_args(dir.path()));
    CHECK(server.listening_line() == "listening on https://127.0.0.1:" + std::to_string(server.port()));

    // The whole Credit Pay flow on one kept-alive TLS connection, the
    // certificate checked for "localhost" against the file the script wrote.
    const std::string body = identify_body();
    const auto issued = https_exchange(server.port(), (dir.path() / "cert.pem").string(), "localhost",
                                       {{"POST", identify_target, body, identify_headers(body)},
                                        {"GET", "/__admin/health", "", {}}});
    REQUIRE_MESSAGE(issued.error.empty(), issued.error);
    REQUIRE(issued.responses.size() == 2);
    CHECK(issued.responses[0].status == 200);
    const auto data = issued.responses[0].json().at("data").as_object();
    const std::string code(data.at("ident_code").as_string());
    // The code's url is the HTTPS address the client used.
    CHECK(std::string(data.at("url").as_string()).starts_with("https://127.0.0.1:" + std::to_string(server.port()) +
                                                                "/dg/oauth?ident_code="));
    CHECK(issued.responses[1].status == 200);

    const auto redeemed = https_exchange(server.port(), (dir.path() / "cert.pem").string(), "127.0.0.1",
                                         {{"POST", redirect_target, R"({"ident_code":")" + code + R"("})",
                                           {{"trace", "tls-2"}}}});
    REQUIRE_MESSAGE(redeemed.error.empty(), redeemed.error);
    CHECK(redeemed.responses.at(0).json().at("code") == 0);

    http_client plain(server.port());
    const auto login = plain.post(login_target, uocs_login_body());
    CHECK(login.status == 200);
    CHECK(login.json().at("success") == true);
  }

  TEST_CASE("a client that does not trust the certificate is refused, and the server goes on serving") {
    temp_dir dir;
    temp_dir other;
    REQUIRE(dev_cert(dir.path()) == 0);
    REQUIRE(dev_cert(other.path()) == 0);
    server_process server(tls_args(dir.path()));
    // Verified against another self-signed certificate: the handshake fails.
    const auto refused = https_exchange(server.port(), (other.path() / "cert.pem").string(), "localhost",
                                        {{"GET", "/__admin/health", "", {}}});
    CHECK_FALSE(refused.error.empty());
    CHECK(refused.error.find("handshake") != std::string::npos);
    // A name the certificate does not cover fails too.
    const auto wrong_name = https_exchange(server.port(), (dir.path() / "cert.pem").string(), "sim.example",
                                           {{"GET", "/__admin/health", "", {}}});
    CHECK(wrong_name.error.find("handshake") != std::string::npos);
    const auto fine = https_exchange(server.port(), (dir.path() / "cert.pem").string(), "localhost",
                                     {{"GET", "/__admin/health", "", {}}});
    REQUIRE_MESSAGE(fine.error.empty(), fine.error);
    CHECK(fine.responses.at(0).status == 200);
  }

  TEST_CASE("a missing, unreadable or mismatched certificate stops the start with exit 2 and the reason") {
    temp_dir a;
    temp_dir b;
    REQUIRE(dev_cert(a.path()) == 0);
    REQUIRE(dev_cert(b.path()) == 0);
    const std::string cert = (a.path() / "cert.pem").string();
    const std::string key = (a.path() / "key.pem").string();

    auto missing = run_to_exit({"--port", "0", "--fixtures", AUTHSIM_FIXTURES_DIR, "--tls-cert",
                                (a.path() / "nope.pem").string(), "--tls-key", key});
    CHECK(missing.status.code == 2);
    CHECK(missing.err.find("--tls-cert: no such file: ") != std::string::npos);

    const auto not_pem = a.write("junk.pem", "this is not a certificate\n");
    auto junk = run_to_exit({"--port", "0", "--fixtures", AUTHSIM_FIXTURES_DIR, "--tls-cert", not_pem.string(),
                             "--tls-key", key});
    CHECK(junk.status.code == 2);
    CHECK(junk.err.find("--tls-cert: cannot use " + not_pem.string() + " as a PEM certificate") != std::string::npos);

    auto mismatch = run_to_exit({"--port", "0", "--fixtures", AUTHSIM_FIXTURES_DIR, "--tls-cert", cert, "--tls-key",
                                 (b.path() / "key.pem").string()});
    CHECK(mismatch.status.code == 2);
    CHECK(mismatch.err.find("is not the private key of the certificate") != std::string::npos);

    auto half = run_to_exit({"--port", "0", "--tls-cert", cert});
    CHECK(half.status.code == 2);
    CHECK(half.err == "authsim: --tls-cert: needs --tls-key too (the certificate's private key)\n");
  }

  TEST_CASE("dev-cert.sh does not overwrite an existing pair") {
    temp_dir dir;
    REQUIRE(dev_cert(dir.path()) == 0);
    std::ifstream before_in(dir.path() / "cert.pem");
    std::stringstream before;
    before << before_in.rdbuf();
    CHECK(dev_cert(dir.path()) != 0);
    std::ifstream after_in(dir.path() / "cert.pem");
    std::stringstream after;
    after << after_in.rdbuf();
    CHECK(before.str() == after.str());
  }
}

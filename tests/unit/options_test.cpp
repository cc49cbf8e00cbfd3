#include "app/options.hpp"
#include "redis/address.hpp"

#include <doctest/doctest.h>

#include <map>
#include <optional>
#include <string>

using namespace authsim::app;

TEST_CASE("defaults: loopback, port 8080, ./fixtures, 64 KiB bodies, one thread per core") {
  const options o = parse_options({});
  CHECK(o.host == "127.0.0.1");
  CHECK(o.port == 8080);
  CHECK(o.fixtures_dir == "fixtures");
  CHECK(o.public_base_url.empty());
  CHECK(o.threads >= 1);
  CHECK(o.body_limit == 65536);
  CHECK(o.read_timeout.count() == 10'000);
}

TEST_CASE("flags take a value after a space or an equals sign") {
  const options o = parse_options({"--host", "::1", "--port=0", "--fixtures", "fx", "--threads=3",
                                   "--public-base-url", "https://sim.example/", "--body-limit", "100",
                                   "--read-timeout-ms=250", "--shutdown-timeout-ms", "0"});
  CHECK(o.host == "::1");
  CHECK(o.port == 0);
  CHECK(o.fixtures_dir == "fx");
  CHECK(o.threads == 3);
  CHECK(o.public_base_url == "https://sim.example");
  CHECK(o.body_limit == 100);
  CHECK(o.read_timeout.count() == 250);
  CHECK(o.shutdown_timeout.count() == 0);
}

TEST_CASE("bad flags are refused with a message naming the flag") {
  CHECK_THROWS_WITH_AS(parse_options({"--port", "70000"}),
                       "--port: expected an integer from 0 to 65535, got '70000'", options_error);
  CHECK_THROWS_WITH_AS(parse_options({"--port", "12x"}), "--port: expected an integer from 0 to 65535, got '12x'",
                       options_error);
  CHECK_THROWS_WITH_AS(parse_options({"--threads", "0"}), "--threads: expected an integer from 1 to 256, got '0'",
                       options_error);
  CHECK_THROWS_WITH_AS(parse_options({"--port"}), "--port: missing value", options_error);
  CHECK_THROWS_WITH_AS(parse_options({"--frobnicate"}), "--frobnicate: unknown option (see --help)", options_error);
  CHECK_THROWS_WITH_AS(parse_options({"--help=yes"}), "--help: takes no value", options_error);
  CHECK_THROWS_WITH_AS(parse_options({"--public-base-url", "sim.example"}),
                       "--public-base-url: expected an http:// or https:// URL with a host, got 'sim.example'",
                       options_error);
  CHECK_THROWS_AS(parse_options({"--public-base-url", "http://"}), options_error);
}

TEST_CASE("help and version are recognised") {
  CHECK(parse_options({"--help"}).show_help);
  CHECK(parse_options({"-h"}).show_help);
  CHECK(parse_options({"--version"}).show_version);
  CHECK(usage().find("--public-base-url") != std::string::npos);
}

namespace {

env_lookup env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    const auto it = vars.find(name);
    if (it == vars.end()) {
      return std::nullopt;
    }
    return it->second;
  };
}

}  // namespace

TEST_CASE("each flag's environment variable is AUTHSIM_ and the flag's name in capitals") {
  CHECK(env_name("--read-timeout-ms") == "AUTHSIM_READ_TIMEOUT_MS");
  CHECK(env_name("--port") == "AUTHSIM_PORT");
  CHECK(env_name("--no-admin") == "AUTHSIM_NO_ADMIN");
}

TEST_CASE("every flag can come from the environment") {
  const options o = parse_options(
      {}, env_of({{"AUTHSIM_HOST", "0.0.0.0"},            {"AUTHSIM_PORT", "9090"},
                  {"AUTHSIM_FIXTURES", "/fixtures"},       {"AUTHSIM_PUBLIC_BASE_URL", "http://localhost:9090/"},
                  {"AUTHSIM_THREADS", "2"},                {"AUTHSIM_BODY_LIMIT", "1000"},
                  {"AUTHSIM_READ_TIMEOUT_MS", "111"},      {"AUTHSIM_IDLE_TIMEOUT_MS", "222"},
                  {"AUTHSIM_HEADER_LIMIT", "2048"},        {"AUTHSIM_MAX_CONNECTIONS", "7"},
                  {"AUTHSIM_MAX_CODES", "8"},              {"AUTHSIM_MAX_TOKENS", "9"},
                  {"AUTHSIM_SHUTDOWN_TIMEOUT_MS", "10"},   {"AUTHSIM_SCENARIO", "slow"},
                  {"AUTHSIM_ADMIN_TOKEN", "t0k"},          {"AUTHSIM_NO_ADMIN", "true"},
                  {"AUTHSIM_ADMIN_OPEN", "1"},             {"AUTHSIM_JOURNAL_SIZE", "5"},
                  {"AUTHSIM_SEED", "42"},                  {"AUTHSIM_TLS_CERT", "c.pem"},
                  {"AUTHSIM_TLS_KEY", "k.pem"},            {"AUTHSIM_LOG_LEVEL", "debug"},
                  {"AUTHSIM_LOG_FORMAT", "text"},          {"AUTHSIM_STATE", "redis://cache:6380/2"},
                  {"AUTHSIM_STATE_PREFIX", "team-a"},      {"AUTHSIM_STATE_TIMEOUT_MS", "250"}}));
  CHECK(o.host == "0.0.0.0");
  CHECK(o.port == 9090);
  CHECK(o.fixtures_dir == "/fixtures");
  CHECK(o.public_base_url == "http://localhost:9090");
  CHECK(o.threads == 2);
  CHECK(o.body_limit == 1000);
  CHECK(o.read_timeout.count() == 111);
  CHECK(o.idle_timeout.count() == 222);
  CHECK(o.header_limit == 2048);
  CHECK(o.max_connections == 7);
  CHECK(o.max_codes == 8);
  CHECK(o.max_tokens == 9);
  CHECK(o.shutdown_timeout.count() == 10);
  CHECK(o.scenario == "slow");
  CHECK(o.admin_token == "t0k");
  CHECK_FALSE(o.admin_enabled);
  CHECK(o.admin_open);
  CHECK(o.journal_size == 5);
  CHECK(o.seed == 42U);
  CHECK(o.tls_cert == "c.pem");
  CHECK(o.tls_key == "k.pem");
  CHECK(o.log_level == authsim::support::log_level::debug);
  CHECK(o.log_format == authsim::support::log_format::text);
  CHECK(o.state == "redis://cache:6380/2");
  CHECK(o.state_prefix == "team-a");
  CHECK(o.state_timeout.count() == 250);
}

TEST_CASE("--state is memory by default, or a Redis address checked before anything starts") {
  const options defaults = parse_options({});
  CHECK(defaults.state == "memory");
  CHECK(defaults.state_prefix == "authsim");
  CHECK(defaults.state_timeout.count() == 1000);
  CHECK(parse_options({"--state", "unix:///run/redis/redis.sock"}).state == "unix:///run/redis/redis.sock");
  CHECK(parse_options({"--state=redis://[::1]:6379/0"}).state == "redis://[::1]:6379/0");
  const auto refused = [](std::vector<std::string> args) {
    try {
      parse_options(args);
    } catch (const options_error& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  CHECK(refused({"--state", "mysql://x"}).find("expected memory, redis://HOST[:PORT][/DB] or unix:///PATH") !=
        std::string::npos);
  CHECK(refused({"--state", "redis://host:0"}).find("the port is a number from 1 to 65535") != std::string::npos);
  CHECK(refused({"--state", "redis://host/16"}).find("database number from 0 to 15") != std::string::npos);
  CHECK(refused({"--state", "redis://user:pw@host"}).find("passwords are not supported") != std::string::npos);
  CHECK(refused({"--state", "unix://relative.sock"}).find("absolute path") != std::string::npos);
  CHECK(refused({"--state-prefix", "a:b"}).find("--state-prefix: expected 1 to 64 letters") != std::string::npos);
  CHECK(refused({"--state-prefix", "{x}"}).find("--state-prefix") != std::string::npos);
  CHECK(refused({"--state-timeout-ms", "5"}).find("--state-timeout-ms") != std::string::npos);
  CHECK(defaults.state_lease.count() == 10'000);
  CHECK(parse_options({"--state-lease-ms", "300"}).state_lease.count() == 300);
  CHECK(refused({"--state-lease-ms", "299"}).find("--state-lease-ms") != std::string::npos);
  CHECK(refused({"--state-lease-ms", "600001"}).find("--state-lease-ms") != std::string::npos);
}

TEST_CASE("a Redis address names host, port, database or socket") {
  std::string error;
  const auto tcp = authsim::redis::parse_address("redis://cache.internal:6380/3", error);
  REQUIRE(tcp);
  CHECK(tcp->host == "cache.internal");
  CHECK(tcp->port == 6380);
  CHECK(tcp->db == 3);
  CHECK(tcp->socket_path.empty());
  const auto plain = authsim::redis::parse_address("redis://localhost", error);
  REQUIRE(plain);
  CHECK(plain->port == 6379);
  CHECK(plain->db == 0);
  const auto v6 = authsim::redis::parse_address("redis://[::1]:7000", error);
  REQUIRE(v6);
  CHECK(v6->host == "::1");
  CHECK(v6->port == 7000);
  const auto local = authsim::redis::parse_address("unix:///tmp/r.sock?db=4", error);
  REQUIRE(local);
  CHECK(local->socket_path == "/tmp/r.sock");
  CHECK(local->db == 4);
  CHECK_FALSE(authsim::redis::parse_address("redis://", error));
  CHECK(error.find("no host") != std::string::npos);
}

TEST_CASE("a flag on the command line wins over its environment variable") {
  const options o = parse_options({"--port", "7000", "--log-format=json"},
                                  env_of({{"AUTHSIM_PORT", "9090"}, {"AUTHSIM_LOG_FORMAT", "text"}}));
  CHECK(o.port == 7000);
  CHECK(o.log_format == authsim::support::log_format::json);
}

TEST_CASE("an empty variable counts as unset, and a switch variable can say no") {
  const options o = parse_options({}, env_of({{"AUTHSIM_PORT", ""}, {"AUTHSIM_NO_ADMIN", "false"},
                                              {"AUTHSIM_ADMIN_OPEN", "0"}, {"AUTHSIM_SCENARIO", ""}}));
  CHECK(o.port == 8080);
  CHECK(o.admin_enabled);
  CHECK_FALSE(o.admin_open);
  CHECK(o.scenario.empty());
}

TEST_CASE("a bad environment value is refused naming the variable") {
  CHECK_THROWS_WITH_AS(parse_options({}, env_of({{"AUTHSIM_PORT", "http"}})),
                       "AUTHSIM_PORT: expected an integer from 0 to 65535, got 'http'", options_error);
  CHECK_THROWS_WITH_AS(parse_options({}, env_of({{"AUTHSIM_NO_ADMIN", "maybe"}})),
                       "AUTHSIM_NO_ADMIN: expected 1, true, yes, 0, false or no, got 'maybe'", options_error);
  CHECK_THROWS_WITH_AS(parse_options({}, env_of({{"AUTHSIM_LOG_LEVEL", "loud"}})),
                       "AUTHSIM_LOG_LEVEL: expected error, warn, info or debug, got 'loud'", options_error);
}

TEST_CASE("--help and --version have no environment variable") {
  const options o = parse_options({}, env_of({{"AUTHSIM_HELP", "1"}, {"AUTHSIM_VERSION", "1"}}));
  CHECK_FALSE(o.show_help);
  CHECK_FALSE(o.show_version);
}

TEST_CASE("logging defaults to JSON lines at info, bad values name the flag") {
  const options o = parse_options({});
  CHECK(o.log_level == authsim::support::log_level::info);
  CHECK(o.log_format == authsim::support::log_format::json);
  CHECK(parse_options({"--log-level", "warn"}).log_level == authsim::support::log_level::warn);
  CHECK_THROWS_WITH_AS(parse_options({"--log-format", "xml"}), "--log-format: expected json or text, got 'xml'",
                       options_error);
}

TEST_CASE("--tls-cert and --tls-key are given together or not at all") {
  CHECK_THROWS_WITH_AS(parse_options({"--tls-cert", "c.pem"}),
                       "--tls-cert: needs --tls-key too (the certificate's private key)", options_error);
  CHECK_THROWS_WITH_AS(parse_options({"--tls-key", "k.pem"}),
                       "--tls-key: needs --tls-cert too (the certificate that goes with the key)", options_error);
  const options o = parse_options({"--tls-cert", "c.pem", "--tls-key", "k.pem"});
  CHECK(o.tls_cert == "c.pem");
  CHECK(o.tls_key == "k.pem");
}

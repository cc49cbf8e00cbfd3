#include "app/options.hpp"

#include <doctest/doctest.h>

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

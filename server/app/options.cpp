#include "app/options.hpp"

#include "support/validate.hpp"

#include <algorithm>
#include <charconv>
#include <limits>
#include <thread>

namespace authsim::app {

namespace {

std::uint64_t parse_unsigned(const std::string& flag, const std::string& value, std::uint64_t min,
                             std::uint64_t max) {
  std::uint64_t out = 0;
  const char* end = value.data() + value.size();
  const auto [ptr, ec] = std::from_chars(value.data(), end, out);
  if (value.empty() || ec != std::errc() || ptr != end || out < min || out > max) {
    throw options_error(flag + ": expected an integer from " + std::to_string(min) + " to " +
                        std::to_string(max) + ", got '" + value + "'");
  }
  return out;
}

}  // namespace

std::string usage() {
  return R"(Usage: authsim [OPTIONS]

Simulates the Credit Pay and UOCS authentication APIs for integration tests.

Options:
  --host ADDRESS            address to listen on (default 127.0.0.1; 0.0.0.0 or :: for all)
  --port N                  port to listen on (default 8080; 0 picks a free port)
  --fixtures DIR            fixtures directory (default ./fixtures)
  --public-base-url URL     base of the `url` in issued codes (default http://HOST:PORT)
  --threads N               worker threads (default: one per core)
  --body-limit BYTES        largest accepted request body (default 65536)
  --read-timeout-ms MS      time allowed to receive one whole request, from its
                            first byte (default 10000)
  --idle-timeout-ms MS      how long a kept-alive connection may wait for the
                            next request (default 30000)
  --header-limit BYTES      largest accepted request header block (default 8192)
  --max-connections N       connections served at once; more are answered 503
                            and closed (default 1024)
  --max-codes N             Credit Pay codes held at once; when full the one
                            closest to expiry goes first (default 100000)
  --max-tokens N            UOCS tokens held at once, likewise (default 100000)
  --shutdown-timeout-ms MS  on SIGINT/SIGTERM, how long in-flight requests may
                            take to finish before the process exits (default 5000)
  --scenario NAME           start with scenario NAME (FIXTURES/scenarios/NAME.json) active
  --seed N                  seed of the scenarios' random choices (probability,
                            delays), to replay a run; default: drawn and logged
  --admin-token T           require "Authorization: Bearer T" on every /__admin call
  --no-admin                turn the /__admin API off
  --admin-open              serve /__admin without a token on a non-loopback address
  --journal-size N          requests kept in the admin journal (default 1000)
  -h, --help                print this help and exit
  --version                 print the version and exit

Once bound, the first line on stdout is: listening on http://HOST:PORT
)";
}

options parse_options(const std::vector<std::string>& args) {
  options opts;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string flag = args[i];
    std::string value;
    bool has_value = false;
    if (const std::size_t eq = flag.find('='); flag.starts_with("--") && eq != std::string::npos) {
      value = flag.substr(eq + 1);
      flag = flag.substr(0, eq);
      has_value = true;
    }
    auto take_value = [&]() -> const std::string& {
      if (!has_value) {
        if (i + 1 >= args.size()) {
          throw options_error(flag + ": missing value");
        }
        value = args[++i];
        has_value = true;
      }
      return value;
    };
    auto no_value = [&] {
      if (has_value) {
        throw options_error(flag + ": takes no value");
      }
    };

    if (flag == "--help" || flag == "-h") {
      no_value();
      opts.show_help = true;
    } else if (flag == "--version") {
      no_value();
      opts.show_version = true;
    } else if (flag == "--host") {
      opts.host = take_value();
      if (opts.host.empty()) {
        throw options_error("--host: expected an address, got an empty value");
      }
    } else if (flag == "--port") {
      opts.port = static_cast<std::uint16_t>(parse_unsigned(flag, take_value(), 0, 65535));
    } else if (flag == "--fixtures") {
      opts.fixtures_dir = take_value();
      if (opts.fixtures_dir.empty()) {
        throw options_error("--fixtures: expected a directory, got an empty value");
      }
    } else if (flag == "--public-base-url") {
      std::string url = take_value();
      if (!support::is_http_url(url)) {
        throw options_error("--public-base-url: expected an http:// or https:// URL with a host, got '" + url + "'");
      }
      while (url.ends_with('/')) {
        url.pop_back();
      }
      opts.public_base_url = url;
    } else if (flag == "--threads") {
      opts.threads = static_cast<unsigned>(parse_unsigned(flag, take_value(), 1, 256));
    } else if (flag == "--body-limit") {
      opts.body_limit = parse_unsigned(flag, take_value(), 1, 64ULL * 1024 * 1024);
    } else if (flag == "--read-timeout-ms") {
      opts.read_timeout = std::chrono::milliseconds(parse_unsigned(flag, take_value(), 1, 3'600'000));
    } else if (flag == "--idle-timeout-ms") {
      opts.idle_timeout = std::chrono::milliseconds(parse_unsigned(flag, take_value(), 1, 3'600'000));
    } else if (flag == "--header-limit") {
      opts.header_limit = parse_unsigned(flag, take_value(), 1024, 1024 * 1024);
    } else if (flag == "--max-connections") {
      opts.max_connections = parse_unsigned(flag, take_value(), 1, 100'000);
    } else if (flag == "--max-codes") {
      opts.max_codes = parse_unsigned(flag, take_value(), 1, 10'000'000);
    } else if (flag == "--max-tokens") {
      opts.max_tokens = parse_unsigned(flag, take_value(), 1, 10'000'000);
    } else if (flag == "--shutdown-timeout-ms") {
      opts.shutdown_timeout = std::chrono::milliseconds(parse_unsigned(flag, take_value(), 0, 600'000));
    } else if (flag == "--scenario") {
      opts.scenario = take_value();
      if (opts.scenario.empty()) {
        throw options_error("--scenario: expected a scenario name, got an empty value");
      }
    } else if (flag == "--admin-token") {
      opts.admin_token = take_value();
      if (opts.admin_token.empty()) {
        throw options_error("--admin-token: expected a token, got an empty value");
      }
    } else if (flag == "--no-admin") {
      no_value();
      opts.admin_enabled = false;
    } else if (flag == "--admin-open") {
      no_value();
      opts.admin_open = true;
    } else if (flag == "--journal-size") {
      opts.journal_size = parse_unsigned(flag, take_value(), 1, 1'000'000);
    } else if (flag == "--seed") {
      opts.seed = parse_unsigned(flag, take_value(), 0, std::numeric_limits<std::uint64_t>::max());
    } else {
      throw options_error(flag + ": unknown option (see --help)");
    }
  }
  if (opts.threads == 0) {
    opts.threads = std::max(1U, std::thread::hardware_concurrency());
  }
  return opts;
}

}  // namespace authsim::app

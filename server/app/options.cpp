#include "app/options.hpp"

#include "redis/address.hpp"

#include "support/text.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <limits>
#include <thread>

namespace authsim::app {

std::string usage() {
  return R"(Usage: authsim [OPTIONS]
       authsim sign --key KEY [--path PATH] [--algo sha1|sha256] [--encoding base64|hex] < BODY
       authsim verify --key KEY --path PATH --signature SIG [--algo sha1|sha256] [--encoding base64|hex] < BODY
       authsim curl-example [--fixtures DIR] [--base-url URL] [--platform PLAT_ID]

Simulates the Credit Pay and UOCS authentication APIs for integration tests.
`authsim sign` prints the Credit Pay signature of the body on stdin;
`authsim verify` checks the signature of a call Credit Pay made to a platform;
`authsim curl-example` prints a signed, ready-to-run identify request.

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
  --state BACKEND           where run-time state lives: memory (default, this
                            process) or a Redis shared by several replicas:
                            redis://HOST[:PORT][/DB] or unix:///PATH[?db=N]
  --state-prefix NAME       namespace of every Redis key, so that independent
                            sandboxes can share one Redis (default authsim)
  --state-timeout-ms MS     deadline of one call to Redis; a request whose
                            state does not answer in time gets 503 (default 1000)
  --state-lease-ms MS       with Redis: how long a replica's claim on a job
                            (a webhook, a push) holds without being renewed;
                            a replica that dies mid-job loses it after this
                            and another runs the job (default 10000)
  --tls-cert FILE           PEM certificate (chain); with --tls-key, the port
                            also speaks HTTPS (plain HTTP keeps working)
  --tls-key FILE            PEM private key of --tls-cert
  --outbound-ca FILE        PEM certificate(s) trusted for calls to partners'
                            https endpoints, besides the system's store
  --outbound-max-calls N    calls to partners' endpoints at once; more wait
                            for a slot until their deadline (default 64)
  --outbound-max-answer-bytes BYTES
                            largest answer read from a partner's endpoint
                            (default 1048576)
  --log-level LEVEL         error, warn, info (default: one line per request)
                            or debug (admin calls too)
  --log-format FORMAT       json (default: one JSON object per line) or text
  -h, --help                print this help and exit
  --version                 print the version and exit

Every option but -h and --version may also be set by its environment
variable: --read-timeout-ms is AUTHSIM_READ_TIMEOUT_MS. A flag on the command
line wins; an empty variable counts as unset; a switch takes 1/true/yes or
0/false/no.

Once bound, the first line on stdout is: listening on http://HOST:PORT
)";
}

namespace {

// Every flag the server takes. Actions (--help, --version) have no
// environment variable: a variable should configure, not change what runs.
constexpr flag_spec flag_table[] = {
    {"--help", flag_kind::action},          {"-h", flag_kind::action},
    {"--version", flag_kind::action},       {"--host", flag_kind::value},
    {"--port", flag_kind::value},           {"--fixtures", flag_kind::value},
    {"--public-base-url", flag_kind::value}, {"--threads", flag_kind::value},
    {"--body-limit", flag_kind::value},     {"--read-timeout-ms", flag_kind::value},
    {"--idle-timeout-ms", flag_kind::value}, {"--header-limit", flag_kind::value},
    {"--max-connections", flag_kind::value}, {"--max-codes", flag_kind::value},
    {"--max-tokens", flag_kind::value},     {"--shutdown-timeout-ms", flag_kind::value},
    {"--scenario", flag_kind::value},       {"--admin-token", flag_kind::value},
    {"--no-admin", flag_kind::toggle},      {"--admin-open", flag_kind::toggle},
    {"--journal-size", flag_kind::value},   {"--seed", flag_kind::value},
    {"--state", flag_kind::value},          {"--state-prefix", flag_kind::value},
    {"--state-timeout-ms", flag_kind::value},
    {"--state-lease-ms", flag_kind::value},
    {"--tls-cert", flag_kind::value},       {"--tls-key", flag_kind::value},
    {"--outbound-ca", flag_kind::value},    {"--outbound-max-calls", flag_kind::value},
    {"--outbound-max-answer-bytes", flag_kind::value},
    {"--log-level", flag_kind::value},      {"--log-format", flag_kind::value},
};

std::string non_empty(const std::string& label, const std::string& value, const char* what) {
  if (value.empty()) {
    throw options_error(label + ": expected " + what + ", got an empty value");
  }
  return value;
}

std::string parse_state(const std::string& label, const std::string& value) {
  if (value == "memory") {
    return value;
  }
  std::string error;
  if (!redis::parse_address(value, error)) {
    throw options_error(label + ": " + error);
  }
  return value;
}

// A prefix goes inside Redis's hash-tag braces: letters, digits, '-', '_'
// and '.' only, so that keys stay readable and one prefix cannot reach into
// another's keys.
std::string parse_state_prefix(const std::string& label, const std::string& value) {
  const bool fits = !value.empty() && value.size() <= 64 && std::all_of(value.begin(), value.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_' || c == '.';
  });
  if (!fits) {
    throw options_error(label + ": expected 1 to 64 letters, digits, '-', '_' or '.', got '" + value + "'");
  }
  return value;
}

// Sets one valued flag; `label` is what errors name: the flag, or the
// environment variable it came from.
void apply_value(options& opts, std::string_view flag, const std::string& value, const std::string& label) {
  if (flag == "--host") {
    opts.host = non_empty(label, value, "an address");
  } else if (flag == "--port") {
    opts.port = static_cast<std::uint16_t>(parse_unsigned(label, value, 0, 65535));
  } else if (flag == "--fixtures") {
    opts.fixtures_dir = non_empty(label, value, "a directory");
  } else if (flag == "--public-base-url") {
    opts.public_base_url = parse_base_url(label, value);
  } else if (flag == "--threads") {
    opts.threads = static_cast<unsigned>(parse_unsigned(label, value, 1, 256));
  } else if (flag == "--body-limit") {
    opts.body_limit = parse_unsigned(label, value, 1, 64ULL * 1024 * 1024);
  } else if (flag == "--read-timeout-ms") {
    opts.read_timeout = std::chrono::milliseconds(parse_unsigned(label, value, 1, 3'600'000));
  } else if (flag == "--idle-timeout-ms") {
    opts.idle_timeout = std::chrono::milliseconds(parse_unsigned(label, value, 1, 3'600'000));
  } else if (flag == "--header-limit") {
    opts.header_limit = parse_unsigned(label, value, 1024, 1024 * 1024);
  } else if (flag == "--max-connections") {
    opts.max_connections = parse_unsigned(label, value, 1, 100'000);
  } else if (flag == "--max-codes") {
    opts.max_codes = parse_unsigned(label, value, 1, 10'000'000);
  } else if (flag == "--max-tokens") {
    opts.max_tokens = parse_unsigned(label, value, 1, 10'000'000);
  } else if (flag == "--shutdown-timeout-ms") {
    opts.shutdown_timeout = std::chrono::milliseconds(parse_unsigned(label, value, 0, 600'000));
  } else if (flag == "--scenario") {
    opts.scenario = non_empty(label, value, "a scenario name");
  } else if (flag == "--admin-token") {
    opts.admin_token = non_empty(label, value, "a token");
  } else if (flag == "--journal-size") {
    opts.journal_size = parse_unsigned(label, value, 1, 1'000'000);
  } else if (flag == "--state") {
    opts.state = parse_state(label, value);
  } else if (flag == "--state-prefix") {
    opts.state_prefix = parse_state_prefix(label, value);
  } else if (flag == "--state-timeout-ms") {
    opts.state_timeout = std::chrono::milliseconds(parse_unsigned(label, value, 10, 60'000));
  } else if (flag == "--state-lease-ms") {
    opts.state_lease = std::chrono::milliseconds(parse_unsigned(label, value, 300, 600'000));
  } else if (flag == "--seed") {
    opts.seed = parse_unsigned(label, value, 0, std::numeric_limits<std::uint64_t>::max());
  } else if (flag == "--tls-cert") {
    opts.tls_cert = non_empty(label, value, "a PEM certificate file");
  } else if (flag == "--tls-key") {
    opts.tls_key = non_empty(label, value, "a PEM private key file");
  } else if (flag == "--outbound-ca") {
    opts.outbound_ca = non_empty(label, value, "a PEM certificate file");
  } else if (flag == "--outbound-max-calls") {
    opts.outbound_max_calls = parse_unsigned(label, value, 1, 10'000);
  } else if (flag == "--outbound-max-answer-bytes") {
    opts.outbound_max_answer_bytes = parse_unsigned(label, value, 1024, 64ULL * 1024 * 1024);
  } else if (flag == "--log-level") {
    const auto level = support::parse_log_level(value);
    if (!level) {
      throw options_error(label + ": expected error, warn, info or debug, got '" + value + "'");
    }
    opts.log_level = *level;
  } else if (flag == "--log-format") {
    const auto format = support::parse_log_format(value);
    if (!format) {
      throw options_error(label + ": expected json or text, got '" + value + "'");
    }
    opts.log_format = *format;
  }
}

void apply_toggle(options& opts, std::string_view flag, bool on) {
  if (flag == "--no-admin") {
    opts.admin_enabled = !on;
  } else if (flag == "--admin-open") {
    opts.admin_open = on;
  }
}

bool parse_switch(const std::string& label, const std::string& value) {
  const std::string v = support::ascii_lower(value);
  if (v == "1" || v == "true" || v == "yes") return true;
  if (v.empty() || v == "0" || v == "false" || v == "no") return false;
  throw options_error(label + ": expected 1, true, yes, 0, false or no, got '" + value + "'");
}

}  // namespace

std::optional<std::string> process_env(const std::string& name) {
  if (const char* value = std::getenv(name.c_str())) {
    return std::string(value);
  }
  return std::nullopt;
}

std::string env_name(std::string_view flag) {
  std::string out = "AUTHSIM_";
  for (const char c : flag.substr(flag.find_first_not_of('-'))) {
    out.push_back(c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  return out;
}

options parse_options(const std::vector<std::string>& args, const env_lookup& env) {
  options opts;
  // The environment first, the command line after it: a flag given on the
  // command line overwrites what its variable said.
  if (env) {
    for (const auto& spec : flag_table) {
      if (spec.kind == flag_kind::action) {
        continue;
      }
      const std::string var = env_name(spec.name);
      const std::optional<std::string> value = env(var);
      // An empty variable counts as unset, as compose files leave
      // `AUTHSIM_X=${X}` empty when X is not set.
      if (!value || value->empty()) {
        continue;
      }
      if (spec.kind == flag_kind::toggle) {
        apply_toggle(opts, spec.name, parse_switch(var, *value));
      } else {
        apply_value(opts, spec.name, *value, var);
      }
    }
  }
  walk_flags(args, flag_table, [&opts](const flag_spec& spec, const std::string& value) {
    const std::string_view flag = spec.name;
    if (flag == "--help" || flag == "-h") {
      opts.show_help = true;
    } else if (flag == "--version") {
      opts.show_version = true;
    } else if (spec.kind == flag_kind::toggle) {
      apply_toggle(opts, flag, true);
    } else {
      apply_value(opts, flag, value, spec.name);
    }
  });
  if (opts.tls_cert.empty() != opts.tls_key.empty()) {
    throw options_error(opts.tls_cert.empty() ? "--tls-key: needs --tls-cert too (the certificate that goes with the key)"
                                              : "--tls-cert: needs --tls-key too (the certificate's private key)");
  }
  if (opts.threads == 0) {
    opts.threads = std::max(1U, std::thread::hardware_concurrency());
  }
  return opts;
}

}  // namespace authsim::app

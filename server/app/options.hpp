#pragma once
// Command-line options. Parsing is pure (no I/O) so that every flag and every
// error message is unit-tested.

#include "app/flags.hpp"
#include "support/log.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace authsim::app {

struct options {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;
  std::string fixtures_dir = "fixtures";
  std::string public_base_url;  // empty: http://HOST:PORT once bound
  unsigned threads = 0;         // 0: one per core
  std::size_t body_limit = 64 * 1024;
  std::chrono::milliseconds read_timeout{10'000};
  std::chrono::milliseconds idle_timeout{30'000};
  std::size_t header_limit = 8 * 1024;
  std::size_t max_connections = 1024;
  std::size_t max_codes = 100'000;
  std::size_t max_tokens = 100'000;
  std::chrono::milliseconds shutdown_timeout{5'000};
  std::string scenario;                // empty: no active scenario
  std::string admin_token;             // empty: no token required
  bool admin_enabled = true;           // --no-admin turns it off
  bool admin_open = false;             // --admin-open: serve admin without a token off loopback
  std::size_t journal_size = 1000;
  // Where run-time state lives: "memory" (this process) or a Redis address
  // (redis://HOST[:PORT][/DB], unix:///PATH) shared by several replicas.
  std::string state = "memory";
  std::string state_prefix = "authsim";  // namespaces every Redis key
  std::chrono::milliseconds state_timeout{1'000};  // deadline of one call to Redis
  std::chrono::milliseconds state_lease{10'000};   // a job claim's lease in the shared schedule
  std::optional<std::uint64_t> seed;   // empty: drawn at start and logged
  std::string tls_cert;                // PEM files; both set: TLS is served too
  std::string tls_key;
  // Calls to partners' endpoints (credit limit, webhooks).
  std::string outbound_ca;             // PEM file trusted besides the system's store
  std::size_t outbound_max_calls = 64;
  std::size_t outbound_max_answer_bytes = 1024 * 1024;
  support::log_level log_level = support::log_level::info;
  support::log_format log_format = support::log_format::json;
  bool show_help = false;
  bool show_version = false;
};

// Looks up an environment variable; empty optional when it is not set.
using env_lookup = std::function<std::optional<std::string>(const std::string& name)>;

// The process environment, through getenv.
std::optional<std::string> process_env(const std::string& name);

// The variable that stands for a flag: "--read-timeout-ms" is
// AUTHSIM_READ_TIMEOUT_MS.
std::string env_name(std::string_view flag);

// Accepts "--flag value" and "--flag=value". Every flag but --help and
// --version may also come from its AUTHSIM_* variable; a flag on the command
// line wins over its variable. A switch (--no-admin, --admin-open) is on
// when its variable is 1, true or yes, off when 0, false, no or empty.
options parse_options(const std::vector<std::string>& args, const env_lookup& env = {});

std::string usage();

}  // namespace authsim::app

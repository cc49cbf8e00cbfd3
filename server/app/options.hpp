#pragma once
// Command-line options. Parsing is pure (no I/O) so that every flag and every
// error message is unit-tested.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
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
  std::optional<std::uint64_t> seed;   // empty: drawn at start and logged
  bool show_help = false;
  bool show_version = false;
};

// A bad flag or value; what() is one line naming the flag.
class options_error : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// Accepts "--flag value" and "--flag=value".
options parse_options(const std::vector<std::string>& args);

std::string usage();

}  // namespace authsim::app

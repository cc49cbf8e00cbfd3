#pragma once
// Runs the real authsim binary for one test: starts it on port 0, waits for
// its "listening on" line (never sleeps for readiness), and stops it when
// the test ends. stderr goes to a file the test can read.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <sys/types.h>

namespace authsim::testing {

// How a finished process ended.
struct exit_status {
  bool exited = false;  // true: normal exit with `code`; false: killed by `signal`
  int code = -1;
  int signal = 0;
};

class server_process {
 public:
  // Starts AUTHSIM_BINARY with `args` plus, unless the args set them,
  // --port 0 and the default fixtures. Throws when it does not print its
  // listening line within 20 s.
  explicit server_process(std::vector<std::string> args = {});
  // The same, with environment variables set for the server only.
  server_process(std::vector<std::string> args, const std::vector<std::pair<std::string, std::string>>& env);
  server_process(const server_process&) = delete;
  server_process& operator=(const server_process&) = delete;
  // Sends SIGTERM if still running, then waits (SIGKILL after 10 s).
  ~server_process();

  [[nodiscard]] std::uint16_t port() const { return port_; }
  [[nodiscard]] const std::string& listening_line() const { return line_; }
  [[nodiscard]] pid_t pid() const { return pid_; }

  // Sends `signo` and waits up to `timeout` for the exit.
  std::optional<exit_status> stop(int signo, std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Sends `signo` and returns at once.
  void signal(int signo) const;
  // Waits up to `timeout` for the process to exit.
  std::optional<exit_status> wait_exit(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Polls stderr until it contains `text`, at most `timeout`; true if seen.
  [[nodiscard]] bool wait_for_stderr(const std::string& text,
                                     std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;
  [[nodiscard]] std::string stderr_text() const;

 private:
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
  std::string line_;
  std::string stderr_path_;
  bool finished_ = false;
};

// Runs the binary to completion (for --help, bad flags, bad fixtures) and
// returns its exit status, stdout and stderr. Bounded by `timeout`.
struct run_result {
  exit_status status;
  std::string out;
  std::string err;
};
run_result run_to_exit(const std::vector<std::string>& args,
                       std::chrono::milliseconds timeout = std::chrono::seconds(20));

// The same, with `input` on its stdin and `env` set for it only; `args`
// are passed as they are (no --port or --fixtures added).
run_result run_to_exit(const std::vector<std::string>& args, const std::string& input,
                       const std::vector<std::pair<std::string, std::string>>& env,
                       std::chrono::milliseconds timeout = std::chrono::seconds(20));

}  // namespace authsim::testing

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

// Where the server's stderr goes: a file the test reads at will, or a
// pipe the test reads only when it chooses to (or never).
enum class stderr_sink { file, pipe };

class server_process {
 public:
  // Starts AUTHSIM_BINARY with `args` plus, unless the args set them,
  // --port 0 and the default fixtures. Throws when it does not print its
  // listening line within 20 s.
  explicit server_process(std::vector<std::string> args = {});
  // The same, with environment variables set for the server only.
  server_process(std::vector<std::string> args, const std::vector<std::pair<std::string, std::string>>& env);
  // With stderr on a pipe that nobody reads until read_stderr is called.
  server_process(std::vector<std::string> args, stderr_sink sink);
  server_process(std::vector<std::string> args, const std::vector<std::pair<std::string, std::string>>& env,
                 stderr_sink sink);
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
  // What stderr holds: the file's content, or what read_stderr has read
  // from the pipe so far.
  [[nodiscard]] std::string stderr_text() const;

  // stderr_sink::pipe only. Reads what the pipe holds, until nothing comes
  // for `idle`, and returns it.
  std::string read_stderr(std::chrono::milliseconds idle = std::chrono::milliseconds(200));
  // Closes the test's end of the pipe: the server's next writes to stderr
  // fail with EPIPE.
  void close_stderr();

 private:
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
  std::string line_;
  std::string stderr_path_;  // empty with stderr_sink::pipe
  int stderr_pipe_ = -1;     // the pipe's read end, while open
  std::string piped_;        // read from the pipe so far
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

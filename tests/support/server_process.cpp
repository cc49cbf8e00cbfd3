#include "support/server_process.hpp"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <doctest/doctest.h>

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

namespace authsim::testing {

namespace {

using steady = std::chrono::steady_clock;

std::string temp_file(const char* stem) {
  std::string pattern = std::string("/tmp/") + stem + "-XXXXXX";
  const int fd = ::mkstemp(pattern.data());
  if (fd < 0) {
    throw std::runtime_error("mkstemp failed");
  }
  ::close(fd);
  return pattern;
}

std::vector<std::string> with_defaults(std::vector<std::string> args) {
  auto has = [&](const std::string& flag) {
    for (const auto& a : args) {
      if (a == flag || a.starts_with(flag + "=")) {
        return true;
      }
    }
    return false;
  };
  if (!has("--port")) {
    args.insert(args.end(), {"--port", "0"});
  }
  if (!has("--fixtures")) {
    args.insert(args.end(), {"--fixtures", AUTHSIM_FIXTURES_DIR});
  }
  return args;
}

using env_pairs = std::vector<std::pair<std::string, std::string>>;

// fork + exec with stdout to `out_fd`, stderr to `err_fd`, stdin from
// `in_fd` (-1: inherited) and `env` added to the environment. `close_fd`
// (-1: none) is closed in the child: the parent's end of a pipe.
pid_t spawn(const std::vector<std::string>& args, int out_fd, int err_fd, int in_fd = -1, const env_pairs& env = {},
            int close_fd = -1) {
  std::vector<char*> argv;
  std::string binary = AUTHSIM_BINARY;
  argv.push_back(binary.data());
  std::vector<std::string> copy = args;
  for (auto& a : copy) {
    argv.push_back(a.data());
  }
  argv.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) {
    throw std::runtime_error("fork failed");
  }
  if (pid == 0) {
    for (const auto& [name, value] : env) {
      ::setenv(name.c_str(), value.c_str(), 1);
    }
    if (in_fd >= 0) {
      ::dup2(in_fd, STDIN_FILENO);
    }
    if (close_fd >= 0) {
      ::close(close_fd);
    }
    ::dup2(out_fd, STDOUT_FILENO);
    ::dup2(err_fd, STDERR_FILENO);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  return pid;
}

std::optional<exit_status> wait_for(pid_t pid, std::chrono::milliseconds timeout) {
  const auto deadline = steady::now() + timeout;
  for (;;) {
    int status = 0;
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) {
      exit_status s;
      s.exited = WIFEXITED(status);
      s.code = s.exited ? WEXITSTATUS(status) : -1;
      s.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
      return s;
    }
    if (r < 0 || steady::now() >= deadline) {
      return std::nullopt;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

server_process::server_process(std::vector<std::string> args) : server_process(std::move(args), {}) {}

server_process::server_process(std::vector<std::string> args, const env_pairs& env)
    : server_process(std::move(args), env, stderr_sink::file) {}

server_process::server_process(std::vector<std::string> args, stderr_sink sink)
    : server_process(std::move(args), {}, sink) {}

server_process::server_process(std::vector<std::string> args, const env_pairs& env, stderr_sink sink) {
  int err_fd = -1;
  int parent_end = -1;
  if (sink == stderr_sink::file) {
    stderr_path_ = temp_file("authsim-stderr");
    err_fd = ::open(stderr_path_.c_str(), O_WRONLY | O_TRUNC);
  } else {
    int err_pipe[2];
    if (::pipe(err_pipe) != 0) {
      throw std::runtime_error("pipe failed");
    }
    err_fd = err_pipe[1];
    parent_end = err_pipe[0];
    stderr_pipe_ = err_pipe[0];
  }
  int fds[2];
  if (::pipe(fds) != 0) {
    throw std::runtime_error("pipe failed");
  }
  pid_ = spawn(with_defaults(std::move(args)), fds[1], err_fd, -1, env, parent_end);
  ::close(fds[1]);
  ::close(err_fd);

  // Read the first line, bounded in time.
  const auto deadline = steady::now() + std::chrono::seconds(20);
  std::string buffer;
  while (buffer.find('\n') == std::string::npos) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - steady::now()).count();
    pollfd p{fds[0], POLLIN, 0};
    if (left <= 0 || ::poll(&p, 1, static_cast<int>(left)) <= 0) {
      break;
    }
    char chunk[256];
    const ssize_t n = ::read(fds[0], chunk, sizeof chunk);
    if (n <= 0) {
      break;
    }
    buffer.append(chunk, static_cast<std::size_t>(n));
  }
  ::close(fds[0]);
  const std::size_t nl = buffer.find('\n');
  if (nl == std::string::npos) {
    stop(SIGKILL);
    const std::string err = stderr_path_.empty() ? read_stderr(std::chrono::milliseconds(100)) : stderr_text();
    throw std::runtime_error("authsim did not print its listening line; stderr: " + err);
  }
  line_ = buffer.substr(0, nl);
  const std::size_t colon = line_.rfind(':');
  port_ = static_cast<std::uint16_t>(std::stoi(line_.substr(colon + 1)));
}

server_process::~server_process() {
  if (!finished_ && pid_ > 0) {
    const auto status = stop(SIGTERM, std::chrono::seconds(10));
    if (!status) {
      stop(SIGKILL, std::chrono::seconds(10));
    }
    // Every test's server must stop cleanly: a crash, a hang on shutdown or
    // a sanitizer report (which changes the exit code) fails the test.
    CHECK_MESSAGE((status && status->exited && status->code == 0),
                  "authsim did not exit 0 on SIGTERM; its stderr:\n", stderr_text());
  }
  if (!stderr_path_.empty()) {
    ::unlink(stderr_path_.c_str());
  }
  close_stderr();
}

void server_process::close_stderr() {
  if (stderr_pipe_ >= 0) {
    ::close(stderr_pipe_);
    stderr_pipe_ = -1;
  }
}

std::string server_process::read_stderr(std::chrono::milliseconds idle) {
  std::string got;
  while (stderr_pipe_ >= 0) {
    pollfd p{stderr_pipe_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(idle.count())) <= 0) {
      break;
    }
    char chunk[65536];
    const ssize_t n = ::read(stderr_pipe_, chunk, sizeof chunk);
    if (n <= 0) {
      break;
    }
    got.append(chunk, static_cast<std::size_t>(n));
  }
  piped_ += got;
  return got;
}

std::optional<exit_status> server_process::stop(int signo, std::chrono::milliseconds timeout) {
  if (finished_) {
    return std::nullopt;
  }
  signal(signo);
  return wait_exit(timeout);
}

void server_process::signal(int signo) const { ::kill(pid_, signo); }

std::optional<exit_status> server_process::wait_exit(std::chrono::milliseconds timeout) {
  if (finished_) {
    return std::nullopt;
  }
  auto s = wait_for(pid_, timeout);
  if (s) {
    finished_ = true;
  }
  return s;
}

bool server_process::wait_for_stderr(const std::string& text, std::chrono::milliseconds timeout) const {
  const auto deadline = steady::now() + timeout;
  while (steady::now() < deadline) {
    if (stderr_text().find(text) != std::string::npos) {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

std::string server_process::stderr_text() const {
  return stderr_path_.empty() ? piped_ : read_file(stderr_path_);
}

run_result run_to_exit(const std::vector<std::string>& args, std::chrono::milliseconds timeout) {
  return run_to_exit(args, std::string(), {}, timeout);
}

run_result run_to_exit(const std::vector<std::string>& args, const std::string& input, const env_pairs& env,
                       std::chrono::milliseconds timeout) {
  const std::string out_path = temp_file("authsim-stdout");
  const std::string err_path = temp_file("authsim-stderr");
  const std::string in_path = temp_file("authsim-stdin");
  {
    std::ofstream in(in_path, std::ios::binary | std::ios::trunc);
    in << input;
  }
  const int out_fd = ::open(out_path.c_str(), O_WRONLY | O_TRUNC);
  const int err_fd = ::open(err_path.c_str(), O_WRONLY | O_TRUNC);
  const int in_fd = ::open(in_path.c_str(), O_RDONLY);
  const pid_t pid = spawn(args, out_fd, err_fd, in_fd, env);
  ::close(out_fd);
  ::close(err_fd);
  ::close(in_fd);
  ::unlink(in_path.c_str());
  run_result r;
  auto s = wait_for(pid, timeout);
  if (!s) {
    ::kill(pid, SIGKILL);
    s = wait_for(pid, std::chrono::seconds(10));
  }
  r.status = s.value_or(exit_status{});
  r.out = read_file(out_path);
  r.err = read_file(err_path);
  ::unlink(out_path.c_str());
  ::unlink(err_path.c_str());
  return r;
}

}  // namespace authsim::testing

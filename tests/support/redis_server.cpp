#include "support/redis_server.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <vector>

namespace authsim::testing {

redis_server::redis_server() { start(); }

redis_server::~redis_server() {
  if (pid_ > 0) {
    ::kill(pid_, SIGCONT);  // a frozen server cannot act on SIGTERM
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
}

void redis_server::start() {
  int out[2];
  if (::pipe(out) != 0) {
    throw std::runtime_error("redis_server: pipe failed");
  }
  const std::string dir = dir_.path().string();
  const std::string socket = socket_path();
  std::vector<std::string> args{"redis-server", "--port", "0", "--unixsocket", socket, "--unixsocketperm", "700",
                                "--save", "", "--appendonly", "no", "--dir", dir, "--daemonize", "no",
                                "--loglevel", "notice"};
  pid_ = ::fork();
  if (pid_ == 0) {
    ::dup2(out[1], STDOUT_FILENO);
    ::close(out[0]);
    ::close(out[1]);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execvp("redis-server", argv.data());
    std::fprintf(stderr, "cannot run redis-server (install it: scripts/setup-tests.sh does)\n");
    ::_exit(127);
  }
  ::close(out[1]);
  // Ready when it says so on stdout; bounded by a deadline, never a sleep.
  std::string seen;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  bool ready = false;
  while (!ready && std::chrono::steady_clock::now() < deadline) {
    pollfd p{out[0], POLLIN, 0};
    if (::poll(&p, 1, 200) <= 0) {
      continue;
    }
    char buffer[4096];
    const ssize_t n = ::read(out[0], buffer, sizeof buffer);
    if (n <= 0) {
      break;
    }
    seen.append(buffer, static_cast<std::size_t>(n));
    // Redis 7.0 says "The server is now ready to accept connections at …",
    // later versions "Ready to accept connections unix".
    ready = seen.find("eady to accept connections") != std::string::npos;
  }
  ::close(out[0]);  // later log lines go nowhere (redis ignores EPIPE on its log)
  if (!ready) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
    throw std::runtime_error("redis-server did not get ready within 10 s; it printed: " + seen);
  }
}

void redis_server::freeze() const { ::kill(pid_, SIGSTOP); }

void redis_server::thaw() const { ::kill(pid_, SIGCONT); }

void redis_server::kill() {
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
  ::unlink(socket_path().c_str());
}

}  // namespace authsim::testing

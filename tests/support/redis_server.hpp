#pragma once
// A real redis-server for one test: started on a unix socket in a
// temporary folder of its own (no TCP port, nothing saved to disk), ready
// once it logs that it accepts connections, stopped when the test ends.
// The test can also freeze it (SIGSTOP), let it go on (SIGCONT), kill it
// and start it again on the same socket.

#include "support/temp_dir.hpp"

#include <string>

#include <sys/types.h>

namespace authsim::testing {

class redis_server {
 public:
  // Throws when redis-server is missing or not ready within 10 s.
  redis_server();
  redis_server(const redis_server&) = delete;
  redis_server& operator=(const redis_server&) = delete;
  ~redis_server();

  // unix:///…/redis.sock, as --state takes it.
  [[nodiscard]] std::string url() const { return "unix://" + socket_path(); }
  [[nodiscard]] std::string socket_path() const { return (dir_.path() / "redis.sock").string(); }

  void freeze() const;    // SIGSTOP
  void thaw() const;      // SIGCONT
  void kill();            // SIGKILL, and waits for it
  void start();           // again, after kill()

 private:
  temp_dir dir_;
  pid_t pid_ = -1;
};

}  // namespace authsim::testing

#include "support/log.hpp"

#include <cstdio>
#include <mutex>
#include <string>

namespace authsim::support {

void log_line(std::string_view line) {
  static std::mutex mutex;
  std::string out = "authsim: ";
  out.append(line);
  out.push_back('\n');
  const std::lock_guard lock(mutex);
  std::fwrite(out.data(), 1, out.size(), stderr);
  std::fflush(stderr);
}

}  // namespace authsim::support

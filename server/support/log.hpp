#pragma once
// One line per event on stderr, whole lines even when threads log at once.

#include <string_view>

namespace authsim::support {

void log_line(std::string_view line);

}  // namespace authsim::support

#pragma once
// The one command-line reader behind the server's options and the helper
// commands: each argument is "--flag value" or "--flag=value", checked
// against the caller's table of flags. Pure: no I/O.

#include <functional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace authsim::app {

// A bad flag or value; what() is one line naming the flag.
class options_error : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

enum class flag_kind {
  value,   // takes a value: "--port 8080" or "--port=8080"
  toggle,  // a switch that takes none: "--no-admin"
  action,  // does instead of configures: "--help"
};

struct flag_spec {
  const char* name;
  flag_kind kind;
};

// Calls `on(spec, value)` for each flag in order (`value` empty for a
// toggle or an action). Throws options_error for an unknown flag, a value
// given to a switch, or a missing value.
void walk_flags(const std::vector<std::string>& args, std::span<const flag_spec> table,
                const std::function<void(const flag_spec&, const std::string&)>& on);

// An integer within [min, max]; `label` (the flag, or the environment
// variable it came from) is what the error names.
std::uint64_t parse_unsigned(const std::string& label, const std::string& value, std::uint64_t min,
                             std::uint64_t max);

// An http:// or https:// URL with a host, without trailing slashes, so that
// paths can be appended to it.
std::string parse_base_url(const std::string& label, const std::string& value);

}  // namespace authsim::app

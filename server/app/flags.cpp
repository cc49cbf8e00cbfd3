#include "app/flags.hpp"

#include "support/validate.hpp"

#include <charconv>
#include <cstdint>

namespace authsim::app {

void walk_flags(const std::vector<std::string>& args, std::span<const flag_spec> table,
                const std::function<void(const flag_spec&, const std::string&)>& on) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string flag = args[i];
    std::string value;
    bool has_value = false;
    if (const std::size_t eq = flag.find('='); flag.starts_with("--") && eq != std::string::npos) {
      value = flag.substr(eq + 1);
      flag.resize(eq);
      has_value = true;
    }
    const flag_spec* spec = nullptr;
    for (const auto& candidate : table) {
      if (flag == candidate.name) {
        spec = &candidate;
      }
    }
    if (spec == nullptr) {
      throw options_error(flag + ": unknown option (see --help)");
    }
    if (spec->kind != flag_kind::value) {
      if (has_value) {
        throw options_error(flag + ": takes no value");
      }
      on(*spec, std::string());
      continue;
    }
    if (!has_value) {
      if (i + 1 >= args.size()) {
        throw options_error(flag + ": missing value");
      }
      value = args[++i];
    }
    on(*spec, value);
  }
}

std::uint64_t parse_unsigned(const std::string& label, const std::string& value, std::uint64_t min,
                             std::uint64_t max) {
  std::uint64_t out = 0;
  const char* end = value.data() + value.size();
  const auto [ptr, ec] = std::from_chars(value.data(), end, out);
  if (value.empty() || ec != std::errc() || ptr != end || out < min || out > max) {
    throw options_error(label + ": expected an integer from " + std::to_string(min) + " to " +
                        std::to_string(max) + ", got '" + value + "'");
  }
  return out;
}

std::string parse_base_url(const std::string& label, const std::string& value) {
  if (!support::is_http_url(value)) {
    throw options_error(label + ": expected an http:// or https:// URL with a host, got '" + value + "'");
  }
  std::string url = value;
  while (url.ends_with('/')) {
    url.pop_back();
  }
  return url;
}

}  // namespace authsim::app

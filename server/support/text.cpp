#include "support/text.hpp"

#include <chrono>
#include <cstdio>

namespace authsim::support {

std::string substitute(std::string_view pattern, std::span<const std::string_view> args) {
  std::string out;
  out.reserve(pattern.size() + 32);
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '{' && i + 2 < pattern.size() && pattern[i + 2] == '}' &&
        pattern[i + 1] >= '0' && pattern[i + 1] <= '9') {
      const auto index = static_cast<std::size_t>(pattern[i + 1] - '0');
      if (index < args.size()) {
        out.append(args[index]);
        i += 2;
        continue;
      }
    }
    out.push_back(pattern[i]);
  }
  return out;
}

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
  }
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    char y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) {
      return false;
    }
  }
  return true;
}

std::string excerpt(std::string_view value, std::size_t max) {
  if (value.size() <= max) {
    return std::string(value);
  }
  std::size_t cut = max;
  // Step back over UTF-8 continuation bytes so a multi-byte character is not split.
  while (cut > 0 && (static_cast<unsigned char>(value[cut]) & 0xC0U) == 0x80U) {
    --cut;
  }
  return std::string(value.substr(0, cut)) + "...";
}

std::string format_date_time(std::int64_t epoch_ms, int utc_offset_minutes) {
  using namespace std::chrono;
  const auto local = sys_time<milliseconds>(milliseconds(epoch_ms)) + minutes(utc_offset_minutes);
  const auto day = floor<days>(local);
  const year_month_day ymd(day);
  const hh_mm_ss<milliseconds> tod(floor<milliseconds>(local - day));
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u %02d:%02d:%02d", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(tod.hours().count()), static_cast<int>(tod.minutes().count()),
                static_cast<int>(tod.seconds().count()));
  return buf;
}

}  // namespace authsim::support

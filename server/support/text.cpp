#include "support/text.hpp"

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>

namespace authsim::support {

std::string substitute(std::string_view pattern, std::span<const std::string_view> args) {
  std::string out;
  out.reserve(pattern.size() + 32);
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '{' && i + 2 < pattern.size() && pattern[i + 2] == '}' &&
        pattern[i + 1] >= '0' && pattern[i + 1] <= '9') {
      const auto index = static_cast<std::size_t>(pattern[i + 1] - '0');
      if (index < args.size()) {
        // A term marked for translation (support/terms.hpp) shows as it
        // is written here: in English.
        std::string_view arg = args[index];
        if (!arg.empty() && arg.front() == '\x1f') {
          arg.remove_prefix(1);
          arg = arg.substr(0, arg.find('\x1e'));
        }
        out.append(arg);
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

namespace {

// The length of the well-formed UTF-8 sequence at the start of `s`, or 0.
std::size_t utf8_sequence(std::string_view s) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char b0 = byte(0);
  if (b0 < 0x80) return 1;
  std::size_t len = 0;
  unsigned char lo = 0x80;
  unsigned char hi = 0xBF;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    if (b0 == 0xE0) lo = 0xA0;  // no overlong forms
    if (b0 == 0xED) hi = 0x9F;  // no surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    if (b0 == 0xF0) lo = 0x90;  // no overlong forms
    if (b0 == 0xF4) hi = 0x8F;  // nothing past U+10FFFF
  } else {
    return 0;
  }
  if (s.size() < len || byte(1) < lo || byte(1) > hi) return 0;
  for (std::size_t i = 2; i < len; ++i) {
    if (byte(i) < 0x80 || byte(i) > 0xBF) return 0;
  }
  return len;
}

}  // namespace

std::optional<std::size_t> first_invalid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    if (s.size() - i >= 8) {
      std::uint64_t w = 0;
      std::memcpy(&w, s.data() + i, sizeof w);
      if ((w & 0x8080808080808080ULL) == 0) {
        i += 8;
        continue;
      }
    }
    const std::size_t n = utf8_sequence(s.substr(i));
    if (n == 0) {
      return i;
    }
    i += n;
  }
  return std::nullopt;
}

bool is_valid_utf8(std::string_view s) { return !first_invalid_utf8(s).has_value(); }

std::string valid_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  while (!s.empty()) {
    // ASCII, most text, is taken eight bytes at a time, then byte by byte
    // up to the next sequence that must be checked.
    std::size_t ascii = 0;
    while (s.size() - ascii >= 8) {
      std::uint64_t w = 0;
      std::memcpy(&w, s.data() + ascii, sizeof w);
      if ((w & 0x8080808080808080ULL) != 0) {
        break;
      }
      ascii += 8;
    }
    while (ascii < s.size() && static_cast<unsigned char>(s[ascii]) < 0x80U) {
      ++ascii;
    }
    out.append(s.substr(0, ascii));
    s.remove_prefix(ascii);
    if (s.empty()) {
      break;
    }
    const std::size_t n = utf8_sequence(s);
    if (n == 0) {
      out.append("\xEF\xBF\xBD");
      s.remove_prefix(1);
    } else {
      out.append(s.substr(0, n));
      s.remove_prefix(n);
    }
  }
  return out;
}

std::string excerpt(std::string_view raw, std::size_t max) {
  const std::string clean = valid_utf8(raw);
  const std::string_view value = clean;
  if (value.size() <= max) {
    return clean;
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
  const int year = static_cast<int>(ymd.year());
  if (year < 0 || year > 9999) {
    // A clock set far away: rare enough for snprintf.
    char buf[48];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u %02d:%02d:%02d", year, static_cast<unsigned>(ymd.month()),
                  static_cast<unsigned>(ymd.day()), static_cast<int>(tod.hours().count()),
                  static_cast<int>(tod.minutes().count()), static_cast<int>(tod.seconds().count()));
    return buf;
  }
  // Otherwise written digit by digit: this is on every UOCS answer, and
  // snprintf would cost more than the rest of the answer's envelope.
  std::string out = "0000-00-00 00:00:00";
  auto put = [&out](std::size_t at, std::size_t width, long long v) {
    for (std::size_t i = at + width; i-- > at;) {
      out[i] = static_cast<char>('0' + v % 10);
      v /= 10;
    }
  };
  put(0, 4, year);
  put(5, 2, static_cast<unsigned>(ymd.month()));
  put(8, 2, static_cast<unsigned>(ymd.day()));
  put(11, 2, tod.hours().count());
  put(14, 2, tod.minutes().count());
  put(17, 2, tod.seconds().count());
  return out;
}

std::string fixed_decimal(double value, int decimals) {
  char buffer[64];
  const int n = std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  return std::string(buffer, static_cast<std::size_t>(n > 0 ? n : 0));
}

std::string html_escape(std::string_view text) {
  const std::string valid = valid_utf8(text);
  std::string out;
  out.reserve(valid.size());
  for (const char c : valid) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

}  // namespace authsim::support

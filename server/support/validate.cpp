#include "support/validate.hpp"

#include "support/text.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <string>

namespace authsim::support {

bool is_http_url(std::string_view url) {
  for (const char c : url) {
    const auto b = static_cast<unsigned char>(c);
    if (b <= 0x20 || b == 0x7f) {
      return false;
    }
  }
  std::string_view rest;
  const std::string lower = ascii_lower(url.substr(0, 8));
  if (lower.starts_with("https://")) {
    rest = url.substr(8);
  } else if (lower.starts_with("http://")) {
    rest = url.substr(7);
  } else {
    return false;
  }
  const std::size_t authority_end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, authority_end);
  if (const std::size_t at = authority.rfind('@'); at != std::string_view::npos) {
    authority = authority.substr(at + 1);
  }
  std::string_view host = authority;
  std::string_view port;
  if (authority.starts_with('[')) {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) {
      return false;
    }
    const std::string literal(authority.substr(1, close - 1));
    in6_addr addr{};
    if (inet_pton(AF_INET6, literal.c_str(), &addr) != 1) {
      return false;
    }
    host = authority.substr(0, close + 1);
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') {
        return false;
      }
      port = after.substr(1);
      if (port.empty()) {
        return false;
      }
    }
  } else if (const std::size_t colon = authority.find(':'); colon != std::string_view::npos) {
    // Without brackets a host holds no colon: "a:1:2" is not host "a:1".
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
    if (port.empty()) {
      return false;
    }
  }
  if (host.empty()) {
    return false;
  }
  if (!port.empty()) {
    if (port.size() > 5) {
      return false;
    }
    unsigned value = 0;
    for (const char c : port) {
      if (c < '0' || c > '9') {
        return false;
      }
      value = value * 10 + static_cast<unsigned>(c - '0');
    }
    if (value == 0 || value > 65535) {
      return false;
    }
  }
  return true;
}

bool is_ip_address(std::string_view ip) {
  if (ip.empty() || ip.size() > 45) {
    return false;
  }
  // Only the characters an address can hold: this also keeps an embedded NUL
  // from cutting the text short before inet_pton sees it, and refuses zone
  // ids such as "fe80::1%eth0", which name an interface of the client's host.
  for (const char c : ip) {
    const bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') ||
                    c == '.' || c == ':';
    if (!ok) {
      return false;
    }
  }
  const std::string text(ip);
  in_addr v4{};
  in6_addr v6{};
  return inet_pton(AF_INET, text.c_str(), &v4) == 1 || inet_pton(AF_INET6, text.c_str(), &v6) == 1;
}

bool is_loopback_address(std::string_view text) {
  if (text == "::1") {
    return true;
  }
  if (text.starts_with("::ffff:")) {
    text.remove_prefix(7);
  }
  return text.starts_with("127.") && is_ip_address(text);
}

bool is_plain_amount(std::string_view text) {
  const std::size_t point = text.find('.');
  const std::string_view whole = text.substr(0, point);
  const std::string_view decimals = point == std::string_view::npos ? std::string_view() : text.substr(point + 1);
  const auto digits = [](std::string_view s) {
    return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
  };
  return text.size() <= 32 && digits(whole) && (point == std::string_view::npos || digits(decimals));
}

std::size_t amount_decimals(std::string_view text) {
  const std::size_t point = text.find('.');
  return point == std::string_view::npos ? 0 : text.size() - point - 1;
}

bool is_currency_code(std::string_view text) {
  return text.size() == 3 && text.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ") == std::string_view::npos;
}

std::optional<double> decimal_degrees(std::string_view text, double limit) {
  std::string_view digits = text.starts_with('-') ? text.substr(1) : text;
  const std::size_t point = digits.find('.');
  const std::string_view whole = digits.substr(0, point);
  const std::string_view decimals = point == std::string_view::npos ? std::string_view() : digits.substr(point + 1);
  auto all_digits = [](std::string_view s) {
    return s.find_first_not_of("0123456789") == std::string_view::npos;
  };
  if (whole.empty() || whole.size() > 3 || !all_digits(whole) || !all_digits(decimals) || decimals.size() > 10 ||
      (point != std::string_view::npos && decimals.empty())) {
    return std::nullopt;
  }
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < -limit || value > limit) {
    return std::nullopt;
  }
  return value;
}

}  // namespace authsim::support

#include "redis/address.hpp"

#include <charconv>
#include <system_error>

namespace authsim::redis {

namespace {

bool parse_port(std::string_view text, std::uint16_t& port) {
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value == 0 || value > 65535) {
    return false;
  }
  port = static_cast<std::uint16_t>(value);
  return true;
}

bool parse_db(std::string_view text, int& db) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), db);
  return ec == std::errc() && end == text.data() + text.size() && db >= 0 && db <= 15;
}

}  // namespace

std::optional<address> parse_address(std::string_view text, std::string& error) {
  address a;
  a.text = std::string(text);
  constexpr std::string_view tcp_scheme = "redis://";
  constexpr std::string_view unix_scheme = "unix://";
  if (text.starts_with(unix_scheme)) {
    std::string_view rest = text.substr(unix_scheme.size());
    if (const auto q = rest.find("?db="); q != std::string_view::npos) {
      if (!parse_db(rest.substr(q + 4), a.db)) {
        error = "'" + a.text + "': ?db= takes a database number from 0 to 15";
        return std::nullopt;
      }
      rest = rest.substr(0, q);
    }
    if (!rest.starts_with('/') || rest.size() < 2) {
      error = "'" + a.text + "': a unix socket is named by an absolute path, as in unix:///run/redis/redis.sock";
      return std::nullopt;
    }
    a.socket_path = std::string(rest);
    return a;
  }
  if (!text.starts_with(tcp_scheme)) {
    error = "'" + a.text + "': expected memory, redis://HOST[:PORT][/DB] or unix:///PATH";
    return std::nullopt;
  }
  std::string_view rest = text.substr(tcp_scheme.size());
  if (const auto slash = rest.find('/'); slash != std::string_view::npos) {
    if (!parse_db(rest.substr(slash + 1), a.db)) {
      error = "'" + a.text + "': the path after the host is a database number from 0 to 15";
      return std::nullopt;
    }
    rest = rest.substr(0, slash);
  }
  if (rest.find('@') != std::string_view::npos) {
    error = "'" + a.text + "': user names and passwords are not supported; use a Redis without AUTH";
    return std::nullopt;
  }
  std::string_view host = rest;
  if (rest.starts_with('[')) {  // [::1]:6379
    const auto close = rest.find(']');
    if (close == std::string_view::npos) {
      error = "'" + a.text + "': an IPv6 address ends with ']'";
      return std::nullopt;
    }
    host = rest.substr(1, close - 1);
    rest = rest.substr(close + 1);
    if (!rest.empty() && (!rest.starts_with(':') || !parse_port(rest.substr(1), a.port))) {
      error = "'" + a.text + "': the port is a number from 1 to 65535";
      return std::nullopt;
    }
  } else if (const auto colon = rest.rfind(':'); colon != std::string_view::npos) {
    host = rest.substr(0, colon);
    if (!parse_port(rest.substr(colon + 1), a.port)) {
      error = "'" + a.text + "': the port is a number from 1 to 65535";
      return std::nullopt;
    }
  }
  if (host.empty()) {
    error = "'" + a.text + "': no host";
    return std::nullopt;
  }
  a.host = std::string(host);
  return a;
}

}  // namespace authsim::redis

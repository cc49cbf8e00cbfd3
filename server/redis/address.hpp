#pragma once
// The address of a Redis, as --state names it. Pure: options parsing checks
// it without a socket.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace authsim::redis {

// Where Redis is: redis://HOST[:PORT][/DB] or unix:///PATH[?db=N].
struct address {
  std::string host;
  std::uint16_t port = 6379;
  std::string socket_path;  // set for unix://
  int db = 0;
  std::string text;         // as given, for messages
};

// The address `text` names, or nullopt with `error` saying what is wrong.
std::optional<address> parse_address(std::string_view text, std::string& error);

}  // namespace authsim::redis

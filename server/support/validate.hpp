#pragma once
// Syntax checks for values that partners send: callback URLs and client IPs.

#include <string_view>

namespace authsim::support {

// True for an absolute http:// or https:// URL with a non-empty host, an
// optional numeric port (1-65535) and no whitespace or control characters.
// The scheme is matched case-insensitively, as RFC 3986 says it is.
bool is_http_url(std::string_view url);

// True for a textual IPv4 address (dotted quad) or IPv6 address.
bool is_ip_address(std::string_view ip);

// True for an IPv4 address in 127.0.0.0/8, ::1, or 127.x written as an
// IPv4-mapped IPv6 address, as a socket reports its peer.
bool is_loopback_address(std::string_view text);

}  // namespace authsim::support

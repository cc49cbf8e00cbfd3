#pragma once
// Syntax checks for values that partners send: URLs, client IPs, amounts
// and currencies.

#include <optional>
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

// Digits, then optionally a point and more digits ("10001.23", "0",
// "5.0"), at most 32 characters: an amount as Credit Pay writes it.
bool is_plain_amount(std::string_view text);

// The number of digits after the point of a plain amount (0 without one).
std::size_t amount_decimals(std::string_view text);

// Three capital letters, as ISO 4217 codes are written.
bool is_currency_code(std::string_view text);

// Decimal degrees as UOCS writes a longitude or latitude in a string: an
// optional minus, digits, optionally a point and at most 10 more digits
// ("114.1234567", "-33.5"), within [-limit, limit]. nullopt otherwise.
std::optional<double> decimal_degrees(std::string_view text, double limit);

}  // namespace authsim::support

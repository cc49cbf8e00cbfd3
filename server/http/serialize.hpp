#pragma once
// An answer as the bytes that go on the wire, in one string: what Beast's
// serializer writes for the same message (a unit test holds them to it),
// made without a Beast message in between. No sockets.

#include "http/message.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace authsim::http {

// The answer's bytes for HTTP/1.`version` (10 or 11). For a HEAD request
// the headers describe the body a GET would carry, but the body itself is
// left out. Empty for an answer that needs Beast's own handling (a status
// without a body, a header Beast manages, a header named twice).
std::optional<std::string> to_bytes(const response& res, unsigned version, bool keep_alive, bool head);

// The reason phrase of the status line: the registered one, 418's
// well-known "I'm a Teapot", and for a status without one (a scenario may
// answer any status from 200 to 599) the name of its class, "Successful",
// "Client Error"... where Beast would write "<unknown-status>".
std::string_view reason_phrase(unsigned status);

}  // namespace authsim::http

#pragma once
// An answer as the bytes that go on the wire, in one string: what Beast's
// serializer writes for the same message (a unit test holds them to it),
// made without a Beast message in between. No sockets.

#include "http/message.hpp"

#include <optional>
#include <string>

namespace authsim::http {

// The answer's bytes for HTTP/1.`version` (10 or 11). For a HEAD request
// the headers describe the body a GET would carry, but the body itself is
// left out. Empty for an answer that needs Beast's own handling (a status
// without a body, a header Beast manages, a header named twice).
std::optional<std::string> to_bytes(const response& res, unsigned version, bool keep_alive, bool head);

}  // namespace authsim::http

#pragma once
// Conversions from the handlers' answers to what goes on the wire. No
// sockets: the session uses them, and so does the fuzz target that drives a
// request from raw bytes to response bytes in process. (Requests come in
// through request_reader.)

#include "http/message.hpp"

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <optional>
#include <string>

namespace authsim::transport {

using wire_response = boost::beast::http::response<boost::beast::http::string_body>;

// The answer as sent. For a HEAD request the headers describe the body that
// a GET would carry, but the body itself is not sent.
wire_response to_wire(http::response res, unsigned version, bool keep_alive, bool head = false);

// The same answer as the bytes Beast would write for to_wire's message, in
// one string, for the common case; empty optional when the answer needs
// Beast's own handling (a status without a body, a header Beast manages,
// a header named twice).
std::optional<std::string> to_bytes(const http::response& res, unsigned version, bool keep_alive, bool head);

}  // namespace authsim::transport

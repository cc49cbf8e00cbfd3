#pragma once
// Conversions between Beast's messages and the handlers' plain values. No
// sockets: the session uses them, and so does the fuzz target that drives a
// request from raw bytes to response bytes in process.

#include "http/message.hpp"

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <optional>
#include <string>

namespace authsim::transport {

using wire_request = boost::beast::http::request<boost::beast::http::string_body>;
using wire_response = boost::beast::http::response<boost::beast::http::string_body>;

// The handler's view of a request whose header has been read. With
// `take_body` the request was read whole, and its body is moved out of `in`
// (whose header stays as it was).
http::request to_request(wire_request& in, const std::string& remote, bool take_body);

// The answer as sent. For a HEAD request the headers describe the body that
// a GET would carry, but the body itself is not sent.
wire_response to_wire(http::response res, unsigned version, bool keep_alive, bool head = false);

// The same answer as the bytes Beast would write for to_wire's message, in
// one string, for the common case; empty optional when the answer needs
// Beast's own handling (a status without a body, a header Beast manages,
// a header named twice).
std::optional<std::string> to_bytes(const http::response& res, unsigned version, bool keep_alive, bool head);

}  // namespace authsim::transport

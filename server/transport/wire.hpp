#pragma once
// Conversions between Beast's messages and the handlers' plain values. No
// sockets: the session uses them, and so does the fuzz target that drives a
// request from raw bytes to response bytes in process.

#include "http/message.hpp"

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <string>

namespace authsim::transport {

using wire_request = boost::beast::http::request<boost::beast::http::string_body>;
using wire_response = boost::beast::http::response<boost::beast::http::string_body>;

// The handler's view of a request whose header (and, with `with_body`, its
// body) has been read.
http::request to_request(const wire_request& in, const std::string& remote, bool with_body);

// The answer as sent. For a HEAD request the headers describe the body that
// a GET would carry, but the body itself is not sent.
wire_response to_wire(http::response res, unsigned version, bool keep_alive, bool head = false);

}  // namespace authsim::transport

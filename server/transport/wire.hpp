#pragma once
// An answer as a Beast message, for the answers Beast writes itself (a
// body dribbled out, a header Beast manages; the rest go out as the bytes
// of http::to_bytes). No sockets. (Requests come in through
// request_reader.)

#include "http/message.hpp"

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <string>

namespace authsim::transport {

using wire_response = boost::beast::http::response<boost::beast::http::string_body>;

// The answer as sent. For a HEAD request the headers describe the body that
// a GET would carry, but the body itself is not sent.
wire_response to_wire(http::response res, unsigned version, bool keep_alive, bool head = false);

}  // namespace authsim::transport

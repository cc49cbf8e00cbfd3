#pragma once
// Which I/O errors end a connection in the normal course of things, and the
// one place that logs the others.

#include "support/async.hpp"

namespace authsim::transport {

// The peer closed or reset the connection, our shutdown cancelled it, or
// it idled out: not worth a log line.
bool benign(const error_code& ec);

// The parser's verdict on bytes that are not an HTTP request. A stream that
// ends early (end_of_stream, partial_message) is the peer leaving instead.
bool is_parse_error(const error_code& ec);

// A warning naming `where`, for an error that is not benign (no error:
// nothing).
void log_failure(const error_code& ec, const char* where);

}  // namespace authsim::transport

#include "transport/io_errors.hpp"

#include "support/log.hpp"

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>

#include <string>

namespace authsim::transport {

bool benign(const error_code& ec) {
  return ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message || ec == net::error::eof ||
         ec == net::error::operation_aborted || ec == net::error::connection_reset ||
         ec == net::error::broken_pipe || ec == net::error::not_connected || ec == beast::error::timeout ||
         // A TLS client that closes without close_notify, as many do once
         // they have their answer: the HTTP framing already told us the
         // message was whole.
         ec == net::ssl::error::stream_truncated;
}

bool is_parse_error(const error_code& ec) {
  return ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category() &&
         ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message;
}

void log_failure(const error_code& ec, const char* where) {
  if (ec && !benign(ec)) {
    support::log_message(support::log_level::warn, std::string(where) + ": " + ec.message());
  }
}

}  // namespace authsim::transport

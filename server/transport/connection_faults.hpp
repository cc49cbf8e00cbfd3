#pragma once
// Connection-level faults that a scenario rule can order, carried out on the
// session's stream. Each ends the connection, except slow_answer, which
// leaves it as a normal answer would.

#include "faults/scenario.hpp"

#include "transport/streams.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <chrono>

namespace authsim::transport {

// The first three act on the TCP layer, whether or not TLS runs above it.

// Closes with an RST (SO_LINGER 0): the client's next read fails with
// ECONNRESET.
void reset_connection(boost::beast::tcp_stream& stream);

// Closes in good order without a byte of answer: the client reads end of
// stream.
void close_without_answer(boost::beast::tcp_stream& stream);

// Sends no answer and waits until the client closes, or `max` has passed,
// then closes. Whatever the client still sends is read and dropped.
boost::asio::awaitable<void> hang(boost::beast::tcp_stream& stream, std::chrono::milliseconds max);

// Writes `bytes` random bytes (not HTTP), then closes in good order. Over
// TLS the bytes go through the TLS layer: the client's HTTP parser, not its
// TLS layer, is what meets them.
template <class Stream>
boost::asio::awaitable<void> random_data_then_close(Stream& stream, std::size_t bytes);

// Writes the header at once, then the body in small pieces spread evenly
// over `duration`. Returns false when the write failed.
template <class Stream>
boost::asio::awaitable<bool> slow_answer(Stream& stream,
                                         boost::beast::http::response<boost::beast::http::string_body>& res,
                                         std::chrono::milliseconds duration);

}  // namespace authsim::transport

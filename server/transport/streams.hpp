#pragma once
// The kinds of stream a connection is served over: plain TCP, and TLS over
// TCP when --tls-cert and --tls-key are given (the tests add Beast's
// test::stream). Timeouts and the socket always live on the lowest layer
// (beast::get_lowest_layer); over a stream that is not TCP, the deadlines
// and socket-level moves fall away.

#include "support/aliases.hpp"

#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <chrono>
#include <type_traits>
#include <utility>

namespace authsim::transport {

using plain_stream = beast::tcp_stream;
using tls_stream = beast::ssl_stream<beast::tcp_stream>;

template <class Stream>
using lowest_layer_t = std::remove_cvref_t<decltype(beast::get_lowest_layer(std::declval<Stream&>()))>;

// True when the stream's lowest layer is a TCP socket with deadlines.
template <class Stream>
inline constexpr bool over_tcp = std::is_same_v<lowest_layer_t<Stream>, beast::tcp_stream>;

template <class Stream>
void expire_at(Stream& stream, std::chrono::steady_clock::time_point deadline) {
  if constexpr (over_tcp<Stream>) {
    beast::get_lowest_layer(stream).expires_at(deadline);
  }
}

template <class Stream>
void expire_after(Stream& stream, std::chrono::steady_clock::duration timeout) {
  if constexpr (over_tcp<Stream>) {
    beast::get_lowest_layer(stream).expires_after(timeout);
  }
}

}  // namespace authsim::transport

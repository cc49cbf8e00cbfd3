#pragma once
// Connection-level moves carried out on a session's stream: the faults a
// scenario rule can order, and the careful close after a refused upload.
// Each ends the connection, except slow_answer, which leaves it as a normal
// answer would. Over TLS the first ones act on the TCP layer beneath; over
// a stream that is not TCP (the tests'), closing stands in for each.

#include "support/async.hpp"
#include "support/crypto.hpp"
#include "transport/streams.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <string>

namespace authsim::transport {

// Closes in good order without a byte of answer: the client reads end of
// stream.
template <class Stream>
void close_without_answer(Stream& stream) {
  auto& lowest = beast::get_lowest_layer(stream);
  if constexpr (over_tcp<Stream>) {
    error_code ec;
    lowest.socket().shutdown(net::ip::tcp::socket::shutdown_both, ec);
    lowest.socket().close(ec);
  } else {
    lowest.close();
  }
}

// Closes with an RST (SO_LINGER 0): the client's next read fails with
// ECONNRESET.
template <class Stream>
void reset_connection(Stream& stream) {
  if constexpr (over_tcp<Stream>) {
    auto& socket = beast::get_lowest_layer(stream).socket();
    error_code ec;
    // Linger on, timeout zero: close() discards unsent data and sends RST.
    socket.set_option(net::socket_base::linger(true, 0), ec);
    socket.close(ec);
  } else {
    close_without_answer(stream);
  }
}

// Sends no answer and waits until the client closes, or `max` has passed,
// then closes. Whatever the client still sends is read below any TLS layer
// and dropped.
template <class Stream>
net::awaitable<void> hang(Stream& stream, std::chrono::milliseconds max) {
  if constexpr (over_tcp<Stream>) {
    auto& lowest = beast::get_lowest_layer(stream);
    std::array<char, 4096> sink{};
    lowest.expires_after(max);
    for (;;) {
      // Ends when the client closes (eof), the deadline passes (timeout), or
      // shutdown cancels the connection (operation_aborted).
      auto [ec, n] = co_await lowest.async_read_some(net::buffer(sink), use_tuple);
      if (ec) {
        break;
      }
    }
  }
  close_without_answer(stream);
}

// Writes `bytes` random bytes (not HTTP), then closes in good order. Over
// TLS the bytes go through the TLS layer: the client's HTTP parser, not its
// TLS layer, is what meets them.
template <class Stream>
net::awaitable<void> random_data_then_close(Stream& stream, std::size_t bytes) {
  // Raw random bytes, as a broken proxy or another protocol on the port
  // would send.
  const std::string data = support::random_bytes(bytes);
  expire_after(stream, std::chrono::seconds(10));
  co_await net::async_write(stream, net::buffer(data), use_tuple);
  close_without_answer(stream);
}

// Writes the header at once, then the body in small pieces spread evenly
// over `duration`. Returns false when the write failed.
template <class Stream>
net::awaitable<bool> slow_answer(Stream& stream, bhttp::response<bhttp::string_body>& res,
                                 std::chrono::milliseconds duration) {
  const std::string body = std::move(res.body());
  res.body().clear();
  res.content_length(body.size());
  bhttp::response_serializer<bhttp::string_body> sr{res};
  expire_after(stream, std::chrono::seconds(10));
  auto [ec, n] = co_await bhttp::async_write_header(stream, sr, use_tuple);
  if (ec) {
    co_return false;
  }
  // At most 20 pieces, each at least a byte, the pause between them the
  // duration shared out evenly.
  const std::size_t pieces = std::max<std::size_t>(1, std::min<std::size_t>(20, body.size()));
  const auto pause = duration / static_cast<long>(pieces);
  net::steady_timer timer(stream.get_executor());
  std::size_t sent = 0;
  for (std::size_t i = 0; i < pieces; ++i) {
    timer.expires_after(pause);
    co_await timer.async_wait(use_tuple);
    const std::size_t end = i + 1 == pieces ? body.size() : body.size() * (i + 1) / pieces;
    expire_after(stream, std::chrono::seconds(10));
    auto [wec, wn] = co_await net::async_write(stream, net::buffer(body.data() + sent, end - sent), use_tuple);
    if (wec) {
      co_return false;
    }
    sent = end;
  }
  co_return true;
}

// After answering a request whose body was refused: stop sending, then
// read and discard what the client is still uploading, within a byte and
// time cap, so that closing does not reset the connection under the
// answer. Over TLS the discarded bytes are read below the TLS layer: they
// are thrown away, so there is nothing to decrypt.
template <class Stream>
net::awaitable<void> drain_and_close(Stream& stream) {
  if constexpr (over_tcp<Stream>) {
    constexpr std::chrono::milliseconds drain_time{2'000};
    constexpr std::size_t drain_bytes = 1024 * 1024;
    auto& lowest = beast::get_lowest_layer(stream);
    error_code ec;
    lowest.socket().shutdown(net::ip::tcp::socket::shutdown_send, ec);
    std::array<char, 16 * 1024> sink{};
    std::size_t total = 0;
    lowest.expires_after(drain_time);
    while (total < drain_bytes) {
      auto [read_ec, n] = co_await lowest.async_read_some(net::buffer(sink), use_tuple);
      if (read_ec) {
        break;
      }
      total += n;
    }
    lowest.socket().close(ec);
  } else {
    close_without_answer(stream);
  }
}

}  // namespace authsim::transport

#include "transport/connection_faults.hpp"

#include "support/async.hpp"
#include "support/crypto.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/write.hpp>

#include <algorithm>
#include <array>

namespace authsim::transport {

void reset_connection(beast::tcp_stream& stream) {
  boost::system::error_code ec;
  // Linger on, timeout zero: close() discards unsent data and sends RST.
  stream.socket().set_option(net::socket_base::linger(true, 0), ec);
  stream.socket().close(ec);
}

void close_without_answer(beast::tcp_stream& stream) {
  boost::system::error_code ec;
  stream.socket().shutdown(net::ip::tcp::socket::shutdown_both, ec);
  stream.socket().close(ec);
}

net::awaitable<void> hang(beast::tcp_stream& stream, std::chrono::milliseconds max) {
  std::array<char, 4096> sink{};
  stream.expires_after(max);
  for (;;) {
    // Ends when the client closes (eof), the deadline passes (timeout), or
    // shutdown cancels the connection (operation_aborted).
    auto [ec, n] = co_await stream.async_read_some(net::buffer(sink), use_tuple);
    if (ec) {
      break;
    }
  }
  close_without_answer(stream);
}

template <class Stream>
net::awaitable<void> random_data_then_close(Stream& stream, std::size_t bytes) {
  // Raw random bytes, as a broken proxy or another protocol on the port
  // would send.
  const std::string data = support::random_bytes(bytes);
  beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(10));
  co_await net::async_write(stream, net::buffer(data), use_tuple);
  close_without_answer(beast::get_lowest_layer(stream));
}

template <class Stream>
net::awaitable<bool> slow_answer(Stream& stream, bhttp::response<bhttp::string_body>& res,
                                 std::chrono::milliseconds duration) {
  const std::string body = std::move(res.body());
  res.body().clear();
  res.content_length(body.size());
  bhttp::response_serializer<bhttp::string_body> sr{res};
  auto& tcp = beast::get_lowest_layer(stream);
  tcp.expires_after(std::chrono::seconds(10));
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
    tcp.expires_after(std::chrono::seconds(10));
    auto [wec, wn] = co_await net::async_write(stream, net::buffer(body.data() + sent, end - sent), use_tuple);
    if (wec) {
      co_return false;
    }
    sent = end;
  }
  co_return true;
}

template net::awaitable<void> random_data_then_close(plain_stream&, std::size_t);
template net::awaitable<void> random_data_then_close(tls_stream&, std::size_t);
template net::awaitable<bool> slow_answer(plain_stream&, bhttp::response<bhttp::string_body>&,
                                          std::chrono::milliseconds);
template net::awaitable<bool> slow_answer(tls_stream&, bhttp::response<bhttp::string_body>&,
                                          std::chrono::milliseconds);

}  // namespace authsim::transport

#include "transport/session.hpp"

#include "transport/connection_loop.hpp"
#include "transport/connection_state.hpp"
#include "transport/io_errors.hpp"
#include "transport/streams.hpp"

#include <boost/asio/ssl/context.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/beast/core/detect_ssl.hpp>
#include <boost/beast/core/flat_buffer.hpp>

#include <memory>

namespace authsim::transport {

namespace {

// Ends a TLS connection with close_notify, briefly: a client that does not
// answer it is not waited for.
net::awaitable<void> close_tls(tls_stream& stream) {
  auto& tcp = beast::get_lowest_layer(stream);
  if (tcp.socket().is_open()) {
    tcp.expires_after(std::chrono::seconds(1));
    co_await stream.async_shutdown(use_tuple);
  }
}

void close_tcp(beast::tcp_stream& stream) {
  error_code ec;
  stream.socket().shutdown(net::ip::tcp::socket::shutdown_send, ec);
  stream.socket().close(ec);
}

// One port for both: a TLS ClientHello starts with a handshake record,
// plain HTTP with a method name. What was read to tell them apart stays in
// `buffer` for the handshake or the HTTP parser.
net::awaitable<void> serve_tls_or_plain(beast::tcp_stream& stream, beast::flat_buffer& buffer,
                                        const std::shared_ptr<connection_state>& state, const std::string& remote,
                                        const session_context& ctx) {
  stream.expires_after(ctx.limits.idle_timeout);
  auto [ec, is_tls] = co_await beast::async_detect_ssl(stream, buffer, use_tuple);
  if (ec) {
    log_failure(ec, "detect TLS");
    co_return;
  }
  if (!is_tls) {
    connection_loop<plain_stream> loop(stream, buffer, *state, ctx, remote, false);
    co_await loop.run();
    co_return;
  }
  tls_stream secure(std::move(stream), *ctx.tls);
  auto& tcp = beast::get_lowest_layer(secure);
  state->set_socket(&tcp.socket(), [&tcp] {
    error_code ignored;  // closed already (a deadline passed): nothing to cancel
    tcp.socket().cancel(ignored);
  });
  state->set_idle(false);
  tcp.expires_after(ctx.limits.read_timeout);
  auto [hec, used] = co_await secure.async_handshake(net::ssl::stream_base::server, buffer.data(), use_tuple);
  if (hec) {
    log_failure(hec, "TLS handshake");
  } else {
    buffer.consume(used);
    connection_loop<tls_stream> loop(secure, buffer, *state, ctx, remote, true);
    co_await loop.run();
    co_await close_tls(secure);
  }
  state->close();
  close_tcp(tcp);
}

}  // namespace

net::awaitable<void> serve(net::ip::tcp::socket socket, const session_context& ctx) {
  // Keep running after cancellation so a last answer can still be written
  // during shutdown; cancellation shows up as operation_aborted instead.
  co_await net::this_coro::throw_if_cancelled(false);

  beast::tcp_stream stream(std::move(socket));
  error_code ignored;
  const std::string remote = stream.socket().remote_endpoint(ignored).address().to_string();

  // The stream closes its socket itself when a deadline passes, maybe just
  // before shutdown asks to cancel: the error then says so, and is ignored.
  auto state = std::make_shared<connection_state>(
      stream.get_executor(),
      [&stream] {
        error_code already_closed;
        stream.socket().cancel(already_closed);
      },
      &stream.socket(), ctx.tracker);
  state->track();

  beast::flat_buffer buffer;
  if (ctx.tls == nullptr) {
    connection_loop<plain_stream> loop(stream, buffer, *state, ctx, remote, false);
    co_await loop.run();
  } else if (!ctx.tracker.stopping()) {
    co_await serve_tls_or_plain(stream, buffer, state, remote, ctx);
  }
  state->close();
  close_tcp(stream);
}

}  // namespace authsim::transport

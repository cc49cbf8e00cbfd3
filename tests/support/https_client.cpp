#include "support/https_client.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <openssl/ssl.h>

#include <chrono>
#include <exception>

namespace authsim::testing {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
constexpr auto use_tuple = net::as_tuple(net::use_awaitable);

namespace {

net::awaitable<void> run(std::uint16_t port, net::ssl::context& tls, const std::string& host_name,
                         const std::vector<https_request>& requests, https_result& out) {
  beast::ssl_stream<beast::tcp_stream> stream(co_await net::this_coro::executor, tls);
  auto& tcp = beast::get_lowest_layer(stream);
  const auto step = std::chrono::seconds(15);
  // SNI, as browsers and curl send it.
  // (SSL_set_tlsext_host_name spelled out: the macro's C cast trips -Werror.)
  SSL_ctrl(stream.native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
           const_cast<char*>(host_name.c_str()));
  stream.set_verify_callback(net::ssl::host_name_verification(host_name));
  tcp.expires_after(step);
  auto [cec] = co_await tcp.async_connect(net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), port), use_tuple);
  if (cec) {
    out.error = "connect: " + cec.message();
    co_return;
  }
  tcp.expires_after(step);
  auto [hec] = co_await stream.async_handshake(net::ssl::stream_base::client, use_tuple);
  if (hec) {
    out.error = "handshake: " + hec.message();
    co_return;
  }
  beast::flat_buffer buffer;
  for (const auto& r : requests) {
    bhttp::request<bhttp::string_body> req{bhttp::string_to_verb(r.method), r.target, 11};
    req.set(bhttp::field::host, host_name);
    for (const auto& [name, value] : r.headers) {
      req.set(name, value);
    }
    if (!r.body.empty()) {
      req.set(bhttp::field::content_type, "application/json");
      req.body() = r.body;
    }
    req.prepare_payload();
    tcp.expires_after(step);
    auto [wec, wn] = co_await bhttp::async_write(stream, req, use_tuple);
    if (wec) {
      out.error = "write: " + wec.message();
      co_return;
    }
    bhttp::response<bhttp::string_body> res;
    tcp.expires_after(step);
    auto [rec, rn] = co_await bhttp::async_read(stream, buffer, res, use_tuple);
    if (rec) {
      out.error = "read: " + rec.message();
      co_return;
    }
    out.responses.push_back(to_test_response(res));
  }
  tcp.expires_after(step);
  co_await stream.async_shutdown(use_tuple);
}

}  // namespace

https_result https_exchange(std::uint16_t port, const std::string& ca_file, const std::string& host_name,
                            const std::vector<https_request>& requests) {
  https_result out;
  net::ssl::context tls(net::ssl::context::tls_client);
  boost::system::error_code ec;
  tls.load_verify_file(ca_file, ec);
  if (ec) {
    out.error = "load CA " + ca_file + ": " + ec.message();
    return out;
  }
  tls.set_verify_mode(net::ssl::verify_peer);
  net::io_context ioc;
  std::exception_ptr failure;
  net::co_spawn(ioc, run(port, tls, host_name, requests, out), [&](std::exception_ptr e) { failure = e; });
  ioc.run_for(std::chrono::seconds(60));
  if (failure) {
    try {
      std::rethrow_exception(failure);
    } catch (const std::exception& e) {
      out.error = std::string("exception: ") + e.what();
    }
  }
  return out;
}

}  // namespace authsim::testing

#include "support/http_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/parse.hpp>

#include <doctest/doctest.h>

#include <stdexcept>


namespace authsim::testing {

namespace net = boost::asio;
namespace bhttp = boost::beast::http;

std::string http_response::header(const std::string& lowercase_name) const {
  const auto it = headers.find(lowercase_name);
  return it == headers.end() ? std::string() : it->second;
}

boost::json::value http_response::json() const {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(body, ec);
  INFO("body: ", body);
  REQUIRE_FALSE(ec);
  return v;
}

http_client::http_client(std::uint16_t port, const std::string& host) : socket_(ioc_) {
  socket_.connect({net::ip::make_address(host), port});
}

// Runs the pending asynchronous operation for at most `timeout`. Asio's
// blocking calls wait forever whatever SO_RCVTIMEO says, so every read and
// write here is asynchronous and bounded this way instead.
boost::system::error_code http_client::run_for(std::chrono::milliseconds timeout) {
  ioc_.restart();
  ioc_.run_for(timeout);
  if (!ioc_.stopped()) {
    // Still pending: cancel, and let the handler see operation_aborted.
    socket_.cancel();
    ioc_.restart();
    ioc_.run();
    return net::error::timed_out;
  }
  return {};
}

http_response http_client::request(const std::string& method, const std::string& target, const std::string& body,
                                   const header_pairs& headers) {
  bhttp::request<bhttp::string_body> req{bhttp::string_to_verb(method), target, 11};
  req.set(bhttp::field::host, "127.0.0.1");
  for (const auto& [name, value] : headers) {
    req.set(name, value);
  }
  req.body() = body;
  if (!body.empty() || method == "POST" || method == "PUT") {
    req.prepare_payload();
  }
  boost::system::error_code ec;
  bhttp::async_write(socket_, req, [&](boost::system::error_code e, std::size_t) { ec = e; });
  if (const auto t = run_for(timeout_)) {
    throw boost::system::system_error(t, "write request");
  }
  if (ec) {
    throw boost::system::system_error(ec, "write request");
  }
  return read_response();
}

void http_client::send_raw(std::string_view bytes) {
  boost::system::error_code ec;
  net::async_write(socket_, net::buffer(bytes.data(), bytes.size()),
                   [&](boost::system::error_code e, std::size_t) { ec = e; });
  if (const auto t = run_for(timeout_)) {
    throw boost::system::system_error(t, "send");
  }
  if (ec) {
    throw boost::system::system_error(ec, "send");
  }
}

http_response http_client::read_response() {
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(16 * 1024 * 1024);
  boost::system::error_code ec;
  bhttp::async_read(socket_, buffer_, parser, [&](boost::system::error_code e, std::size_t) { ec = e; });
  if (const auto t = run_for(timeout_)) {
    throw boost::system::system_error(t, "read response");
  }
  if (ec) {
    throw boost::system::system_error(ec, "read response");
  }
  return to_test_response(parser.get());
}

http_response to_test_response(const boost::beast::http::response<boost::beast::http::string_body>& res) {
  http_response out;
  out.status = res.result_int();
  for (const auto& field : res) {
    std::string name(field.name_string());
    for (char& c : name) {
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    out.headers[name] = std::string(field.value());
  }
  out.body = res.body();
  out.keep_alive = res.keep_alive();
  return out;
}

bool http_client::read_chunk(std::chrono::milliseconds wait, std::string& out) {
  char chunk[4096];
  boost::system::error_code ec;
  std::size_t n = 0;
  socket_.async_read_some(net::buffer(chunk), [&](boost::system::error_code e, std::size_t got) {
    ec = e;
    n = got;
  });
  if (run_for(wait)) {
    return false;
  }
  if (ec) {
    // Remembered: after end of stream a later read may not report it again.
    closed_ = ec == net::error::eof;
    reset_ = ec == net::error::connection_reset;
    return false;
  }
  out.append(chunk, n);
  return true;
}

std::string http_client::read_raw_until_idle(std::chrono::milliseconds first) {
  std::string out(static_cast<const char*>(buffer_.data().data()), buffer_.size());
  buffer_.consume(buffer_.size());
  bool more = read_chunk(out.empty() ? first : std::chrono::milliseconds(200), out);
  while (more) {
    more = read_chunk(std::chrono::milliseconds(200), out);
  }
  return out;
}

std::string http_client::read_some_raw(std::chrono::milliseconds wait) {
  std::string out;
  read_chunk(wait, out);
  return out;
}

bool http_client::closed_by_server() {
  if (closed_ || reset_) {
    return closed_;
  }
  if (buffer_.size() > 0) {
    return false;
  }
  std::string ignored;
  read_chunk(timeout_, ignored);
  return closed_;
}

void http_client::shutdown_send() {
  boost::system::error_code ec;
  socket_.shutdown(net::ip::tcp::socket::shutdown_send, ec);
}

}  // namespace authsim::testing

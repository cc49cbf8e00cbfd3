#include "support/http_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/parse.hpp>

#include <doctest/doctest.h>

#include <stdexcept>

#include <sys/socket.h>
#include <sys/time.h>

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
  // Blocking reads honour SO_RCVTIMEO; Beast's own timeouts are async only.
  timeval tv{15, 0};
  ::setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(socket_.native_handle(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
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
  bhttp::write(socket_, req);
  return read_response();
}

void http_client::send_raw(std::string_view bytes) { net::write(socket_, net::buffer(bytes.data(), bytes.size())); }

http_response http_client::read_response() {
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(16 * 1024 * 1024);
  bhttp::read(socket_, buffer_, parser);
  const auto& res = parser.get();
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

bool http_client::closed_by_server() {
  char byte = 0;
  boost::system::error_code ec;
  if (buffer_.size() > 0) {
    return false;
  }
  socket_.read_some(net::buffer(&byte, 1), ec);
  return ec == net::error::eof || ec == net::error::connection_reset;
}

void http_client::shutdown_send() {
  boost::system::error_code ec;
  socket_.shutdown(net::ip::tcp::socket::shutdown_send, ec);
}

}  // namespace authsim::testing

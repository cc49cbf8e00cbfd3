#pragma once
// A small blocking HTTP/1.1 client over loopback, built on Beast, for the
// integration tests: one connection, kept alive across requests, with raw
// byte access for the tests that misbehave on purpose. Every read and write
// gives up after 15 s, so a hung server fails a test instead of hanging it.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace authsim::testing {

struct http_response {
  unsigned status = 0;
  std::map<std::string, std::string> headers;  // names in lowercase
  std::string body;
  bool keep_alive = false;

  [[nodiscard]] std::string header(const std::string& lowercase_name) const;
  // The body parsed as JSON; fails the test when it is not JSON.
  [[nodiscard]] boost::json::value json() const;
};

using header_pairs = std::vector<std::pair<std::string, std::string>>;

// A Beast response as the tests see it: header names in lowercase.
http_response to_test_response(const boost::beast::http::response<boost::beast::http::string_body>& res);

class http_client {
 public:
  explicit http_client(std::uint16_t port, const std::string& host = "127.0.0.1");

  http_response request(const std::string& method, const std::string& target, const std::string& body = {},
                        const header_pairs& headers = {});
  http_response post(const std::string& target, const std::string& body, const header_pairs& headers = {}) {
    return request("POST", target, body, headers);
  }

  // Writes bytes as they are, for requests Beast would not build.
  void send_raw(std::string_view bytes);
  // Reads whatever bytes arrive, waiting up to `first` for the first one
  // and then until none come for 200 ms.
  std::string read_raw_until_idle(std::chrono::milliseconds first = std::chrono::seconds(5));
  // Reads the bytes that arrive within `wait` at most (at least one read).
  std::string read_some_raw(std::chrono::milliseconds wait);
  // Reads one response from the connection.
  http_response read_response();
  // True when the server closed the connection in good order (the read
  // sees end of stream, not a reset) within the client's read timeout.
  bool closed_by_server();
  void shutdown_send();
  // How long each later read or write may take (15 s unless changed).
  void set_timeout(std::chrono::milliseconds timeout) { timeout_ = timeout; }

 private:
  boost::system::error_code run_for(std::chrono::milliseconds timeout);
  // One read of what arrives within `wait`, appended to `out`; false on
  // time-out, end of stream or error (recorded in closed_ / reset_).
  bool read_chunk(std::chrono::milliseconds wait, std::string& out);

  boost::asio::io_context ioc_;
  boost::asio::ip::tcp::socket socket_;
  boost::beast::flat_buffer buffer_;
  std::chrono::milliseconds timeout_{15'000};
  bool closed_ = false;  // a read already saw the server's end of stream
  bool reset_ = false;   // a read already saw a reset
};

}  // namespace authsim::testing

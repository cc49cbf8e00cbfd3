#pragma once
// Reads an HTTP/1 request with Beast's parser straight into the handlers'
// view of it (http::request): each header is copied once, from the bytes
// received into the request, with no Beast message in between. No sockets:
// the session feeds it, and so does the fuzz target that drives a request
// from raw bytes in process.

#include "http/message.hpp"

#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/verb.hpp>

#include <string>

namespace authsim::transport {

class request_reader final : public boost::beast::http::basic_parser<true> {
 public:
  // `remote`: the client's address, as the handlers see it.
  explicit request_reader(const std::string& remote);

  // What the request line said; meaningful once it has been read.
  [[nodiscard]] boost::beast::http::verb method() const { return method_; }
  [[nodiscard]] unsigned version() const { return version_; }
  // Whether a Transfer-Encoding header came, whatever its value.
  [[nodiscard]] bool has_transfer_encoding() const { return transfer_encoding_; }
  // The request so far (its body only when it has been read whole).
  [[nodiscard]] const http::request& request() const { return request_; }
  // Takes the request out; its body too with `with_body`. The reader is
  // spent.
  http::request take(bool with_body);

 private:
  void on_request_impl(boost::beast::http::verb method, boost::beast::string_view method_str,
                       boost::beast::string_view target, int version, boost::beast::error_code& ec) override;
  void on_response_impl(int status, boost::beast::string_view reason, int version,
                        boost::beast::error_code& ec) override;
  void on_field_impl(boost::beast::http::field name, boost::beast::string_view name_string,
                     boost::beast::string_view value, boost::beast::error_code& ec) override;
  void on_header_impl(boost::beast::error_code& ec) override;
  void on_body_init_impl(const boost::optional<std::uint64_t>& content_length, boost::beast::error_code& ec) override;
  std::size_t on_body_impl(boost::beast::string_view body, boost::beast::error_code& ec) override;
  void on_chunk_header_impl(std::uint64_t size, boost::beast::string_view extensions,
                            boost::beast::error_code& ec) override;
  std::size_t on_chunk_body_impl(std::uint64_t remain, boost::beast::string_view body,
                                 boost::beast::error_code& ec) override;
  void on_finish_impl(boost::beast::error_code& ec) override;

  http::request request_;
  boost::beast::http::verb method_ = boost::beast::http::verb::unknown;
  unsigned version_ = 11;
  bool transfer_encoding_ = false;
};

}  // namespace authsim::transport

#include "transport/request_reader.hpp"

#include "support/aliases.hpp"

namespace authsim::transport {

using boost::beast::error_code;
using boost::beast::string_view;

request_reader::request_reader(const std::string& remote) { request_.remote_address = remote; }

http::request request_reader::take(bool with_body) {
  if (!with_body) {
    request_.body.clear();
  }
  return std::move(request_);
}

void request_reader::on_request_impl(bhttp::verb method, string_view method_str, string_view target, int version,
                                     error_code& ec) {
  request_.method.assign(method_str.data(), method_str.size());
  request_.target.assign(target.data(), target.size());
  method_ = method;
  version_ = static_cast<unsigned>(version);
  ec = {};
}

// Never called: this reader reads requests only.
void request_reader::on_response_impl(int, string_view, int, error_code& ec) { ec = {}; }

void request_reader::on_field_impl(bhttp::field name, string_view name_string, string_view value, error_code& ec) {
  if (name == bhttp::field::transfer_encoding) {
    transfer_encoding_ = true;
  }
  request_.headers.add(std::string(name_string), std::string(value));
  ec = {};
}

void request_reader::on_header_impl(error_code& ec) { ec = {}; }

void request_reader::on_body_init_impl(const boost::optional<std::uint64_t>& content_length, error_code& ec) {
  // The parser has already held a declared length to the body limit.
  if (content_length) {
    request_.body.reserve(static_cast<std::size_t>(*content_length));
  }
  ec = {};
}

std::size_t request_reader::on_body_impl(string_view body, error_code& ec) {
  request_.body.append(body.data(), body.size());
  ec = {};
  return body.size();
}

void request_reader::on_chunk_header_impl(std::uint64_t, string_view, error_code& ec) { ec = {}; }

std::size_t request_reader::on_chunk_body_impl(std::uint64_t, string_view body, error_code& ec) {
  request_.body.append(body.data(), body.size());
  ec = {};
  return body.size();
}

void request_reader::on_finish_impl(error_code& ec) { ec = {}; }

}  // namespace authsim::transport

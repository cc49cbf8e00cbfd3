#include "transport/wire.hpp"

namespace authsim::transport {

namespace bhttp = boost::beast::http;

http::request to_request(const wire_request& in, const std::string& remote, bool with_body) {
  http::request out;
  out.method = std::string(in.method_string());
  out.target = std::string(in.target());
  for (const auto& field : in) {
    out.headers.add(std::string(field.name_string()), std::string(field.value()));
  }
  if (with_body) {
    out.body = in.body();
  }
  out.remote_address = remote;
  return out;
}

wire_response to_wire(http::response res, unsigned version, bool keep_alive, bool head) {
  wire_response out{static_cast<bhttp::status>(res.status), version};
  for (auto& [name, value] : res.headers.fields()) {
    out.set(name, value);
  }
  out.set(bhttp::field::server, "authsim");
  out.body() = std::move(res.body);
  out.keep_alive(keep_alive);
  out.prepare_payload();
  if (head) {
    out.body().clear();
  }
  return out;
}

}  // namespace authsim::transport

#include "transport/wire.hpp"

#include "http/serialize.hpp"
#include "support/aliases.hpp"
#include "support/text.hpp"

#include <boost/beast/http/status.hpp>

namespace authsim::transport {

wire_response to_wire(http::response res, unsigned version, bool keep_alive, bool head) {
  wire_response out{static_cast<bhttp::status>(res.status), version};
  out.reason(http::reason_phrase(res.status));
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

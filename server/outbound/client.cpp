#include "outbound/client.hpp"

namespace authsim::outbound {

const char* failure_name(failure f) {
  switch (f) {
    case failure::none: return "none";
    case failure::bad_url: return "bad_url";
    case failure::resolve: return "resolve";
    case failure::connect: return "connect";
    case failure::tls: return "tls";
    case failure::timeout: return "timeout";
    case failure::closed: return "closed";
    case failure::protocol: return "protocol";
    case failure::too_large: return "too_large";
    case failure::busy: return "busy";
    case failure::cancelled: return "cancelled";
  }
  return "none";
}

}  // namespace authsim::outbound

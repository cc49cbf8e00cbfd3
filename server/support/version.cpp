#include "support/version.hpp"

namespace authsim::support {

const char* version() { return AUTHSIM_VERSION; }

}  // namespace authsim::support

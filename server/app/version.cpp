#include "app/version.hpp"

namespace authsim::app {

const char* version() { return AUTHSIM_VERSION; }

}  // namespace authsim::app

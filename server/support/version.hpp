#pragma once

namespace authsim::support {

// The product version, from the CMake project version.
const char* version();

}  // namespace authsim::support

#pragma once

namespace authsim::app {

// The product version, from the CMake project version.
const char* version();

}  // namespace authsim::app

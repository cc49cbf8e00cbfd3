#pragma once
// Where the admin API lives. Requests under it are the observer, not the
// traffic observed: no scenario applies to them, and they are neither
// journaled nor counted in the metrics.

namespace authsim::admin {

inline constexpr const char* prefix = "/__admin/";

}  // namespace authsim::admin

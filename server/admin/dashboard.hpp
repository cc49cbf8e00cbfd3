#pragma once
// GET /__admin/ui: the dashboard, one HTML page with its style and script
// inline (compiled into the binary from server/admin/ui/, see
// cmake/embed_assets.cmake), run under a Content-Security-Policy whose
// nonce is fresh for every answer. Everything it shows it reads from the
// admin API with the browser's fetch, as any client would.
//
// The page itself holds no data. Without --admin-token it is behind the
// same guard as every admin call (loopback only, unless --admin-open);
// with a token it is served to anyone, as a browser cannot send a Bearer
// token when it opens a page, and asks for the token before any call.

#include "admin/access.hpp"
#include "http/router.hpp"

#include <string>
#include <string_view>

namespace authsim::admin {

inline constexpr const char* dashboard_path = "/__admin/ui";

// The page with `nonce` on its style and script.
std::string render_dashboard(std::string_view nonce);

// The route, behind `guard` as described above.
void register_dashboard(http::router& r, const access_guard& guard);

}  // namespace authsim::admin

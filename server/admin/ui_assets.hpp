#pragma once
// The dashboard's files (server/admin/ui), compiled in: see
// cmake/embed_assets.cmake, which generates their definitions at build time.

#include <string_view>

namespace authsim::admin::ui_assets {

extern const std::string_view dashboard_html;
extern const std::string_view dashboard_css;
extern const std::string_view dashboard_js;

}  // namespace authsim::admin::ui_assets

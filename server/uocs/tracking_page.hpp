#pragma once
// The tracking page (H5) that orderH5View / selectWaybillH5View's obj.url
// points at: GET /uocs-h5/waybill/{fyCode}. The upstream shows the drone on
// a map; authsim shows the waybill's status and its timeline as the
// simulated clock has it, in both languages, with no script. Pure: the
// caller looks the waybill up.

#include "fixtures/fixtures.hpp"
#include "uocs/waybills.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace authsim::uocs {

inline constexpr const char* tracking_path = "/uocs-h5/waybill/{fy_code}";
inline constexpr const char* tracking_prefix = "/uocs-h5/waybill/";

// The whole HTML document; `w` absent: a page saying the waybill is unknown.
std::string render_tracking_page(std::string_view fy_code, const std::optional<waybill>& w,
                                 const fixtures::fixture_set& world, std::int64_t now_ms);

}  // namespace authsim::uocs

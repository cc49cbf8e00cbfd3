#pragma once
// The cashier page that an issued code's `url` points at
// (GET /dg/oauth?ident_code=...). The upstream serves its payment front end
// there; authsim serves a small page that shows the code's platform and
// state and has a button that redeems the code through
// POST /dg/v1/identify/redirect, as the upstream's front end does, and shows
// the open token. Pure: the caller looks the code up.

#include "fixtures/fixtures.hpp"
#include "state/code_store.hpp"
#include "support/text.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace authsim::creditpay {

inline constexpr const char* cashier_path = "/dg/oauth";

// What the page says of the code: its status (state::code_status), or
// unknown when the store does not have it.
enum class code_state { issued, redeemed, expired, unknown };

code_state state_of(const std::optional<state::code_record>& record, std::int64_t now_ms);
const char* code_state_name(code_state s);  // "issued", "redeemed", "expired", "unknown"

// The whole HTML document. `platform` may be null (a code of a platform no
// longer in the fixtures); `nonce` is the Content-Security-Policy nonce of
// the page's one script.
std::string render_cashier_page(std::string_view ident_code, const std::optional<state::code_record>& record,
                                const fixtures::platform* platform, std::int64_t now_ms, std::string_view nonce);

// The page for a request without an ident_code.
std::string render_cashier_missing_code();

using support::html_escape;

}  // namespace authsim::creditpay

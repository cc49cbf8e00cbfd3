#pragma once
// The body of POST /dg/v1/platform/identify/auth and of
// POST /dg/v1/identify/redirect, validated field by field. Pure functions.

#include "creditpay/messages.hpp"
#include "http/message.hpp"
#include "state/credit_limit.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace authsim::creditpay {

// The platform id of an identify request: the query parameter `platId`,
// or `plat_id` as a later revision of the upstream page names it; empty
// when neither is given (or both are empty).
std::optional<std::string> platform_id(const http::request& req);

struct identify_body {
  std::string custom_no;
  std::string customer_token;
  std::int64_t token_expire = 0;
  std::string callback_url;
  std::string client_ip;
  // The later revision's optional fields.
  std::optional<std::string> session_sign;
  std::optional<state::credit_limit> credit;  // credit_limit_tag with its cards
};

// Bounds on the optional fields, in bytes and cards; the upstream states
// none.
struct identify_limits {
  static constexpr std::size_t tag_bytes = 128;  // session_sign, credit_limit_tag, a card's tag
  static constexpr std::size_t icon_bytes = 2048;
  static constexpr std::size_t input_bytes = 4096;
  static constexpr std::size_t cards = 16;
  static constexpr std::size_t lang_bytes = 64;  // the `lang` header kept with the code
};

// The `lang` an identify request without one stands for (the upstream's
// default).
inline constexpr const char* default_lang = "en-US";

struct identify_parse {
  std::optional<identify_body> body;
  std::optional<rejection> error;  // set exactly when body is not
};

// Checks, in this order: JSON object; custom_no (or customer_no, the
// spelling of the upstream examples); customer_token; token_expire (a
// 13-digit integer after `now_ms`); callback_url (http/https); client_ip
// (IPv4/IPv6); then the optional session_sign (a string), and
// credit_limit_tag with credit_limit_available_cards (both or neither;
// each card's tag, amount, currency, icon and input; the tag naming one of
// the cards). Fields not listed are ignored, as the upstream does.
identify_parse parse_identify_body(std::string_view raw, std::int64_t now_ms);

struct redirect_parse {
  std::string ident_code;
  std::optional<rejection> error;
};

redirect_parse parse_redirect_body(std::string_view raw);

}  // namespace authsim::creditpay

#pragma once
// The body of POST /dg/v1/platform/identify/auth and of
// POST /dg/v1/identify/redirect, validated field by field. Pure functions.

#include "creditpay/messages.hpp"
#include "http/message.hpp"

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
};

struct identify_parse {
  std::optional<identify_body> body;
  std::optional<rejection> error;  // set exactly when body is not
};

// Checks, in this order: JSON object; custom_no (or customer_no, the
// spelling of the upstream examples); customer_token; token_expire (a
// 13-digit integer after `now_ms`); callback_url (http/https); client_ip
// (IPv4/IPv6). Fields not listed are ignored, as the upstream does.
identify_parse parse_identify_body(std::string_view raw, std::int64_t now_ms);

struct redirect_parse {
  std::string ident_code;
  std::optional<rejection> error;
};

redirect_parse parse_redirect_body(std::string_view raw);

}  // namespace authsim::creditpay

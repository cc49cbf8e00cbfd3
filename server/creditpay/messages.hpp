#pragma once
// Every Credit Pay rejection: its HTTP status, its `code` and its message in
// both served languages (en-US, zh-CN). The README's error table lists the
// same rows; a test checks that every entry has both texts.

#include "http/message.hpp"
#include "http/router.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace authsim::creditpay {

enum class error_id {
  missing_plat_id,
  missing_trace,
  unknown_platform,
  missing_api_key,
  api_key_mismatch,
  missing_signature,
  signature_mismatch,
  body_empty,
  body_not_json,
  body_not_object,
  body_duplicate_key,
  missing_field,
  wrong_type,
  empty_field,
  conflicting_custom_no,
  token_expire_format,
  token_expire_past,
  callback_url_invalid,
  client_ip_invalid,
  field_too_long,
  url_invalid,
  amount_invalid,
  currency_invalid,
  too_many_cards,
  credit_limit_incomplete,
  credit_limit_tag_unmatched,
  ident_code_unknown,
  ident_code_expired,
  ident_code_redeemed,
  missing_authorization,
  authorization_not_bearer,
  open_token_malformed,
  open_token_bad_signature,
  open_token_expired,
  open_token_code_gone,
  credit_limit_unset,
  credit_limit_call_failed,
  credit_limit_contract,
};

struct error_info {
  error_id id;
  const char* name;  // the check's name in the admin journal, e.g. "signature_mismatch"
  unsigned http_status;
  int code;
  const char* en;  // with {0}, {1}... for the arguments
  const char* zh;
};

const error_info& info(error_id id);
const std::vector<error_info>& all_errors();

// The Credit Pay `code` of a failure the server decides before any
// endpoint (404, 405, 413...): the HTTP status followed by two digits.
int failure_code(http::failure_kind kind);

// A rejection ready to render: which error and the values for its message.
struct rejection {
  error_id id;
  std::vector<std::string> args;

  [[nodiscard]] std::string message(http::language lang) const;
};

}  // namespace authsim::creditpay

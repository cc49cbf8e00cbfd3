#pragma once
// UOCS's refusals. The upstream publishes five error codes (develop.md);
// each refusal authsim makes carries one of them in `errorCode`, and the
// precise cause in `errorMessage` (naming the field, in the caller's
// language) and in the journal's decided_by.check (the cause's name).

#include "fixtures/fixtures.hpp"
#include "http/router.hpp"

#include <vector>

namespace authsim::uocs {

// The published codes, by what they say.
enum class code_class {
  parameter,      // 10002 (2024-12) / 10001 (2025): parameter error
  interface,      // 10006: interface exception
  token_empty,    // 09020101: token empty, get a new one
  token_invalid,  // 09020102: token invalid or expired, get a new one
  unauthorized,   // 09020206: authorization check failed
};
const char* published_code(code_class c, fixtures::uocs_revision r);

enum class error_id {
  invalid_json,
  missing_parameter,
  invalid_parameter,
  app_key_invalid,
  app_secret_invalid,
  user_not_found,
  password_invalid,
  token_missing,
  token_invalid,
  token_expired,
  wrong_revision,
  not_in_revision,
  unknown_developer,
  unknown_waybill,
  other_apps_waybill,
  unknown_station,
  station_too_far,
  out_of_service_area,
  overweight,
  duplicate_biz_code,
  cancel_not_allowed,
};

struct error_info {
  error_id id;
  const char* cause;  // decided_by.check, e.g. "MISSING_PARAMETER"
  code_class cls;
  const char* en;  // {0}, {1}, ...: the details
  const char* zh;
};
const std::vector<error_info>& all_errors();
const error_info& info(error_id id);

// What a failure decided outside the endpoints (404, 413, a rate limit...)
// says in errorCode: a request the server could not read as sent is a
// parameter error, anything else an interface exception.
code_class class_of(http::failure_kind kind);

}  // namespace authsim::uocs

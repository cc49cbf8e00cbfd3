#include "creditpay/messages.hpp"
#include "uocs/api.hpp"

#include <doctest/doctest.h>

#include <map>
#include <set>
#include <string>

namespace {

std::set<std::string> placeholders(const std::string& text) {
  std::set<std::string> out;
  for (std::size_t i = 0; i + 2 < text.size(); ++i) {
    if (text[i] == '{' && text[i + 2] == '}' && text[i + 1] >= '0' && text[i + 1] <= '9') {
      out.insert(text.substr(i, 3));
    }
  }
  return out;
}

}  // namespace

TEST_CASE("every Credit Pay message exists in both languages with the same placeholders") {
  for (const auto& e : authsim::creditpay::all_errors()) {
    CAPTURE(e.code);
    CHECK(std::string(e.en).size() > 10);
    CHECK(std::string(e.zh).size() > 10);
    CHECK(placeholders(e.en) == placeholders(e.zh));
    CHECK(e.code != 0);
    CHECK(e.http_status >= 400);
  }
}

TEST_CASE("each Credit Pay code always comes with the same HTTP status") {
  std::map<int, unsigned> status_of;
  for (const auto& e : authsim::creditpay::all_errors()) {
    const auto [it, fresh] = status_of.emplace(e.code, e.http_status);
    CHECK(it->second == e.http_status);
  }
}

TEST_CASE("every UOCS message exists in both languages with a distinct cause and a published errorCode") {
  std::set<std::string> causes;
  const std::set<std::string> published{"10001", "10002", "10006", "09020101", "09020102", "09020206"};
  for (const auto& e : authsim::uocs::all_errors()) {
    CAPTURE(e.cause);
    CHECK(causes.insert(e.cause).second);
    CHECK(std::string(e.zh).size() > 5);
    // A status is named in each language's own words: {1} in English, {2} in Chinese.
    if (e.id != authsim::uocs::error_id::cancel_not_allowed) {
      CHECK(placeholders(e.en) == placeholders(e.zh));
    }
    for (const auto r : {authsim::fixtures::uocs_revision::r2024_12, authsim::fixtures::uocs_revision::r2025}) {
      CHECK(published.contains(authsim::uocs::published_code(e.cls, r)));
    }
  }
  using authsim::uocs::code_class;
  CHECK(std::string(authsim::uocs::published_code(code_class::parameter, authsim::fixtures::uocs_revision::r2024_12)) ==
        "10002");
  CHECK(std::string(authsim::uocs::published_code(code_class::parameter, authsim::fixtures::uocs_revision::r2025)) ==
        "10001");
}

TEST_CASE("a rejection renders in the asked language") {
  const authsim::creditpay::rejection r{authsim::creditpay::error_id::missing_field, {"client_ip"}};
  CHECK(r.message(authsim::http::language::en_us) == "missing required field 'client_ip' in the body");
  CHECK(r.message(authsim::http::language::zh_cn) == "请求体缺少必填字段 'client_ip'");
}

TEST_CASE("a failure the server decides has a Credit Pay code of its status and two digits, none shared") {
  using authsim::http::failure_kind;
  std::set<int> codes;
  for (const failure_kind kind :
       {failure_kind::not_found, failure_kind::method_not_allowed, failure_kind::body_too_large,
        failure_kind::header_too_large, failure_kind::bad_request, failure_kind::unknown_scenario,
        failure_kind::rate_limited, failure_kind::internal}) {
    const int code = authsim::creditpay::failure_code(kind);
    const unsigned status = authsim::http::make_failure(kind).status;
    CHECK(code / 100 == static_cast<int>(status));
    CHECK(codes.insert(code).second);
  }
}

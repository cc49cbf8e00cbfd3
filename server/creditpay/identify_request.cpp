#include "creditpay/identify_request.hpp"

#include "http/json_body.hpp"
#include "support/aliases.hpp"
#include "support/json_kind.hpp"
#include "support/text.hpp"
#include "support/validate.hpp"

#include <boost/json/monotonic_resource.hpp>

#include <cmath>
#include <sstream>

namespace authsim::creditpay {

namespace {

// Turns a body that is not a JSON object into its rejection.
std::optional<rejection> body_rejection(const http::json_body& body) {
  switch (body.problem) {
    case http::body_problem::none: return std::nullopt;
    case http::body_problem::empty: return rejection{error_id::body_empty, {}};
    case http::body_problem::syntax:
      return rejection{error_id::body_not_json, {std::to_string(body.error_offset), body.error_detail}};
    case http::body_problem::not_object: return rejection{error_id::body_not_object, {body.kind}};
    case http::body_problem::duplicate_key:
      return rejection{error_id::body_duplicate_key, {support::excerpt(body.duplicate_path)}};
  }
  return std::nullopt;
}

// Reads a required non-empty string field into `out`.
std::optional<rejection> require_string(const json::object& obj, const char* name, std::string& out) {
  const json::string* s = nullptr;
  switch (http::string_field(obj, name, s)) {
    case http::field_problem::none: out.assign(s->data(), s->size()); return std::nullopt;
    case http::field_problem::missing: return rejection{error_id::missing_field, {name}};
    case http::field_problem::empty: return rejection{error_id::empty_field, {name}};
    case http::field_problem::wrong_type:
      return rejection{error_id::wrong_type, {name, "a string", support::json_kind_name(obj.at(name))}};
  }
  return std::nullopt;
}

// custom_no is the parameter table's spelling; customer_no the examples'.
std::optional<rejection> read_custom_no(const json::object& obj, std::string& out) {
  const bool has_custom = obj.contains("custom_no");
  const bool has_customer = obj.contains("customer_no");
  if (!has_custom && !has_customer) {
    return rejection{error_id::missing_field, {"custom_no"}};
  }
  if (has_custom) {
    if (auto err = require_string(obj, "custom_no", out)) {
      return err;
    }
  }
  if (has_customer) {
    std::string other;
    if (auto err = require_string(obj, "customer_no", other)) {
      return err;
    }
    if (has_custom && other != out) {
      return rejection{error_id::conflicting_custom_no, {support::excerpt(out), support::excerpt(other)}};
    }
    out = std::move(other);
  }
  return std::nullopt;
}

std::optional<rejection> read_token_expire(const json::object& obj, std::int64_t now_ms, std::int64_t& out) {
  const json::value* v = obj.if_contains("token_expire");
  if (v == nullptr) {
    return rejection{error_id::missing_field, {"token_expire"}};
  }
  constexpr std::int64_t min13 = 1'000'000'000'000;
  constexpr std::int64_t max13 = 9'999'999'999'999;
  if (const auto* i = v->if_int64()) {
    if (*i < min13 || *i > max13) {
      return rejection{error_id::token_expire_format, {std::to_string(*i)}};
    }
    if (*i <= now_ms) {
      return rejection{error_id::token_expire_past, {std::to_string(*i), std::to_string(now_ms)}};
    }
    out = *i;
    return std::nullopt;
  }
  if (const auto* u = v->if_uint64()) {
    return rejection{error_id::token_expire_format, {std::to_string(*u)}};
  }
  if (const auto* d = v->if_double(); d != nullptr && std::isfinite(*d) && std::floor(*d) == *d) {
    // A whole number too large for 64 bits arrives as a double: still a
    // number of the wrong size, not of the wrong type.
    std::ostringstream text;
    text << *d;
    return rejection{error_id::token_expire_format, {text.str()}};
  }
  return rejection{error_id::wrong_type,
                   {"token_expire", "an integer (13-digit milliseconds)", support::json_kind_name(*v)}};
}

}  // namespace

std::optional<std::string> platform_id(const http::request& req) {
  std::optional<std::string> id = req.query_param("platId");
  if (!id || id->empty()) {
    id = req.query_param("plat_id");
  }
  if (!id || id->empty()) {
    return std::nullopt;
  }
  return id;
}

identify_parse parse_identify_body(std::string_view raw, std::int64_t now_ms) {
  // The parsed body lives only in this call: its nodes come from the stack.
  unsigned char arena[2048];
  json::monotonic_resource memory(arena, sizeof arena);
  const http::json_body parsed = http::parse_json_object(raw, &memory);
  if (auto err = body_rejection(parsed)) {
    return {std::nullopt, std::move(err)};
  }
  const json::object& obj = parsed.object;
  identify_body body;
  std::optional<rejection> err = read_custom_no(obj, body.custom_no);
  if (!err) err = require_string(obj, "customer_token", body.customer_token);
  if (!err) err = read_token_expire(obj, now_ms, body.token_expire);
  if (!err) {
    err = require_string(obj, "callback_url", body.callback_url);
    if (!err && !support::is_http_url(body.callback_url)) {
      err = rejection{error_id::callback_url_invalid, {support::excerpt(body.callback_url)}};
    }
  }
  if (!err) {
    err = require_string(obj, "client_ip", body.client_ip);
    if (!err && !support::is_ip_address(body.client_ip)) {
      err = rejection{error_id::client_ip_invalid, {support::excerpt(body.client_ip)}};
    }
  }
  if (err) {
    return {std::nullopt, std::move(err)};
  }
  return {std::move(body), std::nullopt};
}

redirect_parse parse_redirect_body(std::string_view raw) {
  const http::json_body parsed = http::parse_json_object(raw);
  redirect_parse out;
  out.error = body_rejection(parsed);
  if (!out.error) {
    out.error = require_string(parsed.object, "ident_code", out.ident_code);
  }
  return out;
}

}  // namespace authsim::creditpay

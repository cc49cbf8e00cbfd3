#include "creditpay/identify_request.hpp"

#include "http/json_body.hpp"
#include "support/aliases.hpp"
#include "support/json_kind.hpp"
#include "support/json_number_text.hpp"
#include "support/terms.hpp"
#include "support/text.hpp"
#include "support/validate.hpp"

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/serialize.hpp>

#include <charconv>

#include <cmath>

namespace authsim::creditpay {

namespace {

// Turns a body that is not a JSON object into its rejection.
std::optional<rejection> body_rejection(const http::json_body& body) {
  switch (body.problem) {
    case http::body_problem::none: return std::nullopt;
    case http::body_problem::empty: return rejection{error_id::body_empty, {}};
    case http::body_problem::syntax:
      return rejection{error_id::body_not_json, {std::to_string(body.error_offset), support::term(body.error_detail)}};
    case http::body_problem::not_object: return rejection{error_id::body_not_object, {support::term(body.kind)}};
    case http::body_problem::duplicate_key:
      return rejection{error_id::body_duplicate_key, {support::excerpt(body.duplicate_path)}};
  }
  return std::nullopt;
}

// Reads a required non-empty string field into `out`; `shown` names it in
// a rejection (a card's field is named by its path).
std::optional<rejection> require_string(const json::object& obj, const char* name, std::string& out,
                                        const std::string& shown) {
  const json::string* s = nullptr;
  switch (http::string_field(obj, name, s)) {
    case http::field_problem::none: out.assign(s->data(), s->size()); return std::nullopt;
    case http::field_problem::missing: return rejection{error_id::missing_field, {shown}};
    case http::field_problem::empty: return rejection{error_id::empty_field, {shown}};
    case http::field_problem::wrong_type:
      return rejection{error_id::wrong_type, {shown, support::term("a string"), support::term(support::json_kind_name(obj.at(name)))}};
  }
  return std::nullopt;
}

std::optional<rejection> require_string(const json::object& obj, const char* name, std::string& out) {
  return require_string(obj, name, out, name);
}

// As require_string, and at most `limit` bytes long.
std::optional<rejection> require_short_string(const json::object& obj, const char* name, std::string& out,
                                              const std::string& shown, std::size_t limit) {
  std::optional<rejection> err = require_string(obj, name, out, shown);
  if (!err && out.size() > limit) {
    err = rejection{error_id::field_too_long, {shown, std::to_string(out.size()), std::to_string(limit)}};
  }
  return err;
}

using support::is_currency_code;
using support::is_plain_amount;

// A card's amount: the upstream's table types it as a number, its example
// sends a string; both are taken, and kept as text.
std::optional<rejection> read_amount(const json::object& card, const std::string& shown, std::string& out) {
  const json::value* v = card.if_contains("amount");
  if (v == nullptr) {
    return rejection{error_id::missing_field, {shown}};
  }
  if (const auto* s = v->if_string()) {
    out.assign(s->data(), s->size());
    if (is_plain_amount(out)) {
      return std::nullopt;
    }
    return rejection{error_id::amount_invalid, {shown, "'" + support::excerpt(out) + "'"}};
  }
  if (const auto* i = v->if_int64(); i != nullptr && *i >= 0) {
    out = std::to_string(*i);
    return std::nullopt;
  }
  if (const auto* u = v->if_uint64()) {
    out = std::to_string(*u);
    return std::nullopt;
  }
  if (const auto* d = v->if_double(); d != nullptr && std::isfinite(*d) && *d >= 0 && *d < 1e15) {
    // The shortest text that reads back as the same number: 12.30 → "12.3".
    char text[64];
    const auto written = std::to_chars(text, text + sizeof text, *d == 0 ? 0.0 : *d, std::chars_format::fixed);
    if (written.ec == std::errc()) {
      out.assign(text, written.ptr);
      if (is_plain_amount(out)) {
        return std::nullopt;
      }
    }
  }
  if (v->is_number()) {
    return rejection{error_id::amount_invalid, {shown, json::serialize(*v)}};
  }
  return rejection{error_id::wrong_type, {shown, support::term("a string or a number"), support::term(support::json_kind_name(*v))}};
}

std::optional<rejection> read_card(const json::value& item, const std::string& shown, state::credit_card& card) {
  const json::object* obj = item.if_object();
  if (obj == nullptr) {
    return rejection{error_id::wrong_type, {shown, support::term("an object"), support::term(support::json_kind_name(item))}};
  }
  using limits = identify_limits;
  std::optional<rejection> err = require_short_string(*obj, "tag", card.tag, shown + ".tag", limits::tag_bytes);
  if (!err) err = read_amount(*obj, shown + ".amount", card.amount);
  if (!err) {
    err = require_string(*obj, "currency", card.currency, shown + ".currency");
    if (!err && !is_currency_code(card.currency)) {
      err = rejection{error_id::currency_invalid, {shown + ".currency", support::excerpt(card.currency)}};
    }
  }
  if (!err) {
    err = require_short_string(*obj, "icon", card.icon, shown + ".icon", limits::icon_bytes);
    if (!err && !support::is_http_url(card.icon)) {
      err = rejection{error_id::url_invalid, {shown + ".icon", support::excerpt(card.icon)}};
    }
  }
  if (!err) err = require_short_string(*obj, "input", card.input, shown + ".input", limits::input_bytes);
  return err;
}

// credit_limit_tag and credit_limit_available_cards: both or neither, the
// tag naming one of the cards.
std::optional<rejection> read_credit_limit(const json::object& obj, std::optional<state::credit_limit>& out) {
  constexpr const char* tag_name = "credit_limit_tag";
  constexpr const char* cards_name = "credit_limit_available_cards";
  const bool has_tag = obj.contains(tag_name);
  const bool has_cards = obj.contains(cards_name);
  if (!has_tag && !has_cards) {
    return std::nullopt;
  }
  if (!has_cards) {
    return rejection{error_id::credit_limit_incomplete, {tag_name, cards_name}};
  }
  if (!has_tag) {
    return rejection{error_id::credit_limit_incomplete, {cards_name, tag_name}};
  }
  state::credit_limit credit;
  if (auto err = require_short_string(obj, tag_name, credit.tag, tag_name, identify_limits::tag_bytes)) {
    return err;
  }
  const json::value& cards = obj.at(cards_name);
  const json::array* list = cards.if_array();
  if (list == nullptr) {
    return rejection{error_id::wrong_type, {cards_name, support::term("an array of cards"), support::term(support::json_kind_name(cards))}};
  }
  if (list->empty()) {
    return rejection{error_id::empty_field, {cards_name}};
  }
  if (list->size() > identify_limits::cards) {
    return rejection{error_id::too_many_cards, {std::to_string(list->size()), std::to_string(identify_limits::cards)}};
  }
  std::string tags;
  bool matched = false;
  for (std::size_t i = 0; i < list->size(); ++i) {
    state::credit_card& card = credit.cards.emplace_back();
    if (auto err = read_card((*list)[i], std::string(cards_name) + "[" + std::to_string(i) + "]", card)) {
      return err;
    }
    matched = matched || card.tag == credit.tag;
    tags += (i == 0 ? "'" : ", '") + support::excerpt(card.tag) + "'";
  }
  if (!matched) {
    return rejection{error_id::credit_limit_tag_unmatched, {support::excerpt(credit.tag), tags}};
  }
  out = std::move(credit);
  return std::nullopt;
}

// session_sign: optional; any string, the empty one included (a platform
// that has no session to mark may send "").
std::optional<rejection> read_session_sign(const json::object& obj, std::optional<std::string>& out) {
  const json::value* v = obj.if_contains("session_sign");
  if (v == nullptr) {
    return std::nullopt;
  }
  const json::string* s = v->if_string();
  if (s == nullptr) {
    return rejection{error_id::wrong_type, {"session_sign", support::term("a string"), support::term(support::json_kind_name(*v))}};
  }
  if (s->size() > identify_limits::tag_bytes) {
    return rejection{error_id::field_too_long,
                     {"session_sign", std::to_string(s->size()), std::to_string(identify_limits::tag_bytes)}};
  }
  out.emplace(s->data(), s->size());
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

// A number of the wrong size or form (a fraction, an exponent, over 64
// bits) has the right type and a wrong value: 40014, echoing the number as
// the client wrote it. Anything but a number is of the wrong type: 40013.
std::optional<rejection> read_token_expire(const json::object& obj, std::string_view raw, std::int64_t now_ms,
                                           std::int64_t& out) {
  const json::value* v = obj.if_contains("token_expire");
  if (v == nullptr) {
    return rejection{error_id::missing_field, {"token_expire"}};
  }
  if (!v->is_number()) {
    return rejection{error_id::wrong_type, {"token_expire", support::term("an integer (13-digit milliseconds)"),
                                            support::term(support::json_kind_name(*v))}};
  }
  constexpr std::int64_t min13 = 1'000'000'000'000;
  constexpr std::int64_t max13 = 9'999'999'999'999;
  const auto* i = v->if_int64();
  if (i == nullptr || *i < min13 || *i > max13) {
    std::string written = support::top_level_number_text(raw, "token_expire")
                              .value_or(i != nullptr ? std::to_string(*i) : json::serialize(*v));
    return rejection{error_id::token_expire_format, {support::excerpt(written, 40)}};
  }
  if (*i <= now_ms) {
    return rejection{error_id::token_expire_past, {std::to_string(*i), std::to_string(now_ms)}};
  }
  out = *i;
  return std::nullopt;
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
  if (!err) err = read_token_expire(obj, raw, now_ms, body.token_expire);
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
  if (!err) err = read_session_sign(obj, body.session_sign);
  if (!err) err = read_credit_limit(obj, body.credit);
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

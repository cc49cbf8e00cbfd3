#include "creditpay/credit_limit_query.hpp"

#include "creditpay/signing.hpp"
#include "journal/exchange.hpp"
#include "support/aliases.hpp"
#include "support/crypto.hpp"
#include "support/json_kind.hpp"
#include "support/json_writer.hpp"
#include "support/text.hpp"
#include "support/validate.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/parse.hpp>

#include <cmath>

namespace authsim::creditpay {

namespace {

constexpr std::size_t max_violations = 20;
constexpr std::size_t shown_body_bytes = 4 * 1024;

std::string in_quotes(std::string_view text) { return "\"" + support::excerpt(text, 64) + "\""; }

class violation_list {
 public:
  void add(std::string text) {
    if (items_.size() < max_violations) {
      items_.push_back(std::move(text));
    }
  }
  std::vector<std::string> take() { return std::move(items_); }
  [[nodiscard]] bool empty() const { return items_.empty(); }

 private:
  std::vector<std::string> items_;
};

// A card's string field; empty optional (and a violation) when missing or
// not a string.
std::optional<std::string> card_string(const json::object& card, const char* field, const std::string& where,
                                       violation_list& v) {
  const json::value* f = card.if_contains(field);
  if (f == nullptr) {
    v.add(where + "." + field + " is missing");
    return std::nullopt;
  }
  if (!f->is_string()) {
    v.add(where + "." + field + " must be a string, got " + support::json_kind_name(*f));
    return std::nullopt;
  }
  return std::string(f->get_string());
}

// The amount as text with the asked number of decimals; a violation when
// it cannot be.
std::optional<std::string> card_amount(const json::object& card, const std::string& where, int digits,
                                       violation_list& v) {
  const json::value* f = card.if_contains("amount");
  const std::string name = where + ".amount";
  if (f == nullptr) {
    v.add(name + " is missing");
    return std::nullopt;
  }
  if (f->is_string()) {
    const std::string text(f->get_string());
    if (!support::is_plain_amount(text)) {
      v.add(name + " " + in_quotes(text) + " is not a plain non-negative amount such as \"10001.23\"");
      return std::nullopt;
    }
    if (support::amount_decimals(text) != static_cast<std::size_t>(digits)) {
      v.add(name + " " + in_quotes(text) + " has " + std::to_string(support::amount_decimals(text)) +
            " decimal(s); the query asked for " + std::to_string(digits) + " (digits)");
      return std::nullopt;
    }
    return text;
  }
  if (f->is_number()) {
    // A JSON number does not keep its trailing zeros: it keeps the contract
    // when it needs no more decimals than asked for.
    const double value = f->to_number<double>();
    const double scaled = value * std::pow(10.0, digits);
    if (value < 0 || !std::isfinite(value) || value >= 1e15 || std::abs(scaled - std::round(scaled)) > 1e-6) {
      v.add(name + " " + json::serialize(*f) + " is not a non-negative amount with at most " +
            std::to_string(digits) + " decimal(s) (digits)");
      return std::nullopt;
    }
    return support::fixed_decimal(value, digits);
  }
  v.add(name + " must be a string or a number, got " + support::json_kind_name(*f));
  return std::nullopt;
}

}  // namespace

std::string credit_limit_query_body(const fixtures::platform& platform) {
  support::json_object_writer data;
  data.string("tag", "")
      .string("currency", platform.credit_limit_currency)
      .string("digits", std::to_string(platform.credit_limit_digits));
  support::json_object_writer body;
  body.string("type", "GET_DEFAULT_ACCOUNT_CREDIT_LIMIT").object("data", data.finish());
  return body.finish();
}

std::optional<std::string> signed_path_of_url(const std::string& url) {
  const auto parsed = boost::urls::parse_uri(url);
  if (!parsed || (parsed->scheme_id() != boost::urls::scheme::http &&
                  parsed->scheme_id() != boost::urls::scheme::https)) {
    return std::nullopt;
  }
  const std::string path(parsed->encoded_path());
  return path.empty() ? std::string("/") : path;
}

outbound::request credit_limit_request(const fixtures::platform& platform, const fixtures::creditpay_settings& s,
                                       const std::string& url, const state::code_record& code, std::int64_t now_ms) {
  outbound::request r;
  r.url = url;
  r.body = credit_limit_query_body(platform);
  const std::string path = signed_path_of_url(url).value_or("/");
  r.headers = {{"Content-Type", "application/json"},
               {"signature", compute_signature(platform, path, r.body)},
               {"token", code.customer_token},
               {"trace", support::random_trace_id()},
               {"lang", code.lang},
               {"timestamp", std::to_string(now_ms)}};
  r.verify_tls = platform.verify_tls;
  r.connect_timeout = std::chrono::milliseconds(s.outbound_connect_timeout_ms);
  r.total_timeout = std::chrono::milliseconds(s.outbound_timeout_ms);
  return r;
}

credit_answer_check check_credit_answer(const outbound::answer& answer, const fixtures::platform& platform) {
  credit_answer_check out;
  violation_list v;
  if (answer.status != 200) {
    v.add("answered HTTP " + std::to_string(answer.status) + "; the query expects 200");
  }
  boost::system::error_code ec;
  const json::value doc = json::parse(answer.body, ec);
  if (ec) {
    v.add(answer.body.empty() ? std::string("the answer's body is empty; expected a JSON object")
                              : "the answer is not JSON (" + ec.message() + ")");
    out.violations = v.take();
    return out;
  }
  const json::object* top = doc.if_object();
  const json::value* data_value = top != nullptr ? top->if_contains("data") : nullptr;
  const json::object* data = data_value != nullptr ? data_value->if_object() : nullptr;
  if (data == nullptr) {
    v.add(top == nullptr ? "the answer must be a JSON object, got " + support::json_kind_name(doc)
          : data_value == nullptr ? std::string("the answer has no 'data' object")
                                  : "data must be an object, got " + support::json_kind_name(*data_value));
    out.violations = v.take();
    return out;
  }
  state::credit_limit credit;
  const json::value* tag = data->if_contains("tag");
  bool tag_ok = false;
  if (tag == nullptr) {
    v.add("data.tag is missing");
  } else if (!tag->is_string()) {
    v.add("data.tag must be a string, got " + support::json_kind_name(*tag));
  } else {
    credit.tag = tag->get_string();
    tag_ok = true;
  }
  const json::value* cards = data->if_contains("available_cards");
  if (cards == nullptr) {
    v.add("data.available_cards is missing");
  } else if (!cards->is_array()) {
    v.add("data.available_cards must be an array, got " + support::json_kind_name(*cards));
  } else {
    const json::array& list = cards->get_array();
    bool matched = false;
    for (std::size_t i = 0; i < list.size(); ++i) {
      const std::string where = "data.available_cards[" + std::to_string(i) + "]";
      const json::object* card = list[i].if_object();
      if (card == nullptr) {
        v.add(where + " must be an object, got " + support::json_kind_name(list[i]));
        continue;
      }
      const auto card_tag = card_string(*card, "tag", where, v);
      const auto amount = card_amount(*card, where, platform.credit_limit_digits, v);
      const auto currency = card_string(*card, "currency", where, v);
      const auto icon = card_string(*card, "icon", where, v);
      const auto input = card_string(*card, "input", where, v);
      if (currency && *currency != platform.credit_limit_currency) {
        v.add(where + ".currency is " + in_quotes(*currency) + "; the query asked for \"" +
              platform.credit_limit_currency + "\"");
      }
      if (card_tag && tag_ok && *card_tag == credit.tag) {
        matched = true;
      }
      if (card_tag && amount && currency && icon && input) {
        credit.cards.push_back(state::credit_card{*card_tag, *amount, *currency, *icon, *input});
      }
    }
    if (tag_ok && !matched) {
      v.add("no card in data.available_cards has the tag " + in_quotes(credit.tag) + " that data.tag names");
    }
  }
  if (v.empty()) {
    out.credit = std::move(credit);
  }
  out.violations = v.take();
  return out;
}

outbound_call_detail::outbound_call_detail(outbound::request request, outbound::answer answer,
                                           std::vector<std::string> violations)
    : request_(std::move(request)), answer_(std::move(answer)), violations_(std::move(violations)) {}

json::object outbound_call_detail::render(std::string_view /*request_body*/) const {
  json::object sent;
  sent["method"] = "POST";
  sent["url"] = request_.url;
  json::object sent_headers;
  for (const auto& [name, value] : request_.headers) {
    sent_headers[name] = journal::redact_header(name, value);
  }
  sent["headers"] = std::move(sent_headers);
  sent["body"] = support::valid_utf8(request_.body);
  json::object out;
  out["request"] = std::move(sent);
  if (answer_.answered()) {
    json::object got;
    got["status"] = answer_.status;
    json::object got_headers;
    for (const auto& [name, value] : answer_.headers) {
      got_headers[name] = support::valid_utf8(value);
    }
    got["headers"] = std::move(got_headers);
    const bool cut = answer_.body.size() > shown_body_bytes;
    got["body"] = support::valid_utf8(std::string_view(answer_.body).substr(0, shown_body_bytes));
    got["body_truncated"] = cut;
    got["body_bytes"] = answer_.body.size();
    out["answer"] = std::move(got);
    out["error"] = nullptr;
  } else {
    out["answer"] = nullptr;
    out["error"] = json::object{{"kind", outbound::failure_name(answer_.error)}, {"detail", answer_.detail}};
  }
  out["latency_us"] = answer_.latency_us;
  out["reused_connection"] = answer_.reused_connection;
  json::array list;
  for (const auto& violation : violations_) {
    list.emplace_back(violation);
  }
  out["violations"] = std::move(list);
  return out;
}

}  // namespace authsim::creditpay

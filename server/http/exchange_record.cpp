#include "http/exchange_record.hpp"

#include "http/json_body.hpp"
#include "support/text.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace authsim::http {
namespace json = boost::json;

namespace {

constexpr std::size_t max_body = 4 * 1024;
constexpr const char* mask = "***";

// "kHm2…vgNc (64 chars)": enough to tell keys apart, not enough to use one.
std::string shorten(std::string_view value) {
  if (value.size() <= 12) {
    return std::string(mask) + " (" + std::to_string(value.size()) + " chars)";
  }
  return support::valid_utf8(value.substr(0, 4)) + "…" + support::valid_utf8(value.substr(value.size() - 4)) +
         " (" + std::to_string(value.size()) + " chars)";
}

// The answer's own verdict, when its body is a JSON object.
const json::object* answer_object(const response& res, json::value& holder) {
  boost::system::error_code ec;
  holder = json::parse(res.body, ec);
  return ec ? nullptr : holder.if_object();
}

}  // namespace

std::string redact_header(std::string_view name, std::string_view value) {
  if (support::iequals(name, "api-key") || support::iequals(name, "token")) {
    return shorten(value);
  }
  if (support::iequals(name, "authorization") || support::iequals(name, "cookie") ||
      support::iequals(name, "proxy-authorization")) {
    return mask;
  }
  return support::valid_utf8(value);
}

std::string redact_body(std::string_view body, bool& truncated) {
  truncated = body.size() > max_body;
  const json_body parsed = parse_json_object(body);
  if (parsed.problem == body_problem::none &&
      (parsed.object.contains("password") || parsed.object.contains("appSecret"))) {
    json::object copy = parsed.object;
    for (const char* secret : {"password", "appSecret"}) {
      if (copy.contains(secret)) {
        copy[secret] = mask;
      }
    }
    std::string text = json::serialize(copy);
    if (text.size() > max_body) {
      text.resize(max_body);
    }
    return support::valid_utf8(text);
  }
  return support::valid_utf8(body.substr(0, max_body));
}

std::string outcome_of(const exchange& x) {
  if (x.res == nullptr || x.fault == "malformed_body") {
    return "fault";
  }
  if (x.res->status >= 400) {
    return "rejected";
  }
  json::value holder;
  if (const json::object* o = answer_object(*x.res, holder)) {
    const json::value* code = o->if_contains("code");
    if (code != nullptr && code->is_number() && code->to_number<double>() != 0) {
      return "rejected";
    }
    const json::value* success = o->if_contains("success");
    if (success != nullptr && success->is_bool() && !success->get_bool()) {
      return "rejected";
    }
  }
  return "ok";
}

json::object describe(const exchange& x) {
  const request& req = *x.req;
  json::object entry;
  entry["time_ms"] = x.time_ms;
  entry["method"] = support::valid_utf8(req.method);
  entry["path"] = support::valid_utf8(req.path());
  const std::size_t q = req.target.find('?');
  entry["query"] = q == std::string::npos ? std::string() : support::valid_utf8(req.target.substr(q + 1));
  entry["client"] = req.remote_address;
  json::object headers;
  for (const auto& [name, value] : req.headers.fields()) {
    const std::string key = support::ascii_lower(support::valid_utf8(name));
    // Repeated headers are joined, as HTTP allows for most of them.
    if (json::value* existing = headers.if_contains(key)) {
      existing->as_string().append(", ").append(redact_header(name, value));
    } else {
      headers[key] = redact_header(name, value);
    }
  }
  entry["headers"] = std::move(headers);
  bool truncated = false;
  entry["body"] = redact_body(req.body, truncated);
  entry["body_bytes"] = req.body.size();
  entry["body_truncated"] = truncated;

  json::object answer;
  if (x.res != nullptr) {
    answer["status"] = x.res->status;
    json::value holder;
    if (const json::object* o = answer_object(*x.res, holder)) {
      for (const char* key : {"code", "msg", "success", "errorCode", "errorMessage"}) {
        if (const json::value* v = o->if_contains(key)) {
          answer[key] = *v;
        }
      }
    }
  }
  entry["answer"] = x.res != nullptr ? json::value(std::move(answer)) : json::value(nullptr);
  entry["outcome"] = outcome_of(x);

  json::object decided;
  decided["check"] = x.res != nullptr && !x.res->note.check.empty() ? json::value(x.res->note.check)
                                                                    : json::value(nullptr);
  decided["rule"] = x.rule.empty() ? json::value(nullptr) : json::value(x.rule);
  decided["fault"] = x.fault.empty() ? json::value(nullptr) : json::value(x.fault);
  entry["decided_by"] = std::move(decided);
  if (x.res != nullptr && !x.res->note.diagnostics.empty()) {
    entry["diagnostics"] = x.res->note.diagnostics;
  }
  entry["duration_us"] = x.duration_us;
  return entry;
}

}  // namespace authsim::http

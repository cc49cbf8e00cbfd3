#include "journal/exchange.hpp"

#include "support/aliases.hpp"
#include "support/json_writer.hpp"
#include "support/text.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <memory>

namespace authsim::journal {

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
const json::object* answer_object(const http::response& res, json::value& holder) {
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

namespace {

// Masks the value after every `"name"` followed by a colon (JSON, even
// broken JSON) and after every `name=` (form encoding), whatever else the
// body holds: the masking must not depend on the body being valid.
void mask_values(std::string& text, std::string_view name) {
  const std::string quoted = "\"" + std::string(name) + "\"";
  for (std::size_t at = text.find(quoted); at != std::string::npos; at = text.find(quoted, at + 1)) {
    std::size_t i = at + quoted.size();
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || text[i] == '\n')) ++i;
    if (i >= text.size() || text[i] != ':') continue;
    ++i;
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || text[i] == '\n')) ++i;
    std::size_t end = i;
    if (end < text.size() && text[end] == '"') {
      ++end;
      while (end < text.size() && text[end] != '"') {
        end += text[end] == '\\' ? 2U : 1U;
      }
      end = std::min(end + 1, text.size());
    } else {
      while (end < text.size() && text[end] != ',' && text[end] != '}' && text[end] != ']' && text[end] != '\n') ++end;
    }
    text.replace(i, end - i, "\"***\"");
  }
  const std::string form = std::string(name) + "=";
  for (std::size_t at = text.find(form); at != std::string::npos; at = text.find(form, at + 1)) {
    if (at != 0 && text[at - 1] != '&' && text[at - 1] != '?' && text[at - 1] != '\n') continue;
    const std::size_t start = at + form.size();
    const std::size_t end = std::min(text.find('&', start), text.size());
    text.replace(start, end - start, "***");
  }
}

}  // namespace

std::string redact_body(std::string_view body, bool& truncated) {
  truncated = body.size() > max_body;
  // Masked over the whole body before the cut, so that a value straddling
  // the cut is masked too.
  std::string text(body);
  for (const char* secret : {"password", "appSecret"}) {
    mask_values(text, secret);
  }
  if (text.size() > max_body) {
    text.resize(max_body);
  }
  return support::valid_utf8(text);
}

answer_summary summarize(const exchange& x) {
  answer_summary out;
  if (x.res == nullptr || x.fault == "malformed_body") {
    out.outcome = "fault";
    return out;
  }
  bool fractional_code = false;  // a code like 0.5: not an int64, yet not 0
  if (x.res->note.business) {
    out.code = x.res->note.business->code;
    out.success = x.res->note.business->success;
  } else {
    // An answer written elsewhere (a scenario's `respond`): read its body.
    json::value holder;
    if (const json::object* o = answer_object(*x.res, holder)) {
      if (const json::value* code = o->if_contains("code"); code != nullptr && code->is_number()) {
        if (code->is_int64()) {
          out.code = code->get_int64();
        } else if (code->is_uint64() && code->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
          out.code = static_cast<std::int64_t>(code->get_uint64());
        } else {
          fractional_code = code->to_number<double>() != 0;
        }
      }
      if (const json::value* success = o->if_contains("success"); success != nullptr && success->is_bool()) {
        out.success = success->get_bool();
      }
    }
  }
  const bool business_failure = fractional_code || (out.code && *out.code != 0) || (out.success && !*out.success);
  out.outcome = x.res->status >= 400 || business_failure ? "rejected" : "ok";
  return out;
}

std::string outcome_of(const exchange& x) { return summarize(x).outcome; }

namespace {

const std::string* trace_of(const http::request& req) {
  return req.headers.find("trace");
}

// A text log line stays one line whatever the client sent: control
// characters become '?'.
std::string printable(std::string_view text) {
  std::string out = support::valid_utf8(text);
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      c = '?';
    }
  }
  return out;
}

}  // namespace

namespace {

// The request line's members, each after a comma, appended to `out`. The
// names and fixed words are written as they are; only what came from the
// request or the decision is escaped. Every request writes one, so it is
// written by hand rather than member by member.
void append_log_fields(std::string& out, const exchange& x, const answer_summary& summary) {
  out += R"(,"event":"request","method":)";
  support::append_json_text(out, x.req->method);
  out += R"(,"path":)";
  support::append_json_text(out, x.req->path());
  out += R"(,"status":)";
  if (x.res != nullptr) {
    support::append_json_number(out, x.res->status);
  } else {
    out += "null";
  }
  if (summary.code) {
    out += R"(,"code":)";
    support::append_json_number(out, *summary.code);
  }
  if (summary.success) {
    out += *summary.success ? R"(,"success":true)" : R"(,"success":false)";
  }
  out += R"(,"outcome":)";
  support::append_json_string(out, summary.outcome);
  out += R"(,"rule":)";
  if (x.rule.empty()) {
    out += "null";
  } else {
    support::append_json_string(out, x.rule);
  }
  if (!x.fault.empty()) {
    out += R"(,"fault":)";
    support::append_json_string(out, x.fault);
  }
  out += R"(,"duration_us":)";
  support::append_json_number(out, x.duration_us);
  out += R"(,"trace":)";
  if (const std::string* trace = trace_of(*x.req)) {
    support::append_json_text(out, *trace);
  } else {
    out += "null";
  }
  out += R"(,"client":)";
  support::append_json_text(out, x.req->remote_address);
  out += '}';
}

}  // namespace

std::string log_object(const exchange& x, const answer_summary& summary) {
  std::string out;
  out.reserve(256);
  append_log_fields(out, x, summary);
  out[0] = '{';  // the first member's comma opens the object
  return out;
}

std::string log_text(const exchange& x, const answer_summary& summary) {
  std::string out = printable(x.req->method);
  out += ' ';
  out += printable(x.req->path());
  out += ' ';
  out += x.res != nullptr ? std::to_string(x.res->status) : std::string("-");
  if (summary.code) {
    out += " code=" + std::to_string(*summary.code);
  }
  if (summary.success) {
    out += *summary.success ? " success=true" : " success=false";
  }
  out += ' ';
  out += summary.outcome;
  if (!x.rule.empty()) {
    out += " rule=" + x.rule;
  }
  if (!x.fault.empty()) {
    out += " fault=" + x.fault;
  }
  char took[32];
  std::snprintf(took, sizeof took, " %.3f ms", static_cast<double>(x.duration_us) / 1000.0);
  out += took;
  if (const std::string* trace = trace_of(*x.req)) {
    out += " trace=" + printable(*trace);
  }
  return out;
}

void log(support::log_level level, const exchange& x, const answer_summary& summary) {
  if (support::log_as_json()) {
    // Written straight after the line's time and level: one string, no copy.
    std::string line = support::begin_json_line(level);
    append_log_fields(line, x, summary);
    support::log_finished_line(line);
  } else {
    support::log_object(level, {}, log_text(x, summary));
  }
}

json::object describe(const exchange& x) {
  const http::request& req = *x.req;
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
  if (x.res != nullptr && x.res->note.diagnostics) {
    const journal::detail& d = *x.res->note.diagnostics;
    json::object diagnostics;
    diagnostics[d.name()] = d.render(x.req->body);
    entry["diagnostics"] = std::move(diagnostics);
  }
  entry["duration_us"] = x.duration_us;
  return entry;
}

namespace {

class exchange_payload final : public payload {
 public:
  exchange_payload(http::request&& req, http::response* res, const exchange& x, bool take_answer)
      : req_(std::move(req)), rule_(x.rule), fault_(x.fault), time_ms_(x.time_ms), duration_us_(x.duration_us) {
    req_.interrupts = nullptr;  // valid only while the request was handled
    if (res != nullptr) {
      // Only what describe() reads.
      res_.emplace();
      res_->status = res->status;
      if (take_answer) {
        res_->headers = std::move(res->headers);
        res_->body = std::move(res->body);
      } else {
        res_->headers = res->headers;
        res_->body = res->body;
      }
      res_->note = std::move(res->note);
    }
  }

  [[nodiscard]] boost::json::object render() const override {
    exchange x;
    x.req = &req_;
    x.res = res_ ? &*res_ : nullptr;
    x.rule = rule_;
    x.fault = fault_;
    x.time_ms = time_ms_;
    x.duration_us = duration_us_;
    return describe(x);
  }

 private:
  http::request req_;
  std::optional<http::response> res_;
  std::string rule_;
  std::string fault_;
  std::int64_t time_ms_;
  std::int64_t duration_us_;
};

}  // namespace

std::shared_ptr<const payload> make_payload(http::request&& req, http::response* res, const exchange& x,
                                            bool take_answer) {
  return std::make_shared<const exchange_payload>(std::move(req), res, x, take_answer);
}

}  // namespace authsim::journal

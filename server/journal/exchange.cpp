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

  // Built by decode_payload.
  exchange_payload() = default;

  bool encode(std::string& out) const override;
  static std::shared_ptr<const payload> decode(std::string_view bytes);

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
  std::int64_t time_ms_ = 0;
  std::int64_t duration_us_ = 0;
};

// A handler's detail as it rendered when the exchange was encoded.
class rendered_detail final : public detail {
 public:
  rendered_detail(std::string name, json::object rendered) : name_(std::move(name)), rendered_(std::move(rendered)) {}
  [[nodiscard]] const char* name() const override { return name_.c_str(); }
  [[nodiscard]] json::object render(std::string_view) const override { return rendered_; }

 private:
  std::string name_;
  json::object rendered_;
};

// The encoding: a version byte, then each field in a fixed order; texts as
// a 4-byte little-endian length and their bytes, numbers as 8 bytes.
constexpr char encoding_version = 1;

void put_u64(std::string& out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) {
    out += static_cast<char>((v >> (8 * i)) & 0xff);
  }
}

void put_text(std::string& out, std::string_view text) {
  const auto n = static_cast<std::uint32_t>(text.size());
  for (int i = 0; i < 4; ++i) {
    out += static_cast<char>((n >> (8 * i)) & 0xff);
  }
  out.append(text);
}

void put_headers(std::string& out, const http::header_list& headers) {
  put_u64(out, headers.fields().size());
  for (const auto& [name, value] : headers.fields()) {
    put_text(out, name);
    put_text(out, value);
  }
}

class reader {
 public:
  explicit reader(std::string_view bytes) : rest_(bytes) {}
  bool u64(std::uint64_t& v) {
    if (rest_.size() < 8) return false;
    v = 0;
    for (int i = 0; i < 8; ++i) {
      v |= static_cast<std::uint64_t>(static_cast<unsigned char>(rest_[static_cast<std::size_t>(i)])) << (8 * i);
    }
    rest_.remove_prefix(8);
    return true;
  }
  bool i64(std::int64_t& v) {
    std::uint64_t u = 0;
    if (!u64(u)) return false;
    v = static_cast<std::int64_t>(u);
    return true;
  }
  bool text(std::string& v) {
    if (rest_.size() < 4) return false;
    std::uint32_t n = 0;
    for (int i = 0; i < 4; ++i) {
      n |= static_cast<std::uint32_t>(static_cast<unsigned char>(rest_[static_cast<std::size_t>(i)])) << (8 * i);
    }
    rest_.remove_prefix(4);
    if (rest_.size() < n) return false;
    v.assign(rest_.substr(0, n));
    rest_.remove_prefix(n);
    return true;
  }
  bool headers(http::header_list& h) {
    std::uint64_t count = 0;
    if (!u64(count) || count > rest_.size()) return false;
    for (std::uint64_t i = 0; i < count; ++i) {
      std::string name, value;
      if (!text(name) || !text(value)) return false;
      h.add(std::move(name), std::move(value));
    }
    return true;
  }
  [[nodiscard]] bool done() const { return rest_.empty(); }

 private:
  std::string_view rest_;
};

bool exchange_payload::encode(std::string& out) const {
  out += encoding_version;
  put_text(out, req_.method);
  put_text(out, req_.target);
  put_headers(out, req_.headers);
  put_text(out, req_.body);
  put_text(out, req_.remote_address);
  put_u64(out, req_.tls ? 1 : 0);
  put_u64(out, res_ ? 1 : 0);
  if (res_) {
    put_u64(out, res_->status);
    put_headers(out, res_->headers);
    put_text(out, res_->body);
    const note& n = res_->note;
    put_text(out, n.check);
    // Bits: 1 a business result is set, 2 with a code, 4 with success, 8 success is true.
    std::uint64_t business = 0;
    if (n.business) {
      business = 1U | (n.business->code ? 2U : 0U) | (n.business->success ? 4U : 0U) |
                 (n.business->success.value_or(false) ? 8U : 0U);
    }
    put_u64(out, business);
    put_u64(out, static_cast<std::uint64_t>(n.business && n.business->code ? *n.business->code : 0));
    put_text(out, n.diagnostics ? n.diagnostics->name() : "");
    put_text(out, n.diagnostics ? json::serialize(n.diagnostics->render(req_.body)) : std::string());
  }
  put_text(out, rule_);
  put_text(out, fault_);
  put_u64(out, static_cast<std::uint64_t>(time_ms_));
  put_u64(out, static_cast<std::uint64_t>(duration_us_));
  return true;
}

std::shared_ptr<const payload> exchange_payload::decode(std::string_view bytes) {
  if (bytes.empty() || bytes.front() != encoding_version) {
    return nullptr;
  }
  reader in(bytes.substr(1));
  auto p = std::make_shared<exchange_payload>();
  std::uint64_t tls = 0;
  std::uint64_t has_res = 0;
  if (!in.text(p->req_.method) || !in.text(p->req_.target) || !in.headers(p->req_.headers) ||
      !in.text(p->req_.body) || !in.text(p->req_.remote_address) || !in.u64(tls) || !in.u64(has_res)) {
    return nullptr;
  }
  p->req_.tls = tls != 0;
  if (has_res != 0) {
    http::response& res = p->res_.emplace();
    std::uint64_t status = 0;
    std::uint64_t business = 0;
    std::int64_t code = 0;
    std::string detail_name;
    std::string detail_json;
    if (!in.u64(status) || !in.headers(res.headers) || !in.text(res.body) || !in.text(res.note.check) ||
        !in.u64(business) || !in.i64(code) || !in.text(detail_name) || !in.text(detail_json)) {
      return nullptr;
    }
    res.status = static_cast<unsigned>(status);
    if ((business & 1) != 0) {
      business_result b;
      if ((business & 2) != 0) b.code = code;
      if ((business & 4) != 0) b.success = (business & 8) != 0;
      res.note.business = b;
    }
    if (!detail_name.empty()) {
      error_code ec;
      json::value rendered = json::parse(detail_json, ec);
      if (ec || !rendered.is_object()) {
        return nullptr;
      }
      res.note.diagnostics = std::make_shared<rendered_detail>(detail_name, std::move(rendered.as_object()));
    }
  }
  if (!in.text(p->rule_) || !in.text(p->fault_) || !in.i64(p->time_ms_) || !in.i64(p->duration_us_) || !in.done()) {
    return nullptr;
  }
  return p;
}

}  // namespace

std::shared_ptr<const payload> make_payload(http::request&& req, http::response* res, const exchange& x,
                                            bool take_answer) {
  return std::make_shared<const exchange_payload>(std::move(req), res, x, take_answer);
}

std::shared_ptr<const payload> decode_payload(std::string_view bytes) { return exchange_payload::decode(bytes); }

}  // namespace authsim::journal

#include "faults/scenario_loader.hpp"

#include "faults/placeholders.hpp"
#include "fixtures/json_reader.hpp"
#include "support/aliases.hpp"
#include "support/json_kind.hpp"

#include <algorithm>
#include <cctype>
#include <limits>

namespace authsim::faults {
using fixtures::fixture_error;
using fixtures::object_reader;

namespace {

constexpr std::int64_t ten_minutes_ms = 600'000;

// {"name": "value", ...} with string values only.
std::vector<std::pair<std::string, std::string>> string_map(object_reader& parent, std::string_view key) {
  std::vector<std::pair<std::string, std::string>> out;
  const json::value* v = parent.optional_value(key);
  if (v == nullptr) {
    return out;
  }
  const json::object* obj = v->if_object();
  if (obj == nullptr) {
    throw parent.error(key, "expected an object of names to string values, got " + support::json_kind_name(*v));
  }
  for (const auto& [name, value] : *obj) {
    if (name.empty()) {
      throw parent.error(key, "a name must not be empty");
    }
    const json::string* s = value.if_string();
    if (s == nullptr) {
      throw fixture_error(parent.file(), parent.path_of(key) + "." + std::string(name),
                          "expected a string, got " + support::json_kind_name(value));
    }
    out.emplace_back(std::string(name), std::string(*s));
  }
  return out;
}

bool valid_pointer(std::string_view p) {
  if (!p.empty() && p[0] != '/') {
    return false;
  }
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (p[i] == '~' && (i + 1 >= p.size() || (p[i + 1] != '0' && p[i + 1] != '1'))) {
      return false;
    }
  }
  return true;
}

// Credit Pay's webhook event types, then UOCS's push types.
constexpr const char* webhook_types[] = {"PAY_START",       "ASSIGN_SUCCESS", "ASSIGN_FAILED", "GET_BARCODE_SUCCESS",
                                         "GET_BARCODE_FAILED", "SESSION_RENEWAL", "PAY_SUCCESS", "PAY_FINISH",
                                         "PAY_TIMEOUT",     "REFUND",         "ORDER_STATUS",  "PICKUP_CODE",
                                         "TAKEOFF",         "LANDING",        "FLIGHT_TASK"};

match read_match(object_reader& m, const std::vector<std::string>& endpoints) {
  match out;
  if (auto type = m.optional_string("webhook")) {
    const bool known = *type == "*" || std::any_of(std::begin(webhook_types), std::end(webhook_types),
                                                   [&](const char* t) { return *type == t; });
    if (!known) {
      std::string list = "\"*\"";
      for (const char* t : webhook_types) {
        list += std::string(", \"") + t + '"';
      }
      throw m.error("webhook", "expected a webhook event type, one of " + list + ", got \"" + *type + '"');
    }
    out.webhook = *type;
    for (const char* inbound : {"endpoint", "method", "headers", "query", "body", "calls"}) {
      if (m.has(inbound)) {
        throw m.error(inbound, "matches inbound requests; a rule with \"webhook\" matches outbound events "
                               "(by \"webhook\", \"platform\", \"app\" and \"probability\")");
      }
    }
  }
  out.platform = m.optional_string("platform");
  out.app = m.optional_string("app");
  for (const char* lane : {"platform", "app"}) {
    if (m.has(lane) && !out.webhook) {
      throw m.error(lane, "applies to webhook rules only (give \"webhook\": an event type, or \"*\")");
    }
  }
  if (out.platform && out.app) {
    throw m.error("app", "a rule matches a Credit Pay platform's webhooks or a UOCS app's pushes, not both");
  }
  if (auto endpoint = m.optional_string("endpoint")) {
    if (*endpoint != "*") {
      if (std::find(endpoints.begin(), endpoints.end(), *endpoint) == endpoints.end()) {
        std::string list = "\"*\"";
        for (const auto& e : endpoints) {
          list += ", \"" + e + '"';
        }
        throw m.error("endpoint", "expected one of " + list + ", got \"" + *endpoint + '"');
      }
      out.endpoint = *endpoint;
    }
  }
  if (auto method = m.optional_string("method")) {
    for (const char c : *method) {
      if (c < 'A' || c > 'Z') {
        throw m.error("method", "expected an upper-case HTTP method such as \"POST\", got \"" + *method + '"');
      }
    }
    out.method = *method;
  }
  out.headers = string_map(m, "headers");
  out.query = string_map(m, "query");
  if (const json::value* body = m.optional_value("body")) {
    const json::object* obj = body->if_object();
    if (obj == nullptr) {
      throw m.error("body", "expected an object of JSON pointers to values, got " + support::json_kind_name(*body));
    }
    for (const auto& [pointer, value] : *obj) {
      if (!valid_pointer(pointer)) {
        throw fixture_error(m.file(), m.path_of("body") + "." + std::string(pointer),
                            "expected a JSON pointer such as \"/custom_no\" (RFC 6901)");
      }
      out.body.emplace_back(std::string(pointer), value);
    }
  }
  if (m.has("calls")) {
    object_reader c = m.optional_object("calls");
    call_filter f;
    f.from = c.integer("from", 1, 1, std::numeric_limits<std::int64_t>::max());
    f.to = c.optional_integer("to", 1, std::numeric_limits<std::int64_t>::max());
    f.every = c.optional_integer("every", 1, std::numeric_limits<std::int64_t>::max());
    if (f.to && *f.to < f.from) {
      throw c.error("to", "must not be less than \"from\" (" + std::to_string(f.from) + ")");
    }
    if (!c.has("from") && !f.to && !f.every) {
      throw fixture_error(c.file(), c.path(), "give at least one of \"from\", \"to\", \"every\"");
    }
    c.finish();
    out.calls = f;
  }
  if (m.has("probability")) {
    out.probability = m.number("probability", 1.0, 0.0, 1.0);
  }
  m.finish();
  return out;
}

delay read_delay(object_reader& d) {
  delay out;
  const int given = static_cast<int>(d.has("fixed_ms")) + static_cast<int>(d.has("uniform_ms")) +
                    static_cast<int>(d.has("lognormal_ms"));
  if (given != 1) {
    throw fixture_error(d.file(), d.path(), "give exactly one of \"fixed_ms\", \"uniform_ms\", \"lognormal_ms\"");
  }
  if (d.has("fixed_ms")) {
    out.type = delay::kind::fixed;
    out.fixed_ms = d.integer("fixed_ms", 0, 0, ten_minutes_ms);
  } else if (d.has("uniform_ms")) {
    out.type = delay::kind::uniform;
    object_reader u = d.optional_object("uniform_ms");
    out.min_ms = u.integer("min", 0, 0, ten_minutes_ms);
    if (!u.has("max")) {
      throw u.error("max", "missing; expected an integer from " + std::to_string(out.min_ms) + " to 600000");
    }
    out.max_ms = u.integer("max", 0, out.min_ms, ten_minutes_ms);
    u.finish();
  } else {
    out.type = delay::kind::lognormal;
    object_reader l = d.optional_object("lognormal_ms");
    if (!l.has("median")) {
      throw l.error("median", "missing; expected a number of milliseconds from 1 to 600000");
    }
    out.median_ms = l.number("median", 0, 1, static_cast<double>(ten_minutes_ms));
    out.sigma = l.number("sigma", 0.5, 0, 5);
    out.cap_ms = l.integer("cap", 60'000, 1, ten_minutes_ms);
    l.finish();
  }
  d.finish();
  return out;
}

respond read_respond(object_reader& r) {
  respond out;
  // 1xx would promise a final answer that never comes; 204 and 304 carry no
  // body, and every respond has one.
  out.status = static_cast<unsigned>(r.integer("status", 200, 200, 599));
  if (out.status == 204 || out.status == 304) {
    throw r.error("status", "must not be 204 or 304: those answers carry no body, and a respond always has one");
  }
  out.headers = string_map(r, "headers");
  for (const auto& [name, value] : out.headers) {
    const bool token = std::all_of(name.begin(), name.end(), [](unsigned char c) {
      return std::isalnum(c) || std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
    });
    if (!token) {
      throw fixture_error(r.file(), r.path_of("headers") + "." + name,
                          "is not a valid header name (letters, digits and !#$%&'*+-.^_`|~ only)");
    }
    if (std::any_of(value.begin(), value.end(), [](unsigned char c) { return c < 0x20 || c == 0x7f; })) {
      throw fixture_error(r.file(), r.path_of("headers") + "." + name, "a header value cannot hold control characters");
    }
    std::string lower(name);
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    if (lower == "content-length" || lower == "transfer-encoding" || lower == "connection") {
      throw fixture_error(r.file(), r.path_of("headers") + "." + name,
                          "is set by authsim from the body and the connection; it cannot be declared");
    }
  }
  if (r.has("body") == r.has("raw_body")) {
    throw fixture_error(r.file(), r.path(), "give exactly one of \"body\" (JSON) and \"raw_body\" (text)");
  }
  auto no_unknown = [&](const std::optional<std::string>& unknown, const std::string& where) {
    if (unknown) {
      throw fixture_error(r.file(), where,
                          "unknown placeholder " + *unknown +
                              "; known: {{trace}}, {{requestId}}, {{id}}, {{now_ms}}, {{date}}, {{header:NAME}}, "
                              "{{query:NAME}}");
    }
  };
  for (const auto& [name, value] : out.headers) {
    no_unknown(first_unknown_placeholder(value), r.path_of("headers") + "." + name);
  }
  if (const json::value* body = r.optional_value("body")) {
    no_unknown(first_unknown_placeholder(*body), r.path_of("body"));
    out.body = *body;
  }
  if (r.has("raw_body")) {
    const json::value* raw = r.optional_value("raw_body");
    if (!raw->is_string()) {
      throw r.error("raw_body", "expected a string, got " + support::json_kind_name(*raw));
    }
    out.raw_body = std::string(raw->get_string());
    no_unknown(first_unknown_placeholder(*out.raw_body), r.path_of("raw_body"));
  }
  r.finish();
  return out;
}

fault read_fault(object_reader& f) {
  fault out;
  static const std::pair<const char*, fault_kind> kinds[] = {
      {"connection_reset", fault_kind::connection_reset},
      {"empty_response", fault_kind::empty_response},
      {"hang", fault_kind::hang},
      {"malformed_body", fault_kind::malformed_body},
      {"random_data_then_close", fault_kind::random_data_then_close},
      {"slow_body", fault_kind::slow_body},
  };
  if (!f.has("kind")) {
    throw f.error("kind", "missing; expected one of \"connection_reset\", \"empty_response\", \"hang\", "
                          "\"malformed_body\", \"random_data_then_close\", \"slow_body\"");
  }
  const std::string kind = f.choice("kind",
                                    {"connection_reset", "empty_response", "hang", "malformed_body",
                                     "random_data_then_close", "slow_body"},
                                    "");
  for (const auto& [name, k] : kinds) {
    if (kind == name) {
      out.kind = k;
    }
  }
  auto only_for = [&](const char* key, fault_kind k, const char* kind_name) {
    if (f.has(key) && out.kind != k) {
      throw f.error(key, std::string("applies only to kind \"") + kind_name + '"');
    }
  };
  only_for("max_ms", fault_kind::hang, "hang");
  only_for("bytes", fault_kind::random_data_then_close, "random_data_then_close");
  only_for("duration_ms", fault_kind::slow_body, "slow_body");
  out.max_ms = f.integer("max_ms", 60'000, 1, ten_minutes_ms);
  out.bytes = f.integer("bytes", 256, 1, 1024 * 1024);
  out.duration_ms = f.integer("duration_ms", 3'000, 1, ten_minutes_ms);
  f.finish();
  return out;
}

webhook_fault read_webhook_fault(object_reader& f) {
  webhook_fault out;
  static const std::pair<const char*, webhook_fault_kind> kinds[] = {
      {"duplicate", webhook_fault_kind::duplicate},       {"out_of_order", webhook_fault_kind::out_of_order},
      {"bad_signature", webhook_fault_kind::bad_signature}, {"delay", webhook_fault_kind::delay},
      {"drop", webhook_fault_kind::drop},
  };
  if (!f.has("kind")) {
    throw f.error("kind", "missing; expected one of \"duplicate\", \"out_of_order\", \"bad_signature\", "
                          "\"delay\", \"drop\"");
  }
  const std::string kind = f.choice("kind", {"duplicate", "out_of_order", "bad_signature", "delay", "drop"}, "");
  for (const auto& [name, k] : kinds) {
    if (kind == name) {
      out.kind = k;
    }
  }
  if (f.has("hold_ms") && out.kind != webhook_fault_kind::out_of_order) {
    throw f.error("hold_ms", "applies only to kind \"out_of_order\"");
  }
  if (f.has("delay_ms") && out.kind != webhook_fault_kind::delay) {
    throw f.error("delay_ms", "applies only to kind \"delay\"");
  }
  out.hold_ms = f.integer("hold_ms", 180'000, 1, 24LL * 3600 * 1000);
  out.delay_ms = f.integer("delay_ms", 1'000, 1, 30'000);
  f.finish();
  return out;
}

rate_limit read_rate_limit(object_reader& r) {
  rate_limit out;
  if (!r.has("limit")) {
    throw r.error("limit", "missing; expected an integer from 1 to 1000000");
  }
  if (!r.has("window_ms")) {
    throw r.error("window_ms", "missing; expected an integer from 1 to 86400000");
  }
  out.limit = r.integer("limit", 1, 1, 1'000'000);
  out.window_ms = r.integer("window_ms", 1'000, 1, 86'400'000);
  const std::string key = r.choice("key", {"api-key", "platId", "userId", "client"}, "client");
  out.key = key == "api-key"  ? rate_key::api_key
            : key == "platId" ? rate_key::plat_id
            : key == "userId" ? rate_key::user_id
                              : rate_key::client;
  r.finish();
  return out;
}

rule read_rule(object_reader& r, const std::vector<std::string>& endpoints) {
  rule out;
  object_reader m = r.optional_object("match");
  out.when = read_match(m, endpoints);
  if (r.has("delay")) {
    object_reader d = r.optional_object("delay");
    out.wait = read_delay(d);
  }
  if (r.has("respond")) {
    object_reader a = r.optional_object("respond");
    out.answer = read_respond(a);
  }
  if (r.has("fault")) {
    object_reader f = r.optional_object("fault");
    out.failure = read_fault(f);
  }
  if (r.has("rate_limit")) {
    object_reader l = r.optional_object("rate_limit");
    out.limit = read_rate_limit(l);
  }
  if (r.has("webhook_fault")) {
    object_reader w = r.optional_object("webhook_fault");
    out.outbound = read_webhook_fault(w);
  }
  r.finish();
  if (out.when.webhook || out.outbound) {
    if (!out.when.webhook) {
      throw fixture_error(r.file(), r.path(),
                          "\"webhook_fault\" needs \"match\": {\"webhook\": TYPE}: it applies to outbound events");
    }
    if (!out.outbound || out.wait || out.answer || out.failure || out.limit) {
      throw fixture_error(r.file(), r.path(),
                          "a rule matching \"webhook\" events takes one action, \"webhook_fault\"; \"delay\", "
                          "\"respond\", \"fault\" and \"rate_limit\" are for inbound requests");
    }
    return out;
  }
  if (!out.wait && !out.answer && !out.failure && !out.limit) {
    throw fixture_error(r.file(), r.path(),
                        "a rule needs at least one action: \"delay\", \"respond\", \"fault\" or \"rate_limit\" "
                        "(or \"webhook_fault\" with \"match\": {\"webhook\": …})");
  }
  if (out.limit && (out.answer || out.failure)) {
    throw fixture_error(r.file(), r.path(),
                        "\"rate_limit\" answers 429 itself; it combines with \"delay\" only");
  }
  if (out.answer && out.failure && out.failure->kind != fault_kind::malformed_body &&
      out.failure->kind != fault_kind::slow_body) {
    throw fixture_error(r.file(), r.path(),
                        std::string("fault \"") + fault_name(out.failure->kind) +
                            "\" sends no answer, so \"respond\" would never be seen; only \"malformed_body\" and "
                            "\"slow_body\" use it");
  }
  return out;
}

bool valid_name(const std::string& name) {
  if (name.empty() || name == "none" || name.size() > 64) {
    return false;
  }
  for (const char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                    c == '_' || c == '.';
    if (!ok) {
      return false;
    }
  }
  return name[0] != '.' && name[0] != '-';
}

}  // namespace

const char* fault_name(fault_kind kind) {
  switch (kind) {
    case fault_kind::connection_reset: return "connection_reset";
    case fault_kind::empty_response: return "empty_response";
    case fault_kind::hang: return "hang";
    case fault_kind::malformed_body: return "malformed_body";
    case fault_kind::random_data_then_close: return "random_data_then_close";
    case fault_kind::slow_body: return "slow_body";
  }
  return "unknown";
}

const char* webhook_fault_name(webhook_fault_kind kind) {
  switch (kind) {
    case webhook_fault_kind::duplicate: return "duplicate";
    case webhook_fault_kind::out_of_order: return "out_of_order";
    case webhook_fault_kind::bad_signature: return "bad_signature";
    case webhook_fault_kind::delay: return "delay";
    case webhook_fault_kind::drop: return "drop";
  }
  return "unknown";
}

const char* rate_key_name(rate_key key) {
  switch (key) {
    case rate_key::api_key: return "api-key";
    case rate_key::plat_id: return "platId";
    case rate_key::user_id: return "userId";
    case rate_key::client: return "client";
  }
  return "unknown";
}

scenario parse_scenario(const json::value& doc, const std::string& name, const std::string& file,
                        const std::vector<std::string>& endpoints) {
  object_reader top(doc, file, "");
  scenario out;
  out.name = name;
  out.description = top.required_string("description");
  const json::array& rules = top.required_array("rules");
  if (rules.empty()) {
    throw top.error("rules", "expected at least one rule");
  }
  for (std::size_t i = 0; i < rules.size(); ++i) {
    object_reader r(rules[i], file, top.element_path("rules", i));
    out.rules.push_back(read_rule(r, endpoints));
  }
  top.finish();
  return out;
}

scenario_set load_scenarios(const std::filesystem::path& dir, const std::vector<std::string>& endpoints) {
  scenario_set out;
  std::error_code ec;
  if (!std::filesystem::exists(dir, ec)) {
    return out;
  }
  if (!std::filesystem::is_directory(dir, ec)) {
    throw fixture_error(dir.string(), "", "not a directory");
  }
  std::vector<std::filesystem::path> files;
  try {
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
      std::error_code type_ec;
      if (entry.path().extension() == ".json" && entry.is_regular_file(type_ec)) {
        files.push_back(entry.path());
      } else if (entry.path().extension() == ".json" && type_ec) {
        throw fixture_error(entry.path().string(), "", "cannot read: " + type_ec.message());
      }
    }
  } catch (const std::filesystem::filesystem_error& e) {
    throw fixture_error(dir.string(), "", std::string("cannot list the directory: ") + e.code().message());
  }
  std::sort(files.begin(), files.end());
  for (const auto& path : files) {
    const std::string name = path.stem().string();
    if (!valid_name(name)) {
      throw fixture_error(path.string(), "",
                          "a scenario name (the file name without .json) must be 1 to 64 letters, digits, '.', '_' "
                          "or '-', not start with '.' or '-', and not be \"none\"");
    }
    const json::value doc = fixtures::read_json_file(path);
    out.emplace(name, std::make_shared<const scenario>(parse_scenario(doc, name, path.string(), endpoints)));
  }
  return out;
}

}  // namespace authsim::faults

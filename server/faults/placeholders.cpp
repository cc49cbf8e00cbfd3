#include "faults/placeholders.hpp"

#include "support/aliases.hpp"
#include "support/text.hpp"

namespace authsim::faults {

namespace {

// Calls f(name) for each {{name}} in text and builds the output from what
// f returns; text outside placeholders is copied.
template <class F>
std::string expand(std::string_view text, F&& f) {
  std::string out;
  std::size_t pos = 0;
  for (;;) {
    const std::size_t open = text.find("{{", pos);
    const std::size_t close = open == std::string_view::npos ? open : text.find("}}", open + 2);
    if (close == std::string_view::npos) {
      out.append(text.substr(pos));
      return out;
    }
    out.append(text.substr(pos, open - pos));
    out.append(f(text.substr(open + 2, close - open - 2)));
    pos = close + 2;
  }
}

bool known(std::string_view name) {
  return name == "trace" || name == "requestId" || name == "id" || name == "now_ms" || name == "date" ||
         (name.starts_with("header:") && name.size() > 7) || (name.starts_with("query:") && name.size() > 6);
}

}  // namespace

std::optional<std::string> first_unknown_placeholder(std::string_view text) {
  std::optional<std::string> found;
  expand(text, [&](std::string_view name) {
    if (!found && !known(name)) {
      found = "{{" + std::string(name) + "}}";
    }
    return std::string();
  });
  return found;
}

std::optional<std::string> first_unknown_placeholder(const json::value& v) {
  switch (v.kind()) {
    case json::kind::string: return first_unknown_placeholder(std::string_view(v.get_string()));
    case json::kind::array:
      for (const auto& e : v.get_array()) {
        if (auto u = first_unknown_placeholder(e)) return u;
      }
      return std::nullopt;
    case json::kind::object:
      for (const auto& [k, e] : v.get_object()) {
        if (auto u = first_unknown_placeholder(e)) return u;
      }
      return std::nullopt;
    default: return std::nullopt;
  }
}

std::string fill_placeholders(std::string_view text, const placeholder_values& values) {
  // Request values are caller's bytes: made valid UTF-8 so that a JSON body
  // stays JSON.
  return support::valid_utf8(expand(text, [&](std::string_view name) -> std::string {
    if (name == "trace") return values.trace;
    if (name == "requestId") return values.request_id;
    if (name == "id") return values.id;
    if (name == "now_ms") return values.now_ms;
    if (name == "date") return values.date;
    if (name.starts_with("header:") && values.req != nullptr) {
      const std::string* h = values.req->headers.find(name.substr(7));
      return h != nullptr ? *h : std::string();
    }
    if (name.starts_with("query:") && values.req != nullptr) {
      return values.req->query_param(name.substr(6)).value_or("");
    }
    return "{{" + std::string(name) + "}}";
  }));
}

void fill_placeholders(json::value& v, const placeholder_values& values) {
  switch (v.kind()) {
    case json::kind::string:
      if (v.get_string().find("{{") != json::string::npos) {
        v = fill_placeholders(std::string_view(v.get_string()), values);
      }
      break;
    case json::kind::array:
      for (auto& e : v.get_array()) fill_placeholders(e, values);
      break;
    case json::kind::object:
      for (auto& [k, e] : v.get_object()) fill_placeholders(e, values);
      break;
    default: break;
  }
}

}  // namespace authsim::faults

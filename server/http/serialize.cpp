#include "http/serialize.hpp"

#include "support/aliases.hpp"
#include "support/text.hpp"

#include <boost/beast/http/status.hpp>

namespace authsim::http {

std::string_view reason_phrase(unsigned status) {
  if (status == 418) {
    return "I'm a Teapot";
  }
  const auto known = bhttp::obsolete_reason(bhttp::int_to_status(status));
  if (known == "<unknown-status>") {
    // The name of the status's class (RFC 9110, section 15).
    switch (status / 100) {
      case 1: return "Informational";
      case 2: return "Successful";
      case 3: return "Redirection";
      case 4: return "Client Error";
      default: return "Server Error";
    }
  }
  return {known.data(), known.size()};
}

std::optional<std::string> to_bytes(const http::response& res, unsigned version, bool keep_alive, bool head) {
  // Statuses that carry no body get no Content-Length from Beast.
  if (res.status < 200 || res.status == 204 || res.status == 304 || res.status > 999) {
    return std::nullopt;
  }
  const auto& fields = res.headers.fields();
  for (std::size_t i = 0; i < fields.size(); ++i) {
    const std::string& name = fields[i].first;
    if (support::iequals(name, "Content-Length") || support::iequals(name, "Transfer-Encoding") ||
        support::iequals(name, "Connection") || support::iequals(name, "Server")) {
      return std::nullopt;
    }
    for (std::size_t j = i + 1; j < fields.size(); ++j) {
      if (support::iequals(name, fields[j].first)) {
        return std::nullopt;
      }
    }
  }
  const std::string_view reason = reason_phrase(res.status);
  std::string out;
  out.reserve(128 + res.body.size());
  out += version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
  out += std::to_string(res.status);
  out += ' ';
  out.append(reason.data(), reason.size());
  out += "\r\n";
  for (const auto& [name, value] : fields) {
    out += name;
    out += ": ";
    out += value;
    out += "\r\n";
  }
  out += "Server: authsim\r\n";
  // What keep_alive() writes: HTTP/1.1 says when it closes, HTTP/1.0 when
  // it stays open.
  if (version >= 11 && !keep_alive) {
    out += "Connection: close\r\n";
  } else if (version < 11 && keep_alive) {
    out += "Connection: keep-alive\r\n";
  }
  out += "Content-Length: ";
  out += std::to_string(res.body.size());
  out += "\r\n\r\n";
  if (!head) {
    out += res.body;
  }
  return out;
}

}  // namespace authsim::http

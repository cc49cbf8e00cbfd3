#pragma once
// The request and response as the handlers see them: plain values, no
// sockets and no Beast types, so every handler is a function that unit tests
// can call directly. The transport converts to and from the wire.

#include "journal/note.hpp"
#include "support/interrupt.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace authsim::http {

// Header fields in arrival order; names compare case-insensitively.
class header_list {
 public:
  void add(std::string name, std::string value);
  // Replaces every field of that name by one.
  void set(std::string_view name, std::string value);
  // The first field of that name, if any.
  [[nodiscard]] const std::string* find(std::string_view name) const;
  [[nodiscard]] const std::vector<std::pair<std::string, std::string>>& fields() const { return fields_; }

 private:
  std::vector<std::pair<std::string, std::string>> fields_;
};

struct request {
  std::string method;  // as on the request line, e.g. "POST"
  std::string target;  // path and query, as received
  header_list headers;
  std::string body;    // the raw bytes, exactly as received
  std::string remote_address;
  bool tls = false;    // it came over TLS
  // Set by the transport: tells a handler that waits (a long poll) when to
  // stop waiting. Valid while the request is being handled; null in tests
  // that do not need it.
  support::interrupt_source* interrupts = nullptr;

  // The target up to the first '?'.
  [[nodiscard]] std::string_view path() const;
  // The first query parameter of that name, percent-decoded; nullopt when absent.
  [[nodiscard]] std::optional<std::string> query_param(std::string_view name) const;
};

struct response {
  unsigned status = 200;
  header_list headers;
  std::string body;
  journal::note note;  // for the journal and the log; never sent
};

enum class language { en_us, zh_cn };

// From the `lang` header: zh-CN (also zh, zh_CN, zh-Hans, any case) selects
// Chinese; anything else, or no header, English.
language request_language(const request& req);

// A message in both served languages.
struct text {
  std::string en;
  std::string zh;
  [[nodiscard]] const std::string& in(language lang) const { return lang == language::zh_cn ? zh : en; }
};

// Decodes %XX escapes and '+' (as a space, the form encoding rule).
// Malformed escapes are kept as written.
std::string percent_decode(std::string_view in);

// Why a service refused an admin call (starting a payment, moving a
// waybill): the HTTP status, the error id and the message the admin API
// answers with.
struct status_refusal {
  unsigned status;
  std::string error;
  std::string message;
};

}  // namespace authsim::http

#pragma once
// The request and response as the handlers see them: plain values, no
// sockets and no Beast types, so every handler is a function that unit tests
// can call directly. The transport converts to and from the wire.

#include <chrono>
#include <functional>
#include <memory>
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

  // The target up to the first '?'.
  [[nodiscard]] std::string_view path() const;
  // The first query parameter of that name, percent-decoded; nullopt when absent.
  [[nodiscard]] std::optional<std::string> query_param(std::string_view name) const;
};

struct response;

// Why a signature was refused (or let through by log-only), for the
// journal's "diagnostics.signature". Kept as plain values and turned into
// JSON only when the journal is read. The signed string and its length are
// not kept: they follow from the signed path and the request's body, which
// the journal has.
struct signature_diagnostics {
  std::string signed_path;
  std::string algorithm;
  std::string encoding;
  std::optional<std::string> received;  // the signature header, when sent
  std::string expected;
  std::string verification;  // the mode: "enforce" or "log-only"
};

// What a handler tells the admin journal about its decision, beyond the
// answer itself; never sent to the client.
struct journal_note {
  std::string check;  // the check that decided, e.g. "signature_mismatch"
  std::optional<signature_diagnostics> signature;
};

// An answer that is not ready yet (a long poll): the transport calls
// `poll(false)` every few milliseconds until it returns an answer, and
// `poll(true)` once the deadline has passed or the server is stopping.
struct deferred {
  std::chrono::steady_clock::time_point deadline;
  std::function<std::optional<response>(bool final)> poll;
};

// The business result an answer's body carries, set by whoever wrote the
// body, so that the log, the journal and the metrics need not parse it
// again: Credit Pay's `code`, UOCS's `success`.
struct business_result {
  std::optional<std::int64_t> code;
  std::optional<bool> success;
};

struct response {
  unsigned status = 200;
  header_list headers;
  std::string body;
  journal_note note;
  std::optional<business_result> business;  // unset: read it from the body when needed
  std::shared_ptr<const deferred> later;  // set: answer with what poll() gives
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

}  // namespace authsim::http

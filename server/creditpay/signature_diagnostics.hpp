#pragma once
// Why an identify request's signature was refused (or let through by
// log-only), for the journal's "diagnostics.signature": what was signed,
// how, and both signatures. Kept as plain values and turned into JSON only
// when the journal is read. The signed string is not kept: it follows from
// the signed path and the request's body, which the journal has.

#include "journal/note.hpp"

#include <optional>
#include <string>

namespace authsim::creditpay {

class signature_diagnostics final : public journal::detail {
 public:
  std::string signed_path;
  std::string algorithm;
  std::string encoding;
  std::optional<std::string> received;  // the signature header, when sent
  std::string expected;
  std::string verification;  // the mode: "enforce" or "log-only"

  [[nodiscard]] const char* name() const override { return "signature"; }
  // The signed string is shown up to 16 KiB.
  [[nodiscard]] json::object render(std::string_view request_body) const override;
};

}  // namespace authsim::creditpay

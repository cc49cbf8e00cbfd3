#include "creditpay/signature_diagnostics.hpp"

#include "support/text.hpp"

namespace authsim::creditpay {

json::object signature_diagnostics::render(std::string_view body) const {
  constexpr std::size_t max_signed = 16 * 1024;
  std::string signed_string = signed_path;
  signed_string.append(body.substr(0, max_signed > signed_path.size() ? max_signed - signed_path.size() : 0));
  json::object out;
  out.reserve(9);
  out["signed_path"] = signed_path;
  out["body_bytes"] = body.size();
  out["signed_string"] = support::valid_utf8(signed_string);
  out["signed_string_truncated"] = signed_path.size() + body.size() > max_signed;
  out["algorithm"] = algorithm;
  out["encoding"] = encoding;
  out["received"] = received ? json::value(support::valid_utf8(*received)) : json::value(nullptr);
  out["expected"] = expected;
  out["verification"] = verification;
  return out;
}

}  // namespace authsim::creditpay

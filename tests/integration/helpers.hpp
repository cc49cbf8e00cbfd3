#pragma once
// Values and builders shared by the integration tests: the default
// fixtures' credentials and a signed Credit Pay identify request.

#include "support/crypto.hpp"
#include "support/http_client.hpp"

#include <doctest/doctest.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <chrono>
#include <string>

namespace authsim::testing {

inline const std::string plat_id = "328cf95950f54f89a2dd4c3bf98ac5fb";
inline const std::string api_key = "kHm2nk3dgrBhn10v494XqwpPOV7gn1Uu0rUVMuxpxAowvNfXEs5UzZueUdq7vgNc";
inline const std::string signature_key =
    "18dd8a3c8003d2adcd13cb9981618bedd759a19f697a46d270542c6023479a08f541a5fa7f2e09a6f93cab7fe5de3b1b465abxxx";
inline const std::string identify_target = "/dg/v1/platform/identify/auth?platId=" + plat_id;
inline const std::string redirect_target = "/dg/v1/identify/redirect";
inline const std::string login_target = "/apis-auth/login/auth";

inline std::int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

// The upstream example's body with a token_expire one hour ahead (of the
// real clock, or of `now` when given).
inline std::string identify_body(const std::string& custom_key = "customer_no", std::int64_t now = 0) {
  return R"({"customer_token":"a1472263c7b9709xxxb624adccc60_ad0975be-877c-4420-8e2e-8a156a3ec7b2app",")" +
         custom_key + R"(":"473_32_86000698","callback_url":"https://credit-pre.aatest.online/payment/callback",)" +
         R"("token_expire":)" + std::to_string((now != 0 ? now : now_ms()) + 3'600'000) + R"(,"client_ip":"192.168.1.166"})";
}

inline std::string sign(const std::string& body, const std::string& key = signature_key,
                        const std::string& path = "/v1/platform/identify/auth") {
  return support::base64_encode(support::hmac(support::hmac_algorithm::sha1, key, path + body));
}

// Base64 of HMAC-SHA1, computed with OpenSSL's one-shot calls rather than
// authsim's own code: what a receiver checks a call from authsim with.
inline std::string independent_signature(const std::string& key, const std::string& data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  HMAC(EVP_sha1(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
       data.size(), mac, &mac_len);
  std::string out(4 * ((mac_len + 2) / 3), '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), mac, static_cast<int>(mac_len));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

inline header_pairs identify_headers(const std::string& body, const std::string& trace = "trace-1") {
  return {{"trace", trace}, {"api-key", api_key}, {"signature", sign(body)}, {"lang", "en-US"}};
}

// Moves the simulated clock forward through the admin API.
inline void advance_clock(http_client& c, std::int64_t ms) {
  REQUIRE(c.request("PUT", "/__admin/clock", R"({"advance_ms":)" + std::to_string(ms) + "}").status == 200);
}

inline std::string uocs_login_body(const std::string& user = "fc0001", const std::string& password = "8bb2423a0e1c4d0a",
                                   const std::string& app = "IE-UOCS-OUT", const std::string& secret = "fykj12345678") {
  return R"({"appKey":")" + app + R"(","appSecret":")" + secret + R"(","deviceId":"00:FF:16:4B:63:57",)"
         R"("hostName":"SF0001304522C","requestId":"123456789","ip":"192.168.255.10","userId":")" +
         user + R"(","password":")" + password + R"("})";
}

inline std::string base64url_decode(std::string in) {
  for (char& ch : in) {
    if (ch == '-') ch = '+';
    if (ch == '_') ch = '/';
  }
  static const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (const char ch : in) {
    if (ch == '=') break;
    buffer = (buffer << 6U) | static_cast<unsigned>(alphabet.find(ch));
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> static_cast<unsigned>(bits)) & 0xFFU));
    }
  }
  return out;
}

// The claims of "Bearer header.payload.signature", as JSON text.
inline std::string jwt_payload(const std::string& open_token) {
  const std::size_t d1 = open_token.find('.');
  const std::size_t d2 = open_token.rfind('.');
  return base64url_decode(open_token.substr(d1 + 1, d2 - d1 - 1));
}

}  // namespace authsim::testing

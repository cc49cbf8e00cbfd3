#pragma once
// Crypto primitives over OpenSSL 3: HMAC, encodings, randomness and a
// constant-time comparison. No I/O; every function is thread-safe.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace authsim::support {

enum class hmac_algorithm { sha1, sha256 };

// The raw HMAC digest (20 bytes for SHA-1, 32 for SHA-256). Each thread
// keeps the keyed state of the keys it has used, so signing again with the
// same key skips the key set-up.
std::string hmac(hmac_algorithm algorithm, std::string_view key, std::string_view data);
// The digest of `first` followed directly by `second`, without joining them.
std::string hmac(hmac_algorithm algorithm, std::string_view key, std::string_view first, std::string_view second);

// Standard Base64 with padding (RFC 4648 section 4).
std::string base64_encode(std::string_view bytes);
// Base64url without padding (RFC 4648 section 5), as JWTs use it.
std::string base64url_encode(std::string_view bytes);
// Decodes base64url without padding; nullopt when the text holds anything
// else (a character outside the alphabet, padding, a length no encoding
// has, or stray bits in the last character).
std::optional<std::string> base64url_decode(std::string_view text);
// Lowercase hexadecimal.
std::string hex_encode(std::string_view bytes);

// `bytes` raw bytes from OpenSSL's CSPRNG (drawn a page at a time per
// thread, each byte handed out once).
std::string random_bytes(std::size_t bytes);

// `bytes` bytes from OpenSSL's CSPRNG, as lowercase hex (2 * bytes characters).
// Throws std::runtime_error if the generator fails, which only happens when the
// system has no entropy source: a start-up class of failure, not a request one.
std::string random_hex(std::size_t bytes);

// 16 random bytes as "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" (lowercase hex,
// UUID-shaped, no version bits): a fresh trace id for a call authsim makes.
std::string random_trace_id();

// Equality that takes the same time whatever the first differing byte is.
// Lengths are compared first; a length mismatch is not secret here because
// every digest length is public.
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace authsim::support

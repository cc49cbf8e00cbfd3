#include "support/crypto.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <unordered_map>

namespace authsim::support {

namespace {

// HMAC contexts keyed once and kept per thread: keying a context hashes the
// key (keys longer than the block, like the demo platform's, twice) and
// looks the algorithms up in OpenSSL's provider tables; re-initialising a
// keyed context costs neither. Keys come from the fixtures, so there are
// few; the cache is bounded all the same.
class hmac_cache {
 public:
  hmac_cache() = default;
  hmac_cache(const hmac_cache&) = delete;
  hmac_cache& operator=(const hmac_cache&) = delete;
  ~hmac_cache() {
    clear();
    EVP_MAC_free(mac_);
  }

  // A context ready for EVP_MAC_update, keyed with `key`.
  EVP_MAC_CTX* ready(hmac_algorithm algorithm, std::string_view key) {
    if (mac_ == nullptr) {
      mac_ = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
      if (mac_ == nullptr) {
        throw std::runtime_error("OpenSSL has no HMAC implementation");
      }
    }
    // The lookup key is built in a buffer kept between calls: no allocation
    // once it has grown to the longest key.
    lookup_.assign(1, algorithm == hmac_algorithm::sha1 ? '1' : '2');
    lookup_.append(key);
    auto it = contexts_.find(lookup_);
    if (it == contexts_.end()) {
      if (contexts_.size() >= max_contexts) {
        clear();
      }
      EVP_MAC_CTX* ctx = EVP_MAC_CTX_new(mac_);
      // OSSL_PARAM wants a mutable string; OpenSSL only reads it.
      static char sha1_name[] = "SHA1";
      static char sha256_name[] = "SHA256";
      char* digest_name = algorithm == hmac_algorithm::sha1 ? sha1_name : sha256_name;
      const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string("digest", digest_name, 0), OSSL_PARAM_construct_end()};
      if (ctx == nullptr || EVP_MAC_init(ctx, reinterpret_cast<const unsigned char*>(key.data()), key.size(), params) != 1) {
        EVP_MAC_CTX_free(ctx);
        throw std::runtime_error("HMAC key set-up failed in OpenSSL");
      }
      it = contexts_.emplace(lookup_, ctx).first;
      return it->second;
    }
    // A null key re-uses the one the context was keyed with.
    if (EVP_MAC_init(it->second, nullptr, 0, nullptr) != 1) {
      throw std::runtime_error("HMAC re-initialisation failed in OpenSSL");
    }
    return it->second;
  }

 private:
  static constexpr std::size_t max_contexts = 64;

  void clear() {
    for (auto& [id, ctx] : contexts_) {
      EVP_MAC_CTX_free(ctx);
    }
    contexts_.clear();
  }

  EVP_MAC* mac_ = nullptr;
  std::unordered_map<std::string, EVP_MAC_CTX*> contexts_;
  std::string lookup_;
};

// Random bytes are drawn from OpenSSL's generator a page at a time and
// handed out in small pieces: codes and tokens need 16 bytes each, and one
// call per request into the generator costs more than the rest of the
// token's making.
class random_pool {
 public:
  void fill(char* out, std::size_t n) {
    while (n > 0) {
      if (used_ == sizeof buffer_) {
        if (RAND_bytes(buffer_, static_cast<int>(sizeof buffer_)) != 1) {
          throw std::runtime_error("the system random generator (OpenSSL RAND_bytes) failed");
        }
        used_ = 0;
      }
      const std::size_t take = std::min(n, sizeof buffer_ - used_);
      std::memcpy(out, buffer_ + used_, take);
      // Bytes handed out are not kept where a later reader could see them.
      OPENSSL_cleanse(buffer_ + used_, take);
      used_ += take;
      out += take;
      n -= take;
    }
  }

 private:
  unsigned char buffer_[4096] = {};
  std::size_t used_ = sizeof buffer_;
};

}  // namespace

std::string hmac(hmac_algorithm algorithm, std::string_view key, std::string_view data) {
  return hmac(algorithm, key, data, std::string_view());
}

std::string hmac(hmac_algorithm algorithm, std::string_view key, std::string_view first, std::string_view second) {
  thread_local hmac_cache cache;
  EVP_MAC_CTX* ctx = cache.ready(algorithm, key);
  unsigned char out[EVP_MAX_MD_SIZE];
  std::size_t out_len = 0;
  if (EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(first.data()), first.size()) != 1 ||
      EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(second.data()), second.size()) != 1 ||
      EVP_MAC_final(ctx, out, &out_len, sizeof out) != 1) {
    throw std::runtime_error("HMAC computation failed in OpenSSL");
  }
  return std::string(reinterpret_cast<const char*>(out), out_len);
}

std::string base64_encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  const int written =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                      reinterpret_cast<const unsigned char*>(bytes.data()),
                      static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(written));
  return out;
}

std::string random_trace_id() {
  std::string hex = random_hex(16);
  for (const std::size_t at : {8U, 13U, 18U, 23U}) {
    hex.insert(at, 1, '-');
  }
  return hex;
}

std::optional<std::string> base64url_decode(std::string_view text) {
  if (text.size() % 4 == 1) {
    return std::nullopt;
  }
  std::string out;
  out.reserve(text.size() * 3 / 4);
  std::uint32_t buffer = 0;
  int bits = 0;
  for (const char c : text) {
    std::uint32_t v = 0;
    if (c >= 'A' && c <= 'Z') {
      v = static_cast<std::uint32_t>(c - 'A');
    } else if (c >= 'a' && c <= 'z') {
      v = static_cast<std::uint32_t>(c - 'a' + 26);
    } else if (c >= '0' && c <= '9') {
      v = static_cast<std::uint32_t>(c - '0' + 52);
    } else if (c == '-') {
      v = 62;
    } else if (c == '_') {
      v = 63;
    } else {
      return std::nullopt;
    }
    buffer = (buffer << 6U) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> static_cast<unsigned>(bits)) & 0xFFU));
    }
  }
  // What is left must be the zero padding bits of the last character.
  if ((buffer & ((1U << static_cast<unsigned>(bits)) - 1U)) != 0) {
    return std::nullopt;
  }
  return out;
}

std::string base64url_encode(std::string_view bytes) {
  std::string out = base64_encode(bytes);
  while (!out.empty() && out.back() == '=') {
    out.pop_back();
  }
  for (char& c : out) {
    if (c == '+') {
      c = '-';
    } else if (c == '/') {
      c = '_';
    }
  }
  return out;
}

std::string hex_encode(std::string_view bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out(bytes.size() * 2, '\0');
  char* to = out.data();
  for (const char c : bytes) {
    const auto b = static_cast<unsigned char>(c);
    *to++ = digits[b >> 4U];
    *to++ = digits[b & 0x0fU];
  }
  return out;
}

std::string random_bytes(std::size_t bytes) {
  thread_local random_pool pool;
  std::string raw(bytes, '\0');
  pool.fill(raw.data(), bytes);
  return raw;
}

std::string random_hex(std::size_t bytes) { return hex_encode(random_bytes(bytes)); }

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace authsim::support

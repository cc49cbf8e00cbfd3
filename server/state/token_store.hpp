#pragma once
// UOCS login tokens: issued by /apis-auth/login/auth and carried in the
// `token` header of every later UOCS call.
//
// Thread-safe (a locked_expiring_map); callers pass the simulated time in.

#include "state/expiring_map.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace authsim::state {

struct token_record {
  std::string token;
  std::string app_key;
  std::string user_id;
  std::string request_id;
  std::int64_t issued_at_ms = 0;
  std::int64_t expires_at_ms = 0;
};

enum class token_status { valid, unknown, expired };

struct token_lookup {
  token_status status = token_status::unknown;
  token_record record;  // filled unless `unknown`
};

class token_store {
 public:
  // Expired tokens are remembered this long, so a call with one is told
  // "expired" rather than "unknown".
  static constexpr std::int64_t default_retention_ms = 60 * 60 * 1000;

  static constexpr std::size_t default_capacity = 100'000;

  explicit token_store(std::int64_t retention_ms = default_retention_ms, std::size_t capacity = default_capacity);

  // Entries dropped before their time because the store was full.
  [[nodiscard]] std::uint64_t evicted() const { return tokens_.evicted(); }

  void issue(token_record record, std::int64_t now_ms);
  // A token is valid while now < expires_at.
  token_lookup find(const std::string& token, std::int64_t now_ms);

  [[nodiscard]] std::size_t size(std::int64_t now_ms) { return tokens_.size(now_ms); }
  void clear() { tokens_.clear(); }

  // A copy of every retained entry (live, used or recently expired).
  [[nodiscard]] std::vector<token_record> snapshot(std::int64_t now_ms) {
    std::vector<token_record> out;
    tokens_.for_each(now_ms, [&](const std::string& token, const stored_token& t, std::int64_t) {
      out.push_back(to_record(token, t));
    });
    return out;
  }

 private:
  // What the store keeps of a token: the token itself is the map's key.
  struct stored_token {
    std::string app_key;
    std::string user_id;
    std::string request_id;
    std::int64_t issued_at_ms = 0;
    std::int64_t expires_at_ms = 0;
  };
  static token_record to_record(const std::string& token, const stored_token& t);

  locked_expiring_map<stored_token> tokens_;
};

}  // namespace authsim::state

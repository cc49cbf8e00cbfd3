#pragma once
// UOCS login tokens: issued by /apis-auth/login/auth and carried in the
// `token` header of every later UOCS call.
//
// `token_store` is what the handlers use (issue, look up, list a filtered
// page: each one step for a store shared between replicas);
// memory_token_store (below) is the store of one process. Callers pass the
// simulated time in. The coroutines take their arguments by reference and
// must be awaited at once.

#include "state/expiring_map.hpp"
#include "support/async.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
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

// Which tokens a listing wants; unset admits every token.
struct token_filter {
  std::optional<std::string> user_id;
};

// How many retained tokens pass the filter, and the first of them (oldest
// first), at most the limit asked for.
struct token_listing {
  std::size_t count = 0;
  std::vector<token_record> items;
};

class token_store {
 public:
  token_store() = default;
  token_store(const token_store&) = delete;
  token_store& operator=(const token_store&) = delete;
  virtual ~token_store() = default;

  virtual net::awaitable<void> async_issue(token_record record, std::int64_t now_ms) = 0;
  // Issues the token at once, without a coroutine, when the store can do so
  // without waiting (the memory store always can), and says so; otherwise
  // leaves the record as it was for async_issue. A store that waits on a
  // network keeps this default.
  virtual bool try_issue(token_record& /*record*/, std::int64_t /*now_ms*/) { return false; }
  // A token is valid while now < expires_at.
  virtual net::awaitable<token_lookup> async_find(const std::string& token, std::int64_t now_ms) = 0;
  virtual net::awaitable<token_listing> async_list(const token_filter& filter, std::size_t limit,
                                                   std::int64_t now_ms) = 0;
  // Tokens retained (valid or recently expired).
  virtual net::awaitable<std::size_t> async_size(std::int64_t now_ms) = 0;
  virtual net::awaitable<void> async_clear() = 0;
  // Tokens dropped before their time because the store was full.
  [[nodiscard]] virtual std::uint64_t evicted() const = 0;
};

// Thread-safe (a locked_expiring_map).
class memory_token_store final : public token_store {
 public:
  // Expired tokens are remembered this long, so a call with one is told
  // "expired" rather than "unknown".
  static constexpr std::int64_t default_retention_ms = 60 * 60 * 1000;

  static constexpr std::size_t default_capacity = 100'000;

  explicit memory_token_store(std::int64_t retention_ms = default_retention_ms,
                              std::size_t capacity = default_capacity);

  [[nodiscard]] std::uint64_t evicted() const override { return tokens_.evicted(); }

  void issue(token_record&& record, std::int64_t now_ms);
  // A token is valid while now < expires_at.
  token_lookup find(const std::string& token, std::int64_t now_ms);

  [[nodiscard]] std::size_t size(std::int64_t now_ms) { return tokens_.size(now_ms); }
  void clear() { tokens_.clear(); }
  // Walks the retained tokens under the lock, copying only those it keeps.
  [[nodiscard]] token_listing list(const token_filter& filter, std::size_t limit, std::int64_t now_ms);

  net::awaitable<void> async_issue(token_record record, std::int64_t now_ms) override;
  bool try_issue(token_record& record, std::int64_t now_ms) override;
  net::awaitable<token_lookup> async_find(const std::string& token, std::int64_t now_ms) override;
  net::awaitable<token_listing> async_list(const token_filter& filter, std::size_t limit,
                                           std::int64_t now_ms) override;
  net::awaitable<std::size_t> async_size(std::int64_t now_ms) override;
  net::awaitable<void> async_clear() override;

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

#include "state/token_store.hpp"

namespace authsim::state {

token_store::token_store(std::int64_t retention_ms, std::size_t capacity) : tokens_(retention_ms, capacity) {}

void token_store::issue(token_record record, std::int64_t now_ms) {
  const std::string key = record.token;
  const std::int64_t expires = record.expires_at_ms;
  tokens_.insert(key, std::move(record), expires, now_ms);
}

token_lookup token_store::find(const std::string& token, std::int64_t now_ms) {
  return tokens_.with(token, now_ms, [now_ms](const token_record* found) -> token_lookup {
    if (found == nullptr) {
      return {token_status::unknown, {}};
    }
    return {now_ms < found->expires_at_ms ? token_status::valid : token_status::expired, *found};
  });
}

}  // namespace authsim::state

#include "state/token_store.hpp"

namespace authsim::state {

token_store::token_store(std::int64_t retention_ms, std::size_t capacity) : tokens_(retention_ms, capacity) {}

token_record token_store::to_record(const std::string& token, const stored_token& t) {
  return token_record{token, t.app_key, t.user_id, t.request_id, t.issued_at_ms, t.expires_at_ms};
}

void token_store::issue(token_record record, std::int64_t now_ms) {
  const std::int64_t expires = record.expires_at_ms;
  tokens_.insert(record.token,
                 stored_token{std::move(record.app_key), std::move(record.user_id), std::move(record.request_id),
                              record.issued_at_ms, expires},
                 expires, now_ms);
}

token_lookup token_store::find(const std::string& token, std::int64_t now_ms) {
  return tokens_.with(token, now_ms, [&token, now_ms](const stored_token* found) -> token_lookup {
    if (found == nullptr) {
      return {token_status::unknown, {}};
    }
    return {now_ms < found->expires_at_ms ? token_status::valid : token_status::expired, to_record(token, *found)};
  });
}

}  // namespace authsim::state

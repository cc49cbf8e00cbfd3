#include "state/code_store.hpp"

namespace authsim::state {

code_store::code_store(std::int64_t retention_ms, std::size_t capacity) : codes_(retention_ms, capacity) {}

void code_store::issue(code_record record, std::int64_t now_ms) {
  const std::string key = record.ident_code;
  const std::int64_t expires = record.expires_at_ms;
  codes_.insert(key, std::move(record), expires, now_ms);
}

redeem_result code_store::redeem(const std::string& ident_code, std::int64_t now_ms) {
  return codes_.with(ident_code, now_ms, [now_ms](code_record* found) -> redeem_result {
    if (found == nullptr) {
      return {redeem_outcome::unknown, {}};
    }
    if (found->redeemed_at_ms) {
      return {redeem_outcome::already_redeemed, *found};
    }
    if (now_ms >= found->expires_at_ms) {
      return {redeem_outcome::expired, *found};
    }
    found->redeemed_at_ms = now_ms;
    return {redeem_outcome::redeemed, *found};
  });
}

std::optional<code_record> code_store::find(const std::string& ident_code, std::int64_t now_ms) {
  return codes_.with(ident_code, now_ms, [](code_record* found) -> std::optional<code_record> {
    if (found == nullptr) {
      return std::nullopt;
    }
    return *found;
  });
}

}  // namespace authsim::state

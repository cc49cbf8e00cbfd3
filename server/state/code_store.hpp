#pragma once
// Credit Pay one-time authorization codes: issued by /identify/auth, redeemed
// once by /identify/redirect.
//
// Thread-safe (a locked_expiring_map). Callers pass the simulated time in,
// so the store itself has no clock and tests drive expiry directly.

#include "state/expiring_map.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace authsim::state {

// Everything the identify request carried, plus the code's life cycle.
struct code_record {
  std::string ident_code;
  std::string plat_id;
  std::string custom_no;
  std::string customer_token;
  std::int64_t token_expire = 0;
  std::string callback_url;
  std::string client_ip;
  std::string trace;
  std::int64_t issued_at_ms = 0;
  std::int64_t expires_at_ms = 0;
  std::optional<std::int64_t> redeemed_at_ms;
};

enum class redeem_outcome { redeemed, unknown, expired, already_redeemed };

struct redeem_result {
  redeem_outcome outcome = redeem_outcome::unknown;
  // The code as it was at redemption; filled for every outcome but `unknown`.
  code_record record;
};

class code_store {
 public:
  // Expired and redeemed codes are remembered this long past their expiry,
  // so a late or repeated redemption is told why it failed.
  static constexpr std::int64_t default_retention_ms = 10 * 60 * 1000;

  static constexpr std::size_t default_capacity = 100'000;

  explicit code_store(std::int64_t retention_ms = default_retention_ms, std::size_t capacity = default_capacity);

  // Entries dropped before their time because the store was full.
  [[nodiscard]] std::uint64_t evicted() const { return codes_.evicted(); }

  void issue(code_record record, std::int64_t now_ms);

  // Marks the code redeemed when it is live and not yet used. A code is live
  // while now < expires_at.
  redeem_result redeem(const std::string& ident_code, std::int64_t now_ms);

  // A copy of the code's record, without redeeming it; empty when the code
  // is unknown or no longer retained.
  [[nodiscard]] std::optional<code_record> find(const std::string& ident_code, std::int64_t now_ms);

  [[nodiscard]] std::size_t size(std::int64_t now_ms) { return codes_.size(now_ms); }
  void clear() { codes_.clear(); }

  // A copy of every retained entry (live, used or recently expired).
  [[nodiscard]] std::vector<code_record> snapshot(std::int64_t now_ms) {
    std::vector<code_record> out;
    codes_.for_each(now_ms, [&](const std::string&, const code_record& r, std::int64_t) { out.push_back(r); });
    return out;
  }

 private:
  locked_expiring_map<code_record> codes_;
};

}  // namespace authsim::state

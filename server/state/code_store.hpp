#pragma once
// Credit Pay one-time authorization codes: issued by /identify/auth, redeemed
// once by /identify/redirect.
//
// Thread-safe (a locked_expiring_map). Callers pass the simulated time in,
// so the store itself has no clock and tests drive expiry directly.

#include "state/expiring_map.hpp"

#include <cstddef>
#include <cstdint>
#include <climits>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace authsim::state {

// A code and its life cycle: what redemption, the cashier page and the
// admin state read. (The rest of the identify body is in the journal.)
struct code_record {
  std::string ident_code;
  std::string plat_id;
  std::string custom_no;
  std::int64_t issued_at_ms = 0;
  std::int64_t expires_at_ms = 0;
  std::optional<std::int64_t> redeemed_at_ms;
};

// Where a code stands: issued and still redeemable, redeemed, or expired.
// The admin state listing and the cashier page both use these words.
enum class code_status { issued, redeemed, expired };
code_status status_of(const code_record& c, std::int64_t now_ms);
const char* code_status_name(code_status s);  // "issued", "redeemed", "expired"

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
    codes_.for_each(now_ms, [&](const std::string& key, const stored_code& c, std::int64_t) {
      out.push_back(to_record(key, c));
    });
    return out;
  }

 private:
  // What the store keeps of a code, kept small: a store may hold millions.
  // The code itself is the map's key; the platform id points into a table
  // of the few ids seen, which lives as long as the store.
  struct stored_code {
    const std::string* plat_id = nullptr;
    std::string custom_no;
    std::int64_t issued_at_ms = 0;
    std::int64_t expires_at_ms = 0;
    std::int64_t redeemed_at_ms = not_redeemed;
  };
  static constexpr std::int64_t not_redeemed = INT64_MIN;

  static code_record to_record(const std::string& ident_code, const stored_code& s);
  const std::string* intern(const std::string& plat_id);

  locked_expiring_map<stored_code> codes_;
  std::mutex platforms_mutex_;
  std::set<std::string> platforms_;
};

}  // namespace authsim::state

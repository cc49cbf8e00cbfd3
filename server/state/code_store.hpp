#pragma once
// Credit Pay one-time authorization codes: issued by /identify/auth, redeemed
// once by /identify/redirect.
//
// `code_store` is what the handlers use: each operation is one step that a
// store shared between replicas can do atomically (issue, redeem once, look
// up, list a filtered page). memory_code_store (below) is the store of one
// process. Callers pass the simulated time in, so a store has no clock and
// tests drive expiry directly. The coroutines take their arguments by
// reference and must be awaited at once.

#include "state/credit_limit.hpp"
#include "state/expiring_map.hpp"
#include "support/async.hpp"
#include "support/packed_text.hpp"

#include <cstddef>
#include <cstdint>
#include <algorithm>
#include <array>
#include <climits>
#include <functional>
#include <string_view>
#include <memory>
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
  // What Credit Pay hands back to the platform later: the user's token (the
  // `token` header of the credit-limit query and of webhooks), the
  // cashier's `platform_callback`, the user's address (`real_ip` in
  // events) and the language asked for (the `lang` header).
  std::string customer_token;
  std::string callback_url;
  std::string client_ip;
  std::string lang;
  // The later revision's optional identify fields, when given.
  std::optional<std::string> session_sign;
  std::optional<credit_limit> credit;
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

// Which codes a listing wants; an unset field admits every code.
struct code_filter {
  std::optional<std::string> plat_id;
  std::optional<std::string> custom_no;
};

// A listing: how many retained codes pass the filter, and the first of
// them (oldest first), at most the limit asked for.
struct code_listing {
  std::size_t count = 0;
  std::vector<code_record> items;
};

class code_store {
 public:
  code_store() = default;
  code_store(const code_store&) = delete;
  code_store& operator=(const code_store&) = delete;
  virtual ~code_store() = default;

  virtual net::awaitable<void> async_issue(code_record record, std::int64_t now_ms) = 0;
  // Issues the code at once, without a coroutine, when the store can do so
  // without waiting (the memory store always can), and says so; otherwise
  // leaves the record as it was for async_issue. A store that waits on a
  // network keeps this default.
  virtual bool try_issue(code_record& /*record*/, std::int64_t /*now_ms*/) { return false; }
  // Marks the code redeemed when it is live and not yet used, in one step:
  // of two redemptions at once, exactly one succeeds. A redeemed code is
  // kept (for the cashier's calls, which read it through the open token)
  // at least until `keep_until_ms`, the open token's end.
  virtual net::awaitable<redeem_result> async_redeem(const std::string& ident_code, std::int64_t now_ms,
                                                     std::int64_t keep_until_ms) = 0;
  virtual net::awaitable<std::optional<code_record>> async_find(const std::string& ident_code,
                                                                std::int64_t now_ms) = 0;
  virtual net::awaitable<code_listing> async_list(const code_filter& filter, std::size_t limit,
                                                  std::int64_t now_ms) = 0;
  // Codes retained (live, used or recently expired).
  virtual net::awaitable<std::size_t> async_size(std::int64_t now_ms) = 0;
  virtual net::awaitable<void> async_clear() = 0;
  // Codes dropped before their time because the store was full.
  [[nodiscard]] virtual std::uint64_t evicted() const = 0;
};

// A code as the memory store keys it: up to 32 characters kept in place
// (codes are 32 hex characters), so that a code needs no heap block of its
// own for its name. A longer name is no code this store holds.
struct code_key {
  static constexpr std::size_t capacity = 32;
  std::array<char, capacity> chars{};
  std::uint8_t size = 0;

  static std::optional<code_key> of(std::string_view text) {
    if (text.size() > capacity) {
      return std::nullopt;
    }
    code_key k;
    std::copy(text.begin(), text.end(), k.chars.begin());
    k.size = static_cast<std::uint8_t>(text.size());
    return k;
  }
  [[nodiscard]] std::string_view view() const { return {chars.data(), size}; }
  bool operator==(const code_key& other) const { return view() == other.view(); }
};

}  // namespace authsim::state

template <>
struct std::hash<authsim::state::code_key> {
  std::size_t operator()(const authsim::state::code_key& k) const noexcept {
    return std::hash<std::string_view>{}(k.view());
  }
};

namespace authsim::state {

// Thread-safe (a locked_expiring_map).
class memory_code_store final : public code_store {
 public:
  // Expired and redeemed codes are remembered this long past their expiry,
  // so a late or repeated redemption is told why it failed.
  static constexpr std::int64_t default_retention_ms = 10 * 60 * 1000;

  static constexpr std::size_t default_capacity = 100'000;
  // Callback URLs and languages are shared between codes while the table of
  // shared texts holds fewer than this; past it, a code keeps its own (a
  // partner that sends a new callback URL per user cannot grow the table
  // without bound).
  static constexpr std::size_t shared_text_limit = 4096;

  explicit memory_code_store(std::int64_t retention_ms = default_retention_ms,
                             std::size_t capacity = default_capacity);

  [[nodiscard]] std::uint64_t evicted() const override { return codes_.evicted(); }

  void issue(code_record&& record, std::int64_t now_ms);

  // Marks the code redeemed when it is live and not yet used. A code is live
  // while now < expires_at. A redeemed code is retained until
  // `keep_until_ms` (when later than its expiry) plus the retention.
  redeem_result redeem(const std::string& ident_code, std::int64_t now_ms, std::int64_t keep_until_ms = 0);

  // A copy of the code's record, without redeeming it; empty when the code
  // is unknown or no longer retained.
  [[nodiscard]] std::optional<code_record> find(const std::string& ident_code, std::int64_t now_ms);

  [[nodiscard]] std::size_t size(std::int64_t now_ms) { return codes_.size(now_ms); }
  void clear() { codes_.clear(); }
  // Walks the retained codes under the lock, copying only those it keeps.
  [[nodiscard]] code_listing list(const code_filter& filter, std::size_t limit, std::int64_t now_ms);

  net::awaitable<void> async_issue(code_record record, std::int64_t now_ms) override;
  bool try_issue(code_record& record, std::int64_t now_ms) override;
  net::awaitable<redeem_result> async_redeem(const std::string& ident_code, std::int64_t now_ms,
                                             std::int64_t keep_until_ms) override;
  net::awaitable<std::optional<code_record>> async_find(const std::string& ident_code,
                                                        std::int64_t now_ms) override;
  net::awaitable<code_listing> async_list(const code_filter& filter, std::size_t limit,
                                          std::int64_t now_ms) override;
  net::awaitable<std::size_t> async_size(std::int64_t now_ms) override;
  net::awaitable<void> async_clear() override;

 private:
  // What the store keeps of a code, kept small: a store may hold millions.
  // The code itself is the map's key. Texts that repeat across codes (the
  // platform id, and mostly the callback URL and the language) point into a
  // table of shared texts, which lives as long as the store; the code's own
  // texts share one heap block, the credit data as its compact JSON.
  struct text {
    enum : std::size_t { custom_no, customer_token, callback_url, client_ip, lang, session_sign, credit, count };
  };
  struct stored_code {
    const std::string* plat_id = nullptr;
    const std::string* callback_url = nullptr;  // null: in `texts`
    const std::string* lang = nullptr;          // null: in `texts`
    std::int64_t issued_at_ms = 0;
    std::int64_t expires_at_ms = 0;
    std::int64_t redeemed_at_ms = not_redeemed;
    support::packed_text<text::count> texts;
  };
  static constexpr std::int64_t not_redeemed = INT64_MIN;

  static code_record to_record(std::string_view ident_code, const stored_code& s);
  // The shared copy of `value`; nullptr when it is not shared (`always`
  // false and the table full).
  const std::string* share(const std::string& value, bool always);

  locked_expiring_map<stored_code, code_key> codes_;
  std::mutex shared_mutex_;
  std::set<std::string, std::less<>> shared_;
};

}  // namespace authsim::state

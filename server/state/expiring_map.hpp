#pragma once
// A map from string keys to values that expire, kept ordered by expiry so
// that removing what is due costs O(log n) per entry and nothing when nothing
// is due. An entry is kept for `retention_ms` past its expiry, so that a late
// lookup can still say "expired" rather than "unknown"; then it is removed.
//
// Not thread-safe by itself: the stores that own one guard it with a mutex.

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>

namespace authsim::state {

template <class Value>
class expiring_map {
 public:
  explicit expiring_map(std::int64_t retention_ms) : retention_ms_(retention_ms) {}

  // Adds or replaces the entry for `key`.
  void insert(const std::string& key, Value value, std::int64_t expires_at_ms) {
    erase(key);
    const auto index = by_expiry_.emplace(expires_at_ms, key);
    entries_.emplace(key, entry{std::move(value), expires_at_ms, index});
  }

  // The entry, expired or not, while it is retained; nullptr when unknown.
  Value* find(const std::string& key) {
    const auto it = entries_.find(key);
    return it == entries_.end() ? nullptr : &it->second.value;
  }

  void erase(const std::string& key) {
    const auto it = entries_.find(key);
    if (it != entries_.end()) {
      by_expiry_.erase(it->second.index);
      entries_.erase(it);
    }
  }

  // Drops every entry whose retention ended at or before `now_ms`; returns how many.
  std::size_t sweep(std::int64_t now_ms) {
    std::size_t removed = 0;
    while (!by_expiry_.empty() && by_expiry_.begin()->first + retention_ms_ <= now_ms) {
      entries_.erase(by_expiry_.begin()->second);
      by_expiry_.erase(by_expiry_.begin());
      ++removed;
    }
    return removed;
  }

  // Calls f(key, value, expires_at_ms) for each retained entry.
  template <class F>
  void for_each(F&& f) const {
    for (const auto& [key, e] : entries_) {
      f(key, e.value, e.expires_at_ms);
    }
  }

  [[nodiscard]] std::size_t size() const { return entries_.size(); }

  void clear() {
    entries_.clear();
    by_expiry_.clear();
  }

 private:
  using index_type = std::multimap<std::int64_t, std::string>;
  struct entry {
    Value value;
    std::int64_t expires_at_ms;
    index_type::iterator index;
  };

  std::int64_t retention_ms_;
  std::unordered_map<std::string, entry> entries_;
  index_type by_expiry_;
};

}  // namespace authsim::state

#pragma once
// A map from string keys to values that expire, kept ordered by expiry so
// that removing what is due costs O(log n) per entry and nothing when nothing
// is due. An entry is kept for `retention_ms` past its expiry, so that a late
// lookup can still say "expired" rather than "unknown"; then it is removed.
//
// expiring_map is not thread-safe; locked_expiring_map wraps one in a mutex
// and sweeps what is due on every call, so memory stays bounded without a
// timer.

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
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

  // Drops the entry that expires first; false when empty.
  bool evict_first() {
    if (by_expiry_.empty()) {
      return false;
    }
    entries_.erase(by_expiry_.begin()->second);
    by_expiry_.erase(by_expiry_.begin());
    return true;
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

// Thread-safe: every call holds the mutex for a short, I/O-free section.
template <class Value>
class locked_expiring_map {
 public:
  // At most `capacity` entries: when full, the entry closest to expiry goes
  // to make room (and is counted in evicted()).
  locked_expiring_map(std::int64_t retention_ms, std::size_t capacity) : map_(retention_ms), capacity_(capacity) {}

  void insert(const std::string& key, Value value, std::int64_t expires_at_ms, std::int64_t now_ms) {
    const std::lock_guard lock(mutex_);
    map_.sweep(now_ms);
    while (map_.size() >= capacity_ && map_.find(key) == nullptr && map_.evict_first()) {
      ++evicted_;
    }
    map_.insert(key, std::move(value), expires_at_ms);
  }

  [[nodiscard]] std::uint64_t evicted() const {
    const std::lock_guard lock(mutex_);
    return evicted_;
  }

  // Calls f(Value* or nullptr) under the lock and returns what f returns.
  template <class F>
  auto with(const std::string& key, std::int64_t now_ms, F&& f) {
    const std::lock_guard lock(mutex_);
    map_.sweep(now_ms);
    return f(map_.find(key));
  }

  [[nodiscard]] std::size_t size(std::int64_t now_ms) {
    const std::lock_guard lock(mutex_);
    map_.sweep(now_ms);
    return map_.size();
  }

  // Calls f(key, value, expires_at_ms) for every retained entry, under the lock.
  template <class F>
  void for_each(std::int64_t now_ms, F&& f) {
    const std::lock_guard lock(mutex_);
    map_.sweep(now_ms);
    map_.for_each(f);
  }

  void clear() {
    const std::lock_guard lock(mutex_);
    map_.clear();
  }

 private:
  mutable std::mutex mutex_;
  expiring_map<Value> map_;
  std::size_t capacity_;
  std::uint64_t evicted_ = 0;
};

}  // namespace authsim::state

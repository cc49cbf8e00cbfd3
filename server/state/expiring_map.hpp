#pragma once
// A map from string keys to values that expire, with a queue in the order
// entries were added, so that removing what is due costs O(1) per entry and
// nothing when nothing is due (entries share a lifetime, so the order they
// were added in is the order they expire in). An entry is kept for `retention_ms` past its expiry, so that a late
// lookup can still say "expired" rather than "unknown"; then it is removed.
//
// expiring_map is not thread-safe; locked_expiring_map wraps one in a mutex
// and sweeps what is due on every call, so memory stays bounded without a
// timer.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>

namespace authsim::state {

template <class Value>
class expiring_map {
 public:
  explicit expiring_map(std::int64_t retention_ms) : retention_ms_(retention_ms) {}

  // Makes room for `n` entries at once: growing a table of many entries
  // later would stop every request for as long as it takes.
  void reserve(std::size_t n) { entries_.reserve(n); }

  // Adds or replaces the entry for `key`.
  void insert(const std::string& key, Value value, std::int64_t expires_at_ms) {
    const std::uint64_t seq = ++last_seq_;
    auto [it, added] = entries_.try_emplace(key, entry{std::move(value), expires_at_ms, seq});
    if (!added) {
      // The node stays where it is: its older place in the queue is now
      // stale and is skipped when it comes up.
      it->second = entry{std::move(value), expires_at_ms, seq};
    }
    queue_.push_back({expires_at_ms, seq, &it->first});
  }

  // The entry, expired or not, while it is retained; nullptr when unknown.
  Value* find(const std::string& key) {
    const auto it = entries_.find(key);
    return it == entries_.end() ? nullptr : &it->second.value;
  }

  // Drops every entry whose retention ended at or before `now_ms`; returns
  // how many. Entries leave in the order they were added, which is the
  // order of expiry as long as the clock does not go back; one added after
  // the clock went back waits behind those before it.
  std::size_t sweep(std::int64_t now_ms) {
    std::size_t removed = 0;
    while (!queue_.empty() && queue_.front().expires_at_ms + retention_ms_ <= now_ms) {
      if (pop_front()) {
        ++removed;
      }
    }
    return removed;
  }

  // Drops the oldest entry (the first to expire, see sweep); false when empty.
  bool evict_first() {
    while (!queue_.empty()) {
      if (pop_front()) {
        return true;
      }
    }
    return false;
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
    queue_.clear();
  }

 private:
  struct entry {
    Value value;
    std::int64_t expires_at_ms;
    std::uint64_t seq;  // which place in the queue is this entry's own
  };
  // A key's node is only removed through its own (newest) place in the
  // queue, and its stale places come before that one, so `key` never
  // outlives its node.
  struct place {
    std::int64_t expires_at_ms;
    std::uint64_t seq;
    const std::string* key;
  };

  // Removes the queue's front and, when it is its entry's own place, the
  // entry; true when an entry went.
  bool pop_front() {
    const place p = queue_.front();
    queue_.pop_front();
    const auto it = entries_.find(*p.key);
    if (it == entries_.end() || it->second.seq != p.seq) {
      return false;
    }
    entries_.erase(it);
    return true;
  }

  std::int64_t retention_ms_;
  std::uint64_t last_seq_ = 0;
  std::unordered_map<std::string, entry> entries_;
  std::deque<place> queue_;
};

// Thread-safe: every call holds the mutex for a short, I/O-free section.
template <class Value>
class locked_expiring_map {
 public:
  // At most `capacity` entries: when full, the oldest entry (the first to expire) goes
  // to make room (and is counted in evicted()).
  // Room for the first million entries is made at once (about 8 MiB of
  // buckets); a larger capacity grows from there.
  locked_expiring_map(std::int64_t retention_ms, std::size_t capacity) : map_(retention_ms), capacity_(capacity) {
    map_.reserve(std::min<std::size_t>(capacity, std::size_t{1} << 20));
  }

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

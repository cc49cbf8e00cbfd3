#pragma once
// A map from string keys to values that expire. Entries are kept in the
// order they were added, so that removing what is due costs O(1) per entry
// and nothing when nothing is due (entries share a lifetime, so the order
// they were added in is the order they expire in). An entry is kept for
// `retention_ms` past its expiry, so that a late lookup can still say
// "expired" rather than "unknown"; then it is removed.
//
// The stores hold up to millions of entries and touch one on every
// request, so the layout is chosen for few cache misses: the entries sit in
// a queue in insertion order (adding and evicting walk memory in order),
// and a flat open-addressing index maps a key's hash to its entry (a lookup
// reads one bucket, then one entry).
//
// expiring_map is not thread-safe; locked_expiring_map wraps one in a mutex
// and sweeps what is due on every call, so memory stays bounded without a
// timer.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <functional>
#include <limits>
#include <memory>
#include <mutex>
#include <new>
#include <string>

namespace authsim::state {

// Key: std::string by default; any regular type with std::hash.
template <class Value, class Key = std::string>
class expiring_map {
 public:
  explicit expiring_map(std::int64_t retention_ms) : retention_ms_(retention_ms) { resize_index(min_buckets); }

  // Makes room for `n` entries at once: growing a table of many entries
  // later would stop every request for as long as it takes. The index is
  // zeroed by the allocator, so its pages cost memory only once used.
  void reserve(std::size_t n) {
    std::size_t buckets = min_buckets;
    while (buckets / 2 < n) {
      buckets *= 2;
    }
    if (buckets > bucket_count_) {
      resize_index(buckets);
    }
  }

  // Adds or replaces the entry for `key`. A new key first makes room:
  // while `capacity` entries are held, the oldest goes (see evict_first).
  // Returns how many entries went to make room.
  std::size_t insert(const Key& key, Value value, std::int64_t expires_at_ms,
                     std::size_t capacity = std::numeric_limits<std::size_t>::max()) {
    const std::size_t hash = std::hash<Key>{}(key);
    std::size_t evicted = 0;
    if (bucket* b = lookup(key, hash)) {
      // The old slot stays in the queue, dead: it is skipped when it comes
      // up. What it held is released now.
      slot& old = slot_of(*b);
      old.live = false;
      old.key = Key();
      old.value = Value();
      b->seq_plus_one = first_seq_ + slots_.size() + 1;
    } else {
      while (live_ >= capacity && evict_first()) {
        ++evicted;
      }
      if ((live_ + 1) * 2 > bucket_count_) {
        resize_index(bucket_count_ * 2);
      }
      place(hash, first_seq_ + slots_.size());
      ++live_;
    }
    slots_.push_back(slot{expires_at_ms, hash, true, key, std::move(value)});
    return evicted;
  }

  // Gives a retained entry a later expiry: it moves to the back of the
  // queue, as if added now. False when the key is unknown.
  bool renew(const Key& key, std::int64_t expires_at_ms) {
    bucket* b = lookup(key, std::hash<Key>{}(key));
    if (b == nullptr) {
      return false;
    }
    slot& old = slot_of(*b);
    slot moved{expires_at_ms, old.hash, true, std::move(old.key), std::move(old.value)};
    old.live = false;
    old.key = Key();
    old.value = Value();
    b->seq_plus_one = first_seq_ + slots_.size() + 1;
    slots_.push_back(std::move(moved));
    return true;
  }

  // The entry, expired or not, while it is retained; nullptr when unknown.
  Value* find(const Key& key) {
    bucket* b = lookup(key, std::hash<Key>{}(key));
    return b == nullptr ? nullptr : &slot_of(*b).value;
  }

  // Drops every entry whose retention ended at or before `now_ms`; returns
  // how many. Entries leave in the order they were added, which is the
  // order of expiry as long as the clock does not go back; one added after
  // the clock went back waits behind those before it.
  std::size_t sweep(std::int64_t now_ms) {
    std::size_t removed = 0;
    while (!slots_.empty() && slots_.front().expires_at_ms + retention_ms_ <= now_ms) {
      if (pop_front()) {
        ++removed;
      }
    }
    return removed;
  }

  // Drops the oldest entry (the first to expire, see sweep); false when empty.
  bool evict_first() {
    while (!slots_.empty()) {
      if (pop_front()) {
        return true;
      }
    }
    return false;
  }

  // Calls f(key, value, expires_at_ms) for each retained entry, oldest first.
  template <class F>
  void for_each(F&& f) const {
    for (const slot& s : slots_) {
      if (s.live) {
        f(s.key, s.value, s.expires_at_ms);
      }
    }
  }

  [[nodiscard]] std::size_t size() const { return live_; }

  void clear() {
    first_seq_ += slots_.size();
    slots_.clear();
    std::fill(index_.get(), index_.get() + bucket_count_, bucket{});
    live_ = 0;
  }

 private:
  // Entries live in `slots_` in the order they were added, which is the
  // order they leave in; the slot of sequence number `seq` is at
  // `seq - first_seq_`. A replaced entry leaves a dead slot behind.
  // What sweeping and evicting read comes first, in the slot's first
  // cache line.
  struct slot {
    std::int64_t expires_at_ms;
    std::size_t hash;
    bool live;
    Key key;
    Value value;
  };
  // The index: open addressing with linear probing, one bucket per live
  // entry, holding its hash (most probes end without touching a slot) and
  // its slot's sequence number plus one (0 is an empty bucket).
  struct bucket {
    std::size_t hash;
    std::uint64_t seq_plus_one;
  };
  struct free_deleter {
    void operator()(bucket* p) const { std::free(p); }
  };
  static constexpr std::size_t min_buckets = 16;

  slot& slot_of(const bucket& b) { return slots_[static_cast<std::size_t>(b.seq_plus_one - 1 - first_seq_)]; }

  bucket* lookup(const Key& key, std::size_t hash) {
    for (std::size_t i = hash & mask_;; i = (i + 1) & mask_) {
      bucket& b = index_[i];
      if (b.seq_plus_one == 0) {
        return nullptr;
      }
      if (b.hash == hash && slot_of(b).key == key) {
        return &b;
      }
    }
  }

  void place(std::size_t hash, std::uint64_t seq) {
    std::size_t i = hash & mask_;
    while (index_[i].seq_plus_one != 0) {
      i = (i + 1) & mask_;
    }
    index_[i] = bucket{hash, seq + 1};
  }

  // Empties bucket `i` and moves later buckets of the same run back, so
  // that every probe still finds its entry (no tombstones).
  void erase_bucket(std::size_t i) {
    std::size_t j = i;
    for (;;) {
      j = (j + 1) & mask_;
      if (index_[j].seq_plus_one == 0) {
        break;
      }
      const std::size_t home = index_[j].hash & mask_;
      // The entry at j stays when its home lies cyclically in (i, j].
      const bool stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
      if (!stays) {
        index_[i] = index_[j];
        i = j;
      }
    }
    index_[i] = bucket{};
  }

  void resize_index(std::size_t buckets) {
    void* raw = std::calloc(buckets, sizeof(bucket));
    if (raw == nullptr) {
      throw std::bad_alloc();
    }
    index_.reset(static_cast<bucket*>(raw));
    bucket_count_ = buckets;
    mask_ = buckets - 1;
    std::uint64_t seq = first_seq_;
    for (const slot& s : slots_) {
      if (s.live) {
        place(s.hash, seq);
      }
      ++seq;
    }
  }

  // Removes the oldest slot and, when it is live, its entry; true when an
  // entry went.
  bool pop_front() {
    const slot& s = slots_.front();
    bool removed = false;
    if (s.live) {
      for (std::size_t i = s.hash & mask_;; i = (i + 1) & mask_) {
        if (index_[i].seq_plus_one == first_seq_ + 1) {
          erase_bucket(i);
          break;
        }
      }
      --live_;
      removed = true;
    }
    slots_.pop_front();
    ++first_seq_;
    // The next oldest is read on the next insertion, long after it left
    // the cache: ask for it now.
    if (!slots_.empty()) {
      __builtin_prefetch(&slots_.front());
    }
    return removed;
  }

  std::int64_t retention_ms_;
  std::deque<slot> slots_;
  std::uint64_t first_seq_ = 0;
  std::size_t live_ = 0;
  std::unique_ptr<bucket[], free_deleter> index_;
  std::size_t bucket_count_ = 0;
  std::size_t mask_ = 0;
};

// Thread-safe: every call holds the mutex for a short, I/O-free section.
template <class Value, class Key = std::string>
class locked_expiring_map {
 public:
  // At most `capacity` entries: when full, the oldest entry (the first to expire) goes
  // to make room (and is counted in evicted()).
  // Room for the first million entries is made at once (an index of up to
  // 32 MiB, whose pages are touched only as entries come); a larger
  // capacity grows from there.
  locked_expiring_map(std::int64_t retention_ms, std::size_t capacity) : map_(retention_ms), capacity_(capacity) {
    map_.reserve(std::min<std::size_t>(capacity, std::size_t{1} << 20));
  }

  void insert(const Key& key, Value value, std::int64_t expires_at_ms, std::int64_t now_ms) {
    const std::lock_guard lock(mutex_);
    map_.sweep(now_ms);
    evicted_ += map_.insert(key, std::move(value), expires_at_ms, capacity_);
  }

  [[nodiscard]] std::uint64_t evicted() const {
    const std::lock_guard lock(mutex_);
    return evicted_;
  }

  // Calls f(Value* or nullptr) under the lock and returns what f returns.
  template <class F>
  auto with(const Key& key, std::int64_t now_ms, F&& f) {
    const std::lock_guard lock(mutex_);
    map_.sweep(now_ms);
    return f(map_.find(key));
  }

  // See expiring_map::renew.
  bool renew(const Key& key, std::int64_t expires_at_ms, std::int64_t now_ms) {
    const std::lock_guard lock(mutex_);
    map_.sweep(now_ms);
    return map_.renew(key, expires_at_ms);
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
  expiring_map<Value, Key> map_;
  std::size_t capacity_;
  std::uint64_t evicted_ = 0;
};

}  // namespace authsim::state

#pragma once
// The request journal: the last N exchanges with the simulated APIs, as
// JSON objects for the admin API, plus counts since the last clear so that
// a test can wait for "at least 2 calls to this path". An exchange is kept
// as it came (a payload) and turned into JSON only when the journal is
// read: most exchanges are never looked at, and the request path should
// not pay for their rendering.
//
// `store` is what the server uses; memory_store (below) is the one it
// has, and a store shared between replicas can take its place. Every
// operation is one step a networked store can do at once (an append, a
// read, a count, a wait); the coroutines take their arguments by
// reference and must be awaited at once.

#include "journal/waiters.hpp"
#include "support/async.hpp"
#include "support/interrupt.hpp"

#include <boost/json/object.hpp>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace authsim::journal {

struct filter {
  std::optional<std::string> path;     // exact path
  std::optional<std::string> outcome;  // "ok", "rejected" or "fault"

  [[nodiscard]] bool admits(const std::string& p, const std::string& o) const {
    return (!path || *path == p) && (!outcome || *outcome == o);
  }
};

// One exchange as the journal holds it. Immutable once added; render() may
// run on any thread, while the exchange is being added or after.
class payload {
 public:
  payload() = default;
  payload(const payload&) = delete;
  payload& operator=(const payload&) = delete;
  virtual ~payload() = default;
  [[nodiscard]] virtual json::object render() const = 0;
  // Appends the exchange in a compact form that decode_payload (exchange.hpp)
  // turns back into an equal payload on any replica: what a store shared
  // between replicas keeps, so that it renders only when read. False when
  // this payload cannot be encoded (then the store renders it now).
  virtual bool encode(std::string& /*out*/) const { return false; }
};

// Where an entry is counted: its path and outcome. `known_path`: the path
// is one the server serves; those are always counted, other paths only
// while the count table has room.
struct entry_key {
  std::string path;
  std::string outcome;
  bool known_path = true;
};

class store {
 public:
  store() = default;
  store(const store&) = delete;
  store& operator=(const store&) = delete;
  virtual ~store() = default;

  // Stores an entry; its "id" (1, 2, ... since the last clear) is set here.
  virtual net::awaitable<void> async_add(entry_key key, std::shared_ptr<const payload> entry) = 0;
  // Adds the entry at once, without a coroutine, when the store can do so
  // without waiting (the memory store always can), and says so; otherwise
  // leaves key and entry as they were for async_add. A store that waits on
  // a network keeps this default.
  virtual bool try_add(entry_key& /*key*/, std::shared_ptr<const payload>& /*entry*/) { return false; }
  // Up to `limit` entries that pass the filter, newest first.
  virtual net::awaitable<std::vector<json::object>> async_list(std::size_t limit, const filter& f) = 0;
  // How many entries passing the filter were added since the last clear,
  // including those the ring has since dropped.
  virtual net::awaitable<std::uint64_t> async_count(const filter& f) = 0;
  // Waits until that count reaches `count`, the deadline passes, or
  // `interrupts` (may be null) says the wait should end; returns the count
  // then. Wakes when an entry is added, never by polling.
  virtual net::awaitable<std::uint64_t> async_wait(const filter& f, std::uint64_t count,
                                                   std::chrono::steady_clock::time_point deadline,
                                                   support::interrupt_source* interrupts) = 0;
  // Waits until that count is no longer `from` (an entry was added, or the
  // journal was cleared), the deadline passes, or `interrupts` says the
  // wait should end; returns the count then.
  virtual net::awaitable<std::uint64_t> async_wait_change(const filter& f, std::uint64_t from,
                                                          std::chrono::steady_clock::time_point deadline,
                                                          support::interrupt_source* interrupts) = 0;
  // Wakes the waits above too.
  virtual net::awaitable<void> async_clear() = 0;
  virtual net::awaitable<std::size_t> async_size() = 0;
  [[nodiscard]] virtual std::size_t capacity() const = 0;
};

// The journal in this process's memory. Thread-safe: one mutex guards the
// ring, the counts and the waiters.
class memory_store final : public store {
 public:
  explicit memory_store(std::size_t capacity);

  void add(entry_key key, std::shared_ptr<const payload> entry);
  [[nodiscard]] std::vector<json::object> list(std::size_t limit, const filter& f) const;
  [[nodiscard]] std::uint64_t count(const filter& f) const;
  void clear();
  [[nodiscard]] std::size_t size() const;

  net::awaitable<void> async_add(entry_key key, std::shared_ptr<const payload> entry) override;
  bool try_add(entry_key& key, std::shared_ptr<const payload>& entry) override;
  net::awaitable<std::vector<json::object>> async_list(std::size_t limit, const filter& f) override;
  net::awaitable<std::uint64_t> async_count(const filter& f) override;
  net::awaitable<std::uint64_t> async_wait(const filter& f, std::uint64_t count,
                                           std::chrono::steady_clock::time_point deadline,
                                           support::interrupt_source* interrupts) override;
  net::awaitable<std::uint64_t> async_wait_change(const filter& f, std::uint64_t from,
                                                  std::chrono::steady_clock::time_point deadline,
                                                  support::interrupt_source* interrupts) override;
  net::awaitable<void> async_clear() override;
  net::awaitable<std::size_t> async_size() override;
  [[nodiscard]] std::size_t capacity() const override { return capacity_; }

 private:
  struct record {
    std::uint64_t id;
    std::string path;
    std::string outcome;
    std::shared_ptr<const payload> entry;
  };
  // Writes the count key of (path or any, outcome or any) into `out`.
  static void key(std::string& out, const std::string* path, const std::string* outcome);
  // What the long polls await: the count of `f`, read again at each wake-up.
  [[nodiscard]] std::function<net::awaitable<std::uint64_t>()> counter(const filter& f) const;
  // Adds one to the count; returns it, or nullptr when it was not counted.
  std::uint64_t* bump(const std::string* path, const std::string* outcome, bool always);

  const std::size_t capacity_;
  mutable std::mutex mutex_;
  std::deque<record> ring_;
  std::uint64_t next_id_ = 1;
  // Counts per (path, outcome), with "any" for either; bounded in keys so
  // that clients inventing paths cannot grow it without end.
  std::map<std::string, std::uint64_t, std::less<>> counts_;
  std::string key_scratch_;  // reused by bump, under the mutex
  // The four counts the last (path, outcome) added to: consecutive
  // requests mostly share them, and then skip the lookups. Map nodes stay
  // put until clear(), which empties this too.
  struct last_counts {
    std::string path;
    std::string outcome;
    std::array<std::uint64_t*, 4> counts{};
  };
  last_counts last_;
  // Woken after every add: the long polls waiting for entries.
  waiters waiters_;
};

}  // namespace authsim::journal

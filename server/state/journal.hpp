#pragma once
// The request journal: the last N exchanges with the simulated APIs, as
// JSON objects for the admin API, plus counts since the last clear so that
// a test can wait for "at least 2 calls to this path". An exchange is kept
// as it came (a journal_payload) and turned into JSON only when the journal
// is read: most exchanges are never looked at, and the request path should
// not pay for their rendering.
//
// Thread-safe: one mutex guards the ring and the counts.

#include <boost/json/object.hpp>

#include <array>
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

namespace authsim::state {

struct journal_filter {
  std::optional<std::string> path;     // exact path
  std::optional<std::string> outcome;  // "ok", "rejected" or "fault"

  [[nodiscard]] bool admits(const std::string& p, const std::string& o) const {
    return (!path || *path == p) && (!outcome || *outcome == o);
  }
};

// One exchange as the journal holds it. Immutable once added; render() may
// run on any thread, while the exchange is being added or after.
class journal_payload {
 public:
  journal_payload() = default;
  journal_payload(const journal_payload&) = delete;
  journal_payload& operator=(const journal_payload&) = delete;
  virtual ~journal_payload() = default;
  [[nodiscard]] virtual boost::json::object render() const = 0;
};

class journal {
 public:
  explicit journal(std::size_t capacity);

  // Stores an entry; its "id" (1, 2, ... since the last clear) is set here.
  // `known_path`: the path is one the server serves; those are always
  // counted, other paths only while the count table has room.
  void add(const std::string& path, const std::string& outcome, std::shared_ptr<const journal_payload> payload,
           bool known_path = true);
  // The same with an entry already rendered.
  void add_rendered(const std::string& path, const std::string& outcome, boost::json::object entry,
                    bool known_path = true);

  // Up to `limit` entries that pass the filter, newest first.
  [[nodiscard]] std::vector<boost::json::object> list(std::size_t limit, const journal_filter& filter) const;
  // How many entries passing the filter were added since the last clear,
  // including those the ring has since dropped.
  [[nodiscard]] std::uint64_t count(const journal_filter& filter) const;

  void clear();
  [[nodiscard]] std::size_t capacity() const { return capacity_; }
  [[nodiscard]] std::size_t size() const;

 private:
  struct record {
    std::uint64_t id;
    std::string path;
    std::string outcome;
    std::shared_ptr<const journal_payload> payload;
  };
  // Writes the count key of (path or any, outcome or any) into `out`.
  static void key(std::string& out, const std::string* path, const std::string* outcome);
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
};

}  // namespace authsim::state

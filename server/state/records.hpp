#pragma once
// Records that outlive a request and that jobs act on later: payments,
// webhook and push deliveries, waybills. Each is kept as text (its own
// encoding, chosen by its owner) with a version, so that a change is a
// read, a change of a copy, and a commit that goes through only when no
// other change (another thread, another replica) came in between. A commit
// writes several records and schedules jobs all at once, or does nothing.
//
// Records of a kind list in the order of a key the writer gives (a due
// time; 0 for "the order written") and then in the order first written. A
// kind may be bounded: past its capacity the records first written go, and
// with each the records it owns (a payment's deliveries). Each record may
// carry a tag ("pending"); how many carry each tag is known without a walk.
//
// Two implementations: memory_records (here) and redis::shared_records.
// Thread-safe.

#include "support/async.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace authsim::state {

struct record {
  std::string id;
  std::string body;
  std::uint64_t version = 0;  // 1 once written, one more per change
};

// One record a commit writes.
struct record_write {
  std::string kind;
  std::string id;
  std::string body;
  // The version the record must still have; 0: it must not exist yet.
  std::uint64_t expect = 0;
  // Its listing key (kept from the first write).
  std::int64_t order = 0;
  std::string tag;  // "" for none
  // What async_select can match (name, value), rewritten with each write:
  // every write of a kind gives the same names.
  std::vector<std::pair<std::string, std::string>> fields;
  // Records (kind, id) forgotten with this one when the bound evicts it.
  std::vector<std::pair<std::string, std::string>> owned;
  // The kind keeps at most this many records (0: no bound).
  std::size_t capacity = 0;
};

// Which records async_select answers: every `equal` field has its value,
// and `at_least_field` (when set) is a number no less than `at_least`.
struct record_match {
  std::vector<std::pair<std::string, std::string>> equal;
  std::string at_least_field;
  std::int64_t at_least = 0;
};

struct record_listing {
  std::size_t count = 0;  // how many match
  std::vector<record> items;
};

// A job to run once the simulated clock reaches `due_ms`, in `lane` (the
// jobs of one lane run one at a time, in due order), by the handler the
// scheduler has for `kind`, with `arg`.
struct scheduled_job {
  std::int64_t due_ms = 0;
  std::string lane;
  std::string kind;
  std::string arg;
};

class records {
 public:
  records() = default;
  records(const records&) = delete;
  records& operator=(const records&) = delete;
  virtual ~records() = default;

  virtual net::awaitable<std::optional<record>> async_get(const std::string& kind, const std::string& id) = 0;
  // In the order of `ids`; absent ones are left out.
  virtual net::awaitable<std::vector<record>> async_get_many(const std::string& kind,
                                                             const std::vector<std::string>& ids) = 0;
  // Every write and every job, or nothing: false when a record's version
  // is not what its write expects.
  virtual net::awaitable<bool> async_commit(std::vector<record_write> writes, std::vector<scheduled_job> jobs) = 0;
  // How many records of `kind` match, and the first `limit` of them in
  // listing order (reversed with `newest_first`), judged by their fields
  // alone (no body is read but those answered).
  virtual net::awaitable<record_listing> async_select(const std::string& kind, const record_match& match,
                                                      std::size_t limit, bool newest_first) = 0;
  // How many records of `kind` there are, or carry `tag`.
  virtual net::awaitable<std::size_t> async_count(const std::string& kind, const std::string& tag = {}) = 0;
  // Forgets every record of `kind` (jobs about them find nothing to do).
  virtual net::awaitable<void> async_clear(const std::string& kind) = 0;

  // Called after each commit (for a shared store: any replica's), to wake
  // whoever waits for a change. Set before use.
  std::function<void()> on_change;
};

// In this process's memory. Jobs committed go to `schedule`.
class memory_records final : public records {
 public:
  explicit memory_records(std::function<void(scheduled_job)> schedule) : schedule_(std::move(schedule)) {}

  net::awaitable<std::optional<record>> async_get(const std::string& kind, const std::string& id) override;
  net::awaitable<std::vector<record>> async_get_many(const std::string& kind,
                                                     const std::vector<std::string>& ids) override;
  net::awaitable<bool> async_commit(std::vector<record_write> writes, std::vector<scheduled_job> jobs) override;
  net::awaitable<record_listing> async_select(const std::string& kind, const record_match& match, std::size_t limit,
                                              bool newest_first) override;
  net::awaitable<std::size_t> async_count(const std::string& kind, const std::string& tag) override;
  net::awaitable<void> async_clear(const std::string& kind) override;

 private:
  struct entry {
    record r;
    std::int64_t order = 0;
    std::uint64_t seq = 0;
    std::string tag;
    std::vector<std::pair<std::string, std::string>> fields;
    std::vector<std::pair<std::string, std::string>> owned;
  };
  static bool matches(const entry& e, const record_match& match);
  struct kind_state {
    std::map<std::string, entry> items;
    std::set<std::tuple<std::int64_t, std::uint64_t, std::string>> listing;
    std::map<std::uint64_t, std::string> written;  // seq -> id: the bound evicts from the front
    std::map<std::string, std::size_t> tags;
  };
  // Under the lock.
  void erase(const std::string& kind, const std::string& id);

  std::function<void(scheduled_job)> schedule_;
  mutable std::mutex mutex_;
  std::map<std::string, kind_state> kinds_;
  std::uint64_t next_seq_ = 1;
};

}  // namespace authsim::state

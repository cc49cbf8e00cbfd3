#include "state/journal.hpp"

namespace authsim::state {

namespace {

constexpr std::size_t max_count_keys = 10'000;

}  // namespace

journal::journal(std::size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}

std::string journal::key(const std::optional<std::string>& path, const std::optional<std::string>& outcome) {
  // A newline cannot occur in a request path, so the pair is unambiguous.
  return (path ? "p" + *path : std::string("*")) + '\n' + (outcome ? *outcome : std::string("*"));
}

void journal::bump(const std::string& k, bool always) {
  const auto it = counts_.find(k);
  if (it != counts_.end()) {
    ++it->second;
  } else if (always || counts_.size() < max_count_keys) {
    counts_.emplace(k, 1);
  }
}

void journal::add(const std::string& path, const std::string& outcome, boost::json::object entry, bool known_path) {
  const std::lock_guard lock(mutex_);
  // The id leads the entry, for people reading the JSON.
  boost::json::object with_id;
  with_id.reserve(entry.size() + 1);
  with_id["id"] = next_id_++;
  for (auto& [k, v] : entry) {
    with_id[k] = std::move(v);
  }
  entry = std::move(with_id);
  // Keys of served paths and of "any path" are few and always counted;
  // invented paths cannot crowd them out.
  bump(key(path, outcome), known_path);
  bump(key(path, std::nullopt), known_path);
  bump(key(std::nullopt, outcome), true);
  bump(key(std::nullopt, std::nullopt), true);
  ring_.push_back({path, outcome, std::move(entry)});
  while (ring_.size() > capacity_) {
    ring_.pop_front();
  }
}

std::vector<boost::json::object> journal::list(std::size_t limit, const journal_filter& filter) const {
  const std::lock_guard lock(mutex_);
  std::vector<boost::json::object> out;
  for (auto it = ring_.rbegin(); it != ring_.rend() && out.size() < limit; ++it) {
    if (filter.admits(it->path, it->outcome)) {
      out.push_back(it->entry);
    }
  }
  return out;
}

std::uint64_t journal::count(const journal_filter& filter) const {
  const std::lock_guard lock(mutex_);
  const auto it = counts_.find(key(filter.path, filter.outcome));
  return it == counts_.end() ? 0 : it->second;
}

void journal::clear() {
  const std::lock_guard lock(mutex_);
  ring_.clear();
  counts_.clear();
  next_id_ = 1;
}

std::size_t journal::size() const {
  const std::lock_guard lock(mutex_);
  return ring_.size();
}

}  // namespace authsim::state

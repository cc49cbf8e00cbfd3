#include "state/journal.hpp"

namespace authsim::state {

namespace {

constexpr std::size_t max_count_keys = 10'000;

class rendered_payload final : public journal_payload {
 public:
  explicit rendered_payload(boost::json::object entry) : entry_(std::move(entry)) {}
  [[nodiscard]] boost::json::object render() const override { return entry_; }

 private:
  boost::json::object entry_;
};

}  // namespace

journal::journal(std::size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}

void journal::key(std::string& out, const std::string* path, const std::string* outcome) {
  // A newline cannot occur in a request path, so the pair is unambiguous.
  out.clear();
  if (path != nullptr) {
    out += 'p';
    out += *path;
  } else {
    out += '*';
  }
  out += '\n';
  out += outcome != nullptr ? *outcome : std::string_view("*");
}

std::uint64_t* journal::bump(const std::string* path, const std::string* outcome, bool always) {
  key(key_scratch_, path, outcome);
  const auto it = counts_.find(std::string_view(key_scratch_));
  if (it != counts_.end()) {
    ++it->second;
    return &it->second;
  }
  if (always || counts_.size() < max_count_keys) {
    return &counts_.emplace(key_scratch_, 1).first->second;
  }
  return nullptr;
}

void journal::add_rendered(const std::string& path, const std::string& outcome, boost::json::object entry,
                           bool known_path) {
  add(path, outcome, std::make_shared<const rendered_payload>(std::move(entry)), known_path);
}

void journal::add(const std::string& path, const std::string& outcome, std::shared_ptr<const journal_payload> payload,
                  bool known_path) {
  const std::lock_guard lock(mutex_);
  // Keys of served paths and of "any path" are few and always counted;
  // invented paths cannot crowd them out.
  if (last_.counts[0] != nullptr && last_.path == path && last_.outcome == outcome) {
    for (std::uint64_t* n : last_.counts) {
      ++*n;
    }
  } else {
    last_.counts = {bump(&path, &outcome, known_path), bump(&path, nullptr, known_path),
                    bump(nullptr, &outcome, true), bump(nullptr, nullptr, true)};
    if (last_.counts[0] != nullptr && last_.counts[1] != nullptr) {
      last_.path = path;
      last_.outcome = outcome;
    } else {
      last_.counts[0] = nullptr;
    }
  }
  ring_.push_back({next_id_++, path, outcome, std::move(payload)});
  while (ring_.size() > capacity_) {
    ring_.pop_front();
  }
}

std::vector<boost::json::object> journal::list(std::size_t limit, const journal_filter& filter) const {
  std::vector<std::pair<std::uint64_t, std::shared_ptr<const journal_payload>>> picked;
  {
    const std::lock_guard lock(mutex_);
    for (auto it = ring_.rbegin(); it != ring_.rend() && picked.size() < limit; ++it) {
      if (filter.admits(it->path, it->outcome)) {
        picked.emplace_back(it->id, it->payload);
      }
    }
  }
  // Rendered outside the lock: the request path never waits for a reader.
  std::vector<boost::json::object> out;
  out.reserve(picked.size());
  for (const auto& [id, payload] : picked) {
    boost::json::object rendered = payload->render();
    // The id leads the entry, for people reading the JSON.
    boost::json::object entry;
    entry.reserve(rendered.size() + 1);
    entry["id"] = id;
    for (auto& [k, v] : rendered) {
      entry[k] = std::move(v);
    }
    out.push_back(std::move(entry));
  }
  return out;
}

std::uint64_t journal::count(const journal_filter& filter) const {
  const std::lock_guard lock(mutex_);
  std::string k;
  key(k, filter.path ? &*filter.path : nullptr, filter.outcome ? &*filter.outcome : nullptr);
  const auto it = counts_.find(k);
  return it == counts_.end() ? 0 : it->second;
}

void journal::clear() {
  const std::lock_guard lock(mutex_);
  ring_.clear();
  counts_.clear();
  last_ = last_counts{};
  next_id_ = 1;
}

std::size_t journal::size() const {
  const std::lock_guard lock(mutex_);
  return ring_.size();
}

}  // namespace authsim::state

#include "journal/store.hpp"




namespace authsim::journal {

namespace {

constexpr std::size_t max_count_keys = 10'000;

}  // namespace

memory_store::memory_store(std::size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}

void memory_store::key(std::string& out, const std::string* path, const std::string* outcome) {
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

std::uint64_t* memory_store::bump(const std::string* path, const std::string* outcome, bool always) {
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

void memory_store::add(entry_key k, std::shared_ptr<const payload> entry) {
  const std::string& path = k.path;
  const std::string& outcome = k.outcome;
  const bool known_path = k.known_path;
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
  ring_.push_back({next_id_++, std::move(k.path), std::move(k.outcome), std::move(entry)});
  while (ring_.size() > capacity_) {
    ring_.pop_front();
  }
  waiters_.wake_all();
}

std::vector<json::object> memory_store::list(std::size_t limit, const filter& f) const {
  std::vector<std::pair<std::uint64_t, std::shared_ptr<const payload>>> picked;
  {
    const std::lock_guard lock(mutex_);
    for (auto it = ring_.rbegin(); it != ring_.rend() && picked.size() < limit; ++it) {
      if (f.admits(it->path, it->outcome)) {
        picked.emplace_back(it->id, it->entry);
      }
    }
  }
  // Rendered outside the lock: the request path never waits for a reader.
  std::vector<json::object> out;
  out.reserve(picked.size());
  for (const auto& [id, entry] : picked) {
    json::object rendered = entry->render();
    // The id leads the entry, for people reading the JSON.
    json::object with_id;
    with_id.reserve(rendered.size() + 1);
    with_id["id"] = id;
    for (auto& [k, v] : rendered) {
      with_id[k] = std::move(v);
    }
    out.push_back(std::move(with_id));
  }
  return out;
}

std::uint64_t memory_store::count(const filter& f) const {
  const std::lock_guard lock(mutex_);
  std::string k;
  key(k, f.path ? &*f.path : nullptr, f.outcome ? &*f.outcome : nullptr);
  const auto it = counts_.find(k);
  return it == counts_.end() ? 0 : it->second;
}

void memory_store::clear() {
  {
    const std::lock_guard lock(mutex_);
    ring_.clear();
    counts_.clear();
    last_ = last_counts{};
    next_id_ = 1;
  }
  // The waits for a change see the count go back to 0.
  waiters_.wake_all();
}

std::size_t memory_store::size() const {
  const std::lock_guard lock(mutex_);
  return ring_.size();
}

bool memory_store::try_add(entry_key& key, std::shared_ptr<const payload>& entry) {
  add(std::move(key), std::move(entry));
  return true;
}

net::awaitable<void> memory_store::async_add(entry_key key, std::shared_ptr<const payload> entry) {
  add(std::move(key), std::move(entry));
  co_return;
}

net::awaitable<std::vector<json::object>> memory_store::async_list(std::size_t limit, const filter& f) {
  co_return list(limit, f);
}

net::awaitable<std::uint64_t> memory_store::async_count(const filter& f) { co_return count(f); }

net::awaitable<void> memory_store::async_clear() {
  clear();
  co_return;
}

net::awaitable<std::size_t> memory_store::async_size() { co_return size(); }

std::function<net::awaitable<std::uint64_t>()> memory_store::counter(const filter& f) const {
  return [this, &f]() -> net::awaitable<std::uint64_t> { co_return count(f); };
}

net::awaitable<std::uint64_t> memory_store::async_wait(const filter& f, std::uint64_t wanted,
                                                       std::chrono::steady_clock::time_point deadline,
                                                       support::interrupt_source* interrupts) {
  const auto counted = counter(f);
  co_return co_await waiters_.wait(counted, wanted, deadline, interrupts);
}

net::awaitable<std::uint64_t> memory_store::async_wait_change(const filter& f, std::uint64_t from,
                                                              std::chrono::steady_clock::time_point deadline,
                                                              support::interrupt_source* interrupts) {
  const auto counted = counter(f);
  co_return co_await waiters_.wait_change(counted, from, deadline, interrupts);
}

}  // namespace authsim::journal

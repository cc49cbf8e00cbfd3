#include "state/records.hpp"

#include <charconv>

namespace authsim::state {

net::awaitable<std::optional<record>> memory_records::async_get(const std::string& kind, const std::string& id) {
  const std::lock_guard lock(mutex_);
  const auto k = kinds_.find(kind);
  if (k == kinds_.end()) {
    co_return std::nullopt;
  }
  const auto it = k->second.items.find(id);
  co_return it == k->second.items.end() ? std::nullopt : std::optional(it->second.r);
}

net::awaitable<std::vector<record>> memory_records::async_get_many(const std::string& kind,
                                                                   const std::vector<std::string>& ids) {
  std::vector<record> out;
  const std::lock_guard lock(mutex_);
  const auto k = kinds_.find(kind);
  if (k != kinds_.end()) {
    for (const auto& id : ids) {
      if (const auto it = k->second.items.find(id); it != k->second.items.end()) {
        out.push_back(it->second.r);
      }
    }
  }
  co_return out;
}

void memory_records::erase(const std::string& kind, const std::string& id) {
  const auto k = kinds_.find(kind);
  if (k == kinds_.end()) {
    return;
  }
  kind_state& ks = k->second;
  const auto it = ks.items.find(id);
  if (it == ks.items.end()) {
    return;
  }
  entry e = std::move(it->second);
  ks.items.erase(it);
  ks.listing.erase({e.order, e.seq, id});
  ks.written.erase(e.seq);
  if (!e.tag.empty()) {
    --ks.tags[e.tag];
  }
  // One level: what a record owns owns nothing itself.
  for (const auto& [owned_kind, owned_id] : e.owned) {
    if (owned_kind != kind) {
      erase(owned_kind, owned_id);
    }
  }
}

net::awaitable<bool> memory_records::async_commit(std::vector<record_write> writes, std::vector<scheduled_job> jobs) {
  {
    const std::lock_guard lock(mutex_);
    for (const auto& w : writes) {
      const auto k = kinds_.find(w.kind);
      const entry* found = nullptr;
      if (k != kinds_.end()) {
        if (const auto it = k->second.items.find(w.id); it != k->second.items.end()) {
          found = &it->second;
        }
      }
      if ((found == nullptr ? 0 : found->r.version) != w.expect) {
        co_return false;
      }
    }
    for (auto& w : writes) {
      kind_state& ks = kinds_[w.kind];
      auto [it, fresh] = ks.items.try_emplace(w.id);
      entry& e = it->second;
      if (fresh) {
        e.r.id = w.id;
        e.order = w.order;
        e.seq = next_seq_++;
        ks.listing.emplace(e.order, e.seq, w.id);
        ks.written.emplace(e.seq, w.id);
      }
      if (e.tag != w.tag) {
        if (!e.tag.empty()) {
          --ks.tags[e.tag];
        }
        if (!w.tag.empty()) {
          ++ks.tags[w.tag];
        }
        e.tag = w.tag;
      }
      e.r.body = std::move(w.body);
      ++e.r.version;
      e.fields = std::move(w.fields);
      e.owned = std::move(w.owned);
      while (w.capacity > 0 && ks.items.size() > w.capacity) {
        erase(w.kind, ks.written.begin()->second);
      }
    }
  }
  for (auto& j : jobs) {
    schedule_(std::move(j));
  }
  if (on_change) {
    on_change();
  }
  co_return true;
}

bool memory_records::matches(const entry& e, const record_match& match) {
  const auto value_of = [&](const std::string& name) -> const std::string* {
    for (const auto& [field, value] : e.fields) {
      if (field == name) {
        return &value;
      }
    }
    return nullptr;
  };
  for (const auto& [name, wanted] : match.equal) {
    const std::string* have = value_of(name);
    if (have == nullptr || *have != wanted) {
      return false;
    }
  }
  if (!match.at_least_field.empty()) {
    const std::string* have = value_of(match.at_least_field);
    std::int64_t n = 0;
    if (have == nullptr || std::from_chars(have->data(), have->data() + have->size(), n).ec != std::errc() ||
        n < match.at_least) {
      return false;
    }
  }
  return true;
}

net::awaitable<record_listing> memory_records::async_select(const std::string& kind, const record_match& match,
                                                            std::size_t limit, bool newest_first) {
  record_listing out;
  const std::lock_guard lock(mutex_);
  const auto k = kinds_.find(kind);
  if (k == kinds_.end()) {
    co_return out;
  }
  const kind_state& ks = k->second;
  auto walk = [&](auto first, auto last) {
    for (; first != last; ++first) {
      const entry& e = ks.items.at(std::get<2>(*first));
      if (matches(e, match)) {
        if (out.items.size() < limit) {
          out.items.push_back(e.r);
        }
        ++out.count;
      }
    }
  };
  if (newest_first) {
    walk(ks.listing.rbegin(), ks.listing.rend());
  } else {
    walk(ks.listing.begin(), ks.listing.end());
  }
  co_return out;
}

net::awaitable<std::size_t> memory_records::async_count(const std::string& kind, const std::string& tag) {
  const std::lock_guard lock(mutex_);
  const auto k = kinds_.find(kind);
  if (k == kinds_.end()) {
    co_return 0;
  }
  if (tag.empty()) {
    co_return k->second.items.size();
  }
  const auto t = k->second.tags.find(tag);
  co_return t == k->second.tags.end() ? 0 : t->second;
}

net::awaitable<void> memory_records::async_clear(const std::string& kind) {
  {
    const std::lock_guard lock(mutex_);
    kinds_.erase(kind);
  }
  if (on_change) {
    on_change();
  }
  co_return;
}

}  // namespace authsim::state

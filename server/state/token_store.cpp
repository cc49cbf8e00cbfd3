#include "state/token_store.hpp"

namespace authsim::state {

memory_token_store::memory_token_store(std::int64_t retention_ms, std::size_t capacity)
    : tokens_(retention_ms, capacity) {}

token_record memory_token_store::to_record(const std::string& token, const stored_token& t) {
  return token_record{token, t.app_key, t.user_id, t.request_id, t.issued_at_ms, t.expires_at_ms};
}

void memory_token_store::issue(token_record&& record, std::int64_t now_ms) {
  const std::int64_t expires = record.expires_at_ms;
  tokens_.insert(record.token,
                 stored_token{std::move(record.app_key), std::move(record.user_id), std::move(record.request_id),
                              record.issued_at_ms, expires},
                 expires, now_ms);
}

token_lookup memory_token_store::find(const std::string& token, std::int64_t now_ms) {
  return tokens_.with(token, now_ms, [&token, now_ms](const stored_token* found) -> token_lookup {
    if (found == nullptr) {
      return {token_status::unknown, {}};
    }
    return {now_ms < found->expires_at_ms ? token_status::valid : token_status::expired, to_record(token, *found)};
  });
}

token_listing memory_token_store::list(const token_filter& filter, std::size_t limit, std::int64_t now_ms) {
  token_listing out;
  tokens_.for_each(now_ms, [&](const std::string& token, const stored_token& t, std::int64_t) {
    if (filter.user_id && t.user_id != *filter.user_id) {
      return;
    }
    ++out.count;
    if (out.items.size() < limit) {
      out.items.push_back(to_record(token, t));
    }
  });
  return out;
}

bool memory_token_store::try_issue(token_record& record, std::int64_t now_ms) {
  issue(std::move(record), now_ms);
  return true;
}

net::awaitable<void> memory_token_store::async_issue(token_record record, std::int64_t now_ms) {
  issue(std::move(record), now_ms);
  co_return;
}

net::awaitable<token_lookup> memory_token_store::async_find(const std::string& token, std::int64_t now_ms) {
  co_return find(token, now_ms);
}

net::awaitable<token_listing> memory_token_store::async_list(const token_filter& filter, std::size_t limit,
                                                             std::int64_t now_ms) {
  co_return list(filter, limit, now_ms);
}

net::awaitable<std::size_t> memory_token_store::async_size(std::int64_t now_ms) { co_return size(now_ms); }

net::awaitable<void> memory_token_store::async_clear() {
  clear();
  co_return;
}

}  // namespace authsim::state

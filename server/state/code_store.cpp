#include "state/code_store.hpp"

#include <stdexcept>

namespace authsim::state {

code_status status_of(const code_record& c, std::int64_t now_ms) {
  if (c.redeemed_at_ms) {
    return code_status::redeemed;
  }
  return now_ms >= c.expires_at_ms ? code_status::expired : code_status::issued;
}

const char* code_status_name(code_status s) {
  switch (s) {
    case code_status::issued: return "issued";
    case code_status::redeemed: return "redeemed";
    case code_status::expired: return "expired";
  }
  return "issued";
}

memory_code_store::memory_code_store(std::int64_t retention_ms, std::size_t capacity)
    : codes_(retention_ms, capacity) {}

const std::string* memory_code_store::share(const std::string& value, bool always) {
  const std::lock_guard lock(shared_mutex_);
  if (const auto it = shared_.find(value); it != shared_.end()) {
    return &*it;
  }
  if (!always && shared_.size() >= shared_text_limit) {
    return nullptr;
  }
  return &*shared_.insert(value).first;
}

code_record memory_code_store::to_record(std::string_view ident_code, const stored_code& c) {
  code_record r;
  r.ident_code = ident_code;
  r.plat_id = c.plat_id != nullptr ? *c.plat_id : std::string();
  r.custom_no = c.texts.value_or_empty(text::custom_no);
  r.customer_token = c.texts.value_or_empty(text::customer_token);
  r.callback_url = c.callback_url != nullptr ? *c.callback_url : std::string(c.texts.value_or_empty(text::callback_url));
  r.client_ip = c.texts.value_or_empty(text::client_ip);
  r.lang = c.lang != nullptr ? *c.lang : std::string(c.texts.value_or_empty(text::lang));
  r.issued_at_ms = c.issued_at_ms;
  r.expires_at_ms = c.expires_at_ms;
  if (c.redeemed_at_ms != not_redeemed) {
    r.redeemed_at_ms = c.redeemed_at_ms;
  }
  if (const auto sign = c.texts.get(text::session_sign)) {
    r.session_sign = std::string(*sign);
  }
  if (const auto credit = c.texts.get(text::credit)) {
    r.credit = credit_limit_from_text(*credit);
  }
  return r;
}

void memory_code_store::issue(code_record&& record, std::int64_t now_ms) {
  stored_code c;
  c.plat_id = share(record.plat_id, true);
  c.callback_url = share(record.callback_url, false);
  c.lang = share(record.lang, false);
  c.issued_at_ms = record.issued_at_ms;
  c.expires_at_ms = record.expires_at_ms;
  if (record.redeemed_at_ms) {
    c.redeemed_at_ms = *record.redeemed_at_ms;
  }
  const std::optional<std::string> credit = record.credit ? std::optional(to_text(*record.credit)) : std::nullopt;
  const auto own = [](const std::string* shared, const std::string& value) {
    return shared != nullptr ? std::nullopt : std::optional<std::string_view>(value);
  };
  c.texts = support::packed_text<text::count>({record.custom_no, record.customer_token,
                                               own(c.callback_url, record.callback_url), record.client_ip,
                                               own(c.lang, record.lang), record.session_sign, credit});
  const std::optional<code_key> key = code_key::of(record.ident_code);
  if (!key) {
    throw std::length_error("memory_code_store: a code of more than 32 characters");
  }
  codes_.insert(*key, std::move(c), record.expires_at_ms, now_ms);
}

redeem_result memory_code_store::redeem(const std::string& ident_code, std::int64_t now_ms,
                                        std::int64_t keep_until_ms) {
  const std::optional<code_key> key = code_key::of(ident_code);
  if (!key) {
    return {redeem_outcome::unknown, {}};
  }
  redeem_result result = codes_.with(*key, now_ms, [&](stored_code* found) -> redeem_result {
    if (found == nullptr) {
      return {redeem_outcome::unknown, {}};
    }
    if (found->redeemed_at_ms != not_redeemed) {
      return {redeem_outcome::already_redeemed, to_record(ident_code, *found)};
    }
    if (now_ms >= found->expires_at_ms) {
      return {redeem_outcome::expired, to_record(ident_code, *found)};
    }
    found->redeemed_at_ms = now_ms;
    return {redeem_outcome::redeemed, to_record(ident_code, *found)};
  });
  if (result.outcome == redeem_outcome::redeemed && keep_until_ms > result.record.expires_at_ms) {
    codes_.renew(*key, keep_until_ms, now_ms);
  }
  return result;
}

std::optional<code_record> memory_code_store::find(const std::string& ident_code, std::int64_t now_ms) {
  const std::optional<code_key> key = code_key::of(ident_code);
  if (!key) {
    return std::nullopt;
  }
  return codes_.with(*key, now_ms, [&](stored_code* found) -> std::optional<code_record> {
    if (found == nullptr) {
      return std::nullopt;
    }
    return to_record(ident_code, *found);
  });
}

code_listing memory_code_store::list(const code_filter& filter, std::size_t limit, std::int64_t now_ms) {
  code_listing out;
  codes_.for_each(now_ms, [&](const code_key& key, const stored_code& c, std::int64_t) {
    if ((filter.plat_id && (c.plat_id == nullptr || *c.plat_id != *filter.plat_id)) ||
        (filter.custom_no && c.texts.value_or_empty(text::custom_no) != *filter.custom_no)) {
      return;
    }
    ++out.count;
    if (out.items.size() < limit) {
      out.items.push_back(to_record(key.view(), c));
    }
  });
  return out;
}

bool memory_code_store::try_issue(code_record& record, std::int64_t now_ms) {
  issue(std::move(record), now_ms);
  return true;
}

net::awaitable<void> memory_code_store::async_issue(code_record record, std::int64_t now_ms) {
  issue(std::move(record), now_ms);
  co_return;
}

net::awaitable<redeem_result> memory_code_store::async_redeem(const std::string& ident_code, std::int64_t now_ms,
                                                              std::int64_t keep_until_ms) {
  co_return redeem(ident_code, now_ms, keep_until_ms);
}

net::awaitable<std::optional<code_record>> memory_code_store::async_find(const std::string& ident_code,
                                                                         std::int64_t now_ms) {
  co_return find(ident_code, now_ms);
}

net::awaitable<code_listing> memory_code_store::async_list(const code_filter& filter, std::size_t limit,
                                                           std::int64_t now_ms) {
  co_return list(filter, limit, now_ms);
}

net::awaitable<std::size_t> memory_code_store::async_size(std::int64_t now_ms) { co_return size(now_ms); }

net::awaitable<void> memory_code_store::async_clear() {
  clear();
  co_return;
}

}  // namespace authsim::state

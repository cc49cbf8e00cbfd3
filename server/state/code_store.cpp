#include "state/code_store.hpp"

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

const std::string* memory_code_store::intern(const std::string& plat_id) {
  const std::lock_guard lock(platforms_mutex_);
  return &*platforms_.insert(plat_id).first;
}

code_record memory_code_store::to_record(const std::string& ident_code, const stored_code& c) {
  code_record r;
  r.ident_code = ident_code;
  r.plat_id = c.plat_id != nullptr ? *c.plat_id : std::string();
  r.custom_no = c.texts.value_or_empty(text::custom_no);
  r.customer_token = c.texts.value_or_empty(text::customer_token);
  r.callback_url = c.texts.value_or_empty(text::callback_url);
  r.client_ip = c.texts.value_or_empty(text::client_ip);
  r.lang = c.texts.value_or_empty(text::lang);
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
  c.plat_id = intern(record.plat_id);
  c.issued_at_ms = record.issued_at_ms;
  c.expires_at_ms = record.expires_at_ms;
  if (record.redeemed_at_ms) {
    c.redeemed_at_ms = *record.redeemed_at_ms;
  }
  const std::optional<std::string> credit = record.credit ? std::optional(to_text(*record.credit)) : std::nullopt;
  c.texts = support::packed_text<text::count>({record.custom_no, record.customer_token, record.callback_url,
                                        record.client_ip, record.lang, record.session_sign, credit});
  codes_.insert(record.ident_code, std::move(c), record.expires_at_ms, now_ms);
}

redeem_result memory_code_store::redeem(const std::string& ident_code, std::int64_t now_ms,
                                        std::int64_t keep_until_ms) {
  redeem_result result = codes_.with(ident_code, now_ms, [&](stored_code* found) -> redeem_result {
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
    codes_.renew(ident_code, keep_until_ms, now_ms);
  }
  return result;
}

std::optional<code_record> memory_code_store::find(const std::string& ident_code, std::int64_t now_ms) {
  return codes_.with(ident_code, now_ms, [&](stored_code* found) -> std::optional<code_record> {
    if (found == nullptr) {
      return std::nullopt;
    }
    return to_record(ident_code, *found);
  });
}

code_listing memory_code_store::list(const code_filter& filter, std::size_t limit, std::int64_t now_ms) {
  code_listing out;
  codes_.for_each(now_ms, [&](const std::string& key, const stored_code& c, std::int64_t) {
    if ((filter.plat_id && (c.plat_id == nullptr || *c.plat_id != *filter.plat_id)) ||
        (filter.custom_no && c.texts.value_or_empty(text::custom_no) != *filter.custom_no)) {
      return;
    }
    ++out.count;
    if (out.items.size() < limit) {
      out.items.push_back(to_record(key, c));
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

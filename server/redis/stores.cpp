#include "redis/stores.hpp"

#include <algorithm>
#include <charconv>
#include <map>

namespace authsim::redis {

namespace {

using field_map = std::map<std::string, std::string, std::less<>>;

// A hash as Redis answers HGETALL: name, value, name, value...
field_map fields_of(const reply& flat) {
  field_map out;
  for (std::size_t i = 0; i + 1 < flat.elements.size(); i += 2) {
    out.emplace(flat.elements[i].str, flat.elements[i + 1].str);
  }
  return out;
}

std::optional<std::int64_t> int_field(const field_map& f, std::string_view name) {
  const auto it = f.find(name);
  if (it == f.end()) {
    return std::nullopt;
  }
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(it->second.data(), it->second.data() + it->second.size(), value);
  if (ec != std::errc()) {
    return std::nullopt;
  }
  return value;
}

std::string text_field(const field_map& f, std::string_view name) {
  const auto it = f.find(name);
  return it == f.end() ? std::string() : it->second;
}

std::optional<std::string> optional_field(const field_map& f, std::string_view name) {
  const auto it = f.find(name);
  return it == f.end() ? std::nullopt : std::optional<std::string>(it->second);
}

// Retained while the simulated now is before drop_at_ms.
bool retained(const field_map& f, std::int64_t now_ms) {
  const auto drop = int_field(f, "drop_at_ms");
  return drop && now_ms < *drop;
}

// The Redis TTL of a record forgotten at `drop_at_ms` (simulated): longer
// than any clock shift the admin API allows, so that simulated time, not
// Redis, decides when it goes.
std::int64_t cleanup_ttl_ms(std::int64_t drop_at_ms, std::int64_t now_ms, const state::clock& clock) {
  return std::max<std::int64_t>(drop_at_ms - now_ms, 1) + std::max<std::int64_t>(clock.offset_ms(), 0) +
         max_backward_offset_ms;
}

state::code_record code_of(const std::string& ident_code, const field_map& f) {
  state::code_record r;
  r.ident_code = ident_code;
  r.plat_id = text_field(f, "plat_id");
  r.custom_no = text_field(f, "custom_no");
  r.issued_at_ms = int_field(f, "issued_at_ms").value_or(0);
  r.expires_at_ms = int_field(f, "expires_at_ms").value_or(0);
  r.redeemed_at_ms = int_field(f, "redeemed_at_ms");
  r.customer_token = text_field(f, "customer_token");
  r.callback_url = text_field(f, "callback_url");
  r.client_ip = text_field(f, "client_ip");
  r.lang = text_field(f, "lang");
  r.session_sign = optional_field(f, "session_sign");
  if (const auto credit = optional_field(f, "credit")) {
    r.credit = state::credit_limit_from_text(*credit);
  }
  return r;
}

state::token_record token_of(const std::string& token, const field_map& f) {
  return state::token_record{token,
                             text_field(f, "app_key"),
                             text_field(f, "user_id"),
                             text_field(f, "request_id"),
                             int_field(f, "issued_at_ms").value_or(0),
                             int_field(f, "expires_at_ms").value_or(0)};
}


// How many records of a kind are retained at `now_ms` (their drop time is
// later): one count on the kind's drop-time set, whatever its size.
net::awaitable<std::size_t> retained_count(backend& b, const std::string& drop_set, std::int64_t now_ms) {
  std::vector<command> count;
  count.push_back({"ZCOUNT", drop_set, "(" + std::to_string(now_ms), "+inf"});
  const std::vector<reply> replies = co_await b.exec(std::move(count));
  co_return static_cast<std::size_t>(std::max<long long>(replies.at(0).integer, 0));
}

// The keys of one kind of record (codes, tokens) of a sandbox.
struct record_keys {
  std::string prefix;    // "{P}:code:" followed by the record's name
  std::string by_order;  // its members in the order added
  std::string by_drop;   // its members by drop time
  std::string evicted;   // how many the bound evicted
  std::string sequence;  // the order added
  record_keys(const backend& b, const std::string& one, const std::string& many)
      : prefix(b.key(one + ":")),
        by_order(b.key(many)),
        by_drop(b.key(many + ":drop")),
        evicted(b.key("evicted:" + many)),
        sequence(b.key(many + ":seq")) {}
  [[nodiscard]] std::vector<std::string> put_keys(const std::string& member) const {
    return {prefix + member, by_order, evicted, by_drop, sequence};
  }
};

// Members a page of a listing looks at (see the list_records script).
constexpr std::size_t listing_page = 1000;

// How many of a kind's retained records match `match` (field, value), and
// the first `limit` of them (oldest first), made by `convert`: one script
// call per page.
template <class Record, class Convert>
net::awaitable<std::pair<std::size_t, std::vector<Record>>> list_records(
    backend& b, const record_keys& k, const std::vector<std::pair<std::string, std::string>>& match,
    std::size_t limit, std::int64_t now_ms, Convert convert) {
  std::pair<std::size_t, std::vector<Record>> out;
  const std::vector<std::string> keys{k.by_order, k.by_drop};
  long long start = 0;
  for (;;) {
    std::vector<std::string> args{k.prefix, std::to_string(now_ms), std::to_string(limit - out.second.size()),
                                  std::to_string(start), std::to_string(listing_page)};
    for (const auto& [field, value] : match) {
      args.push_back(field);
      args.push_back(value);
    }
    const reply r = co_await b.eval(all_scripts().list_records, keys, args);
    if (r.elements.size() < 2) {
      throw unavailable("Redis answered a listing with something other than [matched, next, records...]");
    }
    const auto matched = static_cast<std::size_t>(std::max<long long>(r.elements[0].integer, 0));
    out.first = match.empty() ? matched : out.first + matched;
    for (std::size_t i = 2; i < r.elements.size(); ++i) {
      const field_map f = fields_of(r.elements[i]);
      out.second.push_back(convert(text_field(f, "member"), f));
    }
    if (r.elements[1].integer < 0) {
      co_return out;
    }
    start = r.elements[1].integer;
  }
}

// Forgets every record of a kind.
net::awaitable<void> forget_records(backend& b, const record_keys& k) {
  const std::string pattern = glob_escape(k.prefix) + "*";
  co_await b.delete_matching(pattern);
  std::vector<command> rest;
  rest.push_back({"UNLINK", k.by_order, k.by_drop, k.evicted, k.sequence});
  co_await b.exec(std::move(rest));
}

}  // namespace

shared_code_store::shared_code_store(backend& b, const state::clock& clock, std::size_t capacity,
                                     std::int64_t retention_ms)
    : backend_(b), clock_(clock), capacity_(capacity), retention_ms_(retention_ms) {}

net::awaitable<void> shared_code_store::async_issue(state::code_record record, std::int64_t now_ms) {
  const std::int64_t drop_at = record.expires_at_ms + retention_ms_;
  const std::vector<std::string> keys = record_keys(backend_, "code", "codes").put_keys(record.ident_code);
  std::vector<std::string> args{record.ident_code,
                                std::to_string(cleanup_ttl_ms(drop_at, now_ms, clock_)),
                                std::to_string(capacity_),
                                std::to_string(now_ms),
                                backend_.key("code:"),
                                std::to_string(drop_at),
                                "plat_id", record.plat_id,
                                "custom_no", record.custom_no,
                                "issued_at_ms", std::to_string(record.issued_at_ms),
                                "expires_at_ms", std::to_string(record.expires_at_ms),
                                "customer_token", record.customer_token,
                                "callback_url", record.callback_url,
                                "client_ip", record.client_ip,
                                "lang", record.lang,
                                "drop_at_ms", std::to_string(drop_at)};
  if (record.redeemed_at_ms) {
    args.insert(args.end(), {"redeemed_at_ms", std::to_string(*record.redeemed_at_ms)});
  }
  if (record.session_sign) {
    args.insert(args.end(), {"session_sign", *record.session_sign});
  }
  if (record.credit) {
    args.insert(args.end(), {"credit", state::to_text(*record.credit)});
  }
  const reply evicted = co_await backend_.eval(all_scripts().put_record, keys, args);
  evicted_.store(static_cast<std::uint64_t>(std::max<long long>(evicted.integer, 0)), std::memory_order_relaxed);
}

net::awaitable<state::redeem_result> shared_code_store::async_redeem(const std::string& ident_code,
                                                                     std::int64_t now_ms,
                                                                     std::int64_t keep_until_ms) {
  const std::vector<std::string> keys{backend_.key("code:" + ident_code), backend_.key("codes:drop")};
  const std::vector<std::string> args{std::to_string(now_ms), std::to_string(keep_until_ms),
                                      std::to_string(retention_ms_),
                                      std::to_string(std::max<std::int64_t>(clock_.offset_ms(), 0) +
                                                     max_backward_offset_ms),
                                      ident_code};
  const reply r = co_await backend_.eval(all_scripts().redeem_code, keys, args);
  state::redeem_result out;
  const long long outcome = r.elements.empty() ? 0 : r.elements[0].integer;
  if (outcome == 0 || r.elements.size() < 2) {
    co_return out;
  }
  out.outcome = outcome == 1   ? state::redeem_outcome::redeemed
                : outcome == 2 ? state::redeem_outcome::expired
                               : state::redeem_outcome::already_redeemed;
  out.record = code_of(ident_code, fields_of(r.elements[1]));
  co_return out;
}

net::awaitable<std::optional<state::code_record>> shared_code_store::async_find(const std::string& ident_code,
                                                                               std::int64_t now_ms) {
  std::vector<command> read;
  read.push_back({"HGETALL", backend_.key("code:" + ident_code)});
  const std::vector<reply> replies = co_await backend_.exec(std::move(read));
  const field_map f = fields_of(replies.at(0));
  if (!retained(f, now_ms)) {
    co_return std::nullopt;
  }
  co_return code_of(ident_code, f);
}

net::awaitable<state::code_listing> shared_code_store::async_list(const state::code_filter& filter,
                                                                 std::size_t limit, std::int64_t now_ms) {
  std::vector<std::pair<std::string, std::string>> match;
  if (filter.plat_id) {
    match.emplace_back("plat_id", *filter.plat_id);
  }
  if (filter.custom_no) {
    match.emplace_back("custom_no", *filter.custom_no);
  }
  const record_keys k(backend_, "code", "codes");
  auto [count, items] = co_await list_records<state::code_record>(backend_, k, match, limit, now_ms, code_of);
  state::code_listing out;
  out.count = count;
  out.items = std::move(items);
  co_return out;
}

net::awaitable<std::size_t> shared_code_store::async_size(std::int64_t now_ms) {
  co_return co_await retained_count(backend_, backend_.key("codes:drop"), now_ms);
}

net::awaitable<void> shared_code_store::async_clear() {
  const record_keys k(backend_, "code", "codes");
  co_await forget_records(backend_, k);
}

shared_token_store::shared_token_store(backend& b, const state::clock& clock, std::size_t capacity,
                                       std::int64_t retention_ms)
    : backend_(b), clock_(clock), capacity_(capacity), retention_ms_(retention_ms) {}

net::awaitable<void> shared_token_store::async_issue(state::token_record record, std::int64_t now_ms) {
  const std::int64_t drop_at = record.expires_at_ms + retention_ms_;
  const std::vector<std::string> keys = record_keys(backend_, "token", "tokens").put_keys(record.token);
  const std::vector<std::string> args{record.token,
                                      std::to_string(cleanup_ttl_ms(drop_at, now_ms, clock_)),
                                      std::to_string(capacity_),
                                      std::to_string(now_ms),
                                      backend_.key("token:"),
                                      std::to_string(drop_at),
                                      "app_key", record.app_key,
                                      "user_id", record.user_id,
                                      "request_id", record.request_id,
                                      "issued_at_ms", std::to_string(record.issued_at_ms),
                                      "expires_at_ms", std::to_string(record.expires_at_ms),
                                      "drop_at_ms", std::to_string(drop_at)};
  const reply evicted = co_await backend_.eval(all_scripts().put_record, keys, args);
  evicted_.store(static_cast<std::uint64_t>(std::max<long long>(evicted.integer, 0)), std::memory_order_relaxed);
}

net::awaitable<state::token_lookup> shared_token_store::async_find(const std::string& token, std::int64_t now_ms) {
  std::vector<command> read;
  read.push_back({"HGETALL", backend_.key("token:" + token)});
  const std::vector<reply> replies = co_await backend_.exec(std::move(read));
  const field_map f = fields_of(replies.at(0));
  if (!retained(f, now_ms)) {
    co_return state::token_lookup{};
  }
  state::token_lookup out;
  out.record = token_of(token, f);
  out.status = now_ms < out.record.expires_at_ms ? state::token_status::valid : state::token_status::expired;
  co_return out;
}

net::awaitable<state::token_listing> shared_token_store::async_list(const state::token_filter& filter,
                                                                   std::size_t limit, std::int64_t now_ms) {
  std::vector<std::pair<std::string, std::string>> match;
  if (filter.user_id) {
    match.emplace_back("user_id", *filter.user_id);
  }
  const record_keys k(backend_, "token", "tokens");
  auto [count, items] = co_await list_records<state::token_record>(backend_, k, match, limit, now_ms, token_of);
  state::token_listing out;
  out.count = count;
  out.items = std::move(items);
  co_return out;
}

net::awaitable<std::size_t> shared_token_store::async_size(std::int64_t now_ms) {
  co_return co_await retained_count(backend_, backend_.key("tokens:drop"), now_ms);
}

net::awaitable<void> shared_token_store::async_clear() {
  const record_keys k(backend_, "token", "tokens");
  co_await forget_records(backend_, k);
}

namespace {

// Counts and windows outlive a test run by a day of real time, then go.
constexpr const char* counters_ttl_ms = "86400000";

}  // namespace

net::awaitable<state::walk_result> shared_scenario_counters::async_walk(const state::walk_request& request) {
  std::vector<std::string> args{backend_.key(""), request.scenario, request.session,
                                std::to_string(request.now_ms), counters_ttl_ms};
  args.reserve(args.size() + request.steps.size() * 10);
  for (const state::rule_step& step : request.steps) {
    args.push_back(std::to_string(step.rule));
    args.emplace_back(step.calls ? "1" : "0");
    args.push_back(step.calls ? std::to_string(step.calls->from) : "1");
    args.push_back(step.calls && step.calls->to ? std::to_string(*step.calls->to) : "");
    args.push_back(step.calls && step.calls->every ? std::to_string(*step.calls->every) : "");
    args.emplace_back(step.chance ? "1" : "0");
    args.emplace_back(step.limit ? "1" : "0");
    args.push_back(step.limit ? step.limit->key : "");
    args.push_back(step.limit ? std::to_string(step.limit->limit) : "0");
    args.push_back(step.limit ? std::to_string(step.limit->window_ms) : "0");
  }
  const std::vector<std::string> keys;
  const reply r = co_await backend_.eval(all_scripts().walk_rules, keys, args);
  state::walk_result out;
  if (r.elements.size() == 3 && r.elements[0].integer >= 0) {
    out.chosen = static_cast<std::size_t>(r.elements[0].integer);
    out.rate_limited = r.elements[1].integer == 1;
    const std::string& end = r.elements[2].kind == reply::type::string ? r.elements[2].str : std::string();
    if (!end.empty()) {
      std::from_chars(end.data(), end.data() + end.size(), out.window_end_ms);
    } else {
      out.window_end_ms = r.elements[2].integer;
    }
  }
  co_return out;
}

net::awaitable<void> shared_scenario_counters::async_clear(const std::optional<std::string>& scenario) {
  const std::string which = scenario ? glob_escape(*scenario) + ":*" : "*";
  const std::string calls = glob_escape(backend_.key("calls:")) + which;
  const std::string windows = glob_escape(backend_.key("window:")) + which;
  co_await backend_.delete_matching(calls);
  co_await backend_.delete_matching(windows);
}

}  // namespace authsim::redis

#include "redis/journal.hpp"

#include "journal/exchange.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <charconv>
#include <cstring>

namespace authsim::redis {

namespace {

// As the memory journal: invented paths cannot grow the counts past this.
constexpr const char* max_count_keys = "10000";
// Marks an entry stored as its rendered JSON rather than encoded (a
// payload that cannot encode itself). An encoding starts with its version
// byte, 1.
constexpr const char* rendered_prefix = "J";
// Entries read per XREVRANGE while a filtered listing looks for its page.
constexpr std::size_t listing_batch = 500;

std::string count_field(const journal::filter& f) {
  std::string out = f.path ? "p" + *f.path : "*";
  out += '\n';
  out += f.outcome ? *f.outcome : "*";
  return out;
}

std::uint64_t to_count(const reply& r) {
  std::uint64_t value = 0;
  if (r.kind == reply::type::string) {
    std::from_chars(r.str.data(), r.str.data() + r.str.size(), value);
  }
  return value;
}

}  // namespace

shared_journal::shared_journal(backend& b, std::size_t capacity)
    : backend_(b),
      capacity_(capacity == 0 ? 1 : capacity),
      stream_(b.key("journal")),
      sequence_(b.key("journal:ids")),
      counts_(b.key("journal:counts")) {
  backend_.on_journal_message = [this](const std::string&) { waiters_.wake_all(); };
}

bool shared_journal::try_add(journal::entry_key& key, std::shared_ptr<const journal::payload>& entry) {
  backend_.send([this, key = std::move(key), entry = std::move(entry)] {
    // Kept as the exchange came (rendered by whichever replica reads it),
    // or rendered now when it cannot be encoded.
    std::string bytes;
    if (!entry->encode(bytes)) {
      bytes = rendered_prefix + json::serialize(entry->render());
    }
    return backend::evalsha(all_scripts().journal_add, {stream_, sequence_, counts_},
                            {std::to_string(capacity_), backend_.journal_channel(), key.path, key.outcome,
                             key.known_path ? "1" : "0", max_count_keys, std::move(bytes)});
  });
  return true;
}

net::awaitable<void> shared_journal::async_add(journal::entry_key key, std::shared_ptr<const journal::payload> entry) {
  try_add(key, entry);
  co_return;
}

net::awaitable<std::vector<json::object>> shared_journal::async_list(std::size_t limit, const journal::filter& f) {
  std::vector<json::object> out;
  std::string end = "+";
  while (out.size() < limit) {
    std::vector<command> read;
    read.push_back({"XREVRANGE", stream_, end, "-", "COUNT", std::to_string(listing_batch)});
    const std::vector<reply> replies = co_await backend_.exec(std::move(read));
    const reply& batch = replies.at(0);
    for (const reply& item : batch.elements) {
      if (item.elements.size() != 2) {
        continue;
      }
      std::string id, path, outcome, entry;
      const auto& fields = item.elements[1].elements;
      for (std::size_t i = 0; i + 1 < fields.size(); i += 2) {
        const std::string& name = fields[i].str;
        if (name == "id") id = fields[i + 1].str;
        else if (name == "path") path = fields[i + 1].str;
        else if (name == "outcome") outcome = fields[i + 1].str;
        else if (name == "entry") entry = fields[i + 1].str;
      }
      if (!f.admits(path, outcome) || out.size() >= limit) {
        continue;
      }
      json::value parsed;
      if (entry.starts_with(rendered_prefix)) {
        error_code ec;
        parsed = json::parse(std::string_view(entry).substr(std::strlen(rendered_prefix)), ec);
        if (ec || !parsed.is_object()) {
          continue;  // not written by authsim
        }
      } else if (const auto payload = journal::decode_payload(entry)) {
        parsed = payload->render();
      } else {
        continue;  // not written by this version of authsim
      }
      // The id leads the entry, as in the memory journal.
      json::object with_id;
      with_id.reserve(parsed.as_object().size() + 1);
      std::uint64_t number = 0;
      std::from_chars(id.data(), id.data() + id.size(), number);
      with_id["id"] = number;
      for (auto& [k, v] : parsed.as_object()) {
        with_id[k] = std::move(v);
      }
      out.push_back(std::move(with_id));
    }
    if (batch.elements.size() < listing_batch) {
      break;
    }
    // The next batch starts before the last stream id read (exclusive).
    end = "(" + batch.elements.back().elements.at(0).str;
  }
  co_return out;
}

net::awaitable<std::uint64_t> shared_journal::async_count(const journal::filter& f) {
  std::vector<command> read;
  read.push_back({"HGET", counts_, count_field(f)});
  const std::vector<reply> replies = co_await backend_.exec(std::move(read));
  co_return to_count(replies.at(0));
}

net::awaitable<std::uint64_t> shared_journal::async_wait(const journal::filter& f, std::uint64_t wanted,
                                                         std::chrono::steady_clock::time_point deadline,
                                                         support::interrupt_source* interrupts) {
  const std::function<net::awaitable<std::uint64_t>()> counted = [this, &f] { return async_count(f); };
  co_return co_await waiters_.wait(counted, wanted, deadline, interrupts);
}

net::awaitable<std::uint64_t> shared_journal::async_wait_change(const journal::filter& f, std::uint64_t from,
                                                                std::chrono::steady_clock::time_point deadline,
                                                                support::interrupt_source* interrupts) {
  const std::function<net::awaitable<std::uint64_t>()> counted = [this, &f] { return async_count(f); };
  co_return co_await waiters_.wait_change(counted, from, deadline, interrupts);
}

net::awaitable<void> shared_journal::async_clear() {
  std::vector<command> forget;
  forget.push_back({"UNLINK", stream_, sequence_, counts_});
  // Every replica's waits for a change see the count go back to 0.
  forget.push_back({"PUBLISH", backend_.journal_channel(), "clear"});
  co_await backend_.exec(std::move(forget));
}

net::awaitable<std::size_t> shared_journal::async_size() {
  std::vector<command> read;
  read.push_back({"XLEN", stream_});
  const std::vector<reply> replies = co_await backend_.exec(std::move(read));
  co_return static_cast<std::size_t>(std::max<long long>(replies.at(0).integer, 0));
}

}  // namespace authsim::redis

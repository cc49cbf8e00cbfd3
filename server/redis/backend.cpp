#include "redis/backend.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <stdexcept>

namespace authsim::redis {

namespace {

std::vector<command> script_loads() {
  const scripts& all = all_scripts();
  std::vector<command> out;
  for (const script* s : {&all.put_record, &all.redeem_code, &all.list_records, &all.walk_rules,
                          &all.change_settings, &all.journal_add, &all.records_commit, &all.records_select,
                          &all.records_clear, &all.jobs_claim, &all.jobs_settle}) {
    out.push_back({"SCRIPT", "LOAD", s->text});
  }
  return out;
}

}  // namespace

std::string glob_escape(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') {
      out += '\\';
    }
    out += c;
  }
  return out;
}

backend::backend(backend_config config) : config_(std::move(config)) {
  channel_ = key("settings");
  journal_channel_ = key("journal");
  records_channel_ = key("records");
}

backend::~backend() { stop(); }

void backend::attach(const net::any_io_executor& executor) {
  if (commands_) {
    return;
  }
  executor_ = executor;
  client_settings commands;
  commands.where = config_.where;
  commands.timeout = config_.timeout;
  commands.handshake = script_loads();
  commands.name = "authsim-" + config_.prefix;
  commands_ = std::make_shared<client>(executor_, std::move(commands));
  // Settings announcements alone on their connection: its unread bytes
  // then always mean a change (see shared_settings), never a journal entry.
  subscriber_ = subscribe({channel_}, "settings",
                          [this](const std::string&, const std::string& payload) {
                            if (on_settings_message) on_settings_message(payload);
                          },
                          on_subscribed);
  // Entries added and records changed while this subscription was down
  // woke nobody: the long polls look again once it is back.
  journal_ = subscribe({journal_channel_, records_channel_}, "journal",
                       [this](const std::string& channel, const std::string& payload) {
                         if (channel == records_channel_) {
                           if (on_records_message) on_records_message(payload);
                         } else if (on_journal_message) {
                           on_journal_message(payload);
                         }
                       },
                       [this] {
                         if (on_journal_message) on_journal_message(std::string());
                         if (on_records_message) on_records_message("1");
                       });
  commands_->start();
}

std::shared_ptr<client> backend::subscribe(std::vector<std::string> channels, const std::string& name,
                                           std::function<void(const std::string&, const std::string&)> on_message,
                                           std::function<void()> on_ready) {
  client_settings settings;
  settings.where = config_.where;
  settings.timeout = config_.timeout;
  settings.channels = std::move(channels);
  settings.name = "authsim-" + config_.prefix + "-" + name;
  settings.on_message = std::move(on_message);
  settings.on_ready = [on_ready = std::move(on_ready)] {
    if (on_ready) on_ready();
  };
  auto made = std::make_shared<client>(executor_, std::move(settings));
  made->start();
  return made;
}

void backend::wait_ready(net::io_context& ioc, std::chrono::milliseconds deadline) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  while (!ready() && std::chrono::steady_clock::now() < until) {
    ioc.run_one_for(std::chrono::milliseconds(10));
  }
  if (!ready()) {
    std::string why = commands_->last_error();
    if (why.empty()) why = subscriber_->last_error();
    if (why.empty()) why = journal_->last_error();
    if (why.empty()) why = "Redis at " + config_.where.text + " did not answer";
    throw std::runtime_error("--state: " + why);
  }
}

void backend::stop() {
  if (!commands_) {
    return;
  }
  commands_->stop();
  subscriber_->stop();
  journal_->stop();
  // What still waits on the io_context keeps its client alive until the
  // io_context goes; the rest goes now, while it is still there.
  commands_.reset();
  subscriber_.reset();
  journal_.reset();
}

std::string backend::key(std::string_view name) const {
  std::string out;
  out.reserve(config_.prefix.size() + name.size() + 3);
  out += '{';
  out += config_.prefix;
  out += "}:";
  out += name;
  return out;
}

net::awaitable<std::vector<reply>> backend::exec(std::vector<command> commands) {
  return commands_->exec(std::move(commands));
}

command backend::evalsha(const script& s, const std::vector<std::string>& keys, std::vector<std::string>&& args) {
  command c;
  c.reserve(3 + keys.size() + args.size());
  c.emplace_back("EVALSHA");
  c.push_back(s.sha);
  c.push_back(std::to_string(keys.size()));
  c.insert(c.end(), keys.begin(), keys.end());
  for (auto& arg : args) {
    c.push_back(std::move(arg));
  }
  return c;
}

net::awaitable<reply> backend::eval(const script& s, const std::vector<std::string>& keys,
                                    const std::vector<std::string>& args) {
  std::vector<command> one;
  one.push_back(evalsha(s, keys, std::vector<std::string>(args)));
  std::vector<reply> replies = co_await commands_->exec(std::move(one));
  reply r = std::move(replies.at(0));
  if (r.is_error() && r.str.starts_with("NOSCRIPT")) {
    std::vector<command> again;
    again.push_back(evalsha(s, keys, std::vector<std::string>(args)));
    again[0][0] = "EVAL";
    again[0][1] = s.text;
    replies = co_await commands_->exec(std::move(again));
    r = std::move(replies.at(0));
  }
  if (r.is_error()) {
    throw unavailable("Redis refused script " + std::string(s.name) + ": " + r.str);
  }
  co_return r;
}

net::awaitable<std::size_t> backend::delete_matching(const std::string& pattern, const std::string& keep) {
  std::string cursor = "0";
  std::size_t deleted = 0;
  do {
    std::vector<command> scan;
    scan.push_back({"SCAN", cursor, "MATCH", pattern, "COUNT", "1000"});
    std::vector<reply> replies = co_await commands_->exec(std::move(scan));
    const reply& r = replies.at(0);
    if (r.kind != reply::type::array || r.elements.size() != 2) {
      throw unavailable("Redis answered SCAN with something other than [cursor, keys]");
    }
    cursor = r.elements[0].str;
    command unlink{"UNLINK"};
    for (const auto& k : r.elements[1].elements) {
      if (k.str != keep) {
        unlink.push_back(k.str);
      }
    }
    if (unlink.size() > 1) {
      deleted += unlink.size() - 1;
      std::vector<command> batch;
      batch.push_back(std::move(unlink));
      co_await commands_->exec(std::move(batch));
    }
  } while (cursor != "0");
  co_return deleted;
}

net::awaitable<void> backend::forget_all_but_settings() {
  const std::string pattern = glob_escape(key("")) + "*";
  const std::string settings = key("settings");
  co_await delete_matching(pattern, settings);
}

boost::json::object backend::describe() const {
  boost::json::object out;
  out["backend"] = "redis";
  out["address"] = config_.where.text;
  out["prefix"] = config_.prefix;
  const bool up = ready();
  out["connected"] = up;
  if (!up) {
    std::string why = !commands_->ready()     ? commands_->last_error()
                      : !subscriber_->ready() ? subscriber_->last_error()
                                              : journal_->last_error();
    out["error"] = why.empty() ? "connecting" : why;
  }
  return out;
}

}  // namespace authsim::redis

namespace authsim::redis {

net::awaitable<boost::json::object> backend::check() {
  std::optional<std::string> failure;
  try {
    std::vector<command> ping;
    ping.push_back({"PING"});
    co_await commands_->exec(std::move(ping));
  } catch (const unavailable& e) {
    failure = e.what();
  }
  boost::json::object out = describe();
  if (failure) {
    out["connected"] = false;
    out["error"] = *failure;
  }
  co_return out;
}

}  // namespace authsim::redis

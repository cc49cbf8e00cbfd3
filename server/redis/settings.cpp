#include "redis/settings.hpp"

#include "support/crypto.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/strand.hpp>

#include <charconv>

namespace authsim::redis {

namespace {

class shared_clock final : public state::clock {
 public:
  explicit shared_clock(shared_settings& s) : s_(s) {}
  [[nodiscard]] std::int64_t now_ms() const override { return system_now_ms() + s_.offset_ms(); }
  [[nodiscard]] std::int64_t offset_ms() const override { return s_.offset_ms(); }
  [[nodiscard]] std::optional<std::int64_t> min_offset_ms() const override { return -max_backward_offset_ms; }
  net::awaitable<void> async_advance(std::int64_t delta_ms) override {
    std::vector<std::string> ops{"incr", "clock_offset", std::to_string(delta_ms)};
    co_await s_.change(std::move(ops));
  }
  net::awaitable<void> async_set(std::int64_t epoch_ms) override {
    std::vector<std::string> ops{"set", "clock_offset", std::to_string(epoch_ms - system_now_ms())};
    co_await s_.change(std::move(ops));
  }
  net::awaitable<void> async_reset() override {
    std::vector<std::string> ops{"set", "clock_offset", "0"};
    co_await s_.change(std::move(ops));
  }

 private:
  shared_settings& s_;
};

class shared_active_scenario final : public state::active_scenario {
 public:
  explicit shared_active_scenario(shared_settings& s) : s_(s) {}
  [[nodiscard]] std::optional<std::string> get() const override { return s_.scenario(); }
  net::awaitable<void> async_set(const std::optional<std::string>& name) override {
    std::vector<std::string> ops{"set", "scenario", name.value_or("")};
    co_await s_.change(std::move(ops));
  }

 private:
  shared_settings& s_;
};

class shared_verification_modes final : public state::verification_modes {
 public:
  explicit shared_verification_modes(shared_settings& s) : s_(s) {}
  [[nodiscard]] std::optional<fixtures::verification_mode> get(const std::string& plat_id) const override {
    return s_.mode(plat_id);
  }
  net::awaitable<bool> async_set(const std::string& plat_id, fixtures::verification_mode mode) override {
    if (!s_.mode(plat_id)) {
      co_return false;
    }
    std::vector<std::string> ops{"set", "mode:" + plat_id, fixtures::verification_mode_name(mode)};
    co_await s_.change(std::move(ops));
    co_return true;
  }

 private:
  shared_settings& s_;
};

class shared_platform_endpoints final : public state::platform_endpoints {
 public:
  explicit shared_platform_endpoints(shared_settings& s) : s_(s) {}
  [[nodiscard]] std::optional<state::endpoints> get(const std::string& plat_id) const override {
    return s_.endpoints_of(plat_id);
  }
  net::awaitable<std::optional<state::endpoints>> async_change(const std::string& plat_id,
                                                               const state::endpoints_change& change) override {
    if (!s_.endpoints_of(plat_id)) {
      co_return std::nullopt;
    }
    // An unset URL is kept as "" (a field left out of the hash means the
    // fixtures' value).
    std::vector<std::string> ops;
    if (change.webhook_url) {
      ops.insert(ops.end(), {"set", "webhook:" + plat_id, change.webhook_url->value_or("")});
    }
    if (change.credit_limit_url) {
      ops.insert(ops.end(), {"set", "credit_limit:" + plat_id, change.credit_limit_url->value_or("")});
    }
    co_await s_.change(std::move(ops));
    co_return s_.endpoints_of(plat_id);
  }

 private:
  shared_settings& s_;
};

class shared_app_endpoints final : public state::app_endpoints {
 public:
  explicit shared_app_endpoints(shared_settings& s) : s_(s) {}
  [[nodiscard]] std::optional<std::optional<std::string>> callback_url(const std::string& app_key) const override {
    return s_.callback_of(app_key);
  }
  net::awaitable<bool> async_set_callback_url(const std::string& app_key,
                                              const std::optional<std::string>& url) override {
    if (!s_.callback_of(app_key)) {
      co_return false;
    }
    std::vector<std::string> ops{"set", "callback:" + app_key, url.value_or("")};
    co_await s_.change(std::move(ops));
    co_return true;
  }

 private:
  shared_settings& s_;
};

}  // namespace

shared_settings::shared_settings(backend& b, std::shared_ptr<const fixtures::fixture_set> fixtures)
    : backend_(b),
      fixtures_(std::move(fixtures)),
      my_epoch_(support::random_hex(8)),
      clock_(std::make_unique<shared_clock>(*this)),
      active_(std::make_unique<shared_active_scenario>(*this)),
      modes_(std::make_unique<shared_verification_modes>(*this)),
      endpoints_(std::make_unique<shared_platform_endpoints>(*this)),
      apps_(std::make_unique<shared_app_endpoints>(*this)) {
  // Both run under the subscriber's read lock (see client::read_loop) or
  // before it says it is ready: a request's fresh() sees the event.
  backend_.on_settings_message = [this](const std::string&) { on_event(); };
  backend_.on_subscribed = [this] { on_event(); };
}

bool shared_settings::fresh() const {
  const std::int64_t version = version_.load(std::memory_order_acquire);
  // Unread bytes first: a message read after this look has been counted in
  // events_ by the time the next line reads it.
  return version >= 0 && backend_.subscriber().ready() && !backend_.subscriber().has_unread_bytes() &&
         covered_.load(std::memory_order_acquire) >= events_.load(std::memory_order_acquire);
}

net::awaitable<void> shared_settings::refresh() {
  // Only a read sent after an event covers it.
  const std::uint64_t events = events_.load(std::memory_order_acquire);
  std::vector<command> read;
  read.push_back({"HGETALL", backend_.key("settings")});
  const std::vector<reply> replies = co_await backend_.exec(std::move(read));
  apply(replies.at(0));
  std::uint64_t covered = covered_.load(std::memory_order_acquire);
  while (covered < events && !covered_.compare_exchange_weak(covered, events)) {
  }
}

net::awaitable<void> shared_settings::change(std::vector<std::string> ops) {
  std::vector<std::string> args;
  args.reserve(ops.size() + 2);
  args.push_back(backend_.channel());
  args.push_back(my_epoch_);
  args.insert(args.end(), ops.begin(), ops.end());
  const std::vector<std::string> keys{backend_.key("settings")};
  const reply fields = co_await backend_.eval(all_scripts().change_settings, keys, args);
  apply(fields);
  // Redis writes a script's publications to the subscribers' sockets with
  // its reply, in the same turn of its loop; a PING answered afterwards
  // proves that turn is over. So the change is answered only once every
  // replica has the announcement in its socket, and the caller's next
  // request to any replica finds it.
  std::vector<command> ping;
  ping.push_back({"PING"});
  co_await backend_.exec(std::move(ping));
}

void shared_settings::apply(const reply& fields) {
  std::map<std::string, std::string, std::less<>> next;
  for (std::size_t i = 0; i + 1 < fields.elements.size(); i += 2) {
    next[fields.elements[i].str] = fields.elements[i + 1].str;
  }
  const auto version_field = next.find("version");
  const std::int64_t version = version_field != next.end() ? integer_of(version_field->second) : 0;
  const auto epoch_field = next.find("epoch");
  const std::string epoch = epoch_field != next.end() ? epoch_field->second : std::string();
  bool moved = false;
  {
  const std::lock_guard lock(mutex_);
  // Replies may be applied out of order (a background refresh and a
  // change): within one incarnation of the hash the snapshot only moves
  // forward. A Redis that lost the hash (restarted without persistence)
  // starts a new one, whose versions start again.
  if (epoch == epoch_ && version < version_.load(std::memory_order_relaxed)) {
    return;
  }
  epoch_ = epoch;
  const auto offset = next.find("clock_offset");
  const std::int64_t new_offset = offset != next.end() ? integer_of(offset->second) : 0;
  moved = offset_.exchange(new_offset, std::memory_order_relaxed) != new_offset;
  fields_ = std::move(next);
  version_.store(version, std::memory_order_release);
  }
  if (moved && on_clock_moved) {
    on_clock_moved();
  }
}

void shared_settings::on_event() {
  events_.fetch_add(1, std::memory_order_acq_rel);
  refresh_in_background();
}

void shared_settings::refresh_in_background() {
  // On a strand: the call's wake-up (a timer) must not be cancelled on one
  // thread while it is armed on another.
  net::co_spawn(
      net::make_strand(backend_.executor()),
      [this]() -> net::awaitable<void> {
        try {
          co_await refresh();
        } catch (const unavailable&) {
          // The next request refreshes (fresh() stays false meanwhile).
        }
      },
      net::detached);
}

std::optional<std::string> shared_settings::scenario() const {
  const std::lock_guard lock(mutex_);
  const auto it = fields_.find("scenario");
  if (it == fields_.end() || it->second.empty()) {
    return std::nullopt;
  }
  return it->second;
}

std::optional<fixtures::verification_mode> shared_settings::mode(const std::string& plat_id) const {
  const fixtures::platform* p = fixtures_->find_platform(plat_id);
  if (p == nullptr) {
    return std::nullopt;
  }
  const std::lock_guard lock(mutex_);
  const auto it = fields_.find("mode:" + plat_id);
  if (it != fields_.end()) {
    if (auto parsed = fixtures::parse_verification_mode(it->second)) {
      return parsed;
    }
  }
  return p->verification;
}

std::optional<state::endpoints> shared_settings::endpoints_of(const std::string& plat_id) const {
  const fixtures::platform* p = fixtures_->find_platform(plat_id);
  if (p == nullptr) {
    return std::nullopt;
  }
  state::endpoints out{p->webhook_url, p->credit_limit_url};
  const std::lock_guard lock(mutex_);
  const auto pick = [&](const std::string& field, std::optional<std::string>& value) {
    if (const auto it = fields_.find(field); it != fields_.end()) {
      value = it->second.empty() ? std::nullopt : std::optional<std::string>(it->second);
    }
  };
  pick("webhook:" + plat_id, out.webhook_url);
  pick("credit_limit:" + plat_id, out.credit_limit_url);
  return out;
}

std::optional<std::optional<std::string>> shared_settings::callback_of(const std::string& app_key) const {
  const fixtures::uocs_app* app = fixtures_->find_app(app_key);
  if (app == nullptr) {
    return std::nullopt;
  }
  const std::lock_guard lock(mutex_);
  if (const auto it = fields_.find("callback:" + app_key); it != fields_.end()) {
    return it->second.empty() ? std::nullopt : std::optional<std::string>(it->second);
  }
  return app->callback_url;
}

}  // namespace authsim::redis

#pragma once
// authsim's connection to a shared Redis: a thread and io_context of its
// own running two clients, one for commands (every request's calls,
// pipelined on one connection) and one subscribed to the sandbox's
// sandbox's channels (settings changes, journal entries). The stores (codes, tokens, scenario counters, shared
// settings) make their calls through it.
//
// The Redis side runs on its own thread so that its lifetime is its own:
// the server's io_context and its sessions may go first, and the start-up
// check can wait for Redis before the server runs. A request's coroutine
// posts its call there and is resumed on its own executor.
//
// Thread-safe: exec() and eval() from any thread; the rest from the thread
// that built it.

#include "redis/client.hpp"
#include "redis/scripts.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/json/object.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace authsim::redis {

// The clock may be set back at most this far before real time: records'
// clean-up TTLs in Redis run on real time and must outlive any such shift.
inline constexpr std::int64_t max_backward_offset_ms = 366LL * 24 * 60 * 60 * 1000;

struct backend_config {
  address where;
  std::string prefix = "authsim";
  std::chrono::milliseconds timeout{1000};
};

class backend {
 public:
  explicit backend(backend_config config);
  backend(const backend&) = delete;
  backend& operator=(const backend&) = delete;
  ~backend();

  // Called on the Redis thread with each message published on the
  // settings channel, and each time the subscription is (re)made. Set
  // before start().
  std::function<void(const std::string&)> on_settings_message;
  std::function<void()> on_subscribed;
  // Called on the Redis thread with each journal entry's id as it is added
  // (by any replica). Set before start().
  std::function<void(const std::string&)> on_journal_message;

  // Connects both clients; returns once both are ready, or throws
  // std::runtime_error with a one-line reason after the deadline.
  void start();
  void start_and_wait(std::chrono::milliseconds deadline);
  void stop();

  // The key `name` of this sandbox: "{PREFIX}:name".
  [[nodiscard]] std::string key(std::string_view name) const;
  [[nodiscard]] const std::string& channel() const { return channel_; }
  [[nodiscard]] const std::string& journal_channel() const { return journal_channel_; }
  // Sends a command without awaiting its reply (client::send).
  void send(std::function<command()> make) { commands_->send(std::move(make)); }
  [[nodiscard]] std::uint64_t unsent() const { return commands_->unsent(); }
  // The Redis thread's executor, for work of the backend's own.
  [[nodiscard]] net::any_io_executor executor() { return ioc_.get_executor(); }

  // One round trip: the commands pipelined, their replies in order.
  net::awaitable<std::vector<reply>> exec(std::vector<command> commands);
  // Runs a script by its SHA1 (loaded on every connection); falls back to
  // sending its text when Redis lost it (SCRIPT FLUSH). An error reply
  // throws unavailable: the scripts never fail on good input.
  net::awaitable<reply> eval(const script& s, const std::vector<std::string>& keys,
                             const std::vector<std::string>& args);
  // The command that eval sends first, to pipeline with others.
  [[nodiscard]] static command evalsha(const script& s, const std::vector<std::string>& keys,
                                       const std::vector<std::string>& args);

  // Deletes every key of this sandbox but its settings (the clock, the
  // active scenario, the modes and endpoints survive a reset, as they do
  // in memory). Keys are found with SCAN, never KEYS.
  net::awaitable<void> forget_all_but_settings();
  // Deletes the keys that match `pattern` (a glob, already escaped), but
  // `keep`; answers how many went.
  net::awaitable<std::size_t> delete_matching(const std::string& pattern, const std::string& keep = {});

  [[nodiscard]] bool ready() const { return commands_->ready() && subscriber_->ready() && journal_->ready(); }
  [[nodiscard]] const client& commands() const { return *commands_; }
  [[nodiscard]] const client& subscriber() const { return *subscriber_; }
  // {"backend":"redis","address":…,"prefix":…,"connected":…,"error":…}
  [[nodiscard]] boost::json::object describe() const;
  // describe(), after a PING within the deadline: "connected" says whether
  // Redis answers now, not only whether a socket is open.
  net::awaitable<boost::json::object> check();

 private:
  backend_config config_;
  std::string channel_;
  std::string journal_channel_;
  net::io_context ioc_{1};
  std::shared_ptr<client> commands_;
  std::shared_ptr<client> subscriber_;
  std::shared_ptr<client> journal_;
  std::thread thread_;
};

// Escapes the glob characters of `text` for SCAN MATCH.
std::string glob_escape(std::string_view text);

}  // namespace authsim::redis

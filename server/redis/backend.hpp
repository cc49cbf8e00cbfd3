#pragma once
// authsim's connection to a shared Redis: three clients, one for commands
// (every request's calls, pipelined on one connection), one subscribed to
// the sandbox's settings channel and one to its journal and records
// channels (entries added and records changed, which wake long polls). The stores (codes, tokens, scenario
// counters, shared settings, the journal) make their calls through it.
//
// The clients run on the threads that serve requests, not on a thread of
// their own: with a thread of their own each call crossed threads twice,
// and scripts/bench.sh redis measured login at 16.2k req/s and 24.8 µs of
// authsim's CPU per request, against 18.1k and 19.7 µs on the serving
// threads (one serving thread, Redis on the same CPU), where a call is a
// post to a strand and a wake-up of the awaiting request. Before the server runs, the
// start-up steps drive the io_context themselves (wait_ready).
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
  // Makes no connection yet: the stores built on it need only its keys
  // until attach().
  explicit backend(backend_config config);
  backend(const backend&) = delete;
  backend& operator=(const backend&) = delete;
  ~backend();

  // Called on a client's strand with each message published on the
  // settings channel, and each time the subscription is (re)made. Set
  // before start().
  std::function<void(const std::string&)> on_settings_message;
  std::function<void()> on_subscribed;
  // Called on a client's strand with each journal entry's id as it is added
  // (by any replica). Set before start().
  std::function<void(const std::string&)> on_journal_message;
  // Called on a client's strand with "1" when records changed and jobs
  // were added (any replica's commit), "0" when records changed only, and
  // with "1" when that subscription is (re)made. Set before start().
  std::function<void(const std::string&)> on_records_message;

  // Makes the clients, on `executor`, and starts connecting them (they
  // keep reconnecting from then on). Once.
  void attach(const net::any_io_executor& executor);
  // Before the server runs: drives `ioc` (the one attached) until every
  // client is ready; throws std::runtime_error with a one-line reason after
  // the deadline.
  void wait_ready(net::io_context& ioc, std::chrono::milliseconds deadline);
  // Closes the connections and lets the clients go: called before the
  // io_context they run on is destroyed.
  void stop();

  // The key `name` of this sandbox: "{PREFIX}:name".
  [[nodiscard]] std::string key(std::string_view name) const;
  [[nodiscard]] const std::string& channel() const { return channel_; }
  [[nodiscard]] const std::string& journal_channel() const { return journal_channel_; }
  [[nodiscard]] const std::string& records_channel() const { return records_channel_; }
  // Sends a command without awaiting its reply (client::send).
  void send(std::function<command()> make) { commands_->send(std::move(make)); }
  // The executor the clients run on, for work of the backend's own.
  [[nodiscard]] net::any_io_executor executor() { return executor_; }

  // One round trip: the commands pipelined, their replies in order.
  net::awaitable<std::vector<reply>> exec(std::vector<command> commands);
  // Runs a script by its SHA1 (loaded on every connection); falls back to
  // sending its text when Redis lost it (SCRIPT FLUSH). An error reply
  // throws unavailable: the scripts never fail on good input.
  net::awaitable<reply> eval(const script& s, const std::vector<std::string>& keys,
                             const std::vector<std::string>& args);
  // The command that eval sends first, to pipeline with others.
  [[nodiscard]] static command evalsha(const script& s, const std::vector<std::string>& keys,
                                       std::vector<std::string>&& args);

  // Deletes every key of this sandbox but its settings (the clock, the
  // active scenario, the modes and endpoints survive a reset, as they do
  // in memory). Keys are found with SCAN, never KEYS.
  net::awaitable<void> forget_all_but_settings();
  // Deletes the keys that match `pattern` (a glob, already escaped), but
  // `keep`; answers how many went.
  net::awaitable<std::size_t> delete_matching(const std::string& pattern, const std::string& keep = {});

  [[nodiscard]] bool ready() const {
    return commands_ && commands_->ready() && subscriber_->ready() && journal_->ready();
  }
  [[nodiscard]] const client& commands() const { return *commands_; }
  [[nodiscard]] const client& subscriber() const { return *subscriber_; }
  // {"backend":"redis","address":…,"prefix":…,"connected":…,"error":…}
  [[nodiscard]] boost::json::object describe() const;
  // describe(), after a PING within the deadline: "connected" says whether
  // Redis answers now, not only whether a socket is open.
  net::awaitable<boost::json::object> check();

 private:
  // A client subscribed to `channels` that hands each message (channel,
  // payload) to `on_message`, started. The callbacks it calls are members
  // of this backend, read when a message comes: the stores set them after
  // this backend was made.
  std::shared_ptr<client> subscribe(std::vector<std::string> channels, const std::string& name,
                                    std::function<void(const std::string&, const std::string&)> on_message,
                                    std::function<void()> on_ready);

  backend_config config_;
  std::string channel_;
  std::string journal_channel_;
  std::string records_channel_;
  net::any_io_executor executor_;
  std::shared_ptr<client> commands_;
  std::shared_ptr<client> subscriber_;
  std::shared_ptr<client> journal_;
};

// Escapes the glob characters of `text` for SCAN MATCH.
std::string glob_escape(std::string_view text);

}  // namespace authsim::redis

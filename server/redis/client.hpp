#pragma once
// The Redis client authsim's shared state speaks through: hiredis 0.14
// serves only as the RESP encoder and reply parser, over a socket this
// class owns, so that every call has a deadline, calls from many requests
// share one pipelined connection, and a lost or stalled Redis is noticed
// and reconnected on authsim's terms (hiredis's own contexts are not
// thread-safe, and its asynchronous one has no command time-out).
//
//   client c(executor, settings);
//   c.start();                                   // connects, keeps reconnecting
//   auto replies = co_await c.exec({{"GET", "k"}, {"INCR", "n"}});  // one round trip
//
// A call that cannot be answered (not connected, or no answer within the
// deadline) throws `unavailable`: the request pipeline turns it into a 503.
// A stalled Redis (SIGSTOP) still accepts connections, so health is judged
// by a timed PING, never by connecting: when the oldest call waits past the
// deadline the connection is dropped and made again with backoff.
//
// Thread-safe: exec() from any thread and executor; start() and stop()
// from one thread. Create it with std::make_shared.

#include "redis/address.hpp"
#include "state/shared.hpp"
#include "support/async.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/generic/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace authsim::redis {

// One reply, parsed (RESP2: Redis 7 speaks it by default).
struct reply {
  enum class type { string, array, integer, nil, status, error };
  type kind = type::nil;
  std::string str;  // string, status and error
  long long integer = 0;
  std::vector<reply> elements;

  [[nodiscard]] bool is_error() const { return kind == type::error; }
};

// Redis cannot answer now: not connected, or no answer within the deadline.
using unavailable = state::unavailable;

using command = std::vector<std::string>;

// Appends `c` to `out` in RESP, as Redis reads commands.
void append_command(std::string& out, const command& c);

// The leading integer of a reply's text (a counter, a version, a score):
// 0 when there is none.
std::int64_t integer_of(std::string_view text);

struct client_settings {
  address where;
  // How long a call may wait for its answer, and a connection attempt for
  // its connect and handshake.
  std::chrono::milliseconds timeout{1000};
  // Sent once per connection, before it serves calls (SELECT, SCRIPT LOAD).
  std::vector<command> handshake;
  // A subscriber: SUBSCRIBE to these channels is the last step of the
  // handshake, and each message published there goes to on_message (on
  // the client's strand) with its channel and payload.
  std::vector<std::string> channels;
  std::function<void(const std::string&, const std::string&)> on_message;
  // Called on the client's strand each time a connection becomes ready.
  std::function<void()> on_ready;
  // The name given with CLIENT SETNAME, to find authsim in CLIENT LIST.
  std::string name = "authsim";
};

class client : public std::enable_shared_from_this<client> {
 public:
  client(const net::any_io_executor& executor, client_settings settings);
  client(const client&) = delete;
  client& operator=(const client&) = delete;
  ~client();

  // Starts connecting (and reconnecting, with backoff, whenever the
  // connection is lost) in the background.
  void start();
  // Closes the connection and stops reconnecting; calls waiting fail.
  void stop();

  // Sends the commands as one pipeline and returns their replies, in
  // order (an error reply is a reply, not an exception). Throws
  // `unavailable` when the connection is not ready or the answers do not
  // all come within the deadline.
  net::awaitable<std::vector<reply>> exec(std::vector<command> commands);

  // Sends one command without waiting for its reply: `make` runs on the
  // client's strand (so work such as rendering stays off the caller's
  // thread) and its command goes out after every command submitted
  // before this call, on the same connection. When it cannot be sent, or
  // Redis answers it with an error, it is counted in unsent().
  void send(std::function<command()> make);
  [[nodiscard]] std::uint64_t unsent() const { return unsent_.load(std::memory_order_relaxed); }
  // Calls made with exec() (round trips), and commands given to send().
  [[nodiscard]] std::uint64_t round_trips() const { return round_trips_.load(std::memory_order_relaxed); }
  [[nodiscard]] std::uint64_t sends() const { return sends_.load(std::memory_order_relaxed); }

  // Connected, handshake done, and not known to be stalled.
  [[nodiscard]] bool ready() const { return ready_.load(std::memory_order_acquire); }
  // Why the last connection ended or attempt failed ("" when none did).
  [[nodiscard]] std::string last_error() const;
  // Bytes have arrived on the socket that the client has not read yet: a
  // subscriber's message may be waiting. An ioctl, so a request can ask
  // without a round trip; for a subscriber, a message it has read is
  // delivered (on_message has run) by the time this answers false.
  [[nodiscard]] bool has_unread_bytes() const;

 private:
  struct call;
  using socket_type = net::generic::stream_protocol::socket;

  net::awaitable<void> run();
  net::awaitable<std::optional<std::string>> connect_once();
  net::awaitable<void> read_loop();
  net::awaitable<void> write_loop();
  net::awaitable<void> watch_loop();
  void submit(const std::shared_ptr<call>& c, bool internal);
  void deliver(reply&& r);
  void drop(const std::string& why);
  void set_error(const std::string& why);

  net::strand<net::any_io_executor> strand_;
  client_settings settings_;
  socket_type socket_;
  // On the strand:
  void* reader_ = nullptr;  // hiredis's redisReader
  std::deque<std::shared_ptr<call>> pending_;
  std::string out_;
  bool writing_ = false;
  bool open_ = false;       // the socket is connected (the handshake may be under way)
  std::uint64_t generation_ = 0;  // one per connection: loops of an old one end
  std::chrono::steady_clock::time_point last_sent_{};
  std::shared_ptr<net::steady_timer> closed_;  // cancelled when a connection ends
  // Read anywhere:
  std::atomic<bool> ready_{false};
  std::atomic<bool> stopped_{false};
  std::atomic<int> fd_{-1};
  std::atomic<std::uint64_t> unsent_{0};
  std::atomic<std::uint64_t> round_trips_{0};
  std::atomic<std::uint64_t> sends_{0};
  mutable std::mutex error_mutex_;
  mutable std::mutex read_mutex_;  // a subscriber's reads (see read_loop)
  std::string last_error_;
};

}  // namespace authsim::redis

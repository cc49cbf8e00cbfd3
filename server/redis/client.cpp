#include "redis/client.hpp"

#include "support/event.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/write.hpp>

#include <hiredis/hiredis.h>
#include <sys/ioctl.h>

#include <algorithm>
#include <charconv>
#include <array>

namespace authsim::redis {

using steady = std::chrono::steady_clock;

namespace {

constexpr std::chrono::milliseconds first_backoff{100};
constexpr std::chrono::milliseconds last_backoff{2000};
// An idle connection is pinged this often, so that /__admin/health knows a
// stalled Redis before a request meets it.
constexpr std::chrono::milliseconds ping_interval{1000};

reply convert(const redisReply* r) {
  reply out;
  switch (r->type) {
    case REDIS_REPLY_STRING: out.kind = reply::type::string; out.str.assign(r->str, r->len); break;
    case REDIS_REPLY_STATUS: out.kind = reply::type::status; out.str.assign(r->str, r->len); break;
    case REDIS_REPLY_ERROR: out.kind = reply::type::error; out.str.assign(r->str, r->len); break;
    case REDIS_REPLY_INTEGER: out.kind = reply::type::integer; out.integer = r->integer; break;
    case REDIS_REPLY_ARRAY:
      out.kind = reply::type::array;
      out.elements.reserve(r->elements);
      for (std::size_t i = 0; i < r->elements; ++i) {
        out.elements.push_back(convert(r->element[i]));
      }
      break;
    default: out.kind = reply::type::nil; break;
  }
  return out;
}

}  // namespace

std::int64_t integer_of(std::string_view text) {
  std::int64_t value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

void append_command(std::string& out, const command& c) {
  // RESP's array of bulk strings: what redisFormatCommandArgv writes, done
  // in place to skip its allocation, in a buffer sized once.
  std::size_t size = out.size() + 16;
  for (const auto& arg : c) {
    size += arg.size() + 16;
  }
  out.reserve(size);
  out += '*';
  out += std::to_string(c.size());
  out += "\r\n";
  for (const auto& arg : c) {
    out += '$';
    out += std::to_string(arg.size());
    out += "\r\n";
    out += arg;
    out += "\r\n";
  }
}

struct client::call {
  std::string bytes;
  std::size_t expected = 0;
  std::vector<reply> replies;
  steady::time_point sent{};
  std::shared_ptr<support::event> done;  // null: nobody waits (a health PING, a send())
  bool counted = false;                  // a send(): an error reply counts as unsent
  std::mutex mutex;
  bool finished = false;
  std::optional<std::string> failure;

  void finish(std::optional<std::string> why) {
    {
      const std::lock_guard lock(mutex);
      finished = true;
      failure = std::move(why);
    }
    if (done) {
      done->raise();
    }
  }
  bool is_finished() {
    const std::lock_guard lock(mutex);
    return finished;
  }
};

client::client(const net::any_io_executor& executor, client_settings settings)
    : strand_(net::make_strand(executor)), settings_(std::move(settings)), socket_(strand_) {
  reader_ = redisReaderCreate();
}

client::~client() {
  if (reader_ != nullptr) {
    redisReaderFree(static_cast<redisReader*>(reader_));
  }
}

void client::start() {
  net::co_spawn(strand_, [self = shared_from_this()] { return self->run(); }, net::detached);
  net::co_spawn(strand_, [self = shared_from_this()] { return self->watch_loop(); }, net::detached);
}

void client::stop() {
  stopped_ = true;
  net::post(strand_, [self = shared_from_this()] { self->drop("the client was stopped"); });
}

std::string client::last_error() const {
  const std::lock_guard lock(error_mutex_);
  return last_error_;
}

void client::set_error(const std::string& why) {
  const std::lock_guard lock(error_mutex_);
  last_error_ = why;
}

bool client::has_unread_bytes() const {
  const std::lock_guard lock(read_mutex_);
  const int fd = fd_.load(std::memory_order_acquire);
  int available = 0;
  return fd >= 0 && ::ioctl(fd, FIONREAD, &available) == 0 && available > 0;
}

net::awaitable<std::vector<reply>> client::exec(std::vector<command> commands) {
  if (!ready()) {
    throw unavailable("Redis at " + settings_.where.text + " is not connected (" + last_error() + ")");
  }
  round_trips_.fetch_add(1, std::memory_order_relaxed);
  auto c = std::make_shared<call>();
  for (const auto& cmd : commands) {
    append_command(c->bytes, cmd);
  }
  c->expected = commands.size();
  const net::any_io_executor executor = co_await net::this_coro::executor;
  c->done = std::make_shared<support::event>(executor);
  net::post(strand_, [self = shared_from_this(), c] { self->submit(c, false); });
  const auto deadline = steady::now() + settings_.timeout;
  while (!c->is_finished()) {
    if (steady::now() >= deadline) {
      // A call past its deadline means a stalled Redis: the connection is
      // dropped now (and made again), so that health says so at once and
      // later calls fail fast instead of queueing behind it.
      net::post(strand_, [self = shared_from_this(), c] {
        if (!c->is_finished()) {
          self->drop("Redis at " + self->settings_.where.text + " did not answer within " +
                     std::to_string(self->settings_.timeout.count()) + " ms");
        }
      });
      throw unavailable("Redis at " + settings_.where.text + " did not answer within " +
                        std::to_string(settings_.timeout.count()) + " ms");
    }
    co_await c->done->wait_until(deadline);
  }
  if (c->failure) {
    throw unavailable(*c->failure);
  }
  co_return std::move(c->replies);
}

void client::send(std::function<command()> make) {
  sends_.fetch_add(1, std::memory_order_relaxed);
  net::post(strand_, [self = shared_from_this(), make = std::move(make)] {
    if (!self->ready_.load(std::memory_order_relaxed)) {
      self->unsent_.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    auto c = std::make_shared<call>();
    append_command(c->bytes, make());
    c->expected = 1;
    c->counted = true;
    self->submit(c, false);
  });
}

void client::submit(const std::shared_ptr<call>& c, bool internal) {
  if (!open_ || (!internal && !ready_.load(std::memory_order_relaxed))) {
    if (c->counted) {
      unsent_.fetch_add(1, std::memory_order_relaxed);
    }
    c->finish("Redis at " + settings_.where.text + " is not connected (" + last_error() + ")");
    return;
  }
  c->sent = steady::now();
  last_sent_ = c->sent;
  pending_.push_back(c);
  if (out_.empty()) {
    out_.swap(c->bytes);
  } else {
    out_ += c->bytes;
  }
  c->bytes.clear();
  if (!writing_) {
    writing_ = true;
    net::co_spawn(strand_, [self = shared_from_this()] { return self->write_loop(); }, net::detached);
  }
}

net::awaitable<void> client::write_loop() {
  const std::uint64_t generation = generation_;
  std::string buffer;
  while (!out_.empty() && generation == generation_) {
    buffer.clear();
    buffer.swap(out_);
    const auto [ec, n] = co_await net::async_write(socket_, net::buffer(buffer), use_tuple);
    if (ec) {
      if (generation == generation_) {
        drop("writing to Redis at " + settings_.where.text + " failed: " + ec.message());
      }
      break;
    }
  }
  writing_ = false;
  // A new connection may have queued calls while this loop was ending.
  if (open_ && !out_.empty()) {
    writing_ = true;
    net::co_spawn(strand_, [self = shared_from_this()] { return self->write_loop(); }, net::detached);
  }
}

net::awaitable<void> client::read_loop() {
  const std::uint64_t generation = generation_;
  std::array<char, 16 * 1024> buffer{};
  auto* reader = static_cast<redisReader*>(reader_);
  // A subscriber's bytes leave the socket only in this loop, under the lock
  // has_unread_bytes() takes, and are handed on (on_message) before it is
  // released: whoever asks sees a message either still unread or already
  // delivered, never in between. (An asynchronous read would take them
  // out in the reactor, well before its handler runs.)
  const bool subscriber = !settings_.channels.empty();
  if (subscriber) {
    error_code ignored;
    socket_.non_blocking(true, ignored);
  }
  while (generation == generation_) {
    std::size_t n = 0;
    error_code ec;
    std::unique_lock<std::mutex> held;
    if (subscriber) {
      const auto [wait_ec] = co_await socket_.async_wait(socket_type::wait_read, use_tuple);
      if (generation != generation_) {
        co_return;
      }
      if (wait_ec) {
        drop("Redis at " + settings_.where.text + " closed the connection (" + wait_ec.message() + ")");
        co_return;
      }
      held = std::unique_lock(read_mutex_);
      n = socket_.read_some(net::buffer(buffer), ec);
      if (ec == net::error::would_block || ec == net::error::try_again) {
        continue;
      }
    } else {
      const auto [read_ec, read] = co_await socket_.async_read_some(net::buffer(buffer), use_tuple);
      ec = read_ec;
      n = read;
    }
    if (generation != generation_) {
      co_return;
    }
    if (ec) {
      drop("Redis at " + settings_.where.text + " closed the connection (" + ec.message() + ")");
      co_return;
    }
    if (redisReaderFeed(reader, buffer.data(), n) != REDIS_OK) {
      drop("Redis at " + settings_.where.text + ": unreadable reply");
      co_return;
    }
    for (;;) {
      void* raw = nullptr;
      if (redisReaderGetReply(reader, &raw) != REDIS_OK) {
        drop("Redis at " + settings_.where.text + ": protocol error in a reply");
        co_return;
      }
      if (raw == nullptr) {
        break;
      }
      reply r = convert(static_cast<redisReply*>(raw));
      freeReplyObject(raw);
      deliver(std::move(r));
      if (generation != generation_) {
        co_return;
      }
    }
  }
}

void client::deliver(reply&& r) {
  if (!settings_.channels.empty() && r.kind == reply::type::array && r.elements.size() == 3 &&
      r.elements[0].str == "message") {
    if (settings_.on_message) {
      settings_.on_message(r.elements[1].str, r.elements[2].str);
    }
    return;
  }
  if (pending_.empty()) {
    drop("Redis at " + settings_.where.text + " sent a reply nobody asked for");
    return;
  }
  const std::shared_ptr<call>& front = pending_.front();
  if (front->counted && r.is_error()) {
    unsent_.fetch_add(1, std::memory_order_relaxed);
    if (r.str.starts_with("NOSCRIPT")) {
      // Someone flushed the scripts: a new connection loads them again.
      drop("Redis at " + settings_.where.text + " lost authsim's scripts (SCRIPT FLUSH?)");
      return;
    }
  }
  front->replies.push_back(std::move(r));
  if (front->replies.size() == front->expected) {
    const std::shared_ptr<call> done = front;
    pending_.pop_front();
    done->finish(std::nullopt);
  }
}

void client::drop(const std::string& why) {
  if (!open_) {
    return;
  }
  open_ = false;
  ready_.store(false, std::memory_order_release);
  fd_.store(-1, std::memory_order_release);
  ++generation_;
  error_code ignored;
  socket_.shutdown(socket_type::shutdown_both, ignored);
  socket_.close(ignored);
  out_.clear();
  auto* reader = static_cast<redisReader*>(reader_);
  redisReaderFree(reader);
  reader_ = redisReaderCreate();
  set_error(why);
  std::deque<std::shared_ptr<call>> failed;
  failed.swap(pending_);
  for (const auto& c : failed) {
    if (c->counted) {
      unsent_.fetch_add(1, std::memory_order_relaxed);
    }
    c->finish(why);
  }
  if (closed_) {
    closed_->cancel();
  }
}

net::awaitable<std::optional<std::string>> client::connect_once() {
  const address& where = settings_.where;
  net::generic::stream_protocol::endpoint endpoint;
  if (!where.socket_path.empty()) {
    endpoint = net::local::stream_protocol::endpoint(where.socket_path);
  } else {
    net::ip::tcp::resolver resolver(strand_);
    const auto [ec, results] = co_await resolver.async_resolve(where.host, std::to_string(where.port), use_tuple);
    if (ec || results.empty()) {
      co_return "cannot resolve '" + where.host + "'" + (ec ? " (" + ec.message() + ")" : std::string());
    }
    endpoint = results.begin()->endpoint();
  }
  error_code ec;
  socket_.open(endpoint.protocol(), ec);
  if (ec) {
    co_return "cannot open a socket: " + ec.message();
  }
  // The connect gets the deadline too: a full backlog would leave it waiting.
  auto guard = std::make_shared<net::steady_timer>(strand_, settings_.timeout);
  auto connected = std::make_shared<bool>(false);
  guard->async_wait([self = shared_from_this(), connected](const error_code& e) {
    if (!e && !*connected) {
      error_code ignored;
      self->socket_.close(ignored);
    }
  });
  const auto [connect_ec] = co_await socket_.async_connect(endpoint, use_tuple);
  *connected = true;
  guard->cancel();
  if (connect_ec) {
    error_code ignored;
    socket_.close(ignored);
    co_return "cannot connect to Redis at " + where.text + ": " + connect_ec.message();
  }
  if (where.socket_path.empty()) {
    socket_.set_option(net::ip::tcp::no_delay(true), ec);
  }
  open_ = true;
  ++generation_;
  fd_.store(socket_.native_handle(), std::memory_order_release);
  closed_ = std::make_shared<net::steady_timer>(strand_, steady::time_point::max());
  net::co_spawn(strand_, [self = shared_from_this()] { return self->read_loop(); }, net::detached);

  std::vector<command> steps;
  steps.push_back({"CLIENT", "SETNAME", settings_.name});
  if (where.db != 0) {
    steps.push_back({"SELECT", std::to_string(where.db)});
  }
  steps.insert(steps.end(), settings_.handshake.begin(), settings_.handshake.end());
  for (const std::string& channel : settings_.channels) {
    steps.push_back({"SUBSCRIBE", channel});
  }
  auto c = std::make_shared<call>();
  for (const auto& cmd : steps) {
    append_command(c->bytes, cmd);
  }
  c->expected = steps.size();
  c->done = std::make_shared<support::event>(strand_);
  submit(c, true);
  const auto deadline = steady::now() + settings_.timeout;
  while (!c->is_finished() && steady::now() < deadline) {
    co_await c->done->wait_until(deadline);
  }
  if (!c->is_finished()) {
    const std::string why = "Redis at " + where.text + " accepted the connection but did not answer within " +
                            std::to_string(settings_.timeout.count()) + " ms";
    drop(why);
    co_return why;
  }
  if (c->failure) {
    co_return *c->failure;
  }
  for (std::size_t i = 0; i < c->replies.size(); ++i) {
    if (c->replies[i].is_error()) {
      const std::string why = "Redis at " + where.text + " refused " + steps[i][0] + ": " + c->replies[i].str;
      drop(why);
      co_return why;
    }
  }
  // on_ready first: whoever sees the client ready also sees what on_ready
  // recorded (a new subscription that the settings must be read after).
  if (settings_.on_ready) {
    settings_.on_ready();
  }
  ready_.store(true, std::memory_order_release);
  co_return std::nullopt;
}

net::awaitable<void> client::run() {
  std::chrono::milliseconds backoff = first_backoff;
  net::steady_timer pause(strand_);
  while (!stopped_) {
    if (const std::optional<std::string> failure = co_await connect_once()) {
      set_error(*failure);
    } else if (stopped_) {
      // stop() came while connecting, when there was nothing to drop yet.
      drop("the client was stopped");
      break;
    } else {
      backoff = first_backoff;
      // Until the connection ends (drop() cancels the timer).
      const std::shared_ptr<net::steady_timer> closed = closed_;
      co_await closed->async_wait(use_tuple);
    }
    if (stopped_) {
      break;
    }
    pause.expires_after(backoff);
    co_await pause.async_wait(use_tuple);
    backoff = std::min(backoff * 2, last_backoff);
  }
}

net::awaitable<void> client::watch_loop() {
  const auto period = std::max(settings_.timeout / 4, std::chrono::milliseconds(20));
  net::steady_timer tick(strand_);
  while (!stopped_) {
    tick.expires_after(period);
    co_await tick.async_wait(use_tuple);
    const auto now = steady::now();
    if (open_ && !pending_.empty() && now - pending_.front()->sent > settings_.timeout) {
      drop("Redis at " + settings_.where.text + " did not answer within " +
           std::to_string(settings_.timeout.count()) + " ms");
    } else if (ready_.load(std::memory_order_relaxed) && pending_.empty() && now - last_sent_ >= ping_interval) {
      auto ping = std::make_shared<call>();
      append_command(ping->bytes, {"PING"});
      ping->expected = 1;
      submit(ping, true);
    }
  }
}

}  // namespace authsim::redis

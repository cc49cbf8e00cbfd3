#include "outbound/http_client.hpp"

#include "support/event.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/url/parse.hpp>

#include <openssl/ssl.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <vector>

namespace authsim::outbound {

using tcp = net::ip::tcp;
using steady = std::chrono::steady_clock;

namespace {

constexpr std::size_t header_limit = 16 * 1024;

// Where a URL sends a call.
struct target {
  bool tls = false;
  std::string host;       // for the socket and SNI: no brackets, decoded
  std::string host_header;  // as it goes in Host: host[:port], never empty
  std::uint16_t port = 0;
  std::string path;       // path and query, as they go on the request line
  bool host_is_address = false;
};

std::optional<target> parse_target(const std::string& url, std::string& why) {
  const auto parsed = boost::urls::parse_uri(url);
  if (!parsed) {
    why = "'" + url + "' is not an absolute URL (" + parsed.error().message() + ")";
    return std::nullopt;
  }
  const boost::urls::url_view& u = *parsed;
  target t;
  if (u.scheme_id() == boost::urls::scheme::https) {
    t.tls = true;
  } else if (u.scheme_id() != boost::urls::scheme::http) {
    why = "'" + url + "' is not an http or https URL";
    return std::nullopt;
  }
  if (!u.has_authority() || u.encoded_host().empty()) {
    why = "'" + url + "' has no host";
    return std::nullopt;
  }
  t.host = u.host_address();
  t.host_is_address = u.host_type() == boost::urls::host_type::ipv4 || u.host_type() == boost::urls::host_type::ipv6;
  t.host_header = std::string(u.encoded_host_and_port());
  if (u.has_port()) {
    if (u.port().empty() || u.port_number() == 0) {
      why = "'" + url + "' has no valid port";
      return std::nullopt;
    }
    t.port = u.port_number();
  } else {
    t.port = t.tls ? 443 : 80;
  }
  t.path = u.encoded_path().empty() ? std::string("/") : std::string(u.encoded_path());
  if (u.has_query()) {
    t.path += "?";
    t.path += u.encoded_query();
  }
  return t;
}

std::string ms_text(std::chrono::milliseconds ms) { return std::to_string(ms.count()) + " ms"; }

std::string ssl_reason(const error_code& ec) {
  if (ec.category() == net::error::get_ssl_category()) {
    const char* reason = ERR_reason_error_string(static_cast<unsigned long>(ec.value()));
    if (reason != nullptr) {
      return reason;
    }
  }
  return ec.message();
}

}  // namespace

// One connection to one host: its own strand, so that its timer and its
// reads and writes never run at once.
struct connection {
  explicit connection(net::io_context& ioc) : strand(net::make_strand(ioc)) {}

  net::strand<net::io_context::executor_type> strand;
  std::optional<beast::tcp_stream> plain;
  std::optional<beast::ssl_stream<beast::tcp_stream>> secure;
  beast::flat_buffer buffer;
  steady::time_point idle_since{};

  beast::tcp_stream& tcp() { return secure ? beast::get_lowest_layer(*secure) : *plain; }
  // On the strand.
  void close() {
    error_code ignored;
    tcp().socket().close(ignored);
  }
};

// What one call shares with whoever may end it (shutdown).
struct call_state {
  std::mutex mutex;
  bool cancelled = false;
  std::shared_ptr<connection> conn;          // while one is in use
  std::shared_ptr<support::event> slot_wait;  // while waiting for a slot

  void cancel() {
    const std::lock_guard lock(mutex);
    cancelled = true;
    if (conn) {
      net::post(conn->strand, [c = conn] { c->close(); });
    }
    if (slot_wait) {
      slot_wait->raise();
    }
  }
  bool is_cancelled() {
    const std::lock_guard lock(mutex);
    return cancelled;
  }
};

struct http_client::impl : std::enable_shared_from_this<impl> {
  impl(net::io_context& io, client_settings s) : ioc(io), settings(std::move(s)) {
    verifying.set_default_verify_paths();
    if (!settings.ca_file.empty()) {
      error_code ec;
      verifying.load_verify_file(settings.ca_file, ec);
      if (ec) {
        throw std::runtime_error("--outbound-ca: cannot load '" + settings.ca_file + "': " + ssl_reason(ec));
      }
    }
    verifying.set_verify_mode(net::ssl::verify_peer);
    trusting.set_verify_mode(net::ssl::verify_none);
    for (net::ssl::context* ctx : {&verifying, &trusting}) {
      SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
    }
  }

  net::io_context& ioc;
  client_settings settings;
  net::ssl::context verifying{net::ssl::context::tls_client};
  net::ssl::context trusting{net::ssl::context::tls_client};

  mutable std::mutex mutex;  // guards everything below
  bool stopping = false;
  std::size_t busy_slots = 0;
  std::set<std::shared_ptr<call_state>> calls;
  std::vector<std::shared_ptr<support::event>> slot_waiters;
  std::map<std::string, std::vector<std::shared_ptr<connection>>> idle;

  // A slot for a call, at once when one is free; false otherwise.
  bool try_take_slot() {
    const std::lock_guard lock(mutex);
    if (busy_slots >= settings.max_calls) {
      return false;
    }
    ++busy_slots;
    return true;
  }
  void release_slot() {
    std::vector<std::shared_ptr<support::event>> waiters;
    {
      const std::lock_guard lock(mutex);
      --busy_slots;
      waiters.swap(slot_waiters);
    }
    for (auto& w : waiters) {
      w->raise();
    }
  }

  std::shared_ptr<connection> take_idle(const std::string& key) {
    const std::lock_guard lock(mutex);
    const auto it = idle.find(key);
    if (it == idle.end()) {
      return nullptr;
    }
    const auto now = steady::now();
    while (!it->second.empty()) {
      std::shared_ptr<connection> c = std::move(it->second.back());
      it->second.pop_back();
      if (now - c->idle_since < settings.idle_keep) {
        return c;
      }
    }
    return nullptr;
  }
  void put_idle(const std::string& key, std::shared_ptr<connection> c) {
    c->idle_since = steady::now();
    const std::lock_guard lock(mutex);
    if (stopping) {
      return;
    }
    auto& list = idle[key];
    // The oldest goes first when the list is full.
    if (list.size() >= settings.max_idle_per_host) {
      list.erase(list.begin());
    }
    list.push_back(std::move(c));
  }

  net::awaitable<answer> call(const request& r, const std::shared_ptr<call_state>& state);
  net::awaitable<bool> wait_for_slot(const std::shared_ptr<call_state>& state, steady::time_point deadline);
  // An answer, and what the call does with the connection next.
  struct exchanged {
    answer a;
    bool nothing_received = false;  // failed before any answer byte
    bool reusable = false;          // answered, and the far end keeps it open
  };
  net::awaitable<exchanged> exchange(std::shared_ptr<connection> c, bool fresh, const target& t, const request& r,
                                     steady::time_point deadline);
};

namespace {

template <class Stream>
net::awaitable<error_code> send_and_read(Stream& stream, beast::flat_buffer& buffer,
                                         const bhttp::request<bhttp::string_body>& req,
                                         bhttp::response_parser<bhttp::string_body>& parser) {
  auto [write_ec, written] = co_await bhttp::async_write(stream, req, use_tuple);
  if (write_ec) {
    co_return write_ec;
  }
  auto [read_ec, read] = co_await bhttp::async_read(stream, buffer, parser, use_tuple);
  co_return read_ec;
}

bool closed_early(const error_code& ec) {
  return ec == net::error::eof || ec == bhttp::error::end_of_stream || ec == net::error::connection_reset ||
         ec == net::error::broken_pipe || ec == net::ssl::error::stream_truncated;
}

}  // namespace

net::awaitable<bool> http_client::impl::wait_for_slot(const std::shared_ptr<call_state>& state,
                                                      steady::time_point deadline) {
  while (!try_take_slot()) {
    if (steady::now() >= deadline || state->is_cancelled()) {
      co_return false;
    }
    auto wake = std::make_shared<support::event>(co_await net::this_coro::executor);
    {
      const std::lock_guard lock(mutex);
      slot_waiters.push_back(wake);
    }
    {
      const std::lock_guard lock(state->mutex);
      state->slot_wait = wake;
    }
    // A slot freed between the try and the registration raised nobody:
    // look once more before sleeping.
    if (try_take_slot()) {
      break;
    }
    co_await wake->wait_until(deadline);
    const std::lock_guard lock(state->mutex);
    state->slot_wait = nullptr;
  }
  const std::lock_guard lock(state->mutex);
  state->slot_wait = nullptr;
  co_return true;
}

// On the connection's strand.
net::awaitable<http_client::impl::exchanged> http_client::impl::exchange(std::shared_ptr<connection> c, bool fresh,
                                                                         const target& t, const request& r,
                                                                         steady::time_point deadline) {
  exchanged result;
  answer& out = result.a;
  out.reused_connection = !fresh;
  const std::string where = t.host + ":" + std::to_string(t.port);
  if (fresh) {
    if (t.tls) {
      c->secure.emplace(c->strand, r.verify_tls ? verifying : trusting);
    } else {
      c->plain.emplace(c->strand);
    }
    std::vector<tcp::endpoint> endpoints;
    if (t.host_is_address) {
      error_code ec;
      const auto address = net::ip::make_address(t.host, ec);
      endpoints.emplace_back(address, t.port);
    } else {
      tcp::resolver resolver(c->strand);
      auto [ec, results] = co_await resolver.async_resolve(t.host, std::to_string(t.port), use_tuple);
      if (ec) {
        out.error = failure::resolve;
        out.detail = "cannot resolve '" + t.host + "': " + ec.message();
        co_return result;
      }
      for (const auto& entry : results) {
        endpoints.push_back(entry.endpoint());
      }
    }
    const auto connect_deadline = std::min(deadline, steady::now() + r.connect_timeout);
    c->tcp().expires_at(connect_deadline);
    auto [ec, ep] = co_await c->tcp().async_connect(endpoints, use_tuple);
    if (ec) {
      out.error = ec == beast::error::timeout ? failure::timeout : failure::connect;
      out.detail = ec == beast::error::timeout
                       ? "no connection to " + where + " within the connect deadline (" + ms_text(r.connect_timeout) + ")"
                       : "cannot connect to " + where + ": " + ec.message();
      co_return result;
    }
    if (t.tls) {
      if (!t.host_is_address) {
        // SSL_set_tlsext_host_name is a macro with a C cast in it.
        SSL_ctrl(c->secure->native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                 const_cast<char*>(t.host.c_str()));
      }
      if (r.verify_tls) {
        c->secure->set_verify_callback(net::ssl::host_name_verification(t.host));
      }
      auto [hs_ec] = co_await c->secure->async_handshake(net::ssl::stream_base::client, use_tuple);
      if (hs_ec) {
        out.error = hs_ec == beast::error::timeout ? failure::timeout : failure::tls;
        out.detail = hs_ec == beast::error::timeout
                         ? "no TLS handshake with " + where + " within the connect deadline (" +
                               ms_text(r.connect_timeout) + ")"
                         : "TLS handshake with " + where + " failed: " + ssl_reason(hs_ec);
        co_return result;
      }
    }
  }
  c->tcp().expires_at(deadline);

  bhttp::request<bhttp::string_body> req{bhttp::verb::post, t.path, 11};
  req.set(bhttp::field::host, t.host_header);
  for (const auto& [name, value] : r.headers) {
    req.insert(name, value);
  }
  req.body() = r.body;
  req.prepare_payload();
  req.keep_alive(true);

  bhttp::response_parser<bhttp::string_body> parser;
  parser.header_limit(header_limit);
  parser.body_limit(settings.max_answer_bytes);
  const error_code ec = t.tls ? co_await send_and_read(*c->secure, c->buffer, req, parser)
                              : co_await send_and_read(*c->plain, c->buffer, req, parser);
  if (ec) {
    if (ec == beast::error::timeout) {
      out.error = failure::timeout;
      out.detail = "no whole answer from " + where + " within the call's deadline";
    } else if (ec == bhttp::error::body_limit) {
      out.error = failure::too_large;
      out.detail = "the answer from " + where + " is larger than " + std::to_string(settings.max_answer_bytes) +
                   " bytes";
    } else if (ec == bhttp::error::header_limit) {
      out.error = failure::too_large;
      out.detail = "the answer's headers from " + where + " are larger than " + std::to_string(header_limit) +
                   " bytes";
    } else if (closed_early(ec) || ec == net::error::operation_aborted || ec == net::error::bad_descriptor) {
      out.error = failure::closed;
      out.detail = (parser.got_some() ? "the connection to " + where + " ended before the whole answer ("
                                      : "the connection to " + where + " ended before any answer (") +
                   ec.message() + ")";
      result.nothing_received = !parser.got_some();
    } else if (ec.category() == bhttp::make_error_code(bhttp::error::bad_version).category()) {
      out.error = failure::protocol;
      out.detail = "what " + where + " sent is not an HTTP answer (" + ec.message() + ")";
    } else {
      out.error = failure::closed;
      out.detail = "the call to " + where + " failed: " + ec.message();
    }
    co_return result;
  }
  auto& res = parser.get();
  out.status = res.result_int();
  for (const auto& field : res) {
    out.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  out.body = std::move(res.body());
  result.reusable = res.keep_alive();
  if (!result.reusable) {
    c->close();
  }
  co_return result;
}

net::awaitable<answer> http_client::impl::call(const request& r, const std::shared_ptr<call_state>& state) {
  const auto started = steady::now();
  const auto deadline = started + r.total_timeout;
  answer out;
  const auto finish = [&](answer a) {
    a.latency_us = std::chrono::duration_cast<std::chrono::microseconds>(steady::now() - started).count();
    return a;
  };
  std::string why;
  const std::optional<target> t = parse_target(r.url, why);
  if (!t) {
    out.error = failure::bad_url;
    out.detail = why;
    co_return finish(std::move(out));
  }
  if (!co_await wait_for_slot(state, deadline)) {
    out.error = state->is_cancelled() ? failure::cancelled : failure::busy;
    out.detail = state->is_cancelled() ? "the call was cancelled while waiting for a free call slot"
                                       : "no free call slot within the call's deadline (" +
                                             std::to_string(settings.max_calls) + " calls at once)";
    co_return finish(std::move(out));
  }
  const std::string key =
      (t->tls ? "https://" : "http://") + t->host_header + (t->tls && !r.verify_tls ? "#unverified" : "");
  for (int attempt = 0; attempt < 2; ++attempt) {
    std::shared_ptr<connection> c = take_idle(key);
    const bool fresh = c == nullptr;
    if (fresh) {
      c = std::make_shared<connection>(ioc);
    }
    {
      const std::lock_guard lock(state->mutex);
      if (state->cancelled) {
        break;
      }
      state->conn = c;
    }
    exchanged x = co_await net::co_spawn(c->strand, exchange(c, fresh, *t, r, deadline), net::use_awaitable);
    out = std::move(x.a);
    {
      const std::lock_guard lock(state->mutex);
      state->conn = nullptr;
    }
    if (state->is_cancelled()) {
      out.error = failure::cancelled;
      out.detail = "the call was cancelled: the server is stopping";
      break;
    }
    if (out.answered()) {
      if (x.reusable) {
        put_idle(key, std::move(c));
      }
      break;
    }
    // A kept-alive connection the far end had closed: once more, anew.
    if (fresh || out.error != failure::closed || !x.nothing_received || steady::now() >= deadline) {
      break;
    }
  }
  if (state->is_cancelled() && out.answered()) {
    out.error = failure::cancelled;
    out.detail = "the call was cancelled: the server is stopping";
  }
  release_slot();
  co_return finish(std::move(out));
}

http_client::http_client(net::io_context& ioc, client_settings settings)
    : impl_(std::make_shared<impl>(ioc, std::move(settings))) {}

http_client::~http_client() { shutdown(); }

net::awaitable<answer> http_client::async_post(const request& r) {
  // The call keeps the client's state alive: a frame destroyed with the
  // io_context after the client must find it still there.
  const std::shared_ptr<impl> self = impl_;
  auto state = std::make_shared<call_state>();
  {
    const std::lock_guard lock(self->mutex);
    if (self->stopping) {
      answer out;
      out.error = failure::cancelled;
      out.detail = "the server is stopping: no new outbound calls";
      co_return out;
    }
    self->calls.insert(state);
  }
  answer out = co_await self->call(r, state);
  const std::lock_guard lock(self->mutex);
  self->calls.erase(state);
  co_return out;
}

void http_client::shutdown() {
  std::set<std::shared_ptr<call_state>> calls;
  std::map<std::string, std::vector<std::shared_ptr<connection>>> idle;
  {
    const std::lock_guard lock(impl_->mutex);
    impl_->stopping = true;
    calls = impl_->calls;
    idle.swap(impl_->idle);
  }
  for (const auto& c : calls) {
    c->cancel();
  }
  for (auto& [key, list] : idle) {
    for (auto& c : list) {
      net::post(c->strand, [c] { c->close(); });
    }
  }
}

std::size_t http_client::in_flight() const {
  const std::lock_guard lock(impl_->mutex);
  return impl_->calls.size();
}

}  // namespace authsim::outbound

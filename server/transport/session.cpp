#include "transport/session.hpp"

#include "admin/paths.hpp"
#include "faults/engine.hpp"
#include "http/exchange_record.hpp"
#include "support/async.hpp"
#include "support/log.hpp"
#include "support/text.hpp"
#include "transport/connection_faults.hpp"
#include "transport/request_reader.hpp"
#include "transport/streams.hpp"
#include "transport/wire.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/detect_ssl.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <array>
#include <type_traits>
#include <cerrno>

#include <sys/socket.h>
#include <memory>
#include <optional>

namespace authsim::transport {

namespace {

// A drained connection is read for at most this long and this much after a
// refused upload, so the client sees our answer instead of a reset, without
// letting it keep us busy.
constexpr std::chrono::milliseconds drain_time{2'000};
constexpr std::size_t drain_bytes = 1024 * 1024;

// Errors that end a connection in the normal course of things: the peer
// closed or reset it, our shutdown cancelled it, or it idled out. They are
// not worth a log line.
bool benign(const error_code& ec) {
  return ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message || ec == net::error::eof ||
         ec == net::error::operation_aborted ||
         ec == net::error::connection_reset || ec == net::error::broken_pipe ||
         ec == net::error::not_connected || ec == beast::error::timeout ||
         // A TLS client that closes without close_notify, as many do once
         // they have their answer: the HTTP framing already told us the
         // message was whole.
         ec == net::ssl::error::stream_truncated;
}

// The parser's verdict on bytes that are not an HTTP request. A stream that
// ends early (end_of_stream, partial_message) is the peer leaving instead.
bool is_parse_error(const error_code& ec) {
  return ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category() &&
         ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message;
}

void log_failure(const error_code& ec, const char* where) {
  if (!benign(ec)) {
    support::log_message(support::log_level::warn, std::string(where) + ": " + ec.message());
  }
}

// Shared between the session and the closer the tracker calls on shutdown;
// only ever touched on the connection's strand.
struct connection_state {
  beast::tcp_stream* stream = nullptr;
  bool idle = false;
};

template <class Stream>
net::awaitable<void> write_answer(Stream& stream, bhttp::response<bhttp::string_body>& res,
                                  std::chrono::milliseconds timeout, bool& ok) {
  beast::get_lowest_layer(stream).expires_after(timeout);
  auto [ec, n] = co_await bhttp::async_write(stream, res, use_tuple);
  ok = !ec;
  if (ec) {
    log_failure(ec, "write");
  }
}

// After answering a request whose body we refused: stop sending, then read
// and discard what the client is still uploading, within a byte and time
// cap, so that closing does not reset the connection under our answer.
// Over TLS the discarded bytes are read below the TLS layer: they are
// thrown away, so there is nothing to decrypt.
net::awaitable<void> drain_and_close(beast::tcp_stream& stream) {
  error_code ec;
  stream.socket().shutdown(net::ip::tcp::socket::shutdown_send, ec);
  std::array<char, 16 * 1024> sink{};
  std::size_t total = 0;
  stream.expires_after(drain_time);
  while (total < drain_bytes) {
    auto [read_ec, n] = co_await stream.async_read_some(net::buffer(sink), use_tuple);
    if (read_ec) {
      break;
    }
    total += n;
  }
  stream.socket().close(ec);
}

// Puts the exchange in the journal, the metrics and the log. Admin calls
// are left out of the journal and the metrics (they are the observer, not
// the traffic observed) and logged only at debug level.
// The request is taken over: the journal keeps it. So is the answer's body
// with `take_answer`, when it has already been turned into bytes to send.
void record(const session_context& ctx, http::request req, http::response* res,
            const faults::decision& d, std::int64_t sim_time, std::chrono::steady_clock::time_point started,
            bool take_answer = false) {
  const std::string_view path = req.path();
  const bool admin_call = path.starts_with(admin::prefix);
  const support::log_level level = admin_call ? support::log_level::debug : support::log_level::info;
  const bool logged = support::log_enabled(level);
  if (admin_call && !logged) {
    return;
  }
  http::exchange x;
  x.req = &req;
  x.res = res;
  x.rule = d.rule_label;
  x.fault = d.failure ? faults::fault_name(d.failure->kind) : "";
  x.time_ms = sim_time;
  x.duration_us =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started).count();
  const http::answer_summary summary = http::summarize(x);
  if (logged) {
    support::log_event(level, http::log_fields(x, summary), http::log_text(x, summary));
  }
  if (admin_call) {
    return;
  }
  const std::string& outcome = summary.outcome;
  const bool known = ctx.router.knows(path);
  std::string path_text(path);
  if (ctx.journal != nullptr) {
    ctx.journal->add(path_text, outcome, http::journal_payload(std::move(req), res, x, take_answer), known);
  }
  if (ctx.metrics != nullptr) {
    ctx.metrics->record_request(known ? path_text : "other", outcome,
                                static_cast<double>(x.duration_us) / 1e6);
    if (d.delay.count() > 0) ctx.metrics->record_fault("delay");
    if (d.answer) ctx.metrics->record_fault("respond");
    if (d.rate_limited) ctx.metrics->record_fault("rate_limit");
    if (d.failure) ctx.metrics->record_fault(x.fault);
  }
}

// A request refused while it was being read: no scenario applied, and no
// time was spent on it beyond the reading.
void record_refusal(const session_context& ctx, http::request partial, http::response& answer) {
  record(ctx, std::move(partial), &answer, faults::decision{}, ctx.clock != nullptr ? ctx.clock->now_ms() : 0,
         std::chrono::steady_clock::now());
}

using request_parser = bhttp::basic_parser<true>;

// Feeds the parser what is already buffered, toward the end of a stage:
// the header (`whole_message` false) or the whole request. Returns the
// stage's outcome when the buffer settles it, nothing when more bytes must
// be read. Requests usually arrive whole in the read that woke the
// connection, so most stages end here, without a read.
std::optional<error_code> feed(beast::flat_buffer& buffer, request_parser& parser, bool whole_message) {
  parser.eager(whole_message);
  for (;;) {
    if (whole_message ? parser.is_done() : parser.is_header_done()) {
      return error_code{};
    }
    if (buffer.size() == 0) {
      return std::nullopt;
    }
    error_code ec;
    const std::size_t used = parser.put(buffer.data(), ec);
    buffer.consume(used);
    if (ec == bhttp::error::need_more || (!ec && used == 0)) {
      return std::nullopt;
    }
    if (ec) {
      return ec;
    }
  }
}

// Reads until the stage ends (see feed). Errors are those Beast's reads
// give: the parser's own (limits, syntax), end_of_stream when the peer left
// between requests, partial_message when it left in the middle of one.
template <class Stream>
net::awaitable<error_code> read_stage(Stream& stream, beast::flat_buffer& buffer, request_parser& parser,
                                      bool whole_message) {
  for (;;) {
    if (const std::optional<error_code> settled = feed(buffer, parser, whole_message)) {
      co_return *settled;
    }
    auto [rec, got] = co_await stream.async_read_some(buffer.prepare(16 * 1024), use_tuple);
    if (rec == net::error::eof) {
      error_code eof_ec;
      if (parser.got_some()) {
        parser.put_eof(eof_ec);
        co_return eof_ec ? eof_ec : error_code(bhttp::error::partial_message);
      }
      co_return error_code(bhttp::error::end_of_stream);
    }
    if (rec) {
      co_return rec;
    }
    buffer.commit(got);
  }
}

// Serves requests on `stream` until the connection ends. `buffer` may
// already hold the first bytes of the first request.
template <class Stream>
net::awaitable<void> run_connection(Stream& stream, beast::flat_buffer& buffer, const std::string& remote,
                                    const std::shared_ptr<connection_state>& state, const session_context& ctx) {
  auto& tcp = beast::get_lowest_layer(stream);
  // Plain TCP answers are first tried with one non-blocking write (see
  // below); the socket is put in that mode once, here.
  bool write_at_once = false;
  if constexpr (std::is_same_v<Stream, plain_stream>) {
    error_code nb;
    tcp.socket().non_blocking(true, nb);
    write_at_once = !nb;
  }
  // Every turn of the loop after the first follows an answer.
  for (bool after_answer = false;; after_answer = true) {
    // After an answer, the client's next request cannot be here yet unless
    // it pipelines, and reading at once would mostly find nothing: a wasted
    // system call, then a wait in the reactor. Letting the other ready
    // connections go first gives it time to arrive, and under load the
    // read below then finds it at once.
    if (after_answer && buffer.size() == 0) {
      co_await net::post(stream.get_executor(), net::use_awaitable);
    }
    // Checked on the strand just before waiting: a shutdown that came
    // earlier is seen here, one that comes later finds `idle` set.
    state->idle = true;
    if (ctx.tracker.stopping()) {
      break;
    }
    request_reader parser(remote);
    parser.header_limit(static_cast<std::uint32_t>(ctx.limits.header_limit));
    parser.body_limit(ctx.limits.body_limit);
    // One deadline for the whole request, header and body: a client that
    // trickles bytes is cut off all the same. When it passes, tcp_stream
    // closes the socket, so a late request gets no answer, only the close.
    // Waiting for a request to begin is bounded by the idle timeout; once
    // its first byte is here, the whole request by the read timeout.
    if (buffer.size() == 0) {
      tcp.expires_after(ctx.limits.idle_timeout);
      auto [idle_ec, got] = co_await stream.async_read_some(buffer.prepare(4096), use_tuple);
      if (idle_ec) {
        log_failure(idle_ec, "read");
        break;
      }
      buffer.commit(got);
    }
    state->idle = false;
    const auto deadline = std::chrono::steady_clock::now() + ctx.limits.read_timeout;
    tcp.expires_at(deadline);

    // The coroutine that reads is only started when the buffer falls short.
    const std::optional<error_code> header_settled = feed(buffer, parser, false);
    error_code ec = header_settled ? *header_settled : co_await read_stage(stream, buffer, parser, false);
    // A request body's length must be known: with a Transfer-Encoding that
    // does not end in chunked it is not (RFC 9112 section 6.3), and guessing
    // is how requests get smuggled.
    if (!ec && parser.has_transfer_encoding() && !parser.chunked()) {
      const unsigned version = parser.version();
      http::request partial = parser.take(false);
      http::response refusal =
          ctx.router.error(partial, http::failure_kind::bad_request, "Transfer-Encoding must end in chunked");
      record_refusal(ctx, std::move(partial), refusal);
      auto wire = to_wire(std::move(refusal), version, false);
      bool ok = false;
      co_await write_answer(stream, wire, ctx.limits.read_timeout, ok);
      if (ok) {
        co_await drain_and_close(tcp);
      }
      break;
    }
    // HTTP/1.0 has no 100 Continue: its clients send the body anyway.
    const std::string* expect = ec ? nullptr : parser.request().headers.find("Expect");
    if (expect != nullptr && parser.version() >= 11 && support::iequals(*expect, "100-continue") &&
        !parser.is_done()) {
      bhttp::response<bhttp::empty_body> cont{bhttp::status::continue_, parser.version()};
      tcp.expires_at(deadline);
      auto [wec, wn] = co_await bhttp::async_write(stream, cont, use_tuple);
      if (wec) {
        log_failure(wec, "write 100-continue");
        break;
      }
      tcp.expires_at(deadline);
    }
    if (!ec && !parser.is_done()) {
      const std::optional<error_code> body_settled = feed(buffer, parser, true);
      ec = body_settled ? *body_settled : co_await read_stage(stream, buffer, parser, true);
    }

    if (ec) {
      const bool got_header = parser.is_header_done() || ec == bhttp::error::body_limit;
      const unsigned version = got_header ? parser.version() : 11;
      const bool head = got_header && parser.method() == bhttp::verb::head;
      http::request partial = parser.take(false);
      std::optional<http::response> answer;
      bool drain = false;
      if (ec == bhttp::error::body_limit) {
        answer = ctx.router.error(partial, http::failure_kind::body_too_large,
                                  std::to_string(ctx.limits.body_limit));
        drain = true;
      } else if (ec == bhttp::error::header_limit) {
        answer = ctx.router.error(partial, http::failure_kind::header_too_large,
                                  std::to_string(ctx.limits.header_limit));
        drain = true;
      } else if (is_parse_error(ec)) {
        answer = ctx.router.error(partial, http::failure_kind::bad_request, ec.message());
        drain = true;
      } else {
        log_failure(ec, "read");
      }
      if (answer) {
        // Refused while reading, but journaled and counted all the same: a
        // partner looks for their 413 in the journal too.
        record_refusal(ctx, std::move(partial), *answer);
        auto wire = to_wire(std::move(*answer), version, false, head);
        bool ok = false;
        co_await write_answer(stream, wire, ctx.limits.read_timeout, ok);
        if (ok && drain) {
          co_await drain_and_close(tcp);
        }
      }
      break;
    }

    const auto started = std::chrono::steady_clock::now();
    const bool head = parser.method() == bhttp::verb::head;
    const unsigned version = parser.version();
    const bool client_keep_alive = parser.keep_alive();
    http::request request = parser.take(true);
    const std::int64_t sim_time = ctx.clock != nullptr ? ctx.clock->now_ms() : 0;
    faults::decision d = ctx.engine != nullptr ? ctx.engine->decide(request) : faults::decision{};

    if (d.delay.count() > 0) {
      net::steady_timer pause(stream.get_executor(), d.delay);
      co_await pause.async_wait(use_tuple);
    }
    // Connection-level faults that send no answer end the connection here.
    if (d.failure && d.failure->kind != faults::fault_kind::malformed_body &&
        d.failure->kind != faults::fault_kind::slow_body) {
      // Journaled first: a client that sees the fault and then asks the
      // journal must find it there.
      record(ctx, std::move(request), nullptr, d, sim_time, started);
      switch (d.failure->kind) {
        case faults::fault_kind::connection_reset: reset_connection(tcp); break;
        case faults::fault_kind::empty_response: close_without_answer(tcp); break;
        case faults::fault_kind::hang:
          // A hanging connection is as good as idle: shutdown may close it.
          state->idle = true;
          if (!ctx.tracker.stopping()) {
            co_await hang(tcp, std::chrono::milliseconds(d.failure->max_ms));
          }
          close_without_answer(tcp);
          break;
        case faults::fault_kind::random_data_then_close:
          co_await random_data_then_close(stream, static_cast<std::size_t>(d.failure->bytes));
          break;
        case faults::fault_kind::malformed_body:
        case faults::fault_kind::slow_body: break;
      }
      break;
    }

    http::response answer;
    if (!d.unknown_scenario.empty()) {
      answer = ctx.router.error(request, http::failure_kind::unknown_scenario, d.unknown_scenario);
    } else if (d.rate_limited) {
      answer = ctx.router.error(request, http::failure_kind::rate_limited, d.rate_detail);
      answer.headers.set("Retry-After", std::to_string(d.retry_after_s));
    } else if (d.answer) {
      answer = std::move(*d.answer);
    } else {
      answer = ctx.router.dispatch(request);
    }
    // A long poll: ask again every few milliseconds until there is an
    // answer, the deadline passes, or the server stops.
    bool client_left = false;
    while (answer.later) {
      const auto later = answer.later;
      const bool final = std::chrono::steady_clock::now() >= later->deadline || ctx.tracker.stopping();
      if (auto ready = later->poll(final)) {
        answer = std::move(*ready);
        break;
      }
      // A client that gave up ends the wait: nothing else reads the socket
      // meanwhile, so look (without taking anything) for its close.
      char probe = 0;
      const auto peeked = ::recv(tcp.socket().native_handle(), &probe, 1, MSG_PEEK | MSG_DONTWAIT);
      if (peeked == 0 || (peeked < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
        client_left = true;
        break;
      }
      net::steady_timer tick(stream.get_executor(), std::chrono::milliseconds(10));
      co_await tick.async_wait(use_tuple);
    }
    if (client_left) {
      break;  // the long-polling client gave up: nobody to answer
    }
    if (d.applies()) {
      answer.headers.set(faults::rule_header, d.rule_label);
    }
    // HEAD has no body to dribble: it is answered at once.
    const bool slow = d.failure && d.failure->kind == faults::fault_kind::slow_body && !head;
    if (d.failure && d.failure->kind == faults::fault_kind::malformed_body) {
      faults::make_malformed(answer);
    }
    // Decided now, after any delay: a shutdown that began meanwhile must
    // not be contradicted by a promise to keep the connection.
    const bool keep_alive = client_keep_alive && !ctx.tracker.stopping();
    // Most answers go out as one string written in one call; the rest
    // (a dribbled body, a header Beast must manage) through Beast.
    std::optional<std::string> bytes;
    if (!slow) {
      bytes = to_bytes(answer, version, keep_alive, head);
    }
    // Journaled before the answer leaves, so that a client that has its
    // answer always finds its request in the journal. An answer already
    // in bytes is handed to the journal instead of copied.
    record(ctx, std::move(request), &answer, d, sim_time, started, bytes.has_value());
    if (bytes) {
      std::size_t sent = 0;
      error_code wec;
      // Over plain TCP an answer nearly always fits the socket's send
      // buffer: one non-blocking write, without an operation, a timer
      // and a round through the executor. What does not fit is written
      // the usual way, bounded in time.
      if (write_at_once) {
        sent = tcp.socket().write_some(net::buffer(*bytes), wec);
        if (wec == net::error::would_block || wec == net::error::try_again) {
          wec = {};
        }
      }
      if (!wec && sent < bytes->size()) {
        tcp.expires_after(ctx.limits.read_timeout);
        auto [awec, wn] = co_await net::async_write(stream, net::buffer(*bytes) + sent, use_tuple);
        wec = awec;
      }
      if (wec) {
        log_failure(wec, "write");
      } else if (keep_alive) {
        continue;
      }
      break;
    }
    auto wire = to_wire(std::move(answer), version, keep_alive, head);
    bool ok = false;
    if (slow) {
      ok = co_await slow_answer(stream, wire, std::chrono::milliseconds(d.failure->duration_ms));
    } else {
      co_await write_answer(stream, wire, ctx.limits.read_timeout, ok);
    }
    if (!ok || !keep_alive) {
      break;
    }
  }

}

// Ends a TLS connection with close_notify, briefly: a client that does not
// answer it is not waited for.
net::awaitable<void> close_tls(tls_stream& stream) {
  auto& tcp = beast::get_lowest_layer(stream);
  if (tcp.socket().is_open()) {
    tcp.expires_after(std::chrono::seconds(1));
    co_await stream.async_shutdown(use_tuple);
  }
}

}  // namespace

net::awaitable<void> serve(net::ip::tcp::socket socket, const session_context& ctx) {
  // Keep running after cancellation so a last answer can still be written
  // during shutdown; cancellation shows up as operation_aborted instead.
  co_await net::this_coro::throw_if_cancelled(false);

  beast::tcp_stream stream(std::move(socket));
  error_code ignored;
  const auto remote_endpoint = stream.socket().remote_endpoint(ignored);
  const std::string remote = remote_endpoint.address().to_string();

  auto state = std::make_shared<connection_state>();
  state->stream = &stream;
  state->idle = true;
  const auto registration = ctx.tracker.add([state, ex = stream.get_executor()] {
    net::post(ex, [state] {
      if (state->idle && state->stream != nullptr) {
        error_code ec;
        state->stream->socket().cancel(ec);
      }
    });
  });

  beast::flat_buffer buffer;
  if (ctx.tls == nullptr) {
    co_await run_connection(stream, buffer, remote, state, ctx);
  } else if (!ctx.tracker.stopping()) {
    // One port for both: a TLS ClientHello starts with a handshake record,
    // plain HTTP with a method name. What was read to tell them apart stays
    // in `buffer` for the handshake or the HTTP parser.
    stream.expires_after(ctx.limits.idle_timeout);
    auto [ec, is_tls] = co_await beast::async_detect_ssl(stream, buffer, use_tuple);
    if (ec) {
      log_failure(ec, "detect TLS");
    } else if (!is_tls) {
      co_await run_connection(stream, buffer, remote, state, ctx);
    } else {
      tls_stream secure(std::move(stream), *ctx.tls);
      state->stream = &beast::get_lowest_layer(secure);
      state->idle = false;
      beast::get_lowest_layer(secure).expires_after(ctx.limits.read_timeout);
      auto [hec, used] =
          co_await secure.async_handshake(net::ssl::stream_base::server, buffer.data(), use_tuple);
      if (hec) {
        log_failure(hec, "TLS handshake");
      } else {
        buffer.consume(used);
        co_await run_connection(secure, buffer, remote, state, ctx);
        co_await close_tls(secure);
      }
      state->stream = nullptr;
      error_code ec2;
      beast::get_lowest_layer(secure).socket().shutdown(net::ip::tcp::socket::shutdown_send, ec2);
      beast::get_lowest_layer(secure).socket().close(ec2);
      co_return;
    }
  }
  state->stream = nullptr;
  error_code ec;
  stream.socket().shutdown(net::ip::tcp::socket::shutdown_send, ec);
  stream.socket().close(ec);
}

}  // namespace authsim::transport

#pragma once
// The request loop of one connection, over any stream: plain TCP, TLS over
// TCP, or (in the session tests) Beast's test::stream. Wait for a request,
// read it within the limits, hand it to the pipeline, carry out the
// outcome; again while the connection is kept alive. A template in a
// header so that the tests can run it over their own stream.

#include "pipeline/pipeline.hpp"
#include "support/async.hpp"
#include "support/text.hpp"
#include "transport/connection_faults.hpp"
#include "transport/connection_state.hpp"
#include "transport/io_errors.hpp"
#include "transport/request_reader.hpp"
#include "transport/session.hpp"
#include "transport/streams.hpp"
#include "transport/wire.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/write.hpp>

#include <optional>
#include <string>
#include <type_traits>

namespace authsim::transport {

// Why reading a request stopped short: the peer left, timed out or a write
// failed (no answer: `ec`, logged as `where`), or the request is refused
// with an answer (`refused`).
struct read_failure {
  error_code ec;
  const char* where = "read";
  struct refusal {
    http::failure_kind kind;
    std::string detail;
  };
  std::optional<refusal> refused;
};

template <class Stream>
class connection_loop {
 public:
  // `buffer` may already hold the first bytes of the first request.
  connection_loop(Stream& stream, beast::flat_buffer& buffer, connection_state& state, const session_context& ctx,
                  std::string remote, bool tls)
      : stream_(stream), buffer_(buffer), state_(state), ctx_(ctx), remote_(std::move(remote)), tls_(tls) {}

  // Serves requests until the connection ends. The common path (a request
  // that arrives whole in one read, an answer that fits the socket's send
  // buffer) awaits nothing but the read and the handler; the rest is left
  // to helper coroutines.
  net::awaitable<void> run() {
    // Plain TCP answers are first tried with one non-blocking write (see
    // write_now); the socket is put in that mode once, here.
    if constexpr (std::is_same_v<Stream, plain_stream>) {
      error_code ec;
      stream_.socket().non_blocking(true, ec);
      write_at_once_ = !ec;
    }
    for (bool after_answer = false;; after_answer = true) {
      // After an answer, the client's next request cannot be here yet
      // unless it pipelines, and reading at once would mostly find nothing:
      // a wasted system call, then a wait in the reactor. Letting the other
      // ready connections go first gives it time to arrive, and under load
      // the read below then finds it at once.
      if (after_answer && buffer_.size() == 0) {
        co_await net::post(stream_.get_executor(), net::use_awaitable);
      }
      // Checked just before waiting: a shutdown that came earlier is seen
      // here, one that comes later finds the connection idle and cancels it.
      state_.set_idle(true);
      if (ctx_.tracker.stopping()) {
        co_return;
      }
      if (buffer_.size() == 0) {
        expire_after(stream_, ctx_.limits.idle_timeout);
        auto [ec, got] = co_await stream_.async_read_some(buffer_.prepare(4096), use_tuple);
        if (ec) {
          log_failure(ec, "read");
          co_return;
        }
        buffer_.commit(got);
      }
      state_.set_idle(false);
      request_reader parser(remote_);
      parser.header_limit(static_cast<std::uint32_t>(ctx_.limits.header_limit));
      parser.body_limit(ctx_.limits.body_limit);
      std::optional<read_failure> failed;
      if (!read_buffered(parser, failed)) {
        failed = co_await read_request(parser);
      }
      if (failed) {
        co_await refuse(parser, *failed);
        co_return;
      }
      const pipeline::wire_facts wire{parser.version(), parser.keep_alive(), parser.method() == bhttp::verb::head};
      http::request req = parser.take(true);
      req.tls = tls_;
      req.interrupts = &state_;
      pipeline::outcome out = co_await ctx_.pipeline.handle(std::move(req), wire);
      if (out.bytes && write_now(*out.bytes)) {
        if (!out.keep_alive) {
          co_return;
        }
        continue;
      }
      if (!co_await carry_out(out, wire)) {
        co_return;
      }
    }
  }

 private:
  using request_parser = bhttp::basic_parser<true>;

  // Reads the request from what the buffer already holds, when that is
  // enough (it nearly always is); false when bytes must be read or a 100
  // Continue written first (read_request then goes on from there).
  // `failed` is set when the request is refused or the stream ended.
  bool read_buffered(request_reader& parser, std::optional<read_failure>& failed) {
    expire_at(stream_, std::chrono::steady_clock::now() + ctx_.limits.read_timeout);
    std::optional<error_code> settled = feed(parser, false);
    if (settled && !*settled) {
      // read_request deals with these: a body of unknown length (refused,
      // however done the parser thinks the message is), and a client
      // waiting for 100 Continue.
      if ((parser.has_transfer_encoding() && !parser.chunked()) ||
          (!parser.is_done() && parser.request().headers.find("Expect") != nullptr)) {
        return false;
      }
      if (!parser.is_done()) {
        settled = feed(parser, true);
      }
    }
    if (!settled) {
      return false;
    }
    if (*settled) {
      failed = failure_of(*settled);
    }
    return true;
  }

  // Reads the rest of the request into `parser`, within the deadline
  // read_buffered set for header and body: a client that trickles bytes is
  // cut off all the same (the stream then closes, so a late request gets no
  // answer, only the close).
  net::awaitable<std::optional<read_failure>> read_request(request_reader& parser) {
    const auto deadline = std::chrono::steady_clock::now() + ctx_.limits.read_timeout;
    // The coroutine that reads is only started when the buffer falls short.
    const std::optional<error_code> header_settled = feed(parser, false);
    error_code ec = header_settled ? *header_settled : co_await read_stage(parser, false);
    // A request body's length must be known: with a Transfer-Encoding that
    // does not end in chunked it is not (RFC 9112 section 6.3), and guessing
    // is how requests get smuggled.
    if (!ec && parser.has_transfer_encoding() && !parser.chunked()) {
      co_return read_failure{{}, "read", read_failure::refusal{http::failure_kind::bad_request,
                                                               "Transfer-Encoding must end in chunked"}};
    }
    if (!ec) {
      if (const error_code cec = co_await send_continue(parser, deadline)) {
        co_return read_failure{cec, "write 100-continue", std::nullopt};
      }
    }
    if (!ec && !parser.is_done()) {
      const std::optional<error_code> body_settled = feed(parser, true);
      ec = body_settled ? *body_settled : co_await read_stage(parser, true);
    }
    if (!ec) {
      co_return std::nullopt;
    }
    co_return failure_of(ec);
  }

  // What a read that ended in `ec` means: a refusal to answer (limits,
  // not HTTP), or the peer gone.
  read_failure failure_of(const error_code& ec) const {
    read_failure failed{ec, "read", std::nullopt};
    if (ec == bhttp::error::body_limit) {
      failed.refused = {http::failure_kind::body_too_large, std::to_string(ctx_.limits.body_limit)};
    } else if (ec == bhttp::error::header_limit) {
      failed.refused = {http::failure_kind::header_too_large, std::to_string(ctx_.limits.header_limit)};
    } else if (is_parse_error(ec)) {
      failed.refused = {http::failure_kind::bad_request, ec.message()};
    }
    return failed;
  }

  // HTTP/1.1 clients that sent "Expect: 100-continue" wait for a 100 before
  // the body; HTTP/1.0 has no 100 Continue, its clients send the body anyway.
  net::awaitable<error_code> send_continue(const request_reader& parser, std::chrono::steady_clock::time_point deadline) {
    const std::string* expect = parser.request().headers.find("Expect");
    if (expect == nullptr || parser.version() < 11 || !support::iequals(*expect, "100-continue") || parser.is_done()) {
      co_return error_code{};
    }
    bhttp::response<bhttp::empty_body> cont{bhttp::status::continue_, parser.version()};
    expire_at(stream_, deadline);
    auto [ec, n] = co_await bhttp::async_write(stream_, cont, use_tuple);
    expire_at(stream_, deadline);
    co_return ec;
  }

  // Feeds the parser what is already buffered, toward the end of a stage:
  // the header (`whole_message` false) or the whole request. Returns the
  // stage's outcome when the buffer settles it, nothing when more bytes
  // must be read. Requests usually arrive whole in the read that woke the
  // connection, so most stages end here, without a read.
  std::optional<error_code> feed(request_parser& parser, bool whole_message) {
    parser.eager(whole_message);
    for (;;) {
      if (whole_message ? parser.is_done() : parser.is_header_done()) {
        return error_code{};
      }
      if (buffer_.size() == 0) {
        return std::nullopt;
      }
      error_code ec;
      const std::size_t used = parser.put(buffer_.data(), ec);
      buffer_.consume(used);
      if (ec == bhttp::error::need_more || (!ec && used == 0)) {
        return std::nullopt;
      }
      if (ec) {
        return ec;
      }
    }
  }

  // Reads until the stage ends (see feed). Errors are those Beast's reads
  // give: the parser's own (limits, syntax), end_of_stream when the peer
  // left between requests, partial_message when it left in the middle of one.
  net::awaitable<error_code> read_stage(request_parser& parser, bool whole_message) {
    for (;;) {
      if (const std::optional<error_code> settled = feed(parser, whole_message)) {
        co_return *settled;
      }
      auto [ec, got] = co_await stream_.async_read_some(buffer_.prepare(16 * 1024), use_tuple);
      if (ec == net::error::eof) {
        if (parser.got_some()) {
          error_code eof_ec;
          parser.put_eof(eof_ec);
          co_return eof_ec ? eof_ec : error_code(bhttp::error::partial_message);
        }
        co_return error_code(bhttp::error::end_of_stream);
      }
      if (ec) {
        co_return ec;
      }
      buffer_.commit(got);
    }
  }

  // A request that could not be read whole: answered when it was refused
  // (then the rest of an upload is drained before closing), only logged
  // when the peer left or a deadline passed.
  net::awaitable<void> refuse(request_reader& parser, const read_failure& failed) {
    if (!failed.refused) {
      log_failure(failed.ec, failed.where);
      co_return;
    }
    const bool got_header = parser.is_header_done() || failed.ec == bhttp::error::body_limit;
    const pipeline::wire_facts wire{got_header ? parser.version() : 11, false,
                                    got_header && parser.method() == bhttp::verb::head};
    http::request partial = parser.take(false);
    partial.tls = tls_;
    pipeline::outcome out =
        co_await ctx_.pipeline.refuse(std::move(partial), failed.refused->kind, failed.refused->detail, wire);
    const bool sent = out.bytes && write_now(*out.bytes);
    if (sent || co_await write_answer(out, wire)) {
      co_await drain_and_close(stream_);
    }
  }

  // Does what the pipeline said, when write_now could not (the rest of the
  // bytes, an answer Beast writes, a fault); true when the connection goes
  // on to the next request.
  net::awaitable<bool> carry_out(pipeline::outcome& out, const pipeline::wire_facts& wire) {
    if (!out.bytes && !out.answer) {
      co_await carry_out_fault(*out.fault);
      co_return false;
    }
    const bool written = co_await write_answer(out, wire);
    co_return written && out.keep_alive;
  }

  // Writes the outcome's answer (its bytes from where write_now stopped);
  // false when the write failed.
  net::awaitable<bool> write_answer(pipeline::outcome& out, const pipeline::wire_facts& wire) {
    if (out.bytes) {
      co_return co_await write_bytes(*out.bytes);
    }
    auto message = to_wire(std::move(*out.answer), wire.version, out.keep_alive, wire.head);
    if (out.fault) {
      co_return co_await slow_answer(stream_, message, std::chrono::milliseconds(out.fault->duration_ms));
    }
    expire_after(stream_, ctx_.limits.read_timeout);
    auto [ec, n] = co_await bhttp::async_write(stream_, message, use_tuple);
    log_failure(ec, "write");
    co_return !ec;
  }

  // A connection-level fault that sends no answer; the connection ends.
  net::awaitable<void> carry_out_fault(const faults::fault& fault) {
    switch (fault.kind) {
      case faults::fault_kind::connection_reset: reset_connection(stream_); break;
      case faults::fault_kind::empty_response: close_without_answer(stream_); break;
      case faults::fault_kind::hang:
        // A hanging connection is as good as idle: shutdown may close it.
        state_.set_idle(true);
        if (ctx_.tracker.stopping()) {
          close_without_answer(stream_);
        } else {
          co_await hang(stream_, std::chrono::milliseconds(fault.max_ms));
        }
        break;
      case faults::fault_kind::random_data_then_close:
        co_await random_data_then_close(stream_, static_cast<std::size_t>(fault.bytes));
        break;
      case faults::fault_kind::malformed_body:
      case faults::fault_kind::slow_body: break;  // these come with an answer
    }
  }

  // Most answers go out as one string. Over plain TCP it nearly always
  // fits the socket's send buffer: one non-blocking write, without an
  // operation, a timer and a round through the executor. True when it all
  // went; what did not is left to write_bytes.
  bool write_now(const std::string& bytes) {
    written_ = 0;
    write_error_ = {};
    if constexpr (std::is_same_v<Stream, plain_stream>) {
      if (write_at_once_) {
        written_ = stream_.socket().write_some(net::buffer(bytes), write_error_);
        if (write_error_ == net::error::would_block || write_error_ == net::error::try_again) {
          write_error_ = {};
        }
      }
    }
    return !write_error_ && written_ == bytes.size();
  }

  // Writes what write_now left, bounded in time.
  net::awaitable<bool> write_bytes(const std::string& bytes) {
    error_code ec = write_error_;
    if (!ec && written_ < bytes.size()) {
      expire_after(stream_, ctx_.limits.read_timeout);
      auto [wec, n] = co_await net::async_write(stream_, net::buffer(bytes) + written_, use_tuple);
      ec = wec;
    }
    log_failure(ec, "write");
    co_return !ec;
  }

  Stream& stream_;
  beast::flat_buffer& buffer_;
  connection_state& state_;
  const session_context& ctx_;
  const std::string remote_;
  const bool tls_;
  bool write_at_once_ = false;
  std::size_t written_ = 0;  // what write_now sent of the current answer
  error_code write_error_;   // and how it failed
};

}  // namespace authsim::transport

#pragma once
// One HTTP/1.1 connection: read a request (bounded in size and time), hand
// it to the request pipeline, carry out what it says (write the answer, or
// a connection-level fault), again while the connection is kept alive.
// Timeouts, limits, TLS detection and closing idle connections on shutdown
// live here; everything between a request read and its answer lives in the
// pipeline.

#include "pipeline/pipeline.hpp"
#include "support/async.hpp"
#include "transport/connection_tracker.hpp"

#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <cstddef>

namespace boost::asio::ssl {
class context;
}  // namespace boost::asio::ssl

namespace authsim::transport {

struct session_limits {
  std::size_t body_limit = 64 * 1024;
  std::size_t header_limit = 8 * 1024;
  std::chrono::milliseconds read_timeout{10'000};  // one whole request, from its first byte
  std::chrono::milliseconds idle_timeout{30'000};  // waiting for the next request
  std::size_t max_connections = 1024;
};

// Everything here outlives every session. The pipeline and the tracker are
// thread-safe.
struct session_context {
  const pipeline::pipeline& pipeline;
  connection_tracker& tracker;
  session_limits limits;
  // Set: a connection that opens with a TLS handshake is served over TLS
  // with this context; plain HTTP is still served on the same port.
  net::ssl::context* tls = nullptr;
  // Threads running the io_context. With one, every handler already runs
  // one at a time, so connections need no strand of their own.
  unsigned threads = 1;
};

// The socket's executor must be a strand, or the io_context itself when a
// single thread runs it: the tracker's closer posts to it.
net::awaitable<void> serve(net::ip::tcp::socket socket, const session_context& ctx);

}  // namespace authsim::transport

#pragma once
// One HTTP/1.1 connection, served by one coroutine on its own strand:
// read a request (bounded in size and time), hand it to the router, write
// the answer, repeat while the connection is kept alive.

#include "faults/engine.hpp"
#include "http/router.hpp"
#include "state/clock.hpp"
#include "state/journal.hpp"
#include "state/metrics.hpp"
#include "transport/connection_tracker.hpp"

#include <boost/asio/awaitable.hpp>
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

// Everything here outlives every session. The router is immutable; the
// tracker and the engine are thread-safe.
struct session_context {
  const http::router& router;
  connection_tracker& tracker;
  session_limits limits;
  faults::engine* engine = nullptr;  // null: no scenarios
  state::journal* journal = nullptr;  // null: nothing recorded
  state::metrics* metrics = nullptr;
  const state::clock* clock = nullptr;
  // Set: a connection that opens with a TLS handshake is served over TLS
  // with this context; plain HTTP is still served on the same port.
  boost::asio::ssl::context* tls = nullptr;
  // Threads running the io_context. With one, every handler already runs
  // one at a time, so connections need no strand of their own.
  unsigned threads = 1;
};

// The socket's executor must be a strand, or the io_context itself when a
// single thread runs it: the tracker's closer posts to it.
boost::asio::awaitable<void> serve(boost::asio::ip::tcp::socket socket, const session_context& ctx);

}  // namespace authsim::transport

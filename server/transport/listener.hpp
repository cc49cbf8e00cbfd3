#pragma once
// Accepts connections and starts a session for each, on a strand of its own.

#include "transport/session.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

namespace authsim::transport {

// Runs until the acceptor is closed. Transient accept errors (a client that
// gave up, no file descriptors left) are logged and accepting goes on.
boost::asio::awaitable<void> accept_loop(boost::asio::io_context& ioc, boost::asio::ip::tcp::acceptor& acceptor,
                                         const session_context& ctx);

}  // namespace authsim::transport

#include "transport/listener.hpp"

#include "support/async.hpp"
#include "support/log.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <exception>

namespace authsim::transport {

net::awaitable<void> accept_loop(net::io_context& ioc, net::ip::tcp::acceptor& acceptor, const session_context& ctx) {
  for (;;) {
    // A strand per connection keeps its handlers in order across threads;
    // with a single thread that order is given, and the strand's queueing
    // would only cost time on every completion.
    net::ip::tcp::socket socket = ctx.threads > 1 ? net::ip::tcp::socket(net::make_strand(ioc))
                                                  : net::ip::tcp::socket(ioc.get_executor());
    auto [ec] = co_await acceptor.async_accept(socket, use_tuple);
    if (!acceptor.is_open() || ec == net::error::operation_aborted) {
      co_return;
    }
    if (ec) {
      support::log_message(support::log_level::warn, "accept: " + ec.message());
      if (ec == net::error::no_descriptors || ec == net::error::no_buffer_space || ec == net::error::no_memory) {
        // Out of resources: back off briefly instead of spinning, then keep
        // accepting; the connections being served will free some.
        net::steady_timer pause(acceptor.get_executor(), std::chrono::milliseconds(50));
        co_await pause.async_wait(use_tuple);
      }
      continue;
    }
    if (ctx.tracker.active() >= ctx.limits.max_connections) {
      // Full: the connections being served keep their share; this one is
      // told why and closed at once. No request has been read, so neither
      // its path (hence its API) nor its trace is known: the answer is in
      // the Credit Pay shape, the one for paths outside both APIs, with a
      // null trace.
      static const std::string busy = [] {
        const std::string body =
            R"({"code":50300,"msg":"too many connections: authsim serves at most --max-connections at once",)"
            R"("data":null,"trace":null})";
        return "HTTP/1.1 503 Service Unavailable\r\nServer: authsim\r\nContent-Type: application/json\r\n"
               "Connection: close\r\nRetry-After: 1\r\nContent-Length: " +
               std::to_string(body.size()) + "\r\n\r\n" + body;
      }();
      boost::system::error_code ignored;
      socket.write_some(net::buffer(busy.data(), busy.size()), ignored);
      socket.shutdown(net::ip::tcp::socket::shutdown_both, ignored);
      socket.close(ignored);
      continue;
    }
    auto executor = socket.get_executor();
    net::co_spawn(executor, serve(std::move(socket), ctx), [](const std::exception_ptr& error) {
      // A session that ends normally passes a null exception_ptr; anything
      // else is a bug worth a log line, never a crash of the whole server.
      if (error) {
        try {
          std::rethrow_exception(error);
        } catch (const std::exception& e) {
          support::log_message(support::log_level::error, std::string("session ended by an exception: ") + e.what());
        } catch (...) {
          support::log_message(support::log_level::error, "session ended by an unknown exception");
        }
      }
    });
  }
}

}  // namespace authsim::transport

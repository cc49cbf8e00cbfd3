#pragma once
// Runs a coroutine to its end from plain code, on an io_context of its own:
// for the start-up steps that use the asynchronous state interfaces before
// the server runs, and for tests. Whatever it throws is rethrown here.

#include "support/async.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <exception>
#include <optional>
#include <utility>

namespace authsim::support {

template <class T>
T run_sync(net::awaitable<T> work) {
  net::io_context ioc;
  std::optional<T> result;
  std::exception_ptr failure;
  net::co_spawn(ioc, std::move(work), [&](std::exception_ptr e, T value) {
    failure = e;
    if (!e) {
      result.emplace(std::move(value));
    }
  });
  ioc.run();
  if (failure) {
    std::rethrow_exception(failure);
  }
  return std::move(*result);
}

inline void run_sync(net::awaitable<void> work) {
  net::io_context ioc;
  std::exception_ptr failure;
  net::co_spawn(ioc, std::move(work), [&](std::exception_ptr e) { failure = e; });
  ioc.run();
  if (failure) {
    std::rethrow_exception(failure);
  }
}

// Runs a coroutine to its end on `ioc`, driving it from this thread: for
// the start-up steps whose work must run where the server's will (a Redis
// client on the server's io_context), before any thread serves it. Other
// work on `ioc` runs meanwhile. Whatever the coroutine throws is rethrown.
inline void run_on(net::io_context& ioc, net::awaitable<void> work) {
  std::exception_ptr failure;
  bool done = false;
  net::co_spawn(ioc, std::move(work), [&](std::exception_ptr e) {
    failure = e;
    done = true;
  });
  while (!done) {
    if (ioc.run_one() == 0) {
      ioc.restart();
    }
  }
  // Out of work, the io_context stopped itself: the server's run() must
  // find it ready.
  if (ioc.stopped()) {
    ioc.restart();
  }
  if (failure) {
    std::rethrow_exception(failure);
  }
}

// The same, for a coroutine with a result.
template <class T>
T run_on(net::io_context& ioc, net::awaitable<T> work) {
  std::optional<T> result;
  run_on(ioc, [](net::awaitable<T> w, std::optional<T>& out) -> net::awaitable<void> {
    out.emplace(co_await std::move(w));
  }(std::move(work), result));
  return std::move(*result);
}

}  // namespace authsim::support

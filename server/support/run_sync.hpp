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

}  // namespace authsim::support

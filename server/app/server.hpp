#pragma once
// Wiring and life cycle: builds the state, the APIs and the router from the
// options and fixtures, binds, serves on N threads, and stops cleanly on
// SIGINT or SIGTERM.

#include "app/options.hpp"
#include "fixtures/fixtures.hpp"

#include <memory>
#include <stdexcept>

namespace authsim::app {

// Start-up failure (cannot bind, bad address); main turns it into exit 2.
class startup_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Blocks until a stop signal has been handled; returns the exit code.
int run_server(const options& opts, std::shared_ptr<const fixtures::fixture_set> fixtures);

}  // namespace authsim::app

#pragma once
// The whole server as one object: the state, the two simulated APIs, the
// admin API, the router and request pipeline, the listener and the threads
// that run them, built from the options and the fixtures.
//
//   application app(opts, fixtures);   // loads scenarios and TLS files
//   app.start();                       // binds, serves on opts.threads threads
//   app.port();                        // the port bound (for --port 0)
//   app.stop();                        // drains like SIGTERM, then returns
//
// main wires the signals (handle_signals), binds (listen), prints the
// listening line and serves on its own thread too (run); tests may run one
// in process. Start-up failures throw startup_error, which main turns into
// exit code 2.
//
// Thread-safe: start, stop and wait from one thread at a time; the object
// must outlive its threads (the destructor stops and joins them).

#include "app/options.hpp"
#include "fixtures/fixtures.hpp"

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>

namespace authsim::app {

// Start-up failure (cannot bind, bad address, bad --scenario or TLS file).
class startup_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class application {
 public:
  // Loads the scenarios, checks --scenario and reads the TLS files: what
  // can fail does so before any port is bound.
  application(options opts, std::shared_ptr<const fixtures::fixture_set> fixtures);
  application(const application&) = delete;
  application& operator=(const application&) = delete;
  // Stops (at once if stop() was not called) and joins the threads.
  ~application();

  // Binds and logs the start-up line; nothing is served until start() or
  // run(). Idempotent.
  void listen();
  // listen(), then serves on opts.threads threads in the background.
  void start();
  // listen(), then serves on opts.threads threads, the calling one among
  // them, until the server stops; returns the exit code.
  int run();
  // The address bound, for --port 0: valid after listen().
  [[nodiscard]] std::uint16_t port() const;
  [[nodiscard]] const std::string& base_url() const;

  // A graceful stop, as SIGTERM: no new connections, idle ones closed,
  // requests in flight finish within --shutdown-timeout-ms. Returns once
  // every thread has ended.
  void stop();

  // From now on SIGINT and SIGTERM stop as stop() does (a second one stops
  // at once) and SIGHUP reloads the scenarios. Called before serving.
  void handle_signals();

  // After start(): blocks until the server has stopped (by stop() or a
  // signal); returns the exit code.
  int wait();

 private:
  struct parts;
  std::unique_ptr<parts> parts_;
};

}  // namespace authsim::app

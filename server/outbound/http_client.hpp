#pragma once
// The HTTP(S) client of every call authsim makes to a partner: Beast over
// TCP or OpenSSL, URLs parsed by Boost.URL.
//
//   - Certificates are verified by default (the system's trust store, plus
//     the PEM file of --outbound-ca); a request may turn that off.
//   - Deadlines: one to connect (TLS handshake included) and one for the
//     whole call, both per request.
//   - Connections are kept alive and reused, per scheme, host, port and
//     verification, a few per host, for a while. A reused connection that
//     the far end had closed before any answer byte arrived is replaced by
//     a new one once.
//   - At most `max_calls` calls at once; a call beyond waits for a slot
//     until its deadline.
//   - Answers are read up to a size cap.
//   - shutdown() ends every call in flight (failure::cancelled) and refuses
//     new ones.
//
// Thread-safe: any coroutine on any thread of the io_context may call.

#include "outbound/client.hpp"

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

namespace authsim::outbound {

struct client_settings {
  std::size_t max_calls = 64;
  std::size_t max_answer_bytes = 1024 * 1024;
  std::size_t max_idle_per_host = 8;
  std::chrono::milliseconds idle_keep{30'000};
  std::string ca_file;  // trusted besides the system's store; empty: none
};

class http_client final : public client {
 public:
  // Throws std::runtime_error naming the file when `ca_file` cannot be
  // loaded.
  http_client(net::io_context& ioc, client_settings settings);
  ~http_client() override;

  net::awaitable<answer> async_post(const request& r) override;

  void shutdown();
  [[nodiscard]] std::size_t in_flight() const;

 private:
  struct impl;
  std::shared_ptr<impl> impl_;
};

}  // namespace authsim::outbound

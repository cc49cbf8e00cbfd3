#pragma once
// Calls authsim makes to a partner's endpoints (Credit Pay's credit-limit
// query and webhooks): what a handler asks for and what comes back. The
// interface has no socket in it, so handlers stay testable without a
// network; outbound::http_client (in the network library) is the real one.

#include "support/async.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace authsim::outbound {

using header_list = std::vector<std::pair<std::string, std::string>>;

// One POST. `url` is http:// or https://; the headers go out in this order,
// after Host (and before Content-Length, which the client sets).
struct request {
  std::string url;
  header_list headers;
  std::string body;
  // https only: check the certificate chain and that it names the host.
  bool verify_tls = true;
  // Until the connection is up (TLS included), and for the whole call.
  std::chrono::milliseconds connect_timeout{2000};
  std::chrono::milliseconds total_timeout{5000};
};

// Why a call brought no answer.
enum class failure {
  none,
  bad_url,      // not an http(s) URL with a host
  resolve,      // the host name did not resolve
  connect,      // no TCP connection (refused, unreachable)
  tls,          // the TLS handshake failed (certificate, protocol)
  timeout,      // a deadline passed
  closed,       // the connection ended before a whole answer
  protocol,     // what came back is not an HTTP answer
  too_large,    // the answer is over the size cap
  busy,         // no free call slot before the deadline
  cancelled,    // the client is shutting down
};

// "bad_url", "resolve", ...; "none" for success.
const char* failure_name(failure f);

struct answer {
  failure error = failure::none;
  std::string detail;  // what went wrong, in a sentence; empty on success
  unsigned status = 0;
  header_list headers;
  std::string body;
  std::int64_t latency_us = 0;  // from the call to its end, whatever the end
  bool reused_connection = false;

  [[nodiscard]] bool answered() const { return error == failure::none; }
};

class client {
 public:
  client() = default;
  client(const client&) = delete;
  client& operator=(const client&) = delete;
  virtual ~client() = default;

  // Sends the request and reads the answer. Never throws for what the far
  // end does; everything comes back in the answer. Awaited at once: the
  // request must outlive the call.
  virtual net::awaitable<answer> async_post(const request& r) = 0;
};

}  // namespace authsim::outbound

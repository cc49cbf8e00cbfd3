#pragma once
// HTTPS for the integration tests: one TLS connection to the server on
// loopback, the certificate checked against a given CA file and host name,
// several requests in turn on it. Every step gives up after 15 s.

#include "support/http_client.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace authsim::testing {

struct https_request {
  std::string method = "GET";
  std::string target;
  std::string body;
  header_pairs headers;
};

struct https_result {
  std::string error;  // empty: every request was answered
  std::vector<http_response> responses;
};

// Connects to 127.0.0.1:port, verifies the server's certificate against
// `ca_file` for `host_name`, and sends the requests one after the other on
// the same connection.
https_result https_exchange(std::uint16_t port, const std::string& ca_file, const std::string& host_name,
                            const std::vector<https_request>& requests);

}  // namespace authsim::testing

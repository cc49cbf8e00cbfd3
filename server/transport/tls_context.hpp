#pragma once
// The TLS server context for --tls-cert and --tls-key.

#include <memory>
#include <string>

namespace boost::asio::ssl {
class context;
}  // namespace boost::asio::ssl

namespace authsim::transport {

// Loads a PEM certificate chain and its private key; TLS 1.2 and newer.
// Throws std::runtime_error naming the flag and OpenSSL's reason when a
// file cannot be read or the key does not belong to the certificate.
std::shared_ptr<boost::asio::ssl::context> make_tls_context(const std::string& cert_file,
                                                            const std::string& key_file);

// The certificate's subject and expiry, for the start-up log line.
std::string describe_certificate(boost::asio::ssl::context& ctx);

}  // namespace authsim::transport

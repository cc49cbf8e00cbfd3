#include "transport/tls_context.hpp"

#include <boost/asio/ssl/context.hpp>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <filesystem>
#include <stdexcept>

namespace authsim::transport {

namespace ssl = boost::asio::ssl;

namespace {

// OpenSSL's own words for the last failure, which say more than Asio's
// generic error ("no start line", "key values mismatch").
std::string openssl_reason(const boost::system::error_code& ec) {
  std::string reason = ec ? ec.message() : std::string();
  if (const unsigned long e = ERR_get_error(); e != 0) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    reason = buf;
  }
  ERR_clear_error();
  return reason;
}

void require_file(const char* flag, const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    throw std::runtime_error(std::string(flag) + ": no such file: " + path);
  }
}

}  // namespace

std::shared_ptr<ssl::context> make_tls_context(const std::string& cert_file, const std::string& key_file) {
  require_file("--tls-cert", cert_file);
  require_file("--tls-key", key_file);
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                   ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::single_dh_use);
  boost::system::error_code ec;
  ctx->use_certificate_chain_file(cert_file, ec);
  if (ec) {
    throw std::runtime_error("--tls-cert: cannot use " + cert_file + " as a PEM certificate: " + openssl_reason(ec));
  }
  ctx->use_private_key_file(key_file, ssl::context::pem, ec);
  if (ec) {
    const std::string reason = openssl_reason(ec);
    if (reason.find("key values mismatch") != std::string::npos) {
      throw std::runtime_error("--tls-key: " + key_file + " is not the private key of the certificate in " +
                               cert_file);
    }
    throw std::runtime_error("--tls-key: cannot use " + key_file + " as a PEM private key: " + reason);
  }
  if (SSL_CTX_check_private_key(ctx->native_handle()) != 1) {
    throw std::runtime_error("--tls-key: " + key_file + " is not the private key of the certificate in " + cert_file +
                             ": " + openssl_reason({}));
  }
  return ctx;
}

std::string describe_certificate(ssl::context& ctx) {
  X509* cert = SSL_CTX_get0_certificate(ctx.native_handle());
  if (cert == nullptr) {
    return "no certificate";
  }
  char subject[256] = {};
  X509_NAME_oneline(X509_get_subject_name(cert), subject, sizeof subject);
  std::string out = subject;
  if (const ASN1_TIME* not_after = X509_get0_notAfter(cert)) {
    BIO* bio = BIO_new(BIO_s_mem());
    if (bio != nullptr) {
      if (ASN1_TIME_print(bio, not_after) == 1) {
        char* data = nullptr;
        const long n = BIO_get_mem_data(bio, &data);
        out += ", valid until " + std::string(data, static_cast<std::size_t>(n));
      }
      BIO_free(bio);
    }
  }
  return out;
}

}  // namespace authsim::transport

#pragma once
// A partner's endpoint for tests: an HTTP (or HTTPS) server on 127.0.0.1
// that records every request it gets and answers as the test says, on
// threads of its own (a thread per connection, blocking I/O), so that it
// works beside the real server process or the in-process application
// alike. It checks nothing itself: tests read what arrived and check it
// with their own parse and their own HMAC.

#include <boost/asio/ssl/context.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace authsim::testing {

struct received {
  std::string method;
  std::string target;
  std::vector<std::pair<std::string, std::string>> headers;  // as sent
  std::string body;
  std::size_t connection = 0;  // 1 for the first connection accepted, 2 for the next...

  // The first header of that name (any letter case); "" when absent.
  [[nodiscard]] std::string header(std::string_view name) const;
  [[nodiscard]] bool has_header(std::string_view name) const;
};

struct reply {
  enum class kind {
    answer,  // status, content type and body, keep-alive
    hang,    // read the request, then say nothing until the receiver stops
    close,   // read the request, then close without a word
    raw,     // send `body` as it is (not HTTP), then close
  };
  kind what = kind::answer;
  unsigned status = 200;
  std::string body;
  std::string content_type = "application/json";
  // With kind::answer: the answer says keep-alive, and the receiver closes
  // the connection anyway once it is sent (a partner whose idle timeout
  // is shorter than the caller's).
  bool close_after = false;
};

// The answer a test wants next, set from the test's thread and read on the
// receiver's threads.
class reply_slot {
 public:
  explicit reply_slot(reply r = {}) : reply_(std::move(r)) {}
  void set(reply r) {
    const std::lock_guard lock(mutex_);
    reply_ = std::move(r);
  }
  [[nodiscard]] reply get() const {
    const std::lock_guard lock(mutex_);
    return reply_;
  }

 private:
  mutable std::mutex mutex_;
  reply reply_;
};

class receiver {
 public:
  using handler = std::function<reply(const received&)>;

  // Plain HTTP, or HTTPS with `tls` (a server context with its certificate).
  explicit receiver(handler h, std::shared_ptr<boost::asio::ssl::context> tls = nullptr);
  receiver(const receiver&) = delete;
  receiver& operator=(const receiver&) = delete;
  // Stops accepting, ends every connection (hanging ones too), joins.
  ~receiver();

  [[nodiscard]] std::uint16_t port() const { return port_; }
  // "http://127.0.0.1:PORT" + path (https with TLS).
  [[nodiscard]] std::string url(const std::string& path) const;
  [[nodiscard]] std::vector<received> requests() const;
  // Waits until at least `n` requests arrived, at most `timeout`.
  [[nodiscard]] bool wait_for(std::size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;

 private:
  void accept_loop();
  void serve(int fd, std::size_t connection);

  handler handler_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  int listen_fd_ = -1;
  std::uint16_t port_ = 0;
  std::thread acceptor_;
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  bool stopping_ = false;
  std::vector<received> requests_;
  std::vector<int> open_fds_;
  std::vector<std::thread> connections_;
};

// A TLS server context from PEM files (scripts/dev-cert.sh writes a pair).
std::shared_ptr<boost::asio::ssl::context> server_tls(const std::string& cert_file, const std::string& key_file);

}  // namespace authsim::testing

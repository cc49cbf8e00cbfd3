#include "support/receiver.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace authsim::testing {

namespace net = boost::asio;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;

namespace {

bool same_name(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

// Reads requests and answers them until the peer leaves, an answer closes,
// or the receiver stops.
template <class Stream>
void exchange_loop(Stream& stream, std::size_t connection, const receiver::handler& handler,
                   const std::function<void(received)>& record, const std::function<void()>& hang) {
  boost::beast::flat_buffer buffer;
  for (;;) {
    bhttp::request<bhttp::string_body> req;
    boost::system::error_code ec;
    bhttp::read(stream, buffer, req, ec);
    if (ec) {
      return;
    }
    received r;
    r.method = std::string(req.method_string());
    r.target = std::string(req.target());
    for (const auto& field : req) {
      r.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    r.body = req.body();
    r.connection = connection;
    const reply answer = handler(r);
    record(std::move(r));
    switch (answer.what) {
      case reply::kind::hang: hang(); return;
      case reply::kind::close: return;
      case reply::kind::raw: net::write(stream, net::buffer(answer.body), ec); return;
      case reply::kind::answer: break;
    }
    bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(answer.status), 11};
    res.set(bhttp::field::content_type, answer.content_type);
    res.body() = answer.body;
    res.keep_alive(req.keep_alive());
    res.prepare_payload();
    bhttp::write(stream, res, ec);
    if (ec || !req.keep_alive() || answer.close_after) {
      return;
    }
  }
}

}  // namespace

std::string received::header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (same_name(n, name)) {
      return v;
    }
  }
  return {};
}

bool received::has_header(std::string_view name) const {
  return std::any_of(headers.begin(), headers.end(), [&](const auto& h) { return same_name(h.first, name); });
}

receiver::receiver(handler h, std::shared_ptr<net::ssl::context> tls) : handler_(std::move(h)), tls_(std::move(tls)) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) {
    throw std::runtime_error("receiver: socket() failed");
  }
  const int on = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(listen_fd_, 64) != 0) {
    ::close(listen_fd_);
    throw std::runtime_error("receiver: cannot listen on 127.0.0.1");
  }
  socklen_t len = sizeof addr;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] { accept_loop(); });
}

receiver::~receiver() {
  std::vector<std::thread> threads;
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
    // shutdown() wakes a thread blocked in accept() or read() on the fd.
    ::shutdown(listen_fd_, SHUT_RDWR);
    for (const int fd : open_fds_) {
      ::shutdown(fd, SHUT_RDWR);
    }
  }
  changed_.notify_all();
  acceptor_.join();
  {
    const std::lock_guard lock(mutex_);
    threads.swap(connections_);
  }
  for (auto& t : threads) {
    t.join();
  }
  ::close(listen_fd_);
}

std::string receiver::url(const std::string& path) const {
  return std::string(tls_ ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_) + path;
}

std::vector<received> receiver::requests() const {
  const std::lock_guard lock(mutex_);
  return requests_;
}

bool receiver::wait_for(std::size_t n, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return requests_.size() >= n; });
}

void receiver::accept_loop() {
  std::size_t count = 0;
  for (;;) {
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    const std::lock_guard lock(mutex_);
    if (fd < 0 || stopping_) {
      if (fd >= 0) {
        ::close(fd);
      }
      return;
    }
    open_fds_.push_back(fd);
    connections_.emplace_back([this, fd, n = ++count] { serve(fd, n); });
  }
}

void receiver::serve(int fd, std::size_t connection) {
  const auto record = [this](received r) {
    {
      const std::lock_guard lock(mutex_);
      requests_.push_back(std::move(r));
    }
    changed_.notify_all();
  };
  const auto hang = [this] {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return stopping_; });
  };
  {
    net::io_context ioc;
    tcp::socket socket(ioc);
    boost::system::error_code ec;
    socket.assign(tcp::v4(), fd, ec);
    if (!ec) {
      if (tls_) {
        net::ssl::stream<tcp::socket&> stream(socket, *tls_);
        stream.handshake(net::ssl::stream_base::server, ec);
        if (!ec) {
          exchange_loop(stream, connection, handler_, record, hang);
        }
      } else {
        exchange_loop(socket, connection, handler_, record, hang);
      }
      // The socket object closes the descriptor; forget it first, so that
      // the destructor's shutdown() never hits a number reused meanwhile.
      const std::lock_guard lock(mutex_);
      std::erase(open_fds_, fd);
    }
  }
}

std::shared_ptr<net::ssl::context> server_tls(const std::string& cert_file, const std::string& key_file) {
  auto ctx = std::make_shared<net::ssl::context>(net::ssl::context::tls_server);
  ctx->use_certificate_chain_file(cert_file);
  ctx->use_private_key_file(key_file, net::ssl::context::pem);
  return ctx;
}

}  // namespace authsim::testing

#include "transport/connection_state.hpp"

#include <boost/asio/post.hpp>

#include <cerrno>

#include <sys/socket.h>

namespace authsim::transport {

connection_state::connection_state(net::any_io_executor executor, std::function<void()> cancel_reads,
                                   net::ip::tcp::socket* socket, connection_tracker& tracker)
    : executor_(std::move(executor)), cancel_reads_(std::move(cancel_reads)), socket_(socket), tracker_(tracker) {}

void connection_state::track() {
  // The closer runs under the tracker's lock, on any thread: it only posts.
  registration_.emplace(tracker_.add([weak = weak_from_this(), ex = executor_] {
    net::post(ex, [weak] {
      if (const auto self = weak.lock()) {
        self->shutdown();
      }
    });
  }));
}

void connection_state::set_socket(net::ip::tcp::socket* socket, std::function<void()> cancel_reads) {
  socket_ = socket;
  cancel_reads_ = std::move(cancel_reads);
}

void connection_state::close() {
  socket_ = nullptr;
  cancel_reads_ = nullptr;
  wake_ = nullptr;
  registration_.reset();
}

void connection_state::shutdown() {
  if (idle_ && cancel_reads_) {
    cancel_reads_();
  }
  wake_once();
}

void connection_state::wake_once() {
  if (wake_) {
    auto wake = std::move(wake_);
    wake_ = nullptr;
    wake();
  }
}

std::shared_ptr<void> connection_state::subscribe(std::function<void()> wake) {
  wake_ = std::move(wake);
  if (tracker_.stopping()) {
    wake_once();
  } else {
    watch_for_close();
  }
  // Ending the subscription forgets the waiter; a watch still pending ends
  // by itself (the next request, or the close) and then finds nobody.
  return std::shared_ptr<void>(nullptr, [self = shared_from_this()](void*) { self->wake_ = nullptr; });
}

void connection_state::watch_for_close() {
  if (socket_ == nullptr || watching_) {
    return;
  }
  watching_ = true;
  socket_->async_wait(net::socket_base::wait_read, [self = shared_from_this()](const error_code& ec) {
    self->watching_ = false;
    if (ec || self->socket_ == nullptr || !self->wake_) {
      return;  // cancelled, closed, or nobody waits any more
    }
    // Readable: either the client closed (a read would see the end) or it
    // sent more (a pipelined request, a TLS alert). Look without taking.
    char probe = 0;
    const auto peeked = ::recv(self->socket_->native_handle(), &probe, 1, MSG_PEEK | MSG_DONTWAIT);
    if (peeked == 0 || (peeked < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
      self->wake_once();
    } else if (peeked < 0) {
      self->watch_for_close();  // nothing after all: keep watching
    }
    // Bytes waiting: the client is still there; watching again would only
    // see them again, so the wait runs to its own end.
  });
}

}  // namespace authsim::transport

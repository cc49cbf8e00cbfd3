#pragma once
// Knows every open connection, so that shutdown can close the idle ones at
// once, let the busy ones finish their request, and learn (without
// polling) when none is left.
//
// Thread-safe: a mutex guards the registry; `stopping` is atomic. The
// closers run under that mutex, so they only post work to their
// connection's strand and never touch the socket themselves.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <utility>

namespace authsim::transport {

class connection_tracker {
 public:
  // Removes its connection from the tracker when destroyed.
  class registration {
   public:
    registration(connection_tracker& tracker, std::uint64_t id) : tracker_(&tracker), id_(id) {}
    registration(registration&& other) noexcept : tracker_(std::exchange(other.tracker_, nullptr)), id_(other.id_) {}
    registration(const registration&) = delete;
    registration& operator=(const registration&) = delete;
    registration& operator=(registration&&) = delete;
    ~registration() {
      if (tracker_ != nullptr) {
        tracker_->remove(id_);
      }
    }

   private:
    connection_tracker* tracker_;
    std::uint64_t id_;
  };

  // `close_if_idle` is called once, on shutdown; it must post to the
  // connection's own strand and close the connection there if it is waiting
  // for a request.
  [[nodiscard]] registration add(std::function<void()> close_if_idle);

  // Stops new requests from being read and asks idle connections to close.
  void shutdown();

  [[nodiscard]] bool stopping() const { return stopping_.load(std::memory_order_acquire); }
  [[nodiscard]] std::size_t active() const;

  // Calls `f` (from any thread, under the tracker's lock: it should only
  // post) whenever the last open connection ends, and at once when none
  // is open. Replaces an earlier `f`.
  void notify_when_empty(std::function<void()> f);

 private:
  void remove(std::uint64_t id);

  mutable std::mutex mutex_;
  std::uint64_t next_id_ = 0;
  std::map<std::uint64_t, std::function<void()>> closers_;
  std::function<void()> on_empty_;
  std::atomic<bool> stopping_{false};
};

}  // namespace authsim::transport

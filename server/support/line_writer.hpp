#pragma once
// Lines of text handed to one writer thread through a bounded queue, so
// that the threads producing them never wait for the file descriptor they
// end up on. A full pipe, a slow terminal or a reader that went away costs
// lines, never time: when the queue is full a line is dropped and counted,
// and once there is room again a line saying how many were lost goes ahead
// of the next one. A sink that is gone for good (EPIPE) is not written to
// again; its lines are counted as dropped.
//
// The writer waits for the descriptor with poll() and writes at most a
// pipe's atomic size at a time, so it can always notice that it should
// stop; stop() still gives up on it after its time-out and leaves it
// behind rather than hang the process.
//
// Thread-safe: push, flush, dropped and broken may be called from any
// thread; stop from one thread at a time.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

namespace authsim::support {

class line_writer {
 public:
  // Formats the line that reports `n` lines lost.
  using drop_report = std::function<std::string(std::uint64_t n)>;

  // `fd` stays open and owned by the caller. `capacity`: bytes of lines
  // waiting at most. `linger`: how long the writer lets lines gather after
  // the first one arrives, so that a busy server writes them in batches
  // instead of one system call per line.
  line_writer(int fd, std::size_t capacity, std::chrono::milliseconds linger, drop_report report);
  line_writer(const line_writer&) = delete;
  line_writer& operator=(const line_writer&) = delete;
  // Stops with a short time-out (see stop).
  ~line_writer();

  // Queues `line` (a newline is added). Never blocks on the sink: when the
  // queue has no room, the line is dropped and counted.
  void push(std::string_view line);

  // Waits until every line queued so far has been written (or dropped), at
  // most `timeout`; true when it was.
  bool flush(std::chrono::milliseconds timeout);

  // Writes what is queued, within `timeout`, and ends the writer thread.
  // A writer still stuck after that is detached: it holds only its own
  // state, and the process may exit under it. Lines pushed afterwards are
  // dropped. Idempotent.
  void stop(std::chrono::milliseconds timeout);

  // Lines dropped since the start, reported or not.
  [[nodiscard]] std::uint64_t dropped() const;
  // True once the sink refused a write for good (EPIPE, a closed reader).
  [[nodiscard]] bool broken() const;

 private:
  struct shared;
  std::shared_ptr<shared> state_;
  std::thread thread_;
};

}  // namespace authsim::support

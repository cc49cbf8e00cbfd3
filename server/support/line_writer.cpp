#include "support/line_writer.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

namespace authsim::support {

namespace {

// A write of at most this much to a pipe is atomic, and one that poll()
// said has room then does not block.
constexpr std::size_t write_chunk = 4096;
// How long one poll() waits before the writer looks whether it should
// give up.
constexpr int poll_ms = 50;

std::uint64_t count_lines(std::string_view text) {
  return static_cast<std::uint64_t>(std::count(text.begin(), text.end(), '\n'));
}

}  // namespace

struct line_writer::shared {
  shared(int descriptor, std::size_t cap, std::chrono::milliseconds wait, drop_report on_drop)
      : fd(descriptor), capacity(cap), linger(wait), report(std::move(on_drop)) {}

  const int fd;
  // A regular file never makes a write wait: batches go out whole, without
  // asking poll() first.
  const bool regular_file = [this] {
    struct stat st {};
    return ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
  }();
  const std::size_t capacity;
  const std::chrono::milliseconds linger;
  const drop_report report;

  std::mutex mutex;
  std::condition_variable wake;     // the writer waits here for lines, a flush or stop
  std::condition_variable written;  // flush and stop wait here for the writer's progress
  std::string pending;              // whole lines, each ending in '\n'
  std::uint64_t accepted_bytes = 0;  // ever queued
  std::uint64_t handled_bytes = 0;   // ever written, or given up on
  std::uint64_t dropped = 0;
  std::uint64_t unreported = 0;      // dropped since the last report line
  unsigned flushers = 0;
  bool writer_waiting = false;
  bool closed = false;   // stop() began: nothing more is accepted
  bool finished = false;  // the writer thread has ended
  std::atomic<bool> broken{false};
  std::atomic<bool> abandon{false};  // stop() gave up waiting: leave what is left

  void run();
  // Writes `data` whole; false when the sink is broken or the writer was
  // told to abandon it.
  bool write_all(std::string_view data);
};

bool line_writer::shared::write_all(std::string_view data) {
  std::size_t offset = 0;
  while (offset < data.size()) {
    if (abandon.load(std::memory_order_relaxed)) {
      return false;
    }
    if (regular_file) {
      const ssize_t wrote = ::write(fd, data.data() + offset, data.size() - offset);
      if (wrote < 0 && errno != EINTR) {
        broken.store(true);
        return false;
      }
      offset += wrote > 0 ? static_cast<std::size_t>(wrote) : 0;
      continue;
    }
    pollfd p{fd, POLLOUT, 0};
    const int ready = ::poll(&p, 1, poll_ms);
    if (ready < 0 && errno != EINTR) {
      broken.store(true);
      return false;
    }
    if (ready <= 0) {
      continue;  // no room yet (or a signal): look again, or give up when told
    }
    if ((p.revents & (POLLERR | POLLNVAL)) != 0 && (p.revents & POLLOUT) == 0) {
      broken.store(true);  // the reader is gone: nothing written here will be read
      return false;
    }
    const std::size_t n = std::min(write_chunk, data.size() - offset);
    const ssize_t wrote = ::write(fd, data.data() + offset, n);
    if (wrote < 0) {
      if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) {
        continue;
      }
      broken.store(true);  // EPIPE above all
      return false;
    }
    offset += static_cast<std::size_t>(wrote);
  }
  return true;
}

void line_writer::shared::run() {
  // A write to a pipe whose reader has gone raises SIGPIPE in the writing
  // thread, which would end the process; blocked here, the write fails
  // with EPIPE instead and the sink is marked broken.
  sigset_t pipe_signal;
  sigemptyset(&pipe_signal);
  sigaddset(&pipe_signal, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_signal, nullptr);

  std::string batch;
  std::unique_lock lock(mutex);
  for (;;) {
    while (pending.empty() && !closed) {
      writer_waiting = true;
      wake.wait(lock);
    }
    if (pending.empty()) {
      break;  // closed, and everything written
    }
    // Let lines gather so that a busy server writes them in batches; a
    // flush, stop or a half-full queue cuts the wait short.
    if (linger.count() > 0 && !closed && flushers == 0) {
      wake.wait_for(lock, linger, [&] { return closed || flushers > 0 || pending.size() >= capacity / 2; });
    }
    batch.swap(pending);
    lock.unlock();
    const bool ok = !broken.load() && write_all(batch);
    lock.lock();
    if (!ok) {
      const std::uint64_t lost = count_lines(batch);
      dropped += lost;
    }
    handled_bytes += batch.size();
    batch.clear();
    written.notify_all();
    if (abandon.load()) {
      break;
    }
  }
  // What is still queued will not be written.
  const std::uint64_t lost = count_lines(pending);
  dropped += lost;
  handled_bytes += pending.size();
  pending.clear();
  finished = true;
  written.notify_all();
}

line_writer::line_writer(int fd, std::size_t capacity, std::chrono::milliseconds linger, drop_report report)
    : state_(std::make_shared<shared>(fd, capacity, linger, std::move(report))) {
  thread_ = std::thread([s = state_] { s->run(); });
}

line_writer::~line_writer() { stop(std::chrono::milliseconds(200)); }

void line_writer::push(std::string_view line) {
  shared& s = *state_;
  std::unique_lock lock(s.mutex);
  if (s.closed || s.broken.load(std::memory_order_relaxed)) {
    ++s.dropped;
    return;
  }
  const std::size_t need = line.size() + 1;
  const std::size_t queued_before = s.pending.size();
  if (s.unreported > 0) {
    // The gap is reported where it happened, as soon as there is room for
    // the report and the line after it.
    std::string report = s.report ? s.report(s.unreported) : std::string();
    if (s.pending.size() + report.size() + 1 + need > s.capacity) {
      ++s.dropped;
      ++s.unreported;
      return;
    }
    if (!report.empty()) {
      s.pending.append(report).push_back('\n');
      s.accepted_bytes += report.size() + 1;
    }
    s.unreported = 0;
  } else if (s.pending.size() + need > s.capacity) {
    ++s.dropped;
    ++s.unreported;
    return;
  }
  s.pending.append(line).push_back('\n');
  s.accepted_bytes += need;
  // The writer is told when it sleeps with nothing to do, and when the
  // queue passes half full while it lets lines gather.
  const bool half_full = queued_before < s.capacity / 2 && s.pending.size() >= s.capacity / 2;
  const bool notify = s.writer_waiting || half_full;
  s.writer_waiting = false;
  lock.unlock();
  if (notify) {
    s.wake.notify_one();
  }
}

bool line_writer::flush(std::chrono::milliseconds timeout) {
  shared& s = *state_;
  std::unique_lock lock(s.mutex);
  const std::uint64_t target = s.accepted_bytes;
  ++s.flushers;
  s.writer_waiting = false;
  s.wake.notify_one();
  const bool done = s.written.wait_for(lock, timeout, [&] { return s.handled_bytes >= target || s.finished; });
  --s.flushers;
  return done && s.handled_bytes >= target;
}

void line_writer::stop(std::chrono::milliseconds timeout) {
  shared& s = *state_;
  bool finished = false;
  {
    std::unique_lock lock(s.mutex);
    if (!s.closed) {
      s.closed = true;
      s.wake.notify_one();
    }
    finished = s.written.wait_for(lock, timeout, [&] { return s.finished; });
    if (!finished) {
      s.abandon.store(true);
    }
  }
  if (thread_.joinable()) {
    if (finished) {
      thread_.join();
    } else {
      thread_.detach();  // it holds its own reference to the state
    }
  }
}

std::uint64_t line_writer::dropped() const {
  const std::lock_guard lock(state_->mutex);
  return state_->dropped;
}

bool line_writer::broken() const { return state_->broken.load(); }

}  // namespace authsim::support

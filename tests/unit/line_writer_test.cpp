// The log's writer over a real pipe: lines in order, a full pipe costing
// lines and never time, the gap reported once there is room, a reader that
// went away, and a stop that does not wait for a sink that will not drain.
#include "support/line_writer.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

using authsim::support::line_writer;

namespace {

struct test_pipe {
  int read_end = -1;
  int write_end = -1;
  test_pipe() {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    read_end = fds[0];
    write_end = fds[1];
  }
  ~test_pipe() {
    close_reader();
    ::close(write_end);
  }
  void close_reader() {
    if (read_end >= 0) {
      ::close(read_end);
      read_end = -1;
    }
  }
  // Everything that arrives until nothing comes for 200 ms.
  std::string drain() {
    std::string out;
    for (;;) {
      pollfd p{read_end, POLLIN, 0};
      if (::poll(&p, 1, 200) <= 0) {
        return out;
      }
      char buf[65536];
      const ssize_t n = ::read(read_end, buf, sizeof buf);
      if (n <= 0) {
        return out;
      }
      out.append(buf, static_cast<std::size_t>(n));
    }
  }
};

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (std::size_t nl = text.find('\n'); nl != std::string::npos; nl = text.find('\n', start)) {
    out.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  CHECK(start == text.size());  // nothing after the last newline: no torn line
  return out;
}

std::string report(std::uint64_t n) { return "dropped " + std::to_string(n); }

}  // namespace

TEST_SUITE("line writer") {
  TEST_CASE("lines arrive whole and in order, flush waits until they are written") {
    test_pipe p;
    line_writer w(p.write_end, 1 << 20, std::chrono::milliseconds(2), report);
    for (int i = 0; i < 1000; ++i) {
      w.push("line " + std::to_string(i));
    }
    CHECK(w.flush(std::chrono::seconds(10)));
    const auto lines = split_lines(p.drain());
    REQUIRE(lines.size() == 1000);
    for (int i = 0; i < 1000; ++i) {
      CHECK(lines[static_cast<std::size_t>(i)] == "line " + std::to_string(i));
    }
    CHECK(w.dropped() == 0);
  }

  TEST_CASE("a full pipe costs lines, not time, and the gap is reported once there is room") {
    test_pipe p;
    line_writer w(p.write_end, 8 * 1024, std::chrono::milliseconds(2), report);
    const std::string filler(100, 'x');
    // Far more than the pipe (64 KiB) and the queue (8 KiB) hold: every
    // push returns at once, and what finds no room is counted.
    for (int i = 0; i < 20'000; ++i) {
      w.push(filler);
    }
    const std::uint64_t dropped = w.dropped();
    CHECK(dropped > 0);
    CHECK(dropped < 20'000);
    const std::string before = p.drain();
    w.push("after the gap");
    CHECK(w.flush(std::chrono::seconds(10)));
    const auto lines = split_lines(before + p.drain());
    REQUIRE(lines.size() >= 2);
    // While the pipe still had room, earlier gaps were reported as they
    // closed; the last one is reported just before the next line.
    CHECK(lines[lines.size() - 2].starts_with("dropped "));
    CHECK(lines.back() == "after the gap");
    std::uint64_t reported = 0;
    std::uint64_t kept = 0;
    for (const auto& line : lines) {
      if (line.starts_with("dropped ")) {
        reported += std::stoull(line.substr(8));
      } else if (line == filler) {
        ++kept;
      }
    }
    CHECK(reported == dropped);
    CHECK(kept + dropped == 20'000);
  }

  TEST_CASE("a queue half full is written at once, without waiting for lines to gather") {
    test_pipe p;
    // Lines would gather for an hour: only the half-full queue can start
    // the write the reader sees.
    line_writer w(p.write_end, 8 * 1024, std::chrono::hours(1), report);
    w.push("first");  // wakes the writer, which then lets lines gather
    const std::string filler(100, 'z');
    for (int i = 0; i < 45; ++i) {  // past 4 KiB
      w.push(filler);
    }
    pollfd readable{p.read_end, POLLIN, 0};
    REQUIRE(::poll(&readable, 1, 10'000) == 1);
    CHECK(p.drain().starts_with("first\n"));
    CHECK(w.dropped() == 0);
  }

  TEST_CASE("a reader that went away breaks the sink without a signal, later lines are counted as dropped") {
    test_pipe p;
    line_writer w(p.write_end, 1 << 20, std::chrono::milliseconds(0), report);
    p.close_reader();
    w.push("nobody reads this");
    w.flush(std::chrono::seconds(10));
    CHECK(w.broken());
    w.push("nor this");
    CHECK(w.dropped() == 2);
  }

  TEST_CASE("stop gives up on a pipe that never drains") {
    test_pipe p;
    line_writer w(p.write_end, 1 << 20, std::chrono::milliseconds(0), report);
    for (int i = 0; i < 5'000; ++i) {
      w.push(std::string(100, 'y'));
    }
    // The pipe is full and nobody reads: stop returns after its time-out,
    // leaving the writer behind, and what was not written counts as dropped.
    w.stop(std::chrono::milliseconds(100));
    w.push("after stop");
    CHECK(w.dropped() >= 1);
  }
}

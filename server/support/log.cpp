#include "support/log.hpp"

#include "support/json_writer.hpp"
#include "support/line_writer.hpp"

#include <boost/json/serialize.hpp>

#include <atomic>
#include <cstdio>
#include <ctime>

#include <unistd.h>

namespace authsim::support {

namespace {

// Room for about five thousand request lines: a burst of a few dozen
// milliseconds at full speed, while the writer catches up.
constexpr std::size_t queue_bytes = 1024 * 1024;
// How long the writer lets lines gather before a write: long enough that a
// busy server writes hundreds of lines per system call and wakes the
// writer a few hundred times a second at most, short enough that nobody
// waiting for a line notices.
constexpr std::chrono::milliseconds linger{5};

std::atomic<int> current_level{static_cast<int>(log_level::info)};
std::atomic<bool> json_lines{true};

// Appends the time as 2026-11-23T23:03:28.123Z. The part up to the second
// is formatted once a second per thread.
void append_timestamp(std::string& out) {
  const auto now = std::chrono::system_clock::now();
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  const std::int64_t second = ms / 1000;
  thread_local std::int64_t cached_second = -1;
  thread_local char prefix[24];  // "2026-11-23T23:03:28."
  thread_local int prefix_size = 0;
  if (second != cached_second) {
    const auto seconds = static_cast<std::time_t>(second);
    std::tm parts{};
    gmtime_r(&seconds, &parts);
    prefix_size = std::snprintf(prefix, sizeof prefix, "%04d-%02d-%02dT%02d:%02d:%02d.", parts.tm_year + 1900,
                                parts.tm_mon + 1, parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec);
    prefix_size = prefix_size > 0 ? prefix_size : 0;
    cached_second = second;
  }
  out.append(prefix, static_cast<std::size_t>(prefix_size));
  const auto milli = static_cast<unsigned>(ms % 1000);
  out.push_back(static_cast<char>('0' + milli / 100));
  out.push_back(static_cast<char>('0' + milli / 10 % 10));
  out.push_back(static_cast<char>('0' + milli % 10));
  out.push_back('Z');
}

// {"time":"…","level":"…", without the closing brace.
std::string line_start(log_level level, std::size_t room) {
  std::string out;
  out.reserve(48 + room);
  out += R"({"time":")";
  append_timestamp(out);
  out += R"(","level":")";
  out += log_level_name(level);
  out += '"';
  return out;
}

// {"time":…,"level":…, then the object's members.
std::string json_line(log_level level, std::string_view json_object) {
  std::string out = line_start(level, json_object.size());
  // The object's text without its opening brace; an empty one adds nothing.
  if (json_object.size() > 2) {
    out += ',';
    out.append(json_object.substr(1));
  } else {
    out += '}';
  }
  return out;
}

std::string text_line(log_level level, std::string_view msg) {
  std::string out = "authsim: ";
  if (level == log_level::warn || level == log_level::error) {
    out.append(log_level_name(level)).append(": ");
  }
  out.append(msg);
  return out;
}

std::string message_line(log_level level, std::string_view msg) {
  if (!json_lines.load(std::memory_order_relaxed)) {
    return text_line(level, msg);
  }
  json_object_writer fields;
  fields.string("msg", msg);
  return json_line(level, fields.finish());
}

// Created when the first line comes, and never destroyed: a writer stuck
// on a blocked sink must not hold up the process's exit. A server that
// logs nothing (--log-level warn, and nothing to warn of) has no writer
// thread: a process of one thread makes its system calls and reference
// counts a little cheaper.
std::atomic<line_writer*> started_writer{nullptr};

line_writer& writer() {
  static line_writer* const instance = [] {
    auto* w = new line_writer(STDERR_FILENO, queue_bytes, linger, [](std::uint64_t n) {
      return message_line(log_level::warn, std::to_string(n) +
                                               " log line(s) dropped: stderr did not take them fast enough "
                                               "(a full pipe, a slow terminal or a reader that went away)");
    });
    started_writer.store(w, std::memory_order_release);
    return w;
  }();
  return *instance;
}

}  // namespace

std::optional<log_level> parse_log_level(std::string_view text) {
  if (text == "error") return log_level::error;
  if (text == "warn") return log_level::warn;
  if (text == "info") return log_level::info;
  if (text == "debug") return log_level::debug;
  return std::nullopt;
}

std::optional<log_format> parse_log_format(std::string_view text) {
  if (text == "json") return log_format::json;
  if (text == "text") return log_format::text;
  return std::nullopt;
}

const char* log_level_name(log_level level) {
  switch (level) {
    case log_level::error: return "error";
    case log_level::warn: return "warn";
    case log_level::info: return "info";
    case log_level::debug: return "debug";
  }
  return "info";
}

void configure_log(log_level level, log_format format) {
  current_level.store(static_cast<int>(level), std::memory_order_relaxed);
  json_lines.store(format == log_format::json, std::memory_order_relaxed);
}

bool log_as_json() { return json_lines.load(std::memory_order_relaxed); }

bool log_enabled(log_level level) {
  return static_cast<int>(level) <= current_level.load(std::memory_order_relaxed);
}

std::string utc_timestamp_now() {
  std::string out;
  append_timestamp(out);
  return out;
}

void log_message(log_level level, std::string_view msg) {
  if (log_enabled(level)) {
    writer().push(message_line(level, msg));
  }
}

void log_line(std::string_view line) { log_message(log_level::info, line); }

void log_event(log_level level, const boost::json::object& fields, std::string_view text_form) {
  if (!log_enabled(level)) {
    return;
  }
  if (!json_lines.load(std::memory_order_relaxed)) {
    writer().push(text_line(log_level::info, text_form));
    return;
  }
  writer().push(json_line(level, boost::json::serialize(fields)));
}

void log_object(log_level level, std::string_view json_object, std::string_view text_form) {
  if (!log_enabled(level)) {
    return;
  }
  writer().push(json_lines.load(std::memory_order_relaxed) ? json_line(level, json_object)
                                                           : text_line(log_level::info, text_form));
}

std::string begin_json_line(log_level level) { return line_start(level, 320); }

void log_finished_line(std::string_view line) { writer().push(line); }

bool flush_log(std::chrono::milliseconds timeout) {
  line_writer* w = started_writer.load(std::memory_order_acquire);
  return w == nullptr || w->flush(timeout);
}

void stop_log(std::chrono::milliseconds timeout) {
  if (line_writer* w = started_writer.load(std::memory_order_acquire)) {
    w->stop(timeout);
  }
}

std::uint64_t log_lines_dropped() {
  line_writer* w = started_writer.load(std::memory_order_acquire);
  return w == nullptr ? 0 : w->dropped();
}

}  // namespace authsim::support

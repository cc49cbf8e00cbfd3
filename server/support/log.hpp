#pragma once
// The server's log on stderr: one line per event, whole lines even when
// threads log at once. Lines are JSON objects (the default, for log
// collectors) or plain text (for a person at a terminal), chosen once at
// start-up by configure_log; every line carries its time and level.
//
// Logging never waits for stderr: lines go through a bounded queue to one
// writer thread (support::line_writer). When stderr cannot keep up (a full
// pipe, a slow terminal, a reader that went away), lines are dropped and
// counted (log_lines_dropped), and a line reports how many once there is
// room again.
//
// Thread-safe: configure_log is called before any other thread logs; the
// rest may be called from any thread.

#include <boost/json/object.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace authsim::support {

enum class log_level { error = 0, warn = 1, info = 2, debug = 3 };
enum class log_format { json, text };

std::optional<log_level> parse_log_level(std::string_view text);  // "error", "warn", "info", "debug"
std::optional<log_format> parse_log_format(std::string_view text);  // "json", "text"
const char* log_level_name(log_level level);

void configure_log(log_level level, log_format format);

// True when a line at `level` would be written: callers skip building an
// expensive line that nobody reads.
bool log_enabled(log_level level);

// True when lines are JSON objects (--log-format json), false for text.
bool log_as_json();

// A free-text message: {"time","level","msg"} in JSON, "authsim: msg" in text.
void log_message(log_level level, std::string_view msg);

// Shorthand for an informational message.
void log_line(std::string_view line);

// A structured event. In JSON the fields follow "time" and "level"; in text
// the line is "authsim: " + text_form.
void log_event(log_level level, const boost::json::object& fields, std::string_view text_form);

// The same with the fields already written as a JSON object's text (by a
// support::json_object_writer): the per-request line takes this way.
void log_object(log_level level, std::string_view json_object, std::string_view text_form);

// For lines built by the caller in one go: the beginning of a JSON line at
// `level`, {"time":…,"level":… without its closing brace, to go on with a
// json_object_writer; and the finished line, queued as it is. The caller
// checks log_enabled and log_as_json first.
std::string begin_json_line(log_level level);
void log_finished_line(std::string_view line);

// Waits until the lines logged so far are written, at most `timeout`;
// true when they were.
bool flush_log(std::chrono::milliseconds timeout);

// Writes what is queued within `timeout`, then stops the writer; later
// lines are dropped. Called once, on the way out.
void stop_log(std::chrono::milliseconds timeout);

// Lines dropped since the start because stderr did not take them.
std::uint64_t log_lines_dropped();

// The UTC time as 2026-11-23T23:03:28.123Z, for log lines.
std::string utc_timestamp_now();

}  // namespace authsim::support

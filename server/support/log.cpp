#include "support/log.hpp"

#include <boost/json/serialize.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

namespace authsim::support {

namespace json = boost::json;

namespace {

std::atomic<int> current_level{static_cast<int>(log_level::info)};
std::atomic<bool> json_lines{true};

void write_line(std::string& out) {
  static std::mutex mutex;
  out.push_back('\n');
  const std::lock_guard lock(mutex);
  std::fwrite(out.data(), 1, out.size(), stderr);
  std::fflush(stderr);
}

void write_json(log_level level, const json::object& fields) {
  json::object line;
  line.reserve(fields.size() + 2);
  line["time"] = utc_timestamp_now();
  line["level"] = log_level_name(level);
  for (const auto& field : fields) {
    line[field.key()] = field.value();
  }
  std::string out = json::serialize(line);
  write_line(out);
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

bool log_enabled(log_level level) {
  return static_cast<int>(level) <= current_level.load(std::memory_order_relaxed);
}

std::string utc_timestamp_now() {
  const auto now = std::chrono::system_clock::now();
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm parts{};
  gmtime_r(&seconds, &parts);
  char buf[32];
  const int n = std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", parts.tm_year + 1900,
                              parts.tm_mon + 1, parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec,
                              static_cast<int>(ms % 1000));
  return std::string(buf, n > 0 ? static_cast<std::size_t>(n) : 0);
}

void log_message(log_level level, std::string_view msg) {
  if (!log_enabled(level)) {
    return;
  }
  if (json_lines.load(std::memory_order_relaxed)) {
    json::object fields;
    fields["msg"] = msg;
    write_json(level, fields);
    return;
  }
  std::string out = "authsim: ";
  if (level == log_level::warn || level == log_level::error) {
    out.append(log_level_name(level)).append(": ");
  }
  out.append(msg);
  write_line(out);
}

void log_line(std::string_view line) { log_message(log_level::info, line); }

void log_event(log_level level, const json::object& fields, std::string_view text_form) {
  if (!log_enabled(level)) {
    return;
  }
  if (json_lines.load(std::memory_order_relaxed)) {
    write_json(level, fields);
    return;
  }
  std::string out = "authsim: ";
  out.append(text_form);
  write_line(out);
}

}  // namespace authsim::support

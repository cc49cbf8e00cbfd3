#include "support/json_duplicates.hpp"

#include "support/aliases.hpp"

#include <boost/json/basic_parser_impl.hpp>

#include <algorithm>
#include <memory>
#include <set>
#include <vector>

namespace authsim::support {

namespace {

// A handler for basic_parser that builds nothing and only tracks the keys
// seen in each open object, with enough of the path to name a duplicate.
class duplicate_key_finder {
 public:
  static constexpr std::size_t max_object_size = std::size_t(-1);
  static constexpr std::size_t max_array_size = std::size_t(-1);
  static constexpr std::size_t max_key_size = std::size_t(-1);
  static constexpr std::size_t max_string_size = std::size_t(-1);

  std::string duplicate_path;

  bool on_document_begin(boost::system::error_code&) { return true; }
  bool on_document_end(boost::system::error_code&) { return true; }
  bool on_object_begin(boost::system::error_code&) {
    begin_value();
    frames_.push_back({true, {}, nullptr, {}, {}, 0});
    return true;
  }
  bool on_object_end(std::size_t, boost::system::error_code&) {
    frames_.pop_back();
    return true;
  }
  bool on_array_begin(boost::system::error_code&) {
    begin_value();
    frames_.push_back({false, {}, nullptr, {}, {}, 0});
    return true;
  }
  bool on_array_end(std::size_t, boost::system::error_code&) {
    frames_.pop_back();
    return true;
  }
  bool on_key_part(json::string_view part, std::size_t, boost::system::error_code&) {
    frames_.back().key_buffer.append(part.data(), part.size());
    return true;
  }
  bool on_key(json::string_view part, std::size_t, boost::system::error_code& ec) {
    frame& f = frames_.back();
    f.key_buffer.append(part.data(), part.size());
    f.last_key = std::move(f.key_buffer);
    f.key_buffer.clear();
    if (!add_key(f, f.last_key)) {
      duplicate_path = path();
      ec = std::make_error_code(std::errc::invalid_argument);
      return false;
    }
    return true;
  }
  bool on_string_part(json::string_view, std::size_t, boost::system::error_code&) { return true; }
  bool on_string(json::string_view, std::size_t, boost::system::error_code&) { return scalar(); }
  bool on_number_part(json::string_view, boost::system::error_code&) { return true; }
  bool on_int64(std::int64_t, json::string_view, boost::system::error_code&) { return scalar(); }
  bool on_uint64(std::uint64_t, json::string_view, boost::system::error_code&) { return scalar(); }
  bool on_double(double, json::string_view, boost::system::error_code&) { return scalar(); }
  bool on_bool(bool, boost::system::error_code&) { return scalar(); }
  bool on_null(boost::system::error_code&) { return scalar(); }
  bool on_comment_part(json::string_view, boost::system::error_code&) { return true; }
  bool on_comment(json::string_view, boost::system::error_code&) { return true; }

 private:
  // The keys of an open object: a short list searched in turn, as most
  // objects are small, and a set once there are many, so that a body of
  // thousands of keys still costs n log n.
  static constexpr std::size_t few_keys = 16;
  struct frame {
    bool is_object;
    std::vector<std::string> few;
    std::unique_ptr<std::set<std::string>> many;
    std::string key_buffer;
    std::string last_key;
    std::size_t next_index;
  };

  // False when the object already has `key`.
  static bool add_key(frame& f, const std::string& key) {
    if (f.many) {
      return f.many->insert(key).second;
    }
    if (std::find(f.few.begin(), f.few.end(), key) != f.few.end()) {
      return false;
    }
    if (f.few.size() < few_keys) {
      if (f.few.empty()) {
        f.few.reserve(few_keys);
      }
      f.few.push_back(key);
      return true;
    }
    f.many = std::make_unique<std::set<std::string>>(f.few.begin(), f.few.end());
    f.few.clear();
    return f.many->insert(key).second;
  }

  bool scalar() {
    begin_value();
    return true;
  }
  // Counts array elements so the path can say which one.
  void begin_value() {
    if (!frames_.empty() && !frames_.back().is_object) {
      ++frames_.back().next_index;
    }
  }
  [[nodiscard]] std::string path() const {
    std::string out;
    for (const frame& f : frames_) {
      if (f.is_object) {
        out += (out.empty() ? "" : ".") + f.last_key;
      } else {
        out += "[" + std::to_string(f.next_index - 1) + "]";
      }
    }
    return out;
  }

  std::vector<frame> frames_;
};

}  // namespace

std::optional<std::string> find_duplicate_key(std::string_view text) {
  json::basic_parser<duplicate_key_finder> finder(json::parse_options{});
  boost::system::error_code ec;
  finder.write_some(false, text.data(), text.size(), ec);
  if (finder.handler().duplicate_path.empty()) {
    return std::nullopt;
  }
  return finder.handler().duplicate_path;
}

}  // namespace authsim::support

#include "support/json_number_text.hpp"

#include "support/aliases.hpp"

#include <boost/json/basic_parser_impl.hpp>

namespace authsim::support {

namespace {

// A handler for basic_parser that builds nothing: it follows the depth and
// the current key of the top-level object, and keeps the text of the
// number under the wanted key.
class number_finder {
 public:
  static constexpr std::size_t max_object_size = std::size_t(-1);
  static constexpr std::size_t max_array_size = std::size_t(-1);
  static constexpr std::size_t max_key_size = std::size_t(-1);
  static constexpr std::size_t max_string_size = std::size_t(-1);

  explicit number_finder(std::string_view wanted) : wanted_(wanted) {}

  std::optional<std::string> found;

  bool on_document_begin(boost::system::error_code&) { return true; }
  bool on_document_end(boost::system::error_code&) { return true; }
  bool on_object_begin(boost::system::error_code&) { return open(); }
  bool on_object_end(std::size_t, boost::system::error_code&) { return close(); }
  bool on_array_begin(boost::system::error_code&) { return open(); }
  bool on_array_end(std::size_t, boost::system::error_code&) { return close(); }
  bool on_key_part(json::string_view part, std::size_t, boost::system::error_code&) {
    if (depth_ == 1) key_.append(part.data(), part.size());
    return true;
  }
  bool on_key(json::string_view part, std::size_t, boost::system::error_code&) {
    if (depth_ == 1) {
      key_.append(part.data(), part.size());
      in_wanted_ = key_ == wanted_;
      key_.clear();
    }
    return true;
  }
  bool on_string_part(json::string_view, std::size_t, boost::system::error_code&) { return true; }
  bool on_string(json::string_view, std::size_t, boost::system::error_code&) { return true; }
  bool on_number_part(json::string_view part, boost::system::error_code&) {
    if (here()) number_.append(part.data(), part.size());
    return true;
  }
  bool on_int64(std::int64_t, json::string_view part, boost::system::error_code&) { return number(part); }
  bool on_uint64(std::uint64_t, json::string_view part, boost::system::error_code&) { return number(part); }
  bool on_double(double, json::string_view part, boost::system::error_code&) { return number(part); }
  bool on_bool(bool, boost::system::error_code&) { return true; }
  bool on_null(boost::system::error_code&) { return true; }
  bool on_comment_part(json::string_view, boost::system::error_code&) { return true; }
  bool on_comment(json::string_view, boost::system::error_code&) { return true; }

 private:
  [[nodiscard]] bool here() const { return depth_ == 1 && in_wanted_; }
  bool open() {
    ++depth_;
    return true;
  }
  bool close() {
    --depth_;
    return true;
  }
  bool number(json::string_view last) {
    if (here()) {
      number_.append(last.data(), last.size());
      found = std::move(number_);
    }
    number_.clear();
    return true;
  }

  std::string_view wanted_;
  int depth_ = 0;
  bool in_wanted_ = false;
  std::string key_;
  std::string number_;
};

}  // namespace

std::optional<std::string> top_level_number_text(std::string_view json_text, std::string_view key) {
  json::basic_parser<number_finder> parser(json::parse_options{}, key);
  boost::system::error_code ec;
  parser.write_some(false, json_text.data(), json_text.size(), ec);
  if (ec) {
    return std::nullopt;
  }
  return std::move(parser.handler().found);
}

}  // namespace authsim::support

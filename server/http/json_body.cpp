#include "http/json_body.hpp"

#include "support/aliases.hpp"
#include "support/json_duplicates.hpp"
#include "support/json_kind.hpp"
#include "support/terms.hpp"
#include "support/text.hpp"

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/error.hpp>
#include <boost/json/value_stack.hpp>

namespace authsim::http {

namespace {

// A basic_parser handler that builds the value as Boost.JSON's own parser
// does and also counts the keys it reads. A built object keeps one member
// per key, silently, so a document has a duplicate key exactly when its
// values hold fewer members than it had keys: one parse finds out, and only
// a body that has one is read again to name it.
class counting_builder {
 public:
  static constexpr std::size_t max_object_size = json::object::max_size();
  static constexpr std::size_t max_array_size = json::array::max_size();
  static constexpr std::size_t max_key_size = json::string::max_size();
  static constexpr std::size_t max_string_size = json::string::max_size();

  counting_builder(unsigned char* scratch, std::size_t scratch_size, json::storage_ptr values)
      : stack_(json::storage_ptr(), scratch, scratch_size) {
    stack_.reset(std::move(values));
  }

  json::value release() { return stack_.release(); }
  [[nodiscard]] std::size_t keys() const { return keys_; }

  bool on_document_begin(boost::system::error_code&) { return true; }
  bool on_document_end(boost::system::error_code&) { return true; }
  bool on_object_begin(boost::system::error_code&) { return true; }
  bool on_object_end(std::size_t n, boost::system::error_code&) {
    stack_.push_object(n);
    return true;
  }
  bool on_array_begin(boost::system::error_code&) { return true; }
  bool on_array_end(std::size_t n, boost::system::error_code&) {
    stack_.push_array(n);
    return true;
  }
  bool on_key_part(json::string_view s, std::size_t, boost::system::error_code&) {
    stack_.push_chars(s);
    return true;
  }
  bool on_key(json::string_view s, std::size_t, boost::system::error_code&) {
    stack_.push_key(s);
    ++keys_;
    return true;
  }
  bool on_string_part(json::string_view s, std::size_t, boost::system::error_code&) {
    stack_.push_chars(s);
    return true;
  }
  bool on_string(json::string_view s, std::size_t, boost::system::error_code&) {
    stack_.push_string(s);
    return true;
  }
  bool on_number_part(json::string_view, boost::system::error_code&) { return true; }
  bool on_int64(std::int64_t i, json::string_view, boost::system::error_code&) {
    stack_.push_int64(i);
    return true;
  }
  bool on_uint64(std::uint64_t u, json::string_view, boost::system::error_code&) {
    stack_.push_uint64(u);
    return true;
  }
  bool on_double(double d, json::string_view, boost::system::error_code&) {
    stack_.push_double(d);
    return true;
  }
  bool on_bool(bool b, boost::system::error_code&) {
    stack_.push_bool(b);
    return true;
  }
  bool on_null(boost::system::error_code&) {
    stack_.push_null();
    return true;
  }
  bool on_comment_part(json::string_view, boost::system::error_code&) { return true; }
  bool on_comment(json::string_view, boost::system::error_code&) { return true; }

 private:
  json::value_stack stack_;
  std::size_t keys_ = 0;
};

// The members of every object in `v`, nested ones included. Nesting is
// bounded by the parser's depth limit.
std::size_t count_members(const json::value& v) {
  std::size_t n = 0;
  if (const json::object* o = v.if_object()) {
    n += o->size();
    for (const auto& member : *o) {
      n += count_members(member.value());
    }
  } else if (const json::array* a = v.if_array()) {
    for (const json::value& element : *a) {
      n += count_members(element);
    }
  }
  return n;
}

}  // namespace

json_body parse_json_object(std::string_view raw, json::storage_ptr storage) {
  json_body out;
  if (raw.empty()) {
    out.problem = body_problem::empty;
    return out;
  }
  json::parse_options options;
  options.max_depth = 64;
  // The parser's own working stack starts in this buffer; only deep or
  // large documents make it allocate.
  unsigned char scratch[1024];
  json::basic_parser<counting_builder> parser(options, scratch, sizeof scratch, storage);
  boost::system::error_code ec;
  const std::size_t used = parser.write_some(false, raw.data(), raw.size(), ec);
  if (!ec && used < raw.size()) {
    ec = json::error::extra_data;
  }
  if (ec) {
    out.problem = body_problem::syntax;
    out.error_offset = used;
    out.error_detail = ec.message();
    // The parser stops at a byte that is not UTF-8 with a mere "syntax
    // error": say what it is.
    if (const auto bad = support::first_invalid_utf8(raw); bad && *bad <= used) {
      out.error_offset = *bad;
      out.error_detail = "invalid UTF-8";
    }
    return out;
  }
  json::value v = parser.handler().release();
  if (count_members(v) != parser.handler().keys()) {
    if (auto duplicate = support::find_duplicate_key(raw)) {
      out.problem = body_problem::duplicate_key;
      out.duplicate_path = std::move(*duplicate);
      return out;
    }
  }
  if (!v.is_object()) {
    out.problem = body_problem::not_object;
    out.kind = support::json_kind_name(v);
    return out;
  }
  // Built by move, so the object keeps its memory from `storage`
  // (assigning would copy it into the default resource).
  return json_body{body_problem::none, std::move(v.get_object()), 0, {}, {}, {}};
}

field_problem string_field(const json::object& obj, std::string_view name, const json::string*& out) {
  out = nullptr;
  const json::value* v = obj.if_contains(name);
  if (v == nullptr) {
    return field_problem::missing;
  }
  const json::string* s = v->if_string();
  if (s == nullptr) {
    return field_problem::wrong_type;
  }
  if (s->empty()) {
    return field_problem::empty;
  }
  out = s;
  return field_problem::none;
}

text describe_problem(const json_body& body) {
  switch (body.problem) {
    case body_problem::none: return {};
    case body_problem::empty: return {"the body is empty", "请求体为空"};
    case body_problem::syntax: {
      const std::string at = std::to_string(body.error_offset);
      return {support::substitute("invalid JSON at byte {0} ({1})", {at, body.error_detail}),
              support::substitute("第 {0} 字节处 JSON 不合法（{1}）", {at, support::zh_term(body.error_detail)})};
    }
    case body_problem::not_object: return {"got " + body.kind, "实际为" + support::zh_term(body.kind)};
    case body_problem::duplicate_key: {
      const std::string key = support::excerpt(body.duplicate_path);
      return {support::substitute("the key '{0}' appears twice", {key}),
              support::substitute("键 '{0}' 出现了两次", {key})};
    }
  }
  return {};
}

}  // namespace authsim::http

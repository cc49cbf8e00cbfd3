#include "http/json_body.hpp"

#include "support/json_duplicates.hpp"
#include "support/json_kind.hpp"

#include <boost/json/stream_parser.hpp>

namespace authsim::http {
namespace json = boost::json;

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
  json::stream_parser parser(std::move(storage), options, scratch, sizeof scratch);
  boost::system::error_code ec;
  const std::size_t used = parser.write(raw.data(), raw.size(), ec);
  if (!ec) {
    parser.finish(ec);
  }
  if (ec) {
    out.problem = body_problem::syntax;
    out.error_offset = used;
    out.error_detail = ec.message();
    return out;
  }
  if (auto duplicate = support::find_duplicate_key(raw)) {
    out.problem = body_problem::duplicate_key;
    out.duplicate_path = std::move(*duplicate);
    return out;
  }
  json::value v = parser.release();
  if (!v.is_object()) {
    out.problem = body_problem::not_object;
    out.kind = support::json_kind_name(v);
    return out;
  }
  out.object = std::move(v.get_object());
  return out;
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

}  // namespace authsim::http

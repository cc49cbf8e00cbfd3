#pragma once
// Parsing a request body as a JSON object, and checking its fields, with the
// details each API needs to say precisely what is wrong. Both APIs use it and
// word the result in their own envelope.

#include "http/message.hpp"

#include <boost/json/object.hpp>
#include <boost/json/storage_ptr.hpp>
#include <boost/json/value.hpp>

#include <cstddef>
#include <string>
#include <string_view>

namespace authsim::http {

enum class body_problem {
  none,
  empty,       // no bytes at all
  syntax,      // not JSON (including invalid UTF-8, trailing data, too deep)
  not_object,  // valid JSON, but an array, string, number...
  duplicate_key,  // an object holds the same key twice
};

struct json_body {
  body_problem problem = body_problem::none;
  boost::json::object object;  // when problem == none
  std::size_t error_offset = 0;  // syntax: the byte where parsing stopped
  std::string error_detail;      // syntax: the parser's reason, in English
  std::string kind;              // not_object: what it was, e.g. "an array"
  std::string duplicate_path;    // duplicate_key: its JSON path, e.g. "custom_no"
};

// Parses strictly: UTF-8 must be valid, comments and trailing commas are not
// JSON, nesting is limited to 64 levels, and no object may hold a key twice
// (which JSON parsers would otherwise resolve silently, each its own way).
// The object's memory comes from `storage` (a handler's monotonic buffer
// on its stack, say), which must outlive the result.
json_body parse_json_object(std::string_view raw, boost::json::storage_ptr storage = {});

// What is wrong with a body that is not a JSON object, in both served
// languages, worded to follow "the request body must be a JSON object: ".
// Empty for a body without a problem.
text describe_problem(const json_body& body);

enum class field_problem { none, missing, wrong_type, empty };

// Checks that obj[name] is a non-empty string; on success `out` points to it.
field_problem string_field(const boost::json::object& obj, std::string_view name,
                           const boost::json::string*& out);

}  // namespace authsim::http

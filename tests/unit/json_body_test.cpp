#include "http/json_body.hpp"

#include <boost/json/monotonic_resource.hpp>

#include <doctest/doctest.h>

#include <string>

namespace http = authsim::http;
namespace json = boost::json;

TEST_SUITE("unit") {
  TEST_CASE("a JSON object body is parsed with its members") {
    const http::json_body b = http::parse_json_object(R"({"a":"x","n":12,"o":{"k":[1,2,{"z":null}]}})");
    REQUIRE(b.problem == http::body_problem::none);
    CHECK(b.object.size() == 3);
    CHECK(b.object.at("a").as_string() == "x");
    CHECK(b.object.at("n").as_int64() == 12);
    CHECK(b.object.at("o").at("k").at(2).at("z").is_null());
  }

  TEST_CASE("a body that is not a JSON object says why, and where") {
    CHECK(http::parse_json_object("").problem == http::body_problem::empty);

    const http::json_body broken = http::parse_json_object(R"({"a":1,})");
    CHECK(broken.problem == http::body_problem::syntax);
    CHECK(broken.error_offset == 7);
    CHECK_FALSE(broken.error_detail.empty());

    const http::json_body trailing = http::parse_json_object(R"({"a":1} {"b":2})");
    CHECK(trailing.problem == http::body_problem::syntax);
    CHECK(trailing.error_offset == 8);

    const http::json_body cut = http::parse_json_object(R"({"a":)");
    CHECK(cut.problem == http::body_problem::syntax);

    const http::json_body arr = http::parse_json_object("[1,2]");
    CHECK(arr.problem == http::body_problem::not_object);
    CHECK(arr.kind == "an array");

    std::string deep(65, '[');
    deep += std::string(65, ']');
    CHECK(http::parse_json_object(deep).problem == http::body_problem::syntax);
  }

  TEST_CASE("a key twice in one object is named by its path, wherever it is") {
    auto duplicate = [](const std::string& text) {
      const http::json_body b = http::parse_json_object(text);
      return b.problem == http::body_problem::duplicate_key ? b.duplicate_path : std::string("(none)");
    };
    CHECK(duplicate(R"({"a":1,"a":2})") == "a");
    CHECK(duplicate(R"({"a":1,"b":{"c":1,"c":2}})") == "b.c");
    CHECK(duplicate(R"({"a":[{"x":1},{"x":1,"x":2}]})") == "a[1].x");
    // The same key with and without an escape is the same key.
    CHECK(duplicate(R"({"ab":1,"a\u0062":2})") == "ab");
    // A repeated key whose values are objects hides members of its own.
    CHECK(duplicate(R"({"o":{"p":1,"q":2},"o":{"r":3}})") == "o");
    // The same key in sibling objects is no duplicate.
    CHECK(duplicate(R"({"a":{"x":1},"b":{"x":1},"c":[{"x":1},{"x":2}]})") == "(none)");
    // A duplicate inside a body that is not an object is still one.
    CHECK(duplicate(R"([{"k":1,"k":1}])") == "[0].k");
  }

  TEST_CASE("the object's memory comes from the storage given") {
    unsigned char arena[1024];
    json::monotonic_resource memory(arena, sizeof arena);
    const json::storage_ptr storage(&memory);
    const http::json_body b = http::parse_json_object(R"({"key":"a value long enough to need memory"})", storage);
    REQUIRE(b.problem == http::body_problem::none);
    CHECK(b.object.storage().get() == storage.get());
    CHECK(b.object.at("key").as_string().storage().get() == storage.get());
  }
}

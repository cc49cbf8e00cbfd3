#include "support/json_writer.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <doctest/doctest.h>

using namespace authsim;

TEST_CASE("the object writer's output is the JSON a tree would give, members in order") {
  support::json_object_writer w;
  w.string("s", "plain").number("n", -42).boolean("t", true).null("z").string_or_null("maybe", nullptr);
  w.value("obj", boost::json::parse(R"({"a":[1,2],"b":"x"})")).value("nothing", nullptr);
  const std::string text = w.finish();
  CHECK(text == R"({"s":"plain","n":-42,"t":true,"z":null,"maybe":null,"obj":{"a":[1,2],"b":"x"},"nothing":null})");
}

TEST_CASE("every character that needs escaping is escaped wherever it falls in a long string") {
  // Long strings are scanned eight bytes at a time: put each special byte at
  // every offset of a 24-byte string.
  const std::string specials = std::string("\"\\\n\x01\x1f") + '\0';
  for (const char special : specials) {
    for (std::size_t at = 0; at < 24; ++at) {
      std::string text = "abcdefghijklmnopqrstuvwx";
      text[at] = special;
      std::string out;
      support::append_json_string(out, text);
      const boost::json::value back = boost::json::parse(out);
      REQUIRE(back.as_string() == text);
      for (const char c : out) {
        CHECK(static_cast<unsigned char>(c) >= 0x20);
      }
    }
  }
  std::string plain;
  support::append_json_string(plain, "0123456789abcdef\xe4\xb8\xad\x7f~ ");
  CHECK(plain == "\"0123456789abcdef\xe4\xb8\xad\x7f~ \"");
}

TEST_CASE("an object one writer finished nests in another") {
  support::json_object_writer inner;
  inner.string("userId", "fc0001").string("token", "DEF_A3_\"x");
  support::json_object_writer outer;
  outer.boolean("success", true).object("obj", inner.finish()).object("none", "null");
  const std::string text = outer.finish();
  CHECK(text == R"({"success":true,"obj":{"userId":"fc0001","token":"DEF_A3_\"x"},"none":null})");
  CHECK(boost::json::parse(text).at("obj").at("token").as_string() == "DEF_A3_\"x");
}

TEST_CASE("strings are escaped so that any text survives a round trip") {
  const std::string nasty = std::string("quote\" backslash\\ newline\n tab\t nul") + '\0' + "\x01\x1f end é 中";
  support::json_object_writer w;
  w.string("k\"ey", nasty);
  const std::string text = w.finish();
  const boost::json::value back = boost::json::parse(text);
  CHECK(back.at("k\"ey").as_string() == nasty);
  // Control characters never appear raw.
  for (const char c : text) {
    CHECK(static_cast<unsigned char>(c) >= 0x20);
  }
}

TEST_CASE("an empty object is {}") {
  support::json_object_writer w;
  CHECK(w.finish() == "{}");
}

#include "support/json_duplicates.hpp"
#include "support/json_number_text.hpp"
#include "support/text.hpp"

#include <doctest/doctest.h>

#include <optional>
#include <string>

using namespace authsim::support;

TEST_CASE("substitute fills numbered placeholders and leaves unknown ones visible") {
  CHECK(substitute("a {0} b {1} c {0}", {"x", "y"}) == "a x b y c x");
  CHECK(substitute("missing {2}", {"x"}) == "missing {2}");
  CHECK(substitute("{not a placeholder}", {"x"}) == "{not a placeholder}");
}

TEST_CASE("excerpt cuts long values without splitting a UTF-8 character") {
  CHECK(excerpt("short", 10) == "short");
  CHECK(excerpt("abcdefghij", 4) == "abcd...");
  // "é" is two bytes; a cut in its middle steps back before it.
  CHECK(excerpt("ab\xc3\xa9zz", 3) == "ab...");
}

TEST_CASE("iequals and ascii_lower ignore ASCII case only") {
  CHECK(iequals("Content-Length", "content-length"));
  CHECK_FALSE(iequals("abc", "abd"));
  CHECK(ascii_lower("API-Key") == "api-key");
}

TEST_CASE("dates are formatted as yyyy-MM-dd HH:mm:ss at the given offset") {
  // 2024-11-25 07:57:04.191 UTC
  CHECK(format_date_time(1732521424191, 0) == "2024-11-25 07:57:04");
  CHECK(format_date_time(1732521424191, 8 * 60) == "2024-11-25 15:57:04");
  CHECK(format_date_time(1732521424191, -8 * 60) == "2024-11-24 23:57:04");
  CHECK(format_date_time(0, 0) == "1970-01-01 00:00:00");
  CHECK(format_date_time(1735689599999, 0) == "2024-12-31 23:59:59");
  CHECK(format_date_time(1709208000000, 0) == "2024-02-29 12:00:00");
  CHECK(format_date_time(-1, 0) == "1969-12-31 23:59:59");
  // Past year 9999, the year simply takes more digits.
  CHECK(format_date_time(253402300800000, 0) == "10000-01-01 00:00:00");
}

TEST_CASE("valid_utf8 checks every byte of long text, wherever a bad or multi-byte one falls") {
  // ASCII is taken eight bytes at a time: put a bad byte, and a good
  // two-byte character, at every offset of a 24-byte string.
  for (std::size_t at = 0; at < 24; ++at) {
    std::string bad = "abcdefghijklmnopqrstuvwx";
    bad[at] = '\xff';
    std::string expected = bad.substr(0, at) + "\xef\xbf\xbd" + bad.substr(at + 1);
    CHECK(valid_utf8(bad) == expected);

    std::string good = "abcdefghijklmnopqrstuvwx";
    good.replace(at, 1, "\xc3\xa9");  // é
    CHECK(valid_utf8(good) == good);
  }
  const std::string long_ascii(1000, 'a');
  CHECK(valid_utf8(long_ascii) == long_ascii);
  CHECK(valid_utf8(long_ascii + "\xe4\xb8") == long_ascii + "\xef\xbf\xbd\xef\xbf\xbd");
}

TEST_CASE("valid_utf8 keeps well-formed text and replaces every bad byte with U+FFFD") {
  CHECK(valid_utf8("plain ascii") == "plain ascii");
  CHECK(valid_utf8("\xe4\xb8\xad\xe6\x96\x87") == "\xe4\xb8\xad\xe6\x96\x87");  // 中文
  CHECK(valid_utf8("caf\xe9") == "caf\xef\xbf\xbd");                            // Latin-1 é
  CHECK(valid_utf8("\xff\xfe") == "\xef\xbf\xbd\xef\xbf\xbd");
  CHECK(valid_utf8("\xc0\xaf") == "\xef\xbf\xbd\xef\xbf\xbd");                // overlong '/'
  CHECK(valid_utf8("\xed\xa0\x80") == "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");  // a surrogate
  CHECK(valid_utf8("\xf0\x9f\x98\x80") == "\xf0\x9f\x98\x80");                // U+1F600
  CHECK(valid_utf8("\xe4\xb8") == "\xef\xbf\xbd\xef\xbf\xbd");                // cut short
  CHECK(excerpt("\xff", 10) == "\xef\xbf\xbd");
}

TEST_CASE("duplicate keys are found in small and large objects, with their path") {
  using authsim::support::find_duplicate_key;
  std::string many = "{";
  for (int i = 0; i < 40; ++i) {
    many += (i ? "," : "") + std::string("\"k") + std::to_string(i) + "\":" + std::to_string(i);
  }
  CHECK_FALSE(find_duplicate_key(many + "}").has_value());
  CHECK(find_duplicate_key(many + ",\"k3\":0}") == std::optional<std::string>("k3"));
  CHECK(find_duplicate_key(R"({"a":1,"b":{"c":1,"c":2}})") == std::optional<std::string>("b.c"));
  CHECK(find_duplicate_key(R"({"a":[{"x":1},{"x":1,"x":2}]})") == std::optional<std::string>("a[1].x"));
  CHECK_FALSE(find_duplicate_key(R"({"a":{"x":1},"b":{"x":1}})").has_value());
}

TEST_CASE("first_invalid_utf8 names the first byte that starts no well-formed sequence") {
  using authsim::support::first_invalid_utf8;
  CHECK_FALSE(first_invalid_utf8("plain ascii, and 中文").has_value());
  CHECK(first_invalid_utf8("{\"custom_no\":\"ab\xff\"}") == 16u);
  CHECK(first_invalid_utf8("0123456789abcdef\xc3") == 16u);  // a sequence cut short
  CHECK(first_invalid_utf8("\xed\xa0\x80") == 0u);            // a surrogate
}

TEST_CASE("top_level_number_text finds a top-level number as it was written") {
  using authsim::support::top_level_number_text;
  CHECK(top_level_number_text(R"({"token_expire":1796158753000.0})", "token_expire") == "1796158753000.0");
  CHECK(top_level_number_text(R"({"a":{"token_expire":1},"token_expire":1e12})", "token_expire") == "1e12");
  CHECK(top_level_number_text(R"({"token_expire": -12.50E+3 ,"b":2})", "token_expire") == "-12.50E+3");
  CHECK_FALSE(top_level_number_text(R"({"token_expire":"1e12"})", "token_expire").has_value());
  CHECK_FALSE(top_level_number_text(R"({"a":{"token_expire":1}})", "token_expire").has_value());
  CHECK_FALSE(top_level_number_text(R"([{"token_expire":1}])", "token_expire").has_value());
  CHECK_FALSE(top_level_number_text("not json", "token_expire").has_value());
}

#include "http/serialize.hpp"
#include "transport/wire.hpp"

#include <boost/beast/http/write.hpp>

#include <doctest/doctest.h>

#include <sstream>

using namespace authsim;

namespace {

// What Beast writes for the answer, the reference to_bytes must match.
std::string beast_bytes(const http::response& res, unsigned version, bool keep_alive, bool head) {
  std::ostringstream out;
  out << transport::to_wire(res, version, keep_alive, head);
  return out.str();
}

}  // namespace

TEST_CASE("the one-string answer is byte for byte what Beast would write") {
  for (const unsigned status : {200U, 299U, 400U, 401U, 404U, 405U, 413U, 418U, 429U, 500U, 503U, 599U}) {
    for (const unsigned version : {10U, 11U}) {
      for (const bool keep_alive : {false, true}) {
        for (const bool head : {false, true}) {
          http::response res;
          res.status = status;
          res.headers.set("Content-Type", "application/json");
          if (status == 429) {
            res.headers.set("Retry-After", "1");
          }
          res.body = R"({"code":0,"msg":"success"})";
          const auto bytes = http::to_bytes(res, version, keep_alive, head);
          REQUIRE(bytes.has_value());
          CHECK_MESSAGE(*bytes == beast_bytes(res, version, keep_alive, head), "status ", status, " version ",
                        version, " keep-alive ", keep_alive, " head ", head);
        }
      }
    }
  }
}

TEST_CASE("answers Beast must shape itself are left to it") {
  http::response no_body;
  no_body.status = 204;
  CHECK_FALSE(http::to_bytes(no_body, 11, true, false).has_value());
  http::response own_length;
  own_length.headers.set("Content-Length", "3");
  CHECK_FALSE(http::to_bytes(own_length, 11, true, false).has_value());
  http::response twice;
  twice.headers.add("X-A", "1");
  twice.headers.add("x-a", "2");
  CHECK_FALSE(http::to_bytes(twice, 11, true, false).has_value());
}

TEST_CASE("every status a scenario may answer has a sensible reason phrase") {
  CHECK(http::reason_phrase(200) == "OK");
  CHECK(http::reason_phrase(503) == "Service Unavailable");
  CHECK(http::reason_phrase(418) == "I'm a Teapot");
  CHECK(http::reason_phrase(299) == "Successful");
  CHECK(http::reason_phrase(477) == "Client Error");
  for (unsigned status = 200; status <= 599; ++status) {
    CAPTURE(status);
    CHECK(http::reason_phrase(status).find('<') == std::string_view::npos);
  }
  http::response teapot;
  teapot.status = 418;
  teapot.body = "short and stout";
  CHECK(http::to_bytes(teapot, 11, true, false)->starts_with("HTTP/1.1 418 I'm a Teapot\r\n"));
  teapot.status = 597;
  CHECK(http::to_bytes(teapot, 11, true, false)->starts_with("HTTP/1.1 597 Server Error\r\n"));
}

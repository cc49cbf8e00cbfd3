#include "admin/access.hpp"

#include "support/validate.hpp"

#include <doctest/doctest.h>

using namespace authsim;

namespace {

http::request from(const std::string& remote, const std::string& path) {
  http::request req;
  req.method = "GET";
  req.target = path;
  req.remote_address = remote;
  return req;
}

}  // namespace

TEST_CASE("bound off loopback without a token: health answers loopback callers only, the rest is refused") {
  const admin::access_guard guard({"", false, false});
  CHECK_FALSE(guard.refuse(from("127.0.0.1", "/__admin/health")));
  CHECK_FALSE(guard.refuse(from("::1", "/__admin/health")));
  CHECK_FALSE(guard.refuse(from("::ffff:127.0.0.1", "/__admin/health")));
  CHECK(guard.refuse(from("10.0.0.5", "/__admin/health"))->status == 403);
  CHECK(guard.refuse(from("127.0.0.1", "/__admin/state"))->status == 403);
}

TEST_CASE("with a token, health needs it like every admin route") {
  const admin::access_guard guard({"t", false, false});
  CHECK(guard.refuse(from("127.0.0.1", "/__admin/health"))->status == 401);
}

TEST_CASE("loopback addresses as sockets report them") {
  CHECK(support::is_loopback_address("127.0.0.1"));
  CHECK(support::is_loopback_address("127.255.0.9"));
  CHECK(support::is_loopback_address("::1"));
  CHECK(support::is_loopback_address("::ffff:127.0.0.1"));
  CHECK_FALSE(support::is_loopback_address("128.0.0.1"));
  CHECK_FALSE(support::is_loopback_address("::ffff:10.0.0.1"));
  CHECK_FALSE(support::is_loopback_address("127.evil"));
  CHECK_FALSE(support::is_loopback_address(""));
}

#include "support/validate.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace authsim::support;

TEST_CASE("http and https URLs with a host are accepted") {
  CHECK(is_http_url("https://credit-pre.aatest.online/payment/callback"));
  CHECK(is_http_url("http://127.0.0.1:8080/cb?x=1#frag"));
  CHECK(is_http_url("HTTPS://EXAMPLE.COM"));
  CHECK(is_http_url("http://[::1]:9000/cb"));
  CHECK(is_http_url("https://user:pw@example.com/"));
}

TEST_CASE("other schemes, missing hosts, bad ports and whitespace are refused") {
  CHECK_FALSE(is_http_url(""));
  CHECK_FALSE(is_http_url("ftp://example.com/"));
  CHECK_FALSE(is_http_url("example.com/cb"));
  CHECK_FALSE(is_http_url("https://"));
  CHECK_FALSE(is_http_url("https:///path"));
  CHECK_FALSE(is_http_url("https://example.com:0/"));
  CHECK_FALSE(is_http_url("https://example.com:65536/"));
  CHECK_FALSE(is_http_url("https://example.com:80a/"));
  CHECK_FALSE(is_http_url("https://example.com:/"));
  CHECK_FALSE(is_http_url("http://a:1:2/"));
  CHECK_FALSE(is_http_url("https://exa mple.com/"));
  CHECK_FALSE(is_http_url("https://[zz::1]/"));
  CHECK_FALSE(is_http_url(std::string("https://a.com/\0x", 16)));
}

TEST_CASE("IPv4 and IPv6 addresses are accepted") {
  CHECK(is_ip_address("192.168.1.166"));
  CHECK(is_ip_address("::1"));
  CHECK(is_ip_address("2001:db8::8a2e:370:7334"));
  CHECK(is_ip_address("::ffff:10.0.0.1"));
}

TEST_CASE("anything that is not an address is refused") {
  CHECK_FALSE(is_ip_address(""));
  CHECK_FALSE(is_ip_address("256.1.1.1"));
  CHECK_FALSE(is_ip_address("1.2.3"));
  CHECK_FALSE(is_ip_address("localhost"));
  CHECK_FALSE(is_ip_address("fe80::1%eth0"));
  CHECK_FALSE(is_ip_address(std::string("1.2.3.4\0", 8)));
  CHECK_FALSE(is_ip_address(" 1.2.3.4"));
}

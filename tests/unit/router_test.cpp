#include "http/json_response.hpp"
#include "http/router.hpp"
#include "support/run_sync.hpp"

#include <doctest/doctest.h>

#include <boost/json/parse.hpp>

#include <stdexcept>

using namespace authsim::http;

namespace {

response render(const char* family, const request&, const failure& f) {
  boost::json::object o;
  o["family"] = family;
  o["en"] = f.message.en;
  return json_response(f.status, o);
}

router make_router() {
  router r([](const request& q, const failure& f) { return render("fallback", q, f); });
  r.add_family("/dg/", [](const request& q, const failure& f) { return render("creditpay", q, f); });
  r.add_family("/dg/v2/", [](const request& q, const failure& f) { return render("v2", q, f); });
  r.add_route("POST", "/dg/v1/a", [](const request&) { return json_response(200, boost::json::object{{"ok", true}}); });
  r.add_route("PUT", "/dg/v1/a", [](const request&) { return json_response(200, boost::json::object{}); });
  r.add_route("POST", "/dg/v1/boom", [](const request&) -> response { throw std::runtime_error("kaput"); });
  r.add_async_route("POST", "/dg/v1/later", [](const request&) -> authsim::net::awaitable<response> {
    co_return json_response(201, boost::json::object{{"later", true}});
  });
  r.add_async_route("POST", "/dg/v1/later-boom", [](const request&) -> authsim::net::awaitable<response> {
    throw std::runtime_error("kaput later");
    co_return response{};
  });
  return r;
}

// The router's answer, its coroutine run to the end.
response dispatch(const router& r, const request& q) { return authsim::support::run_sync(r.dispatch(q)); }

request make(const std::string& method, const std::string& target) {
  request q;
  q.method = method;
  q.target = target;
  return q;
}

std::string field(const response& res, const char* name) {
  return std::string(boost::json::parse(res.body).at(name).as_string());
}

}  // namespace

TEST_CASE("a known method and path reaches its handler, whatever the query") {
  const router r = make_router();
  const response res = dispatch(r, make("POST", "/dg/v1/a?x=1"));
  CHECK(res.status == 200);
  CHECK(res.body == R"({"ok":true})");
  CHECK(*res.headers.find("content-type") == "application/json");
}

TEST_CASE("an unknown path is 404 in the envelope of the longest matching prefix") {
  const router r = make_router();
  const response a = dispatch(r, make("POST", "/dg/v1/zzz"));
  CHECK(a.status == 404);
  CHECK(field(a, "family") == "creditpay");
  CHECK(field(a, "en") == "no endpoint at path '/dg/v1/zzz'");
  CHECK(field(dispatch(r, make("GET", "/dg/v2/x")), "family") == "v2");
  CHECK(field(dispatch(r, make("GET", "/other")), "family") == "fallback");
}

TEST_CASE("a wrong method on a known path is 405 with Allow listing the methods") {
  const router r = make_router();
  const response res = dispatch(r, make("GET", "/dg/v1/a"));
  CHECK(res.status == 405);
  REQUIRE(res.headers.find("Allow") != nullptr);
  CHECK(*res.headers.find("Allow") == "POST, PUT");
  CHECK(field(res, "en") == "method GET is not allowed on this path; allowed: POST, PUT");
}

TEST_CASE("a handler that throws is answered 500, not dropped") {
  const router r = make_router();
  const response res = dispatch(r, make("POST", "/dg/v1/boom"));
  CHECK(res.status == 500);
  CHECK(field(res, "en") == "internal error in authsim: kaput");
}

TEST_CASE("a handler that waits is awaited, one that throws after suspending is answered 500 too") {
  const router r = make_router();
  const response later = dispatch(r, make("POST", "/dg/v1/later"));
  CHECK(later.status == 201);
  CHECK(later.body == R"({"later":true})");
  const response boom = dispatch(r, make("POST", "/dg/v1/later-boom"));
  CHECK(boom.status == 500);
  CHECK(field(boom, "en") == "internal error in authsim: kaput later");
  // match() tells the two kinds apart, so that a plain one runs in place.
  const router::match_result plain = r.match(make("POST", "/dg/v1/a"));
  CHECK(plain.sync != nullptr);
  CHECK(plain.async == nullptr);
  const router::match_result waits = r.match(make("POST", "/dg/v1/later"));
  CHECK(waits.async != nullptr);
  CHECK(r.match(make("GET", "/dg/v1/later")).refusal->status == 405);
}

TEST_CASE("query parameters are percent-decoded and the first one wins") {
  const request q = make("POST", "/p?platId=a%2Fb&x=1&platId=second&flag&sp=a+b");
  CHECK(q.path() == "/p");
  CHECK(q.query_param("platId") == "a/b");
  CHECK(q.query_param("flag") == "");
  CHECK(q.query_param("sp") == "a b");
  CHECK_FALSE(q.query_param("missing").has_value());
}

TEST_CASE("the lang header selects Chinese for zh variants and English otherwise") {
  request q = make("POST", "/");
  CHECK(request_language(q) == language::en_us);
  for (const char* zh : {"zh-CN", "zh", "ZH_cn", "zh-Hans"}) {
    request z = q;
    z.headers.add("lang", zh);
    CHECK(request_language(z) == language::zh_cn);
  }
  q.headers.add("Lang", "fr-FR");
  CHECK(request_language(q) == language::en_us);
}

TEST_CASE("template routes: a {…} segment stands for one non-empty segment") {
  using authsim::http::template_matches;
  using authsim::http::template_segment;
  const std::string_view t = "/p/{id}/refund";
  CHECK(template_matches(t, "/p/abc/refund"));
  CHECK_FALSE(template_matches(t, "/p//refund"));
  CHECK_FALSE(template_matches(t, "/p/abc"));
  CHECK_FALSE(template_matches(t, "/p/abc/refund/x"));
  CHECK_FALSE(template_matches(t, "/p/a/b/refund"));
  CHECK_FALSE(template_matches(t, "/q/abc/refund"));
  CHECK(template_segment(t, "/p/abc/refund", 0) == "abc");
  CHECK(template_segment(t, "/p/abc", 0).empty());
  CHECK(template_segment("/a/{x}/{y}", "/a/1/2", 1) == "2");
  CHECK(template_matches("/exact", "/exact"));
  CHECK_FALSE(template_matches("/exact", "/exact/"));
}

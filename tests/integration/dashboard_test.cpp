// What the dashboard (GET /__admin/ui) needs of the server, over real HTTP:
// the page and its headers under the admin API's access rules, the
// journal's wait for a change, the change feed, and the platform listing.
// The page itself runs in Chromium in tests/node/dashboard.test.mjs.
#include "integration/helpers.hpp"
#include "support/server_process.hpp"

#include <doctest/doctest.h>

#include <boost/json/parse.hpp>

#include <regex>
#include <thread>

using namespace authsim::testing;
namespace json = boost::json;

namespace {

json::value admin_json(http_client& c, const std::string& target, unsigned status = 200) {
  const auto res = c.request("GET", target);
  INFO(target, " answered ", res.body);
  REQUIRE(res.status == status);
  return res.json();
}

const std::string create_waybill_body =
    R"({"devCode":"tc123456","pushTime":"2024-10-08 14:07:11","useCab":1,"bizCode":"dash-1",)"
    R"("senderCode":"CN001","receiverCode":"CN0023","gpsType":1,"senderLon":"114.1234567",)"
    R"("senderLat":"26.1234567","senderAddr":"A","senderTel":"13699847593","senderName":"jacky",)"
    R"("goodsType":1,"goodsWeight":2000,"receiverLon":"114.1234567","receiverLat":"26.1234567",)"
    R"("receiverAddr":"B","receiverTel":"13699847593","receiverName":"jacky","amount":20.5,"remark":null})";

}  // namespace

TEST_SUITE("dashboard") {
  TEST_CASE("the page is one HTML answer whose style and script run by a nonce fresh for every answer") {
    server_process server;
    http_client c(server.port());
    const auto first = c.request("GET", "/__admin/ui");
    REQUIRE(first.status == 200);
    CHECK(first.header("content-type") == "text/html; charset=utf-8");
    CHECK(first.header("cache-control") == "no-store");
    const std::string csp = first.header("content-security-policy");
    std::smatch m;
    REQUIRE(std::regex_search(csp, m, std::regex("script-src 'nonce-([0-9a-f]{32})'")));
    const std::string nonce = m[1];
    CHECK(csp.find("default-src 'none'") != std::string::npos);
    CHECK(csp.find("style-src 'nonce-" + nonce + "'") != std::string::npos);
    CHECK(csp.find("connect-src 'self'") != std::string::npos);
    CHECK(csp.find("frame-ancestors 'none'") != std::string::npos);
    CHECK(csp.find("unsafe") == std::string::npos);
    // One style and one script, both carrying the nonce; nothing loaded
    // from elsewhere.
    CHECK(first.body.find("<script nonce=\"" + nonce + "\">") != std::string::npos);
    CHECK(first.body.find("<style nonce=\"" + nonce + "\">") != std::string::npos);
    const auto count = [&](const std::string& what) {
      std::size_t n = 0;
      for (auto at = first.body.find(what); at != std::string::npos; at = first.body.find(what, at + 1)) ++n;
      return n;
    };
    CHECK(count("<script") == 1);
    CHECK(count("<style") == 1);
    CHECK(first.body.find("src=\"http") == std::string::npos);
    CHECK(first.body.find("<!--authsim:") == std::string::npos);
    const auto second = c.request("GET", "/__admin/ui");
    CHECK(second.header("content-security-policy") != csp);
  }

  TEST_CASE("the page follows the admin API access rules, and with a token it is served and asks for it") {
    {
      server_process server({"--admin-token", "s3cret"});
      http_client c(server.port());
      CHECK(c.request("GET", "/__admin/ui").status == 200);
      // Every call the page makes needs the token.
      CHECK(c.request("GET", "/__admin/changes").status == 401);
      CHECK(c.request("GET", "/__admin/platforms").status == 401);
      CHECK(c.request("GET", "/__admin/changes", "", {{"Authorization", "Bearer s3cret"}}).status == 200);
    }
    {
      server_process server({"--host", "0.0.0.0"});
      http_client c(server.port());
      const auto res = c.request("GET", "/__admin/ui");
      CHECK(res.status == 403);
      CHECK(res.json().at("error").at("code").as_string() == "ADMIN_FORBIDDEN");
    }
    server_process server({"--no-admin"});
    http_client c(server.port());
    CHECK(c.request("GET", "/__admin/ui").status == 404);
  }

  TEST_CASE("requests/wait?changed_from answers on a new request and on a clear, with ?limit entries") {
    server_process server;
    http_client c(server.port());
    std::thread caller([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      http_client d(server.port());
      d.post(login_target, uocs_login_body());
      d.post(login_target, uocs_login_body());
    });
    const auto grew = admin_json(c, "/__admin/requests/wait?changed_from=0&limit=1&timeout_ms=10000");
    caller.join();
    CHECK(grew.at("satisfied").as_bool());
    CHECK(grew.at("count").to_number<int>() >= 1);
    CHECK(grew.at("changed_from").to_number<int>() == 0);
    CHECK(grew.as_object().if_contains("wanted") == nullptr);
    CHECK(grew.at("entries").as_array().size() == 1);
    const auto two = admin_json(c, "/__admin/requests/wait?path=" + login_target + "&count=2&timeout_ms=10000");
    REQUIRE(two.at("count").to_number<int>() == 2);

    // Unchanged: waits out its time-out.
    const auto same = admin_json(c, "/__admin/requests/wait?changed_from=2&timeout_ms=300");
    CHECK_FALSE(same.at("satisfied").as_bool());
    CHECK(same.at("waited_ms").to_number<int>() >= 300);

    // A clear takes the count back to 0, which is a change too.
    std::thread clearer([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      http_client d(server.port());
      d.request("DELETE", "/__admin/requests");
    });
    const auto cleared = admin_json(c, "/__admin/requests/wait?changed_from=2&timeout_ms=10000");
    clearer.join();
    CHECK(cleared.at("satisfied").as_bool());
    CHECK(cleared.at("count").to_number<int>() == 0);
    CHECK(cleared.at("waited_ms").to_number<int>() < 10000);

    const auto both = c.request("GET", "/__admin/requests/wait?changed_from=0&count=1");
    CHECK(both.status == 400);
    CHECK(both.json().at("error").at("message").as_string() ==
          "query parameters 'count' and 'changed_from' exclude each other");
    CHECK(c.request("GET", "/__admin/requests/wait?changed_from=-1").status == 400);
    CHECK(c.request("GET", "/__admin/requests/wait?changed_from=0&limit=1001").status == 400);
  }

  TEST_CASE("the change feed wakes on admin changes and on records, and a foreign cursor waits for the next change") {
    server_process server;
    http_client c(server.port());
    const auto now = admin_json(c, "/__admin/changes");
    CHECK_FALSE(now.at("changed").as_bool());
    const std::string cursor(now.at("cursor").as_string());
    CHECK(std::regex_match(cursor, std::regex("[0-9a-f]{8}-[0-9]+")));

    // Nothing changed: the time-out.
    const auto quiet = admin_json(c, "/__admin/changes?after=" + cursor + "&timeout_ms=300");
    CHECK_FALSE(quiet.at("changed").as_bool());
    CHECK(quiet.at("cursor").as_string() == cursor);
    CHECK(quiet.at("waited_ms").to_number<int>() >= 300);
    // Reading changes nothing.
    admin_json(c, "/__admin/state");
    CHECK_FALSE(admin_json(c, "/__admin/changes?after=" + cursor + "&timeout_ms=0").at("changed").as_bool());

    // An admin call that changes something: the clock.
    std::thread mover([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      http_client d(server.port());
      d.request("PUT", "/__admin/clock", R"({"advance_ms":1000})");
    });
    const auto moved = admin_json(c, "/__admin/changes?after=" + cursor + "&timeout_ms=10000");
    mover.join();
    CHECK(moved.at("changed").as_bool());
    const std::string after_move(moved.at("cursor").as_string());
    CHECK(after_move != cursor);

    // A waybill made through UOCS (no admin call): its record commit.
    std::thread creator([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      http_client d(server.port());
      const auto login = d.post(login_target, uocs_login_body());
      const std::string token(login.json().at("obj").at("token").as_string());
      d.post("/uocs-tes/waybill/api/createWaybill", create_waybill_body, {{"token", token}});
    });
    const auto created = admin_json(c, "/__admin/changes?after=" + after_move + "&timeout_ms=10000");
    creator.join();
    CHECK(created.at("changed").as_bool());
    CHECK(admin_json(c, "/__admin/waybills").at("count").to_number<int>() == 1);

    // Another replica's or run's cursor says nothing here: the next change.
    const auto foreign = admin_json(c, "/__admin/changes?after=00000000-0&timeout_ms=300");
    CHECK_FALSE(foreign.at("changed").as_bool());
    CHECK(foreign.at("waited_ms").to_number<int>() >= 300);
    CHECK(c.request("GET", "/__admin/changes?timeout_ms=60001").status == 400);
  }

  TEST_CASE("/__admin/platforms lists the fixtures' platforms with their mode and endpoints now") {
    server_process server;
    http_client c(server.port());
    REQUIRE(c.request("PUT", "/__admin/platforms/" + plat_id + "/verification", R"({"mode":"log-only"})").status == 200);
    REQUIRE(c.request("PUT", "/__admin/platforms/" + plat_id + "/endpoints",
                      R"({"webhook_url":"http://127.0.0.1:9/hook"})").status == 200);
    const auto listing = admin_json(c, "/__admin/platforms");
    CHECK(listing.at("count").to_number<int>() == 1);
    const auto& p = listing.at("items").at(0);
    CHECK(p.at("platId").as_string() == plat_id);
    CHECK(p.at("mode").as_string() == "log-only");
    CHECK(p.at("webhook_url").as_string() == "http://127.0.0.1:9/hook");
    CHECK(p.at("credit_limit_url").is_null());
  }
}

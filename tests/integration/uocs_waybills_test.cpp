// UOCS waybills through the real binary: both revisions, the upstream's
// examples, the published error codes, the lifecycle moved by the clock,
// and the pushes a receiver on loopback gets, parsed on its own.

#include "integration/helpers.hpp"
#include "support/receiver.hpp"
#include "support/server_process.hpp"

#include <doctest/doctest.h>

#include <boost/json/parse.hpp>

#include <algorithm>
#include <mutex>

using namespace authsim::testing;

namespace {

const std::string capacity_example =
    R"({"devCode":"tc123456","gpsType":1,"senderLon":"113.9311883","senderLat":"22.5616979","goodsType":1,)"
    R"("goodsWeight":8000,"receiverLon":"114.0267861","receiverLat":"22.5353805"})";

std::string create_example(const std::string& biz_code = "tc123456899") {
  return R"({"devCode":"tc123456","pushTime":"2024-10-08 14:07:11","useCab":1,"bizCode":")" + biz_code +
         R"(","senderCode":"CN001","receiverCode":"CN0023","gpsType":1,"senderLon":"114.1234567",)"
         R"("senderLat":"26.1234567","senderAddr":"深圳市","senderTel":"13699847593","senderName":"jacky",)"
         R"("goodsType":1,"goodsWeight":2000,"receiverLon":"114.1234567","receiverLat":"26.1234567",)"
         R"("receiverAddr":"深圳市","receiverTel":"13699847593","receiverName":"jacky","amount":20.5,"remark":null})";
}

std::string login(http_client& c, const std::string& app = "IE-UOCS-OUT", const std::string& secret = "fykj12345678") {
  const auto res = c.post(login_target, uocs_login_body("fc0001", "8bb2423a0e1c4d0a", app, secret));
  REQUIRE(res.json().at("success").as_bool());
  return std::string(res.json().at("obj").at("token").as_string());
}

boost::json::object call(http_client& c, const std::string& path, const std::string& body, const std::string& token) {
  const auto res = c.post(path, body, {{"token", token}});
  INFO(path, " answered ", res.body);
  REQUIRE(res.status == 200);
  return res.json().as_object();
}

std::string error_of(const boost::json::object& answer) {
  CHECK_FALSE(answer.at("success").as_bool());
  return std::string(answer.at("errorCode").as_string());
}

}  // namespace

TEST_SUITE("uocs waybills") {
  TEST_CASE("the upstream's examples succeed on both revisions, each on its own paths") {
    server_process server;
    http_client c(server.port());
    const std::string old_token = login(c);
    const auto capacity = call(c, "/uocs-tes/waybill/api/carrierWaybill", capacity_example, old_token);
    CHECK(capacity.at("success").as_bool());
    CHECK(capacity.at("params").is_null());
    CHECK(capacity.at("obj").at("takeoffCode").as_string() == "CN002");
    CHECK(capacity.at("obj").at("landingCode").as_string() == "CN003");
    CHECK(capacity.at("obj").at("flightTime").as_int64() >= 1);
    const auto created = call(c, "/uocs-tes/waybill/api/createWaybill", create_example(), old_token);
    REQUIRE(created.at("success").as_bool());
    const std::string fy(created.at("obj").at("fyCode").as_string());
    CHECK(created.at("obj").at("sendCode").as_string().size() == 5);
    const std::string ref = R"({"devCode":"tc123456","fyCode":")" + fy + R"("})";
    const auto details = call(c, "/uocs-tes/waybill/api/selectOrderDetails", ref, old_token);
    CHECK(details.at("obj").at("orderStatus").as_int64() == 0);
    CHECK(details.at("obj").at("bizCode").as_string() == "tc123456899");
    CHECK(details.at("obj").at("uavId").is_null());
    const auto h5 = call(c, "/uocs-tes/waybill/api/orderH5View", R"({"devCode":"FY00001","fyCode":")" + fy + R"("})",
                         old_token);
    const std::string url(h5.at("obj").at("url").as_string());
    CHECK(url.ends_with("/uocs-h5/waybill/" + fy));
    const auto page = c.request("GET", url.substr(url.find("/uocs-h5/")));
    CHECK(page.status == 200);
    CHECK(page.header("content-type").starts_with("text/html"));
    CHECK(page.body.find(fy) != std::string::npos);
    // The same devCode cannot use its bizCode twice.
    CHECK(error_of(call(c, "/uocs-tes/waybill/api/createWaybill", create_example(), old_token)) == "10002");

    // Revision 2025: its own paths, obj.ak at login, 10001 for a parameter error.
    const auto login_2025 =
        c.post(login_target, uocs_login_body("fc0001", "8bb2423a0e1c4d0a", "IE-UOCS-CES", "fykj20250101")).json();
    CHECK(login_2025.at("obj").at("ak").as_string() == "fc0001");
    // The login's parameter errors follow the revision of the app the body names.
    std::string no_device = uocs_login_body("fc0001", "8bb2423a0e1c4d0a", "IE-UOCS-CES", "fykj20250101");
    no_device.replace(no_device.find(R"("deviceId":"00:FF:16:4B:63:57",)"), 31, "");
    CHECK(c.post(login_target, no_device).json().at("errorCode").as_string() == "10001");
    const std::string new_token(login_2025.at("obj").at("token").as_string());
    const auto created_2025 = call(c, "/uocs-ces/openApi/createWaybill", create_example("biz-2025"), new_token);
    REQUIRE(created_2025.at("success").as_bool());
    const std::string fy2(created_2025.at("obj").at("fyCode").as_string());
    CHECK(error_of(call(c, "/uocs-ces/openApi/carrierWaybill", "{}", new_token)) == "10001");
    // Each app on the other revision's paths: 09020206, naming its revision.
    const auto wrong = call(c, "/uocs-ces/openApi/carrierWaybill", capacity_example, old_token);
    CHECK(error_of(wrong) == "09020206");
    CHECK(std::string(wrong.at("errorMessage").as_string()).find("2024-12") != std::string::npos);
    CHECK(error_of(call(c, "/uocs-tes/waybill/api/carrierWaybill", capacity_example, new_token)) == "09020206");
    // Another app's waybill.
    CHECK(error_of(call(c, "/uocs-ces/openApi/selectWaybillDetails", ref, new_token)) == "09020206");
    // Cancel before pickup: obj 1, then the waybill is an exception.
    const std::string ref2 = R"({"devCode":"tc123456","fyCode":")" + fy2 + R"(","reason":"weather"})";
    const auto cancelled = call(c, "/uocs-ces/openApi/cancelWaybill", ref2, new_token);
    CHECK(cancelled.at("obj").as_int64() == 1);
    const auto after = call(c, "/uocs-ces/openApi/selectWaybillDetails", ref2, new_token);
    CHECK(after.at("obj").at("orderStatus").as_int64() == 5);
    CHECK(error_of(call(c, "/uocs-ces/openApi/cancelWaybill", ref2, new_token)) == "10001");
  }

  TEST_CASE("each validation failure names its field, with the published codes") {
    server_process server;
    http_client c(server.port());
    const std::string token = login(c);
    const std::string path = "/uocs-tes/waybill/api/carrierWaybill";
    auto failing = [&](std::string body, const std::string& code, const std::string& words) {
      const auto answer = call(c, path, body, token);
      CHECK(error_of(answer) == code);
      INFO(answer.at("errorMessage").as_string());
      CHECK(std::string(answer.at("errorMessage").as_string()).find(words) != std::string::npos);
    };
    auto with = [](std::string body, const std::string& from, const std::string& to) {
      return body.replace(body.find(from), from.size(), to);
    };
    failing("[1]", "10002", "JSON object");
    failing(with(capacity_example, R"("devCode":"tc123456",)", ""), "10002", "'devCode'");
    failing(with(capacity_example, R"("gpsType":1)", R"("gpsType":"1")"), "10002", "'gpsType'");
    failing(with(capacity_example, R"("senderLon":"113.9311883")", R"("senderLon":113.9)"), "10002", "'senderLon'");
    failing(with(capacity_example, R"("goodsWeight":8000)", R"("goodsWeight":12000)"), "10002", "goodsWeight 12000");
    failing(with(capacity_example, R"("receiverLat":"22.5353805")", R"("receiverLat":"30.0")"), "10002",
            "outside every station");
    failing(with(capacity_example, "tc123456", "nobody"), "09020206", "devCode 'nobody'");
    CHECK(error_of(call(c, path, capacity_example, "")) == "09020101");
    CHECK(error_of(c.post(path, capacity_example).json().as_object()) == "09020101");
    // boxCode is required with useCab 2.
    const auto box = call(c, "/uocs-tes/waybill/api/createWaybill",
                          with(create_example(), R"("useCab":1)", R"("useCab":2)"), token);
    CHECK(error_of(box) == "10002");
    CHECK(std::string(box.at("errorMessage").as_string()).find("boxCode") != std::string::npos);
  }

  TEST_CASE("the lifecycle follows the clock and each change is pushed in order, retried until taken") {
    std::vector<std::string> codes_answered{R"({"code":1,"errorMsg":"busy"})"};
    std::mutex mutex;
    receiver hook([&](const received&) {
      const std::lock_guard lock(mutex);
      reply r;
      if (!codes_answered.empty()) {
        r.body = codes_answered.front();
        codes_answered.erase(codes_answered.begin());
      } else {
        r.body = R"({"code":"0","errorMsg":null})";
      }
      return r;
    });
    server_process server;
    http_client c(server.port());
    REQUIRE(c.request("PUT", "/__admin/apps/IE-UOCS-OUT/endpoints",
                      R"({"callback_url":")" + hook.url("/uocs/push") + R"("})").status == 200);
    const std::string token = login(c);
    const auto created = call(c, "/uocs-tes/waybill/api/createWaybill", create_example(), token);
    const std::string fy(created.at("obj").at("fyCode").as_string());
    const std::string ref = R"({"devCode":"tc123456","fyCode":")" + fy + R"("})";
    const std::string details = "/uocs-tes/waybill/api/selectOrderDetails";

    advance_clock(c, 600'000);  // picked up
    CHECK(call(c, details, ref, token).at("obj").at("orderStatus").as_int64() == 1);
    advance_clock(c, 300'000);  // took off
    const auto flying = call(c, details, ref, token).at("obj");
    CHECK(flying.at("orderStatus").as_int64() == 2);
    CHECK(flying.at("taskStatus").as_int64() == 2);
    CHECK(flying.at("takeoffCode").as_string() == "CN001");
    advance_clock(c, 24 * 3600 * 1000);  // landed, received; the first push's retries due
    const auto done = call(c, details, ref, token).at("obj");
    CHECK(done.at("orderStatus").as_int64() == 4);
    CHECK(done.at("landingCode").as_string() == "CN0023");
    CHECK(done.at("pickUpCode").as_string().size() == 6);

    // 2 + 3 + 4 + 1 pushes, the first one twice (refused with code 1, then taken).
    REQUIRE(hook.wait_for(11));
    const auto wait = c.request("GET", "/__admin/webhooks/wait?api=uocs&count=10&timeout_ms=10000");
    CHECK(wait.json().at("matched").as_int64() == 10);
    std::vector<std::string> kinds;
    std::vector<std::int64_t> statuses;
    for (const auto& r : hook.requests()) {
      const auto body = boost::json::parse(r.body).as_object();  // the receiver's own parse
      CHECK(r.header("content-type") == "application/json");
      // The flight-task push names the flight, not the waybill (as upstream).
      CHECK((body.contains("flightStatus") || body.at("fyCode").as_string() == fy));
      if (body.contains("orderStatus")) {
        statuses.push_back(body.at("orderStatus").as_int64());
        CHECK(body.at("pushTime").as_string().size() == 19);
      }
      kinds.push_back(body.contains("orderStatus") ? "status" : body.contains("pickUpCode") ? "pickup"
                      : body.contains("takeoffCode")                                      ? "takeoff"
                      : body.contains("landingCode")                                      ? "landing"
                                                                                          : "other");
    }
    // The refused first push came again before the rest of its lane.
    CHECK(statuses == std::vector<std::int64_t>{1, 1, 2, 3, 4});
    CHECK(std::count(kinds.begin(), kinds.end(), "takeoff") == 1);
    CHECK(std::count(kinds.begin(), kinds.end(), "landing") == 1);
    CHECK(std::count(kinds.begin(), kinds.end(), "pickup") == 1);
    const auto listed = c.request("GET", "/__admin/webhooks?fy_code=" + fy).json();
    CHECK(listed.at("count").as_int64() == 10);
    CHECK(listed.at("items").as_array()[0].at("attempts").as_array().size() == 2);
  }

  TEST_CASE("the admin API moves a waybill to the next status or to an exception") {
    server_process server;
    http_client c(server.port());
    const std::string token = login(c);
    const auto created = call(c, "/uocs-tes/waybill/api/createWaybill", create_example(), token);
    const std::string fy(created.at("obj").at("fyCode").as_string());
    const auto next = c.request("POST", "/__admin/waybills/" + fy + "/advance", "");
    CHECK(next.status == 200);
    CHECK(next.json().at("orderStatus").as_int64() == 1);
    const auto two = c.request("POST", "/__admin/waybills/" + fy + "/advance", R"({"status":2})");
    CHECK(two.json().at("orderStatus").as_int64() == 2);
    // Listed by the status it has now (in memory too).
    CHECK(c.request("GET", "/__admin/waybills?status=2").json().at("count").as_int64() == 1);
    CHECK(c.request("GET", "/__admin/waybills?status=1&app=IE-UOCS-OUT").json().at("count").as_int64() == 0);
    const auto bad = c.request("POST", "/__admin/waybills/" + fy + "/advance", R"({"status":5,"reason":"no-fly zone"})");
    CHECK(bad.json().at("orderStatus").as_int64() == 5);
    const std::string ref = R"({"devCode":"tc123456","fyCode":")" + fy + R"("})";
    const auto details = call(c, "/uocs-tes/waybill/api/selectOrderDetails", ref, token).at("obj");
    CHECK(details.at("exceptionReason").as_string() == "no-fly zone");
    CHECK(details.at("taskStatus").as_int64() == 7);
    CHECK(c.request("POST", "/__admin/waybills/" + fy + "/advance", "").status == 409);
    CHECK(c.request("GET", "/__admin/waybills").json().at("count").as_int64() == 1);
    CHECK(c.request("POST", "/__admin/reset", "").status == 200);
    CHECK(c.request("GET", "/__admin/waybills").json().at("count").as_int64() == 0);
  }

  TEST_CASE("the shipped webhook-faults scenario on pushes: a duplicate, a drop, a delay and an overtaken push") {
    receiver hook([](const received&) {
      reply r;
      r.body = R"({"code":0,"errorMsg":null})";
      return r;
    });
    server_process server;
    http_client c(server.port());
    REQUIRE(c.request("PUT", "/__admin/apps/IE-UOCS-OUT/endpoints",
                      R"({"callback_url":")" + hook.url("/uocs/push") + R"("})").status == 200);
    REQUIRE(c.request("PUT", "/__admin/scenario", R"({"name":"webhook-faults"})").status == 200);
    const std::string token = login(c);
    const auto created = call(c, "/uocs-tes/waybill/api/createWaybill", create_example(), token);
    const std::string fy(created.at("obj").at("fyCode").as_string());
    advance_clock(c, 3 * 3600 * 1000);  // every step, and the held-back landing
    // Taken: 4 order statuses, take-off, landing, pickup code; FLIGHT_TASK dropped (3).
    const auto delivered = c.request("GET", "/__admin/webhooks/wait?api=uocs&count=7&timeout_ms=10000").json();
    CHECK(delivered.at("matched").as_int64() == 7);
    const auto dropped =
        c.request("GET", "/__admin/webhooks/wait?api=uocs&type=FLIGHT_TASK&status=dropped&count=3&timeout_ms=10000").json();
    CHECK(dropped.at("matched").as_int64() == 3);
    REQUIRE(hook.wait_for(8));  // the take-off twice
    std::vector<std::string> order;
    for (const auto& r : hook.requests()) {
      const auto body = boost::json::parse(r.body).as_object();
      CHECK_FALSE(body.contains("flightStatus"));
      order.push_back(body.contains("orderStatus")   ? "status " + std::to_string(body.at("orderStatus").as_int64())
                      : body.contains("takeoffCode") ? "takeoff"
                      : body.contains("landingCode") ? "landing"
                                                     : "pickup");
    }
    CHECK(std::count(order.begin(), order.end(), "takeoff") == 2);
    // The landing was held back: the order status 3 came before it.
    const auto at = [&](const std::string& what) { return std::find(order.begin(), order.end(), what) - order.begin(); };
    CHECK(at("status 3") < at("landing"));
    CHECK(at("pickup") < at("status 3"));
  }
}

#include "outbound/client.hpp"
#include "support/text.hpp"
#include "uocs/waybill_request.hpp"
#include "uocs/waybills.hpp"

#include <doctest/doctest.h>

#include <boost/json/parse.hpp>

#include <memory>
#include <string>
#include <variant>

using namespace authsim;
using uocs::error_id;

namespace {

const std::shared_ptr<const fixtures::fixture_set>& world() {
  static const auto set = std::make_shared<const fixtures::fixture_set>(fixtures::load_fixture_set(AUTHSIM_FIXTURES_DIR));
  return set;
}

const std::string capacity_example =
    R"({"devCode":"tc123456","gpsType":1,"senderLon":"113.9311883","senderLat":"22.5616979","goodsType":1,)"
    R"("goodsWeight":8000,"receiverLon":"114.0267861","receiverLat":"22.5353805"})";

const std::string create_example =
    R"({"devCode":"tc123456","pushTime":"2024-10-08 14:07:11","useCab":1,"bizCode":"tc123456899",)"
    R"("senderCode":"CN001","receiverCode":"CN0023","gpsType":1,"senderLon":"114.1234567","senderLat":"26.1234567",)"
    R"("senderAddr":"深圳市","senderTel":"13699847593","senderName":"jacky","goodsType":1,"goodsWeight":2000,)"
    R"("receiverLon":"114.1234567","receiverLat":"26.1234567","receiverAddr":"深圳市","receiverTel":"13699847593",)"
    R"("receiverName":"jacky","amount":20.5,"remark":null})";

std::string with(std::string body, const std::string& from, const std::string& to) {
  const std::size_t at = body.find(from);
  REQUIRE(at != std::string::npos);
  return body.replace(at, from.size(), to);
}

template <class T>
uocs::refusal refused(const std::variant<T, uocs::refusal>& v) {
  REQUIRE(std::holds_alternative<uocs::refusal>(v));
  return std::get<uocs::refusal>(v);
}

uocs::refusal create_refusal(const std::string& body) {
  return refused(uocs::read_create(boost::json::parse(body).as_object()));
}

}  // namespace

TEST_SUITE("uocs waybill requests") {
  TEST_CASE("the upstream's examples read, and route through the shipped stations") {
    const auto capacity = uocs::read_capacity(boost::json::parse(capacity_example).as_object());
    REQUIRE(std::holds_alternative<uocs::capacity_request>(capacity));
    const auto way = uocs::plan_route(*world(), std::get<uocs::capacity_request>(capacity));
    REQUIRE(std::holds_alternative<uocs::route>(way));
    const auto& r = std::get<uocs::route>(way);
    CHECK(r.takeoff->code == "CN002");
    CHECK(r.landing->code == "CN003");
    // About 10 km at 60 km/h: whole minutes, rounded up.
    CHECK(r.flight_minutes == static_cast<std::int64_t>(std::ceil(r.distance_km)));

    const auto create = uocs::read_create(boost::json::parse(create_example).as_object());
    REQUIRE(std::holds_alternative<uocs::create_request>(create));
    const auto& c = std::get<uocs::create_request>(create);
    CHECK(c.amount == 20.5);
    CHECK_FALSE(c.remark.has_value());
    const auto checked = uocs::check_route(*world(), c);
    REQUIRE(std::holds_alternative<uocs::route>(checked));
    CHECK(std::get<uocs::route>(checked).landing->code == "CN0023");
  }

  TEST_CASE("fields are read as the upstream types them, the first problem named") {
    CHECK(create_refusal(with(create_example, R"("devCode":"tc123456",)", "")).args.at(0) == "devCode");
    const auto type = create_refusal(with(create_example, R"("useCab":1)", R"("useCab":"1")"));
    CHECK(type.id == error_id::invalid_parameter);
    CHECK(type.args.at(0) == "useCab");
    CHECK(authsim::support::substitute("{0}", {type.args.at(2)}) == "a string");
    CHECK(create_refusal(with(create_example, R"("useCab":1)", R"("useCab":3)")).args.at(0) == "useCab");
    CHECK(create_refusal(with(create_example, R"("useCab":1)", R"("useCab":2)")).id == error_id::missing_parameter);
    CHECK(create_refusal(with(create_example, "2024-10-08 14:07:11", "2024-10-08T14:07:11")).args.at(0) == "pushTime");
    CHECK(create_refusal(with(create_example, "2024-10-08 14:07:11", "2024-13-08 14:07:11")).args.at(0) == "pushTime");
    CHECK(create_refusal(with(create_example, R"("senderLon":"114.1234567")", R"("senderLon":114.1)")).args.at(0) ==
          "senderLon");
    CHECK(create_refusal(with(create_example, R"("senderLat":"26.1234567")", R"("senderLat":"91")")).args.at(0) ==
          "senderLat");
    CHECK(create_refusal(with(create_example, R"("goodsType":1)", R"("goodsType":7)")).args.at(0) == "goodsType");
    CHECK(create_refusal(with(create_example, R"("goodsWeight":2000)", R"("goodsWeight":0)")).args.at(0) ==
          "goodsWeight");
    CHECK(create_refusal(with(create_example, R"("senderTel":"13699847593")", R"("senderTel":"call me")")).args.at(0) ==
          "senderTel");
    CHECK(create_refusal(with(create_example, R"("amount":20.5)", R"("amount":"20.5")")).args.at(0) == "amount");
    CHECK(create_refusal(with(create_example, R"("gpsType":1)", R"("gpsType":2)")).args.at(0) == "gpsType");
    const auto ref = refused(uocs::read_ref(boost::json::parse(R"({"devCode":"tc123456"})").as_object(), false));
    CHECK(ref.id == error_id::missing_parameter);
    CHECK(ref.args.at(0) == "fyCode");
  }

  TEST_CASE("routes: unknown stations, points out of reach, weight over the limit") {
    auto create = [](const std::string& body) {
      return std::get<uocs::create_request>(uocs::read_create(boost::json::parse(body).as_object()));
    };
    CHECK(refused(uocs::check_route(*world(), create(with(create_example, "CN0023", "CN9")))).id ==
          error_id::unknown_station);
    const auto far = refused(uocs::check_route(
        *world(), create(with(create_example, R"("senderLat":"26.1234567")", R"("senderLat":"26.3234567")"))));
    CHECK(far.id == error_id::station_too_far);
    CHECK(far.args.at(2) == "CN001");
    CHECK(refused(uocs::check_route(*world(), create(with(create_example, R"("goodsWeight":2000)",
                                                           R"("goodsWeight":10001)")))).id == error_id::overweight);
    auto capacity = std::get<uocs::capacity_request>(
        uocs::read_capacity(boost::json::parse(capacity_example).as_object()));
    capacity.receiver.lat_deg = 30;
    capacity.receiver.lat = "30";
    const auto outside = refused(uocs::plan_route(*world(), capacity));
    CHECK(outside.id == error_id::out_of_service_area);
    CHECK(authsim::support::substitute("{0}", {outside.args.at(0)}) == "receiver");
    CHECK(uocs::distance_m(22.5, 114.0, 22.5, 114.0) == 0);
    // One degree of latitude is about 111 km.
    CHECK(uocs::distance_m(22.0, 114.0, 23.0, 114.0) == doctest::Approx(111'195).epsilon(0.001));
  }
}

TEST_SUITE("uocs pushes") {
  TEST_CASE("a push is taken on HTTP 200 with code 0 or \"0\", and retried with a doubling wait") {
    const uocs::push_channel channel(world(), [](const std::string&) { return std::optional<std::string>(); });
    outbound::answer a;
    a.status = 200;
    a.body = R"({"code":0,"errorMsg":null})";
    CHECK(channel.judge(a).empty());
    a.body = R"({"code":"0"})";
    CHECK(channel.judge(a).empty());
    a.body = R"({"code":1,"errorMsg":"busy"})";
    CHECK(channel.judge(a).find("busy") != std::string::npos);
    a.body = "ok";
    CHECK_FALSE(channel.judge(a).empty());
    a.status = 500;
    a.body = R"({"code":0})";
    CHECK(channel.judge(a).find("HTTP 500") != std::string::npos);

    // Defaults: 30 s, doubling, at most 30 min apart, 8 retries.
    CHECK(channel.retry_due(0, 1) == 30'000);
    CHECK(channel.retry_due(0, 2) == 90'000);
    CHECK(channel.retry_due(0, 3) == 210'000);
    // 30 + 60 + 120 + 240 + 480 + 960 + 1800 + 1800 s.
    CHECK(channel.retry_due(0, 8) == 5'490'000);
    CHECK_FALSE(channel.retry_due(0, 9).has_value());

    // No callback_url: nothing to send, and why.
    outbound::delivery d;
    d.lane = "IE-UOCS-OUT";
    const auto built = channel.build(d, 0, "t", 0);
    REQUIRE(std::holds_alternative<std::string>(built));
    CHECK(std::get<std::string>(built).find("PUT /__admin/apps/IE-UOCS-OUT/endpoints") != std::string::npos);
  }
}

#include "integration/helpers.hpp"
#include "support/server_process.hpp"
#include "support/temp_dir.hpp"
#include "support/text.hpp"

#include <doctest/doctest.h>

#include <regex>

using namespace authsim::testing;

namespace {

void check_failure(const http_response& res, const std::string& error_code, const std::string& msg_part) {
  INFO("body: ", res.body);
  CHECK(res.status == 200);
  const auto j = res.json();
  CHECK(j.at("success").as_bool() == false);
  CHECK(j.at("errorCode").as_string() == error_code);
  CHECK(std::string(j.at("errorMessage").as_string()).find(msg_part) != std::string::npos);
  CHECK(j.at("obj").is_null());
  CHECK(j.at("version").as_string() == "1.0");
}

std::string replace(std::string s, const std::string& from, const std::string& to) {
  const std::size_t at = s.find(from);
  REQUIRE(at != std::string::npos);
  return s.replace(at, from.size(), to);
}

}  // namespace

TEST_SUITE("uocs login") {
  TEST_CASE("both upstream accounts log in and get a DEF_A3_ token valid 7 days") {
    server_process server;
    http_client c(server.port());
    for (const auto& [user, password] : {std::pair<std::string, std::string>{"fc0001", "8bb2423a0e1c4d0a"},
                                         {"xcy0001", "79323c441a34b5599aec5c1f56eda196"}}) {
      const auto before = now_ms();
      const auto res = c.post(login_target, uocs_login_body(user, password), {{"Content-Type", "application/json"}});
      INFO(res.body);
      REQUIRE(res.status == 200);
      const auto j = res.json();
      CHECK(j.at("requestId").as_string() == "123456789");
      CHECK(j.at("success").as_bool());
      CHECK(j.at("business").is_null());
      CHECK(j.at("errorCode").is_null());
      CHECK(j.at("errorMessage").is_null());
      CHECK(j.at("version").as_string() == "1.0");
      CHECK(std::regex_match(std::string(j.at("date").as_string()),
                             std::regex(R"(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})")));
      CHECK(j.at("obj").at("userId").as_string() == user);
      const std::string token(j.at("obj").at("token").as_string());
      std::smatch m;
      REQUIRE(std::regex_match(token, m, std::regex("DEF_A3_([0-9a-f]{32})([0-9]{13})")));
      const std::int64_t issued = std::stoll(m[2].str());
      CHECK(issued >= before);
      CHECK(issued <= now_ms());
    }
  }

  TEST_CASE("a missing requestId is generated, a present one echoed") {
    server_process server;
    http_client c(server.port());
    const std::string body = replace(uocs_login_body(), R"("requestId":"123456789",)", "");
    const auto j = c.post(login_target, body).json();
    CHECK(j.at("success").as_bool());
    CHECK(std::regex_match(std::string(j.at("requestId").as_string()), std::regex("[0-9a-f]{32}")));
    const auto failed = c.post(login_target, replace(uocs_login_body(), "fykj12345678", "nope")).json();
    CHECK(failed.at("requestId").as_string() == "123456789");
  }

  TEST_CASE("each failure has its errorCode and names the field") {
    server_process server;
    http_client c(server.port());
    const std::string good = uocs_login_body();
    check_failure(c.post(login_target, "not json"), "10002", "invalid JSON");
    check_failure(c.post(login_target, "[]"), "10002", "got an array");
    check_failure(c.post(login_target, ""), "10002", "empty");
    for (const char* field : {"appKey", "appSecret", "deviceId", "hostName", "ip", "userId", "password"}) {
      CAPTURE(field);
      const std::regex pattern(std::string("\"") + field + R"(":"[^"]*",?)");
      std::string body = std::regex_replace(good, pattern, "");
      if (body.ends_with(",}")) body.replace(body.size() - 2, 2, "}");
      check_failure(c.post(login_target, body), "10002", std::string("'") + field + "'");
    }
    check_failure(c.post(login_target, replace(good, R"("deviceId":"00:FF:16:4B:63:57")", R"("deviceId":5)")),
                  "10002", "'deviceId' must be a string, got an integer");
    check_failure(c.post(login_target, replace(good, R"("hostName":"SF0001304522C")", R"("hostName":"")")),
                  "10002", "'hostName' must be a non-empty string");
    check_failure(c.post(login_target, replace(good, R"("requestId":"123456789")", R"("requestId":[1])")),
                  "10002", "'requestId' must be a string");
    check_failure(c.post(login_target, replace(good, "IE-UOCS-OUT", "OTHER")), "09020206", "'OTHER'");
    check_failure(c.post(login_target, replace(good, "fykj12345678", "x")), "09020206", "appSecret");
    check_failure(c.post(login_target, replace(good, "fc0001", "nobody")), "09020206", "'nobody'");
    check_failure(c.post(login_target, replace(good, "8bb2423a0e1c4d0a", "bad")), "09020206", "'fc0001'");
  }

  TEST_CASE("date is the time of the answer at the configured UTC offset") {
    fixture_copy dir;
    dir.write("uocs.json", R"({"settings":{"date_utc_offset":"-05:30"},"apps":[{"app_key":"IE-UOCS-OUT",
      "app_secret":"fykj12345678","accounts":[{"user_id":"fc0001","password":"8bb2423a0e1c4d0a"}]}]})");
    server_process server({"--fixtures", dir.path().string()});
    http_client c(server.port());
    const std::int64_t offset = -(5 * 60 + 30) * 60'000LL;
    const std::string before = authsim::support::format_date_time(now_ms() + offset - 1000, 0);
    const std::string date(c.post(login_target, uocs_login_body()).json().at("date").as_string());
    const std::string after = authsim::support::format_date_time(now_ms() + offset + 1000, 0);
    CHECK(date >= before);
    CHECK(date <= after);
  }

  TEST_CASE("a parameter sent twice is refused") {
    server_process server;
    http_client c(server.port());
    std::string body = uocs_login_body();
    body.insert(1, R"("userId":"xcy0001",)");
    check_failure(c.post(login_target, body), "10002", "the key 'userId' appears twice");
  }

  TEST_CASE("the password of one account does not open another") {
    server_process server;
    http_client c(server.port());
    check_failure(c.post(login_target, uocs_login_body("xcy0001", "8bb2423a0e1c4d0a")), "09020206", "xcy0001");
  }

  TEST_CASE("UOCS failures speak Chinese when asked") {
    server_process server;
    http_client c(server.port());
    const auto j = c.post(login_target, uocs_login_body("nobody"), {{"lang", "zh-CN"}}).json();
    CHECK(j.at("errorMessage").as_string() == "userId 'nobody' 不是应用 'IE-UOCS-OUT' 的账号");
  }
}

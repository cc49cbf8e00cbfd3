#include "fixtures/fixtures.hpp"
#include "fixtures/json_reader.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

namespace fs = std::filesystem;
using namespace authsim::fixtures;

namespace {

// A fresh directory holding a creditpay.json and a uocs.json.
class fixture_dir {
 public:
  fixture_dir(const std::string& creditpay, const std::string& uocs) {
    path_ = fs::temp_directory_path() / ("authsim-fixtures-" + std::to_string(::getpid()) + "-" +
                                         std::to_string(counter_++));
    fs::create_directories(path_);
    std::ofstream(path_ / "creditpay.json") << creditpay;
    std::ofstream(path_ / "uocs.json") << uocs;
  }
  ~fixture_dir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  [[nodiscard]] const fs::path& path() const { return path_; }

 private:
  static inline int counter_ = 0;
  fs::path path_;
};

const std::string good_creditpay = R"({
  "settings": {"jwt_secret": "s"},
  "platforms": [{"plat_id": "p1", "api_key": "k", "signature_key": "sk"}]
})";
const std::string good_uocs = R"({
  "apps": [{"app_key": "A", "app_secret": "S", "accounts": [{"user_id": "u", "password": "pw"}]}]
})";

std::string load_error(const std::string& creditpay, const std::string& uocs) {
  fixture_dir dir(creditpay, uocs);
  try {
    load_fixture_set(dir.path());
  } catch (const fixture_error& e) {
    // Drop the temporary directory so the message can be compared.
    std::string what = e.what();
    const std::string prefix = dir.path().string() + "/";
    if (what.starts_with(prefix)) {
      what.erase(0, prefix.size());
    }
    return what;
  }
  return "loaded";
}

}  // namespace

TEST_SUITE("fixtures") {
  TEST_CASE("the shipped default fixtures load, with the upstream's own credentials") {
    const fixture_set set = load_fixture_set(AUTHSIM_FIXTURES_DIR);
    const platform* p = set.find_platform("328cf95950f54f89a2dd4c3bf98ac5fb");
    REQUIRE(p != nullptr);
    CHECK(p->api_key == "kHm2nk3dgrBhn10v494XqwpPOV7gn1Uu0rUVMuxpxAowvNfXEs5UzZueUdq7vgNc");
    CHECK(p->algorithm == authsim::support::hmac_algorithm::sha1);
    CHECK(p->encoding == digest_encoding::base64);
    CHECK(set.creditpay.code_ttl_ms == 300'000);
    CHECK(set.creditpay.open_token_ttl_s == 3600);
    const uocs_app* app = set.find_app("IE-UOCS-OUT");
    REQUIRE(app != nullptr);
    CHECK(app->app_secret == "fykj12345678");
    REQUIRE(app->find_account("xcy0001") != nullptr);
    CHECK(app->find_account("xcy0001")->password == "79323c441a34b5599aec5c1f56eda196");
    REQUIRE(app->find_account("fc0001") != nullptr);
    CHECK(app->find_account("fc0001")->password == "8bb2423a0e1c4d0a");
    CHECK(set.uocs.token_ttl_ms == 7LL * 24 * 3600 * 1000);
    CHECK(set.uocs.date_utc_offset_minutes == 480);
  }

  TEST_CASE("a minimal set loads with defaults") {
    fixture_dir dir(good_creditpay, good_uocs);
    const fixture_set set = load_fixture_set(dir.path());
    CHECK(set.creditpay.code_ttl_ms == 300'000);
    CHECK(set.platforms.at(0).name == "p1");
    CHECK(set.uocs.date_utc_offset_minutes == 480);
  }

  TEST_CASE("errors name the file and the JSON path") {
    CHECK(load_error(R"({"settings":{"jwt_secret":"s"},"platforms":[{"plat_id":"p","api_key":"","signature_key":"x"}]})",
                     good_uocs) == "creditpay.json: platforms[0].api_key: expected a non-empty string, got an empty string");
    CHECK(load_error(R"({"settings":{"jwt_secret":"s","code_ttl_seconds":0},"platforms":[]})", good_uocs) ==
          "creditpay.json: settings.code_ttl_seconds: expected an integer from 1 to 316224000, got 0");
    CHECK(load_error(R"({"settings":{"jwt_secret":"s"},"platforms":[{"plat_id":"p","api_key":"k","signature_key":"x","signature_algorithm":"md5"}]})",
                     good_uocs) ==
          "creditpay.json: platforms[0].signature_algorithm: expected one of \"sha1\", \"sha256\", got \"md5\"");
    CHECK(load_error(R"({"settings":{"jwt_secret":"s"},"platforms":[{"plat_id":"p","api_key":"k","signature_key":"x","apikey":"y"}]})",
                     good_uocs) == "creditpay.json: platforms[0].apikey: unknown key");
    CHECK(load_error(R"({"settings":{"jwt_secret":"s"},"platforms":[{"plat_id":"p","api_key":"k","signature_key":"x"},{"plat_id":"p","api_key":"k","signature_key":"x"}]})",
                     good_uocs) == "creditpay.json: platforms[1].plat_id: duplicate platform \"p\"");
    CHECK(load_error(R"({"platforms":[]})", good_uocs) ==
          "creditpay.json: settings.jwt_secret: missing; expected a non-empty string");
    CHECK(load_error(good_creditpay, R"({"apps":[{"app_key":"A","app_secret":"S","accounts":[{"user_id":"u"}]}]})") ==
          "uocs.json: apps[0].accounts[0].password: missing; expected a non-empty string");
    CHECK(load_error(good_creditpay, R"({"settings":{"date_utc_offset":"+8"},"apps":[]})") ==
          "uocs.json: settings.date_utc_offset: expected an offset from UTC such as \"+08:00\" (at most 14:00), got \"+8\"");
    CHECK(load_error(good_creditpay, R"({"apps":{}})") == "uocs.json: apps: expected an array, got an object");
    CHECK(load_error(good_creditpay, "[1]") == "uocs.json: (top level): expected an object, got an array");
  }

  TEST_CASE("a key written twice in one object is an error, not a silent overwrite") {
    CHECK(load_error(R"({"settings":{"jwt_secret":"s","code_ttl_seconds":0,"code_ttl_seconds":5},"platforms":[]})",
                     good_uocs) == "creditpay.json: settings.code_ttl_seconds: key appears twice in the same object");
    CHECK(load_error(good_creditpay,
                     R"({"apps":[{"app_key":"A","app_secret":"S","accounts":[]},)"
                     R"({"app_key":"B","app_secret":"S","accounts":[{"user_id":"u","password":"p","password":"q"}]}]})") ==
          "uocs.json: apps[1].accounts[0].password: key appears twice in the same object");
  }

  TEST_CASE("an api_key that no header could carry is refused") {
    CHECK(load_error(R"({"settings":{"jwt_secret":"s"},"platforms":[{"plat_id":"p","api_key":" k","signature_key":"x"}]})",
                     good_uocs) ==
          "creditpay.json: platforms[0].api_key: must not start or end with white space nor hold control characters: "
          "it is compared with the api-key header, which can carry neither");
  }

  TEST_CASE("stubs load from stubs/, checked like the other fixtures") {
    fixture_dir dir(good_creditpay, good_uocs);
    fs::create_directories(dir.path() / "stubs");
    std::ofstream(dir.path() / "stubs" / "a.json")
        << R"({"description":"d","path":"/uocs-tes/x","obj":{"k":1}})";
    const fixture_set set = load_fixture_set(dir.path());
    REQUIRE(set.stubs.size() == 1);
    CHECK(set.stubs[0].name == "a");
    CHECK(set.stubs[0].method == "POST");
    CHECK(set.stubs[0].business.is_null());
    std::ofstream(dir.path() / "stubs" / "b.json") << R"({"description":"d","path":"/dg/x","obj":null})";
    CHECK_THROWS_WITH_AS(load_fixture_set(dir.path()),
                         doctest::Contains("b.json: path: expected a path under /uocs-tes/, /uocs-ces/ or /apis-auth/"),
                         fixture_error);
    std::ofstream(dir.path() / "stubs" / "b.json") << R"({"description":"d","path":"/uocs-tes/x","obj":null})";
    CHECK_THROWS_WITH_AS(load_fixture_set(dir.path()),
                         doctest::Contains("b.json: path: another stub already answers POST /uocs-tes/x"),
                         fixture_error);
    std::ofstream(dir.path() / "stubs" / "b.json") << R"({"description":"d","path":"/uocs-tes/y"})";
    CHECK_THROWS_WITH_AS(load_fixture_set(dir.path()), doctest::Contains("b.json: obj: missing"), fixture_error);
  }

  TEST_CASE("a platform's verification mode is one of three") {
    CHECK(load_error(R"({"settings":{"jwt_secret":"s"},"platforms":[{"plat_id":"p","api_key":"k","signature_key":"x","verification":"lax"}]})",
                     good_uocs) ==
          "creditpay.json: platforms[0].verification: expected one of \"enforce\", \"log-only\", \"off\", got \"lax\"");
  }

  TEST_CASE("a JSON syntax error gives the line and column") {
    const std::string e = load_error("{\n  \"settings\": {,\n}", good_uocs);
    CHECK(e.starts_with("creditpay.json: invalid JSON at line 2, column 16"));
  }

  TEST_CASE("a missing file or directory is named") {
    CHECK_THROWS_WITH_AS(load_fixture_set("/nonexistent-authsim-dir"),
                         "/nonexistent-authsim-dir: not a directory (set it with --fixtures DIR)", fixture_error);
    fixture_dir dir(good_creditpay, good_uocs);
    fs::remove(dir.path() / "uocs.json");
    CHECK_THROWS_WITH_AS(load_fixture_set(dir.path()), ((dir.path() / "uocs.json").string() + ": cannot open the file").c_str(),
                         fixture_error);
  }
}

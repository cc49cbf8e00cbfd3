// The outbound HTTP(S) client in process, against receivers on loopback:
// what goes on the wire, keep-alive and its stale connections, the bound on
// calls at once, the size cap, shutdown, and certificate checks.

#include "outbound/http_client.hpp"
#include "support/receiver.hpp"
#include "support/temp_dir.hpp"

#include <doctest/doctest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <future>
#include <optional>
#include <thread>

using namespace authsim::testing;
namespace outbound = authsim::outbound;
namespace net = boost::asio;

namespace {

// An io_context on two threads of its own, with the client under test.
struct client_world {
  net::io_context ioc;
  net::executor_work_guard<net::io_context::executor_type> work = net::make_work_guard(ioc);
  std::optional<outbound::http_client> client;
  std::vector<std::thread> threads;

  explicit client_world(outbound::client_settings settings = {}) {
    client.emplace(ioc, std::move(settings));
    for (int i = 0; i < 2; ++i) {
      threads.emplace_back([this] { ioc.run(); });
    }
  }
  ~client_world() {
    client->shutdown();
    work.reset();
    for (auto& t : threads) {
      t.join();
    }
  }

  std::future<outbound::answer> start(outbound::request r) {
    auto held = std::make_shared<outbound::request>(std::move(r));
    return net::co_spawn(
        ioc, [this, held]() -> net::awaitable<outbound::answer> { co_return co_await client->async_post(*held); },
        net::use_future);
  }
  outbound::answer post(outbound::request r) { return start(std::move(r)).get(); }
};

outbound::request to(const std::string& url, std::string body = "{}") {
  outbound::request r;
  r.url = url;
  r.body = std::move(body);
  return r;
}

reply json_reply(std::string body) {
  reply r;
  r.body = std::move(body);
  return r;
}

int dev_cert(const std::filesystem::path& dir) {
  const std::string cmd = std::string("bash '") + AUTHSIM_SOURCE_DIR + "/scripts/dev-cert.sh' '" + dir.string() +
                          "' >/dev/null 2>&1";
  return std::system(cmd.c_str());
}

}  // namespace

TEST_SUITE("outbound client") {
  TEST_CASE("a POST goes out with Host, the headers in order and the body, the answer comes back whole") {
    receiver platform([](const received&) { return json_reply(R"({"ok":true})"); });
    client_world w;
    outbound::request r = to(platform.url("/hook/a%20b?x=1&y=2"), R"({"a":1})");
    r.headers = {{"signature", "sig"}, {"token", "tok"}, {"Content-Type", "application/json"}};
    const outbound::answer a = w.post(r);
    REQUIRE(a.answered());
    CHECK(a.status == 200);
    CHECK(a.body == R"({"ok":true})");
    CHECK(a.latency_us > 0);
    CHECK_FALSE(a.reused_connection);
    REQUIRE(platform.requests().size() == 1);
    const received got = platform.requests().at(0);
    CHECK(got.method == "POST");
    CHECK(got.target == "/hook/a%20b?x=1&y=2");
    CHECK(got.body == R"({"a":1})");
    CHECK(got.header("host") == "127.0.0.1:" + std::to_string(platform.port()));
    CHECK(got.header("content-length") == "7");
    REQUIRE(got.headers.size() >= 4);
    CHECK(got.headers.at(1).first == "signature");
    CHECK(got.headers.at(2).first == "token");
    CHECK(got.headers.at(3).first == "Content-Type");
  }

  TEST_CASE("connections are kept alive per host, and one the far end closed is replaced once") {
    std::atomic<bool> close_next{true};
    receiver platform([&](const received&) {
      reply r = json_reply("{}");
      r.close_after = close_next.exchange(false);
      return r;
    });
    client_world w;
    // The first answer says keep-alive, then the far end closes: the second
    // call finds the pooled connection dead before any answer byte and
    // goes again on a new one.
    REQUIRE(w.post(to(platform.url("/a"))).answered());
    REQUIRE(platform.wait_for(1));
    const outbound::answer second = w.post(to(platform.url("/b")));
    INFO(second.detail);
    REQUIRE(second.answered());
    const outbound::answer third = w.post(to(platform.url("/c")));
    REQUIRE(third.answered());
    CHECK(third.reused_connection);
    const auto got = platform.requests();
    REQUIRE(got.size() == 3);
    CHECK(got.at(0).connection == 1);
    CHECK(got.at(1).connection == 2);
    CHECK(got.at(2).connection == 2);
  }

  TEST_CASE("calls beyond the bound wait for a slot until their deadline") {
    receiver slow([](const received&) {
      reply r;
      r.what = reply::kind::hang;
      return r;
    });
    receiver quick([](const received&) { return json_reply("{}"); });
    outbound::client_settings settings;
    settings.max_calls = 1;
    client_world w(settings);
    outbound::request held = to(slow.url("/hang"));
    held.total_timeout = std::chrono::seconds(30);
    auto first = w.start(held);
    REQUIRE(slow.wait_for(1));
    outbound::request waiting = to(quick.url("/q"));
    waiting.total_timeout = std::chrono::milliseconds(200);
    const outbound::answer refused = w.post(waiting);
    CHECK(refused.error == outbound::failure::busy);
    CHECK(refused.detail.find("no free call slot") != std::string::npos);
    CHECK(quick.requests().empty());
    // Shutdown ends the hanging call at once.
    const auto before = std::chrono::steady_clock::now();
    w.client->shutdown();
    const outbound::answer ended = first.get();
    CHECK(ended.error == outbound::failure::cancelled);
    CHECK(std::chrono::steady_clock::now() - before < std::chrono::seconds(10));
    // And no new call goes out.
    CHECK(w.post(to(quick.url("/q"))).error == outbound::failure::cancelled);
    CHECK(quick.requests().empty());
  }

  TEST_CASE("deadlines, the size cap and URLs that cannot be called") {
    receiver big([](const received&) { return json_reply(std::string(5000, 'x')); });
    receiver hang([](const received&) {
      reply r;
      r.what = reply::kind::hang;
      return r;
    });
    outbound::client_settings settings;
    settings.max_answer_bytes = 4096;
    client_world w(settings);
    const outbound::answer too_big = w.post(to(big.url("/")));
    CHECK(too_big.error == outbound::failure::too_large);
    CHECK(too_big.detail.find("larger than 4096 bytes") != std::string::npos);

    outbound::request r = to(hang.url("/"));
    r.total_timeout = std::chrono::milliseconds(150);
    const outbound::answer late = w.post(r);
    CHECK(late.error == outbound::failure::timeout);
    CHECK(late.latency_us >= 150'000);

    CHECK(w.post(to("ftp://127.0.0.1/x")).error == outbound::failure::bad_url);
    CHECK(w.post(to("not a url")).error == outbound::failure::bad_url);
    CHECK(w.post(to("http:///nohost")).error == outbound::failure::bad_url);
  }

  TEST_CASE("https: the certificate is checked unless the request says not to, --outbound-ca adds trust") {
    temp_dir dir;
    REQUIRE(dev_cert(dir.path()) == 0);
    const std::string cert = (dir.path() / "cert.pem").string();
    receiver secure([](const received&) { return json_reply(R"({"tls":true})"); },
                    server_tls(cert, (dir.path() / "key.pem").string()));
    {
      client_world w;
      const outbound::answer refused = w.post(to(secure.url("/t")));
      CHECK(refused.error == outbound::failure::tls);
      CHECK(refused.detail.find("certificate verify failed") != std::string::npos);
      outbound::request unchecked = to(secure.url("/t"));
      unchecked.verify_tls = false;
      const outbound::answer taken = w.post(unchecked);
      INFO(taken.detail);
      CHECK(taken.answered());
      CHECK(taken.body == R"({"tls":true})");
    }
    {
      outbound::client_settings settings;
      settings.ca_file = cert;
      client_world w(settings);
      const outbound::answer trusted = w.post(to(secure.url("/t")));
      INFO(trusted.detail);
      CHECK(trusted.answered());
      // The certificate names localhost too.
      const outbound::answer by_name =
          w.post(to("https://localhost:" + std::to_string(secure.port()) + "/t"));
      INFO(by_name.detail);
      CHECK(by_name.answered());
    }
    net::io_context ioc;
    CHECK_THROWS_WITH_AS(outbound::http_client(ioc, outbound::client_settings{64, 1024, 8, std::chrono::seconds(1),
                                                                              (dir.path() / "nope.pem").string()}),
                         doctest::Contains("--outbound-ca: cannot load"), std::runtime_error);
  }
}

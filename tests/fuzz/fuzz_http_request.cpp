// One HTTP request, from raw bytes through Beast's parser, the router and
// the real handlers, to the bytes of the answer: in process, no sockets.
#include "creditpay/api.hpp"
#include "fixtures/fixtures.hpp"
#include "http/exchange_record.hpp"
#include "http/router.hpp"
#include "transport/request_reader.hpp"
#include "transport/wire.hpp"
#include "uocs/api.hpp"

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/write.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <sstream>

namespace {

using namespace authsim;
namespace bhttp = boost::beast::http;

// Built once: the same wiring as the server, over the default fixtures.
struct world {
  std::shared_ptr<const fixtures::fixture_set> set =
      std::make_shared<const fixtures::fixture_set>(fixtures::load_fixture_set(AUTHSIM_FIXTURES_DIR));
  state::clock clock;
  state::code_store codes;
  state::token_store tokens;
  state::verification_modes modes{*set};
  creditpay::api cp{set, clock, codes, modes, "http://127.0.0.1:8080"};
  uocs::api uo{set, clock, tokens};
  http::router router{[this](const http::request& req, const http::failure& f) { return cp.render_failure(req, f); }};

  world() {
    cp.register_routes(router);
    uo.register_routes(router);
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static world w;
  transport::request_reader parser("127.0.0.1");
  parser.header_limit(8 * 1024);
  parser.body_limit(64 * 1024);
  parser.eager(true);
  boost::beast::error_code ec;
  parser.put(boost::asio::buffer(data, size), ec);
  if (ec || !parser.is_done()) {
    return 0;
  }
  const unsigned version = parser.version();
  const bool keep_alive = parser.keep_alive();
  const bool head = parser.method() == bhttp::verb::head;
  const http::request request = parser.take(true);
  const http::response answer = w.router.dispatch(request);
  // The journal's view of the exchange handles the same hostile input.
  const http::exchange x{&request, &answer, "", "", 0, 0};
  (void)http::describe(x);
  auto res = transport::to_wire(answer, version, keep_alive, head);
  std::ostringstream bytes;
  bytes << res;
  return 0;
}

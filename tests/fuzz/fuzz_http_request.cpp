// One HTTP request, from raw bytes through Beast's parser and the request
// pipeline (routing, the real handlers, the journal) to the bytes of the
// answer: in process, no sockets.
#include "creditpay/api.hpp"
#include "fixtures/fixtures.hpp"
#include "http/router.hpp"
#include "journal/store.hpp"
#include "pipeline/pipeline.hpp"
#include "state/clock.hpp"
#include "state/code_store.hpp"
#include "state/token_store.hpp"
#include "state/verification_modes.hpp"
#include "support/log.hpp"
#include "transport/request_reader.hpp"
#include "transport/wire.hpp"
#include "uocs/api.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/http/write.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <sstream>

namespace {

using namespace authsim;

// Built once: the same wiring as the server, over the default fixtures.
struct world {
  std::shared_ptr<const fixtures::fixture_set> set =
      std::make_shared<const fixtures::fixture_set>(fixtures::load_fixture_set(AUTHSIM_FIXTURES_DIR));
  state::memory_clock clock;
  state::memory_code_store codes;
  state::memory_token_store tokens;
  state::memory_verification_modes modes{*set};
  journal::memory_store journal{16};
  creditpay::api cp{set, clock, codes, modes, "http://127.0.0.1:8080"};
  uocs::api uo{set, clock, tokens};
  http::router router{[this](const http::request& req, const http::failure& f) { return cp.render_failure(req, f); }};
  std::unique_ptr<pipeline::pipeline> pipe;
  net::io_context ioc;  // reused: one per input would cost more than the input

  world() {
    // A line per input would only slow the fuzzer down.
    support::configure_log(support::log_level::error, support::log_format::json);
    cp.register_routes(router);
    uo.register_routes(router);
    pipe = std::make_unique<pipeline::pipeline>(pipeline::parts{router, nullptr, &journal, nullptr, &clock, {}});
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
  const pipeline::wire_facts wire{parser.version(), parser.keep_alive(),
                                  parser.method() == boost::beast::http::verb::head};
  std::optional<pipeline::outcome> done;
  w.ioc.restart();
  net::co_spawn(w.ioc, w.pipe->handle(parser.take(true), wire),
                [&done](std::exception_ptr e, pipeline::outcome out) {
                  if (e) {
                    std::rethrow_exception(e);  // a bug: let the fuzzer see it
                  }
                  done = std::move(out);
                });
  w.ioc.run();
  pipeline::outcome& out = done.value();
  if (out.answer) {
    std::ostringstream bytes;
    bytes << transport::to_wire(std::move(*out.answer), wire.version, out.keep_alive, wire.head);
  }
  // The journal's view of the exchange handles the same hostile input.
  // Cleared after each input: its count table grows with every new path,
  // and libFuzzer looks for leaks whenever an input leaves memory behind.
  (void)w.journal.list(1, {});
  w.journal.clear();
  return 0;
}

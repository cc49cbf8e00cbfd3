// One HTTP request, from raw bytes through Beast's parser and the request
// pipeline (routing, the real handlers, the journal) to the bytes of the
// answer: in process, no sockets.
#include "support/log.hpp"
#include "transport/request_reader.hpp"
#include "transport/wire.hpp"
#include "unit/world.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/http/write.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <sstream>

namespace {

using namespace authsim;

// Built once: the server's wiring over the default fixtures, without the
// admin API (whose long poll would only wait out the fuzzer's time-out).
struct fuzz_world {
  testing::world w{false};
  pipeline::pipeline& pipe = w.finish();
  net::io_context ioc;  // reused: one per input would cost more than the input

  fuzz_world() {
    // A line per input would only slow the fuzzer down.
    support::configure_log(support::log_level::error, support::log_format::json);
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static fuzz_world f;
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
  f.ioc.restart();
  net::co_spawn(f.ioc, f.pipe.handle(parser.take(true), wire),
                [&done](std::exception_ptr e, pipeline::outcome out) {
                  if (e) {
                    std::rethrow_exception(e);  // a bug: let the fuzzer see it
                  }
                  done = std::move(out);
                });
  f.ioc.run();
  pipeline::outcome& out = done.value();
  if (out.answer) {
    std::ostringstream bytes;
    bytes << transport::to_wire(std::move(*out.answer), wire.version, out.keep_alive, wire.head);
  }
  // The journal's view of the exchange handles the same hostile input.
  // Cleared after each input: its count table grows with every new path,
  // and libFuzzer looks for leaks whenever an input leaves memory behind.
  (void)f.w.journal.list(1, {});
  f.w.journal.clear();
  return 0;
}

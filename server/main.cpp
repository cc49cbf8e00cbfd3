// authsim: a simulator of the Credit Pay and UOCS authentication APIs.
// main reads the options and runs the application; nothing more.

#include "app/application.hpp"
#include "app/options.hpp"
#include "app/tools.hpp"
#include "fixtures/fixtures.hpp"
#include "support/log.hpp"
#include "support/version.hpp"

#include <chrono>
#include <csignal>
#include <cstdio>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  using namespace authsim;
  // A reader of stdout or stderr that went away must not end the server:
  // a write there then fails with EPIPE, which the log counts as dropped
  // lines, instead of raising SIGPIPE.
  std::signal(SIGPIPE, SIG_IGN);
  std::vector<std::string> args(argv + 1, argv + argc);
  // The helper commands come first on the command line and take their own flags.
  if (!args.empty() && args.front() == "sign") {
    return app::run_sign({args.begin() + 1, args.end()}, std::cin, std::cout, std::cerr);
  }
  if (!args.empty() && args.front() == "verify") {
    return app::run_verify({args.begin() + 1, args.end()}, std::cin, std::cout, std::cerr);
  }
  if (!args.empty() && args.front() == "curl-example") {
    return app::run_curl_example({args.begin() + 1, args.end()}, std::cout, std::cerr);
  }
  try {
    // Every flag may also come from the environment, where, for the admin
    // token, other users of the machine cannot read it in the process list.
    const app::options opts = app::parse_options(args, app::process_env);
    if (opts.show_help) {
      std::fputs(app::usage().c_str(), stdout);
      return 0;
    }
    if (opts.show_version) {
      std::printf("authsim %s\n", support::version());
      return 0;
    }
    support::configure_log(opts.log_level, opts.log_format);
    app::application server(opts, std::make_shared<const fixtures::fixture_set>(
                                      fixtures::load_fixture_set(opts.fixtures_dir)));
    server.handle_signals();
    server.listen();
    std::printf("listening on %s\n", server.base_url().c_str());
    std::fflush(stdout);
    const int status = server.run();
    // The last lines (the stop) are written, unless stderr has stopped
    // taking them: then the process does not wait for it.
    support::stop_log(std::chrono::seconds(1));
    return status;
  } catch (const app::options_error& e) {
    std::fprintf(stderr, "authsim: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    // Start-up failures (fixtures, binding) end here; request failures never do.
    support::stop_log(std::chrono::seconds(1));
    std::fprintf(stderr, "authsim: %s\n", e.what());
    return 2;
  }
}

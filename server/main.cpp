// authsim: a simulator of the Credit Pay and UOCS authentication APIs.

#include "app/options.hpp"
#include "app/server.hpp"
#include "app/version.hpp"
#include "fixtures/json_reader.hpp"

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  using namespace authsim;
  try {
    app::options opts = app::parse_options(std::vector<std::string>(argv + 1, argv + argc));
    // The admin token may also come from the environment, where other users
    // of the machine cannot read it in the process list.
    if (const char* token = std::getenv("AUTHSIM_ADMIN_TOKEN"); opts.admin_token.empty() && token != nullptr) {
      opts.admin_token = token;
    }
    if (opts.show_help) {
      std::fputs(app::usage().c_str(), stdout);
      return 0;
    }
    if (opts.show_version) {
      std::printf("authsim %s\n", app::version());
      return 0;
    }
    auto fixtures = std::make_shared<const fixtures::fixture_set>(fixtures::load_fixture_set(opts.fixtures_dir));
    return app::run_server(opts, std::move(fixtures));
  } catch (const app::options_error& e) {
    std::fprintf(stderr, "authsim: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    // Start-up failures (fixtures, binding) end here; request failures never do.
    std::fprintf(stderr, "authsim: %s\n", e.what());
    return 2;
  }
}

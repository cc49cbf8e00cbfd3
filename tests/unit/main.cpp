#define DOCTEST_CONFIG_IMPLEMENT
#include "support/log.hpp"

#include <doctest/doctest.h>

int main(int argc, char** argv) {
  // The pipeline logs each request it handles; in unit tests only what
  // goes wrong is worth a line.
  authsim::support::configure_log(authsim::support::log_level::warn, authsim::support::log_format::json);
  return doctest::Context(argc, argv).run();
}

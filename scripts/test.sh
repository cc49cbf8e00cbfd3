#!/usr/bin/env bash
# Sets up the machine (once: build and test packages, Chromium, the Node
# packages of tests/node), builds authsim with its tests, and runs every
# test through CTest. Extra arguments go to ctest, e.g. scripts/test.sh -L unit
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/setup-tests.sh
AUTHSIM_BUILD_DIR=${AUTHSIM_BUILD_DIR:-build} AUTHSIM_CMAKE_ARGS="-DAUTHSIM_BUILD_TESTS=ON ${AUTHSIM_CMAKE_ARGS:-}" ./scripts/build.sh
ctest --test-dir "${AUTHSIM_BUILD_DIR:-build}" --output-on-failure --timeout 300 -j "$(nproc)" "$@"

#!/usr/bin/env bash
# Makes the dashboard screenshots README shows (docs/dashboard-*.png) from
# the real page: sets up the machine as the tests need it (Chromium and the
# Node packages of tests/node), builds authsim, and runs
# tests/node/screenshots.mjs, which starts authsim and a webhook receiver on
# loopback, makes some traffic and photographs each view.
#
#   scripts/screenshots.sh [OUT_DIR]     (default: docs)
set -euo pipefail
cd "$(dirname "$0")/.."

out=${1:-docs}
./scripts/setup-tests.sh
AUTHSIM_BUILD_DIR=${AUTHSIM_BUILD_DIR:-build} ./scripts/build.sh authsim
node tests/node/screenshots.mjs "${AUTHSIM_BUILD_DIR:-build}/server/authsim" "$out"

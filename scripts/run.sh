#!/usr/bin/env bash
# Sets up the machine (once), builds authsim, and runs it on the default
# fixtures. Extra arguments go to authsim, e.g. scripts/run.sh --port 9000
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/setup.sh
AUTHSIM_BUILD_DIR=${AUTHSIM_BUILD_DIR:-build} ./scripts/build.sh authsim
exec "${AUTHSIM_BUILD_DIR:-build}/server/authsim" --fixtures fixtures "$@"

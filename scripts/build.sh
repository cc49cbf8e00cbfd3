#!/usr/bin/env bash
# Configures and builds authsim into build/ (or $AUTHSIM_BUILD_DIR).
# Usage: scripts/build.sh [TARGET...]   (default: everything, tests included)
# Extra CMake options go in $AUTHSIM_CMAKE_ARGS, e.g.
#   AUTHSIM_CMAKE_ARGS="-DAUTHSIM_SANITIZE_ADDRESS=ON" scripts/build.sh
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir=${AUTHSIM_BUILD_DIR:-build}
# shellcheck disable=SC2086
cmake -S . -B "$build_dir" -G Ninja ${AUTHSIM_CMAKE_ARGS:-} >/dev/null
targets=()
for t in "$@"; do
  targets+=(--target "$t")
done
cmake --build "$build_dir" --parallel "$(nproc)" "${targets[@]}"

#!/usr/bin/env bash
# Builds authsim and its tests under the sanitizers and runs every test:
#   address  AddressSanitizer + UndefinedBehaviorSanitizer (build-asan/)
#   thread   ThreadSanitizer (build-tsan/)
# Usage: scripts/sanitize.sh [address|thread|all]   (default all)
# A sanitizer report in the server makes it exit non-zero, which fails the
# test that started it; in a test binary it fails that test directly.
set -euo pipefail
cd "$(dirname "$0")/.."

which=${1:-all}

run() {
  local dir=$1 option=$2
  echo "sanitize: $option in $dir"
  AUTHSIM_BUILD_DIR=$dir AUTHSIM_CMAKE_ARGS="-D$option=ON -DCMAKE_BUILD_TYPE=Debug" ./scripts/test.sh
}

case "$which" in
  address) run build-asan AUTHSIM_SANITIZE_ADDRESS ;;
  thread) run build-tsan AUTHSIM_SANITIZE_THREAD ;;
  all)
    run build-asan AUTHSIM_SANITIZE_ADDRESS
    run build-tsan AUTHSIM_SANITIZE_THREAD
    ;;
  *) echo "usage: scripts/sanitize.sh [address|thread|all]" >&2; exit 2 ;;
esac

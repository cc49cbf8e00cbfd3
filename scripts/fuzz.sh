#!/usr/bin/env bash
# Builds the libFuzzer targets with clang and runs one of them.
# Usage: scripts/fuzz.sh TARGET [SECONDS]     (default 60 s)
#   TARGET: http_request, loaders, signing, or all (each in turn)
# New inputs go to a scratch corpus; tests/fuzz/corpus/TARGET is only read.
# A crash leaves its input in build-fuzz/artifacts/ and exits non-zero.
set -euo pipefail
cd "$(dirname "$0")/.."

target=${1:?usage: scripts/fuzz.sh TARGET [SECONDS]  (TARGET: http_request, loaders, signing, all)}
seconds=${2:-60}

AUTHSIM_EXTRA_PACKAGES="clang-14 libclang-rt-14-dev" ./scripts/setup.sh

build_dir=build-fuzz
CXX=clang++-14 cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DAUTHSIM_FUZZ=ON -DAUTHSIM_BUILD_TESTS=OFF -DAUTHSIM_WERROR=OFF >/dev/null

scratch=
trap 'rm -rf "${scratch:-}"' EXIT

run_one() {
  local name=$1
  cmake --build "$build_dir" --parallel "$(nproc)" --target "fuzz_$name"
  scratch=$(mktemp -d)
  mkdir -p "$build_dir/artifacts"
  echo "fuzz: $name for ${seconds}s"
  "$build_dir/tests/fuzz/fuzz_$name" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$build_dir/artifacts/$name-" -print_final_stats=1 \
    "$scratch" "tests/fuzz/corpus/$name"
  rm -rf "$scratch"
}

if [ "$target" = all ]; then
  for t in http_request loaders signing; do
    run_one "$t"
  done
else
  run_one "$target"
fi

#!/usr/bin/env bash
# A bounded soak run: authsim on a free loopback port under mixed traffic
# (both APIs, redemptions, waybill capacity checks, meant-to-fail requests, injected
# faults) while its resident memory is sampled every second.
# Usage: scripts/soak.sh [SECONDS] [THREADS]     (default 60 s, 4 threads)
# Checks, and exits non-zero unless all hold:
#   - no answer other than the one each request should get (loadgen)
#   - RSS flat after warm-up: the peak of the second half is at most 25 %
#     (+ 8 MiB) above the RSS at the end of the first third. The traffic
#     moves the simulated clock 4 minutes every second, and the run uses a
#     copy of the fixtures whose UOCS tokens live 5 minutes instead of 7
#     days, so that codes and tokens expire and are swept as in a long run.
#   - the server still answers /__admin/health and exits 0 on SIGTERM
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-60}
threads=${2:-4}

./scripts/setup.sh >/dev/null
./scripts/build.sh authsim authsim_loadgen >/dev/null
build=${AUTHSIM_BUILD_DIR:-build}

work=$(mktemp -d)
server=
sampler=
trap 'for p in ${sampler:-} ${server:-}; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"' EXIT

cp -r fixtures "$work/fixtures"
sed -i 's/"token_ttl_seconds": 604800/"token_ttl_seconds": 300/' "$work/fixtures/uocs.json"
grep -q '"token_ttl_seconds": 300' "$work/fixtures/uocs.json" || { echo "soak: cannot shorten the token ttl" >&2; exit 1; }

"$build/server/authsim" --port 0 --fixtures "$work/fixtures" --journal-size 1000 >"$work/out" 2>"$work/err" &
server=$!
for _ in $(seq 1 100); do
  grep -q '^listening on' "$work/out" && break
  sleep 0.1
done
port=$(sed -n 's/^listening on http:\/\/127\.0\.0\.1:\([0-9]*\)$/\1/p' "$work/out")
[ -n "$port" ] || { echo "soak: authsim did not start:" >&2; cat "$work/err" >&2; exit 1; }

rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$server/status"; }
( for _ in $(seq 1 "$seconds"); do rss_kib >>"$work/rss"; sleep 1; done ) &
sampler=$!

status=0
"$build/tests/authsim_loadgen" "$port" "$seconds" "$threads" || status=$?
wait "$sampler" || true
sampler=

curl -fsS "http://127.0.0.1:$port/__admin/health" >/dev/null || { echo "soak: health check failed" >&2; status=1; }
kill -TERM "$server" 2>/dev/null || { echo "soak: authsim was no longer running" >&2; status=1; }
server_status=0
wait "$server" || server_status=$?
server=
if [ "$server_status" -ne 0 ]; then
  echo "soak: authsim did not exit 0 on SIGTERM (exit $server_status); its log:" >&2
  tail -n 20 "$work/err" >&2
  status=1
fi

samples=$(wc -l <"$work/rss")
third=$(( samples / 3 > 0 ? samples / 3 : 1 ))
warm=$(sed -n "${third}p" "$work/rss")
peak=$(tail -n $(( samples / 2 > 0 ? samples / 2 : 1 )) "$work/rss" | sort -n | tail -n 1)
limit=$(( warm * 125 / 100 + 8192 ))
echo "soak: RSS $(head -n 1 "$work/rss") KiB at start, $warm KiB after warm-up, peak $peak KiB in the second half (limit $limit KiB)"
if [ "$peak" -gt "$limit" ]; then
  echo "soak: RSS kept growing after warm-up" >&2
  status=1
fi
[ "$status" -eq 0 ] && echo "soak: passed" || echo "soak: FAILED" >&2
exit "$status"

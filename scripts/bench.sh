#!/usr/bin/env bash
# Benchmarks authsim beside nginx, on loopback, in one run.
#
# Usage: scripts/bench.sh [all|throughput|redis|memory|soak|instructions]   (default all)
#
#   throughput  wrk drives four authsim workloads and nginx answering the
#               login path with a fixed body, taking turns round by round,
#               pinned (server on CPU 0, wrk on CPU 1) and unpinned; a
#               markdown table of the medians
#   redis       login and identify+redeem on authsim with its state in
#               memory and on authsim with --state on a redis-server (unix
#               socket, no persistence), taking turns, server and Redis on
#               CPU 0 and wrk on CPU 1; req/s, p99, and Redis round trips
#               per request read from the server's own metrics
#   memory      issues BENCH_CODES codes (no redemption) and reports the
#               resident memory per live code beyond the empty server's
#   soak        BENCH_SOAK_SECONDS of signed identify calls with codes that
#               live 1 s, RSS sampled every 10 s
#   instructions  (not part of all) user-space instructions per request,
#               counted by callgrind: the same for the same binary and
#               inputs whatever else the host is doing, so two builds
#               compare without noise; login, signed identify and a bad
#               signature with the log off, login with a line per
#               request, for the Release build and BENCH_BASELINE; and
#               login and identify with --state on a redis-server (this
#               build only)
#
# Settings (environment): BENCH_DURATION seconds per run (default 10),
# BENCH_RUNS rounds, so runs per figure, the median reported (3), BENCH_WARMUP seconds
# (3), BENCH_CONNECTIONS (50), BENCH_CODES (1000000), BENCH_SOAK_SECONDS (60),
# BENCH_AUTHSIM_ARGS extra flags for authsim (default --log-level warn).
#
# Beside the four workloads, the throughput mode measures login on a second
# authsim that writes a log line per request (--log-level info, stderr to
# a file): the cost of the default log. BENCH_BASELINE=PATH adds the four
# workloads on another authsim binary (an earlier build, say), taking turns
# with the rest, so that two builds are compared on the same host in the
# same minutes.
#
# Installs wrk and nginx-light with apt-get when missing, builds a Release
# binary in build-release/ (as the Docker image does), and writes the report to build-release/bench.md as
# well as stdout. Traffic goes to 127.0.0.1 only; every process it starts is
# stopped by its pid on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:-all}
case "$mode" in
  all | throughput | redis | memory | soak | instructions) ;;
  *) echo "usage: scripts/bench.sh [all|throughput|redis|memory|soak|instructions]" >&2; exit 2 ;;
esac

duration=${BENCH_DURATION:-10}
runs=${BENCH_RUNS:-3}
warmup=${BENCH_WARMUP:-3}
connections=${BENCH_CONNECTIONS:-50}
codes_wanted=${BENCH_CODES:-1000000}
soak_seconds=${BENCH_SOAK_SECONDS:-60}
# Request lines on stderr are left out by default: the report measures the
# simulator, and a log line per request is a cost every user can choose.
read -r -a authsim_args <<<"${BENCH_AUTHSIM_ARGS:---log-level warn}"
baseline=${BENCH_BASELINE:-}
if [ -n "$baseline" ] && [ ! -x "$baseline" ]; then
  echo "bench: BENCH_BASELINE=$baseline is not an executable" >&2
  exit 2
fi

AUTHSIM_EXTRA_PACKAGES="wrk nginx-light valgrind python3 redis-server ${AUTHSIM_EXTRA_PACKAGES:-}" ./scripts/setup.sh >/dev/null
build=build-release
echo "bench: building a Release binary in $build/" >&2
AUTHSIM_BUILD_DIR=$build AUTHSIM_CMAKE_ARGS="-DCMAKE_BUILD_TYPE=Release -DAUTHSIM_BUILD_TESTS=OFF" \
  ./scripts/build.sh authsim >/dev/null
binary=$build/server/authsim
report=$build/bench.md
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
cpus=$(nproc)

work=$(mktemp -d)
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do
    kill "$p" 2>/dev/null || true
  done
  for p in "${pids[@]}"; do
    wait "$p" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

# --------------------------------------------------------------- helpers ---

# The signed identify request of the demo platform, signed once: the body
# names a token_expire in 2100, so the same bytes stay valid for every call.
fixtures_json=fixtures/creditpay.json
json_field() { sed -n "s/.*\"$1\": *\"\\([^\"]*\\)\".*/\\1/p" "$fixtures_json" | head -n1; }
export AUTHSIM_BENCH_PLAT_ID AUTHSIM_BENCH_API_KEY AUTHSIM_BENCH_BODY AUTHSIM_BENCH_SIGNATURE
AUTHSIM_BENCH_PLAT_ID=$(json_field plat_id)
AUTHSIM_BENCH_API_KEY=$(json_field api_key)
signature_key=$(json_field signature_key)
AUTHSIM_BENCH_BODY='{"customer_token":"a1472263c7b9709xxxb624adccc60_ad0975be-877c-4420-8e2e-8a156a3ec7b2app","custom_no":"473_32_86000698","callback_url":"https://credit-pre.aatest.online/payment/callback","token_expire":4102444800000,"client_ip":"192.168.1.166"}'
AUTHSIM_BENCH_SIGNATURE=$(printf '%s' "$AUTHSIM_BENCH_BODY" | "$binary" sign --key "$signature_key")

# start_authsim CPULIST ARGS...: sets server_pid and server_port. The
# binary is $server_binary when set (then reset), else the Release build.
start_authsim() {
  local cpulist=$1
  shift
  local out=$work/authsim.$RANDOM
  local exe=${server_binary:-$binary}
  server_binary=
  taskset -c "$cpulist" "$exe" --port 0 "${authsim_args[@]}" "$@" >"$out.out" 2>"$out.err" &
  server_pid=$!
  pids+=("$server_pid")
  local line=""
  for _ in $(seq 1 200); do
    line=$(head -n1 "$out.out" 2>/dev/null || true)
    [[ $line == "listening on "* ]] && break
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.05
  done
  if [[ ! $line =~ ^listening\ on\ http://127\.0\.0\.1:([0-9]+)$ ]]; then
    echo "bench: authsim did not start:" >&2
    cat "$out.err" >&2
    exit 1
  fi
  server_port=${BASH_REMATCH[1]}
}

stop_pid() {
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

port_free() {
  ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# start_nginx CPULIST WORKERS BODY: nginx answering the login path with
# BODY; sets nginx_pid (the master) and nginx_port.
start_nginx() {
  local cpulist=$1 workers=$2 body=$3 dir=$work/nginx.$RANDOM
  mkdir -p "$dir"
  nginx_port=""
  for _ in $(seq 1 50); do
    local candidate=$((20000 + RANDOM % 40000))
    if port_free "$candidate"; then
      nginx_port=$candidate
      break
    fi
  done
  [ -n "$nginx_port" ] || { echo "bench: no free port for nginx" >&2; exit 1; }
  cat >"$dir/nginx.conf" <<EOF
worker_processes $workers;
daemon off;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $dir/body;
  proxy_temp_path $dir/proxy;
  fastcgi_temp_path $dir/fastcgi;
  uwsgi_temp_path $dir/uwsgi;
  scgi_temp_path $dir/scgi;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$nginx_port;
    location = /apis-auth/login/auth {
      default_type application/json;
      return 200 '$body';
    }
  }
}
EOF
  taskset -c "$cpulist" "$nginx_bin" -c "$dir/nginx.conf" -e "$dir/error.log" 2>"$dir/stderr" &
  nginx_pid=$!
  pids+=("$nginx_pid")
  for _ in $(seq 1 100); do
    if ! port_free "$nginx_port"; then
      return 0
    fi
    kill -0 "$nginx_pid" 2>/dev/null || break
    sleep 0.05
  done
  echo "bench: nginx did not start:" >&2
  cat "$dir/stderr" "$dir/error.log" >&2 2>/dev/null || true
  exit 1
}

# The server's processes: authsim's pid, or nginx's master and workers.
server_pids() {
  echo "$1"
  pgrep -P "$1" || true
}

# CPU time (clock ticks) of a set of processes: utime + stime.
cpu_ticks() {
  local total=0 p fields
  for p in $(server_pids "$1"); do
    # Fields 14 and 15 of /proc/PID/stat, counted after the command name.
    fields=$(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null) || continue
    read -r -a f <<<"$fields"
    total=$((total + f[11] + f[12]))
  done
  echo "$total"
}

# Peak resident memory (KiB) of a set of processes: VmHWM summed.
peak_kib() {
  local total=0 p v
  for p in $(server_pids "$1"); do
    v=$(awk '/^VmHWM:/ {print $2}' "/proc/$p/status" 2>/dev/null || echo 0)
    total=$((total + ${v:-0}))
  done
  echo "$total"
}

rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }

# wrk's latency ("245.00us", "1.23ms", "2.00s") in milliseconds.
to_ms() {
  awk -v v="$1" 'BEGIN {
    if (v ~ /us$/) { sub(/us$/, "", v); printf "%.3f", v / 1000 }
    else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.3f", v }
    else if (v ~ /m$/) { sub(/m$/, "", v); printf "%.3f", v * 60000 }
    else { sub(/s$/, "", v); printf "%.3f", v * 1000 } }'
}

median() { sort -g | awk '{a[NR] = $1} END { if (NR % 2) print a[(NR + 1) / 2]; else printf "%.3f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

ticks_per_second=$(getconf CLK_TCK)

# The workloads of one variant, measured in turns: add_workload registers
# one and warms it up; measure_all then runs each of them once per round,
# $runs rounds, so that a machine that slows down for a while (a shared
# host does) slows every workload alike instead of whichever ran then.
workload_names=()
workload_pids=()
workload_urls=()
workload_scripts=()

# add_workload NAME SERVER_PID URL SCRIPT WRK_CPUS WRK_THREADS
add_workload() {
  local name=$1 pid=$2 url=$3 script=$4 wrk_cpus=$5 wrk_threads=$6
  workload_names+=("$name")
  workload_pids+=("$pid")
  workload_urls+=("$url")
  workload_scripts+=("$script")
  : >"$work/runs.$((${#workload_names[@]} - 1))"
  taskset -c "$wrk_cpus" wrk -t"$wrk_threads" -c"$connections" -d"${warmup}s" -s "$script" "$url" >/dev/null
}

# run_once INDEX WRK_CPUS WRK_THREADS: one run of a workload; appends
# "rps p50 p99 cpu_us unexpected errors" to $work/runs.INDEX.
run_once() {
  local i=$1 wrk_cpus=$2 wrk_threads=$3
  local pid=${workload_pids[$i]} out=$work/wrk.out before after
  before=$(cpu_ticks "$pid")
  taskset -c "$wrk_cpus" wrk -t"$wrk_threads" -c"$connections" -d"${duration}s" --latency \
    -s "${workload_scripts[$i]}" "${workload_urls[$i]}" >"$out"
  after=$(cpu_ticks "$pid")
  local rps requests p50 p99 unexpected errors cpu_us
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$out")
  requests=$(awk '/requests in/ {print $1}' "$out")
  p50=$(to_ms "$(awk '$1 == "50%" {print $2}' "$out")")
  p99=$(to_ms "$(awk '$1 == "99%" {print $2}' "$out")")
  unexpected=$(awk '/^unexpected answers:/ {print $3}' "$out")
  errors=$(awk '/Socket errors:/ {s = 0; for (i = 3; i <= NF; i += 2) s += $i; print s}' "$out")
  cpu_us=$(awk -v t=$((after - before)) -v n="$requests" -v hz="$ticks_per_second" 'BEGIN { printf "%.2f", t * 1e6 / hz / n }')
  echo "$rps $p50 $p99 $cpu_us ${unexpected:-?} ${errors:-0}" >>"$work/runs.$i"
  if [ "${unexpected:-0}" != 0 ]; then
    grep '^first unexpected answer' "$out" >&2 || true
  fi
}

# measure_all WRK_CPUS WRK_THREADS: the rounds, then each workload's
# medians appended to $work/results as "NAME rps p50 p99 cpu_us unexpected
# errors peak_kib"; the workloads are forgotten afterwards.
measure_all() {
  local wrk_cpus=$1 wrk_threads=$2 round i
  for round in $(seq 1 "$runs"); do
    for i in "${!workload_names[@]}"; do
      run_once "$i" "$wrk_cpus" "$wrk_threads"
    done
  done
  for i in "${!workload_names[@]}"; do
    local col m=() unexpected_total errors_total
    for col in 1 2 3 4; do
      m+=("$(awk -v c=$col '{print $c}' "$work/runs.$i" | median)")
    done
    unexpected_total=$(awk '{s += $5} END {print s}' "$work/runs.$i")
    errors_total=$(awk '{s += $6} END {print s}' "$work/runs.$i")
    echo "${workload_names[$i]} ${m[*]} $unexpected_total $errors_total $(peak_kib "${workload_pids[$i]}")" >>"$work/results"
    echo "bench: ${workload_names[$i]}: ${m[0]} req/s, p50 ${m[1]} ms, p99 ${m[2]} ms, ${m[3]} us CPU/request" >&2
  done
  workload_names=()
  workload_pids=()
  workload_urls=()
  workload_scripts=()
}

# ------------------------------------------------------------- throughput --

throughput() {
  local variant=$1 server_cpus=$2 wrk_cpus=$3 threads=$4 wrk_threads=$5
  : >"$work/results"
  echo "bench: $variant: authsim --threads $threads and nginx with $threads worker(s) on CPU $server_cpus, wrk -t$wrk_threads -c$connections on CPU $wrk_cpus" >&2

  # Default store sizes: once full (in a few seconds), each new code or
  # token replaces the oldest, the steady state of a long load test.
  start_authsim "$server_cpus" --threads "$threads" --fixtures fixtures
  local url=http://127.0.0.1:$server_port
  local login_body
  login_body=$(curl -sS -X POST "$url/apis-auth/login/auth" -H 'Content-Type: application/json' \
    --data-binary '{"appKey":"IE-UOCS-OUT","appSecret":"fykj12345678","deviceId":"00:FF:16:4B:63:57","hostName":"SF0001304522C","requestId":"bench-1","ip":"192.168.255.10","userId":"fc0001","password":"8bb2423a0e1c4d0a"}')
  # Both servers run side by side on the same CPUs; only the one being
  # measured has work at any time.
  local main_pid=$server_pid
  # The same build writing its default log: a JSON line per request.
  start_authsim "$server_cpus" --threads "$threads" --fixtures fixtures --log-level info
  local logged_pid=$server_pid logged_url=http://127.0.0.1:$server_port
  local baseline_pid="" baseline_url=""
  if [ -n "$baseline" ]; then
    server_binary=$baseline
    start_authsim "$server_cpus" --threads "$threads" --fixtures fixtures
    baseline_pid=$server_pid
    baseline_url=http://127.0.0.1:$server_port
  fi
  start_nginx "$server_cpus" "$threads" "$login_body"
  add_workload "authsim login" "$main_pid" "$url" scripts/bench/login.lua "$wrk_cpus" "$wrk_threads"
  add_workload "authsim identify" "$main_pid" "$url" scripts/bench/identify.lua "$wrk_cpus" "$wrk_threads"
  add_workload "authsim identify+redeem" "$main_pid" "$url" scripts/bench/identify_redeem.lua "$wrk_cpus" "$wrk_threads"
  add_workload "authsim bad-signature" "$main_pid" "$url" scripts/bench/bad_signature.lua "$wrk_cpus" "$wrk_threads"
  add_workload "logged login" "$logged_pid" "$logged_url" scripts/bench/login.lua "$wrk_cpus" "$wrk_threads"
  if [ -n "$baseline" ]; then
    # The same four workloads as this build's server, in the same order:
    # what a server served before (its stores, its journal) weighs on what
    # it serves next, so both builds get the same history.
    add_workload "baseline login" "$baseline_pid" "$baseline_url" scripts/bench/login.lua "$wrk_cpus" "$wrk_threads"
    add_workload "baseline identify" "$baseline_pid" "$baseline_url" scripts/bench/identify.lua "$wrk_cpus" "$wrk_threads"
    add_workload "baseline identify+redeem" "$baseline_pid" "$baseline_url" scripts/bench/identify_redeem.lua \
      "$wrk_cpus" "$wrk_threads"
    add_workload "baseline bad-signature" "$baseline_pid" "$baseline_url" scripts/bench/bad_signature.lua \
      "$wrk_cpus" "$wrk_threads"
  fi
  add_workload "nginx login" "$nginx_pid" "http://127.0.0.1:$nginx_port" scripts/bench/login.lua "$wrk_cpus" "$wrk_threads"
  measure_all "$wrk_cpus" "$wrk_threads"
  stop_pid "$nginx_pid"
  stop_pid "$main_pid"
  stop_pid "$logged_pid"
  [ -z "$baseline_pid" ] || stop_pid "$baseline_pid"

  {
    echo
    echo "**$variant** (server on CPU $server_cpus, wrk -t$wrk_threads -c$connections on CPU $wrk_cpus; median of $runs runs of ${duration}s, the workloads taking turns)"
    echo
    echo "| workload | req/s | × nginx | p50 ms | p99 ms | server CPU µs/req | × nginx | peak RSS MiB | unexpected |"
    echo "| -------- | ----: | ------: | -----: | -----: | ----------------: | ------: | -----------: | ---------: |"
    awk '
      { name = $1 " " $2; rps[name] = $3; p50[name] = $4; p99[name] = $5; cpu[name] = $6; bad[name] = $7 + $8; rss[name] = $9; order[NR] = name }
      END {
        ref = "nginx login"
        for (i = 1; i <= NR; i++) {
          n = order[i]
          printf "| %s | %.0f | %.2f | %.3f | %.3f | %.2f | %.2f | %.1f | %d |\n", n, rps[n], rps[n] / rps[ref], p50[n], p99[n], cpu[n], cpu[n] / cpu[ref], rss[n] / 1024, bad[n]
        }
      }' "$work/results"
  } >>"$report"
  cp "$work/results" "$work/results.$variant"
}

targets() {
  local r=$work/results.pinned
  [ -f "$r" ] || return 0
  {
    echo
    echo "Targets (pinned):"
    echo
    awk '
      { name = $1 " " $2; rps[name] = $3; p99[name] = $5; cpu[name] = $6 }
      function verdict(ok) { return ok ? "met" : "NOT met" }
      END {
        ref = "nginx login"
        a = rps["authsim login"] / rps[ref]; printf "- login req/s %.2f × nginx (at least 0.8): %s\n", a, verdict(a >= 0.8)
        c = cpu["authsim login"] / cpu[ref]; printf "- login CPU per request %.2f × nginx (at most 2): %s\n", c, verdict(c <= 2)
        b = rps["authsim identify"] / rps[ref]; printf "- signed identify req/s %.2f × nginx (at least 0.6): %s\n", b, verdict(b >= 0.6)
        printf "- login p99 %.3f ms (under 2 ms): %s\n", p99["authsim login"], verdict(p99["authsim login"] < 2)
        printf "- identify p99 %.3f ms (under 2 ms): %s\n", p99["authsim identify"], verdict(p99["authsim identify"] < 2)
        d = cpu["authsim bad-signature"] / cpu["authsim identify"]; printf "- a refused request costs %.2f × an accepted one (at most 1): %s\n", d, verdict(d <= 1)
        l = rps["logged login"] / rps["authsim login"]; printf "- login with a log line per request: %.2f × the req/s without (at least 0.9): %s\n", l, verdict(l >= 0.9)
        if ("baseline login" in cpu) {
          bl = cpu["authsim login"] / cpu["baseline login"]; printf "- login CPU per request %.3f × the baseline build'"'"'s (at most 1.05): %s\n", bl, verdict(bl <= 1.05)
          bi = cpu["authsim identify"] / cpu["baseline identify"]; printf "- signed identify CPU per request %.3f × the baseline build'"'"'s (at most 1.05): %s\n", bi, verdict(bi <= 1.05)
        }
      }' "$r"
  } >>"$report"
}

# ------------------------------------------------------------------ redis --

# A counter (summed over its labels) from a server's metrics.
metric_sum() {
  curl -sS "http://127.0.0.1:$1/__admin/metrics" | awk -v m="$2" '$1 == m || index($1, m "{") == 1 {s += $2} END {printf "%d", s}'
}

# start_redis DIR: a redis-server on DIR/redis.sock (no TCP port, nothing
# saved), on CPU 0 with the server; sets redis_pid.
start_redis() {
  local dir=$1
  mkdir -p "$dir"
  taskset -c 0 redis-server --port 0 --unixsocket "$dir/redis.sock" --unixsocketperm 700 --save '' \
    --appendonly no --dir "$dir" --daemonize no >"$dir/redis.log" 2>&1 &
  redis_pid=$!
  pids+=("$redis_pid")
  for _ in $(seq 1 100); do
    grep -q 'eady to accept connections' "$dir/redis.log" && break
    sleep 0.05
  done
  grep -q 'eady to accept connections' "$dir/redis.log" || { echo "bench: redis-server did not start" >&2; cat "$dir/redis.log" >&2; exit 1; }
}

redis_variant() {
  local dir=$work/redis
  echo "bench: redis: authsim with its state in memory and in Redis, on CPU 0 with Redis; wrk on CPU 1" >&2
  start_redis "$dir"
  : >"$work/results"
  start_authsim 0 --threads 1 --fixtures fixtures
  local memory_pid=$server_pid memory_url=http://127.0.0.1:$server_port
  start_authsim 0 --threads 1 --fixtures fixtures --state "unix://$dir/redis.sock"
  local shared_pid=$server_pid shared_port=$server_port shared_url=http://127.0.0.1:$server_port
  add_workload "memory login" "$memory_pid" "$memory_url" scripts/bench/login.lua 1 1
  add_workload "memory identify+redeem" "$memory_pid" "$memory_url" scripts/bench/identify_redeem.lua 1 1
  add_workload "redis login" "$shared_pid" "$shared_url" scripts/bench/login.lua 1 1
  add_workload "redis identify+redeem" "$shared_pid" "$shared_url" scripts/bench/identify_redeem.lua 1 1
  local requests_before trips_before
  requests_before=$(metric_sum "$shared_port" authsim_requests_total)
  trips_before=$(metric_sum "$shared_port" authsim_state_round_trips_total)
  measure_all 1 1
  local requests trips
  requests=$(($(metric_sum "$shared_port" authsim_requests_total) - requests_before))
  # Each metrics call makes three round trips itself (the stores' sizes).
  trips=$(($(metric_sum "$shared_port" authsim_state_round_trips_total) - trips_before - 3))
  stop_pid "$memory_pid"
  stop_pid "$shared_pid"
  stop_pid "$redis_pid"
  {
    echo
    echo "**State in Redis beside state in memory** (authsim --threads 1 and redis-server on CPU 0, wrk -t1 -c$connections on CPU 1; median of $runs runs of ${duration}s, the workloads taking turns; server CPU is authsim's alone, without Redis's)"
    echo
    echo "| workload | req/s | × memory | p50 ms | p99 ms | server CPU µs/req | unexpected |"
    echo "| -------- | ----: | -------: | -----: | -----: | ----------------: | ---------: |"
    awk '
      { name = $1 " " $2; rps[name] = $3; p50[name] = $4; p99[name] = $5; cpu[name] = $6; bad[name] = $7 + $8; order[NR] = name }
      END {
        for (i = 1; i <= NR; i++) {
          n = order[i]
          split(n, parts, " ")
          ref = "memory " parts[2]
          printf "| %s | %.0f | %.2f | %.3f | %.3f | %.2f | %d |\n", n, rps[n], rps[n] / rps[ref], p50[n], p99[n], cpu[n], bad[n]
        }
      }' "$work/results"
    echo
    awk -v t="$trips" -v r="$requests" 'BEGIN { printf "Round trips to Redis per request in the measured runs of the Redis server (warm-ups left out): %d / %d = %.3f (target: at most 1)\n", t, r, t / r }'
  } >>"$report"
}

# ----------------------------------------------------------------- memory --

# Live codes as authsim's metrics count them.
live_codes() {
  curl -sS "http://127.0.0.1:$server_port/__admin/metrics" | awk '/^authsim_live_codes / {print $2}'
}

# issue_codes URL N: signed identify calls until authsim holds N live codes.
issue_codes() {
  local url=$1 wanted=$2 out=$work/issue.out
  # wrk's thread stops issuing after exactly its share of answers, but wrk
  # itself waits out its duration: it is interrupted once the codes are in.
  AUTHSIM_BENCH_STOP_AFTER=$wanted taskset -c 1 wrk -t1 -c"$connections" -d600s \
    -s scripts/bench/identify.lua "$url" >"$out" &
  local wrk_pid=$!
  pids+=("$wrk_pid")
  local waited=0
  while [ "$(live_codes)" -lt "$wanted" ] && [ "$waited" -lt 6000 ] && kill -0 "$wrk_pid" 2>/dev/null; do
    sleep 0.1
    waited=$((waited + 1))
  done
  kill -INT "$wrk_pid" 2>/dev/null || true
  wait "$wrk_pid" 2>/dev/null || true
  grep -q '^unexpected answers: 0$' "$out" || { echo "bench: issuing codes: unexpected answers" >&2; cat "$out" >&2; exit 1; }
}

memory() {
  echo "bench: memory: issuing $codes_wanted codes" >&2
  start_authsim 0 --threads 1 --fixtures fixtures --max-codes 10000000
  local url=http://127.0.0.1:$server_port
  # A small warm-up (every path the issuing takes, buffers and allocator
  # pools in place), so that the empty server's RSS is not inflated by
  # memory the codes would reuse.
  issue_codes "$url" 1000
  local empty_kib empty_codes
  empty_kib=$(rss_kib "$server_pid")
  empty_codes=$(live_codes)
  issue_codes "$url" "$((codes_wanted + empty_codes))"
  local full_kib live
  full_kib=$(rss_kib "$server_pid")
  live=$(($(live_codes) - empty_codes))
  stop_pid "$server_pid"
  {
    echo
    echo "**Memory per live code** ($live codes issued, none redeemed; the identify body above, 5-minute codes)"
    echo
    awk -v e="$empty_kib" -v f="$full_kib" -v n="$live" -v w="$empty_codes" 'BEGIN {
      printf "- RSS of the server holding the %d warm-up codes: %.1f MiB\n", w, e / 1024
      printf "- RSS with the codes live: %.1f MiB\n", f / 1024
      printf "- per live code: %.0f bytes (target: at most 300)\n", (f - e) * 1024 / n
    }'
  } >>"$report"
}

# ------------------------------------------------------------------- soak --

soak() {
  echo "bench: soak: ${soak_seconds}s of identify calls, codes living 1 s" >&2
  cp -r fixtures "$work/fixtures-1s"
  sed -i 's/"code_ttl_seconds": *[0-9]*/"code_ttl_seconds": 1/' "$work/fixtures-1s/creditpay.json"
  grep -q '"code_ttl_seconds": 1,' "$work/fixtures-1s/creditpay.json" || { echo "bench: cannot shorten code_ttl" >&2; exit 1; }
  start_authsim 0 --threads 1 --fixtures "$work/fixtures-1s"
  local url=http://127.0.0.1:$server_port
  local samples=() elapsed=0 step=10
  while [ "$elapsed" -lt "$soak_seconds" ]; do
    local chunk=$((soak_seconds - elapsed < step ? soak_seconds - elapsed : step))
    taskset -c 1 wrk -t1 -c"$connections" -d"${chunk}s" -s scripts/bench/identify.lua "$url" >"$work/soak.out"
    grep -q '^unexpected answers: 0$' "$work/soak.out" || { echo "bench: soak: unexpected answers" >&2; cat "$work/soak.out" >&2; exit 1; }
    elapsed=$((elapsed + chunk))
    samples+=("$elapsed:$(rss_kib "$server_pid"):$(live_codes)")
  done
  stop_pid "$server_pid"
  {
    echo
    echo "**Soak** (${soak_seconds}s of signed identify calls, code_ttl 1 s, RSS after each ${step}s)"
    echo
    echo "| after s | RSS MiB | codes held |"
    echo "| ------: | ------: | ---------: |"
    local s
    for s in "${samples[@]}"; do
      IFS=: read -r t kib held <<<"$s"
      awk -v t="$t" -v k="$kib" -v h="$held" 'BEGIN { printf "| %d | %.1f | %d |\n", t, k / 1024, h }'
    done
    IFS=: read -r _ first_kib _ <<<"${samples[0]}"
    IFS=: read -r _ last_kib _ <<<"${samples[${#samples[@]} - 1]}"
    awk -v a="$first_kib" -v b="$last_kib" 'BEGIN {
      d = (b - a) * 100 / a
      printf "\nRSS from the first sample to the last: %+.1f %% (target: within 5 %%): %s\n", d, (d <= 5 && d >= -5) ? "met" : "NOT met" }'
  } >>"$report"
}

# ----------------------------------------------------------- instructions --

# callgrind_total BINARY COUNT WORKLOAD ARGS...: instructions the server ran
# (user space, every thread) to start, serve COUNT requests and stop.
callgrind_total() {
  local exe=$1 count=$2 workload=$3
  shift 3
  local out=$work/cg.$RANDOM
  valgrind --tool=callgrind --callgrind-out-file="$out.cg" "$exe" --port 0 --threads 1 --fixtures fixtures \
    --log-level warn "$@" >"$out.out" 2>"$out.err" &
  local pid=$!
  pids+=("$pid")
  for _ in $(seq 1 600); do
    grep -q '^listening on ' "$out.out" 2>/dev/null && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  local port
  port=$(sed -n 's/^listening on http:\/\/127\.0\.0\.1:\([0-9]*\)$/\1/p' "$out.out")
  [ -n "$port" ] || { echo "bench: authsim under callgrind did not start" >&2; cat "$out.err" >&2; exit 1; }
  python3 scripts/bench/drive.py "$port" "$count" "$workload"
  stop_pid "$pid"
  callgrind_annotate "$out.cg" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1; exit}'
}

# The difference between two counts of requests cancels start-up and
# shutdown: what is left is the cost of the requests in between.
per_request() {
  local exe=$1 workload=$2
  shift 2
  local small large
  small=$(callgrind_total "$exe" 500 "$workload" "$@")
  large=$(callgrind_total "$exe" 2500 "$workload" "$@")
  echo $(((large - small) / 2000))
}

instructions() {
  echo "bench: instructions: callgrind, 500 and 2500 requests per workload" >&2
  start_redis "$work/redis-instructions"
  local shared="--state unix://$work/redis-instructions/redis.sock"
  local names=("login" "identify" "bad-signature" "login, a log line per request" "login, state in Redis"
    "identify, state in Redis")
  local workloads=(login identify bad-signature login login identify)
  local extra=("" "" "" "--log-level info" "$shared" "$shared")
  local binaries=("$binary") labels=("this build")
  if [ -n "$baseline" ]; then
    binaries+=("$baseline")
    labels+=("baseline")
  fi
  local rows=() i b value
  for i in "${!workloads[@]}"; do
    local row="| ${names[$i]} |"
    local first=""
    for b in "${!binaries[@]}"; do
      # The shared state is newer than a baseline may be: this build only.
      if [ "$b" -gt 0 ] && [[ ${extra[$i]} == --state* ]]; then
        row+=" — | — |"
        continue
      fi
      # shellcheck disable=SC2086
      value=$(per_request "${binaries[$b]}" "${workloads[$i]}" ${extra[$i]})
      row+=" $value |"
      [ -n "$first" ] || first=$value
      if [ "$b" -gt 0 ]; then
        row+=" $(awk -v a="$first" -v b="$value" 'BEGIN { printf "%.3f", a / b }') |"
      fi
    done
    rows+=("$row")
    echo "bench: instructions: ${names[$i]} done" >&2
  done
  {
    echo
    echo "**Instructions per request** (user space, all threads, callgrind; 2500 minus 500 requests over 4 keep-alive connections, --threads 1; the rows \"state in Redis\" count authsim's instructions, not Redis's)"
    echo
    if [ -n "$baseline" ]; then
      echo "| workload | this build | baseline | this ÷ baseline |"
      echo "| -------- | ---------: | -------: | --------------: |"
    else
      echo "| workload | this build |"
      echo "| -------- | ---------: |"
    fi
    printf '%s\n' "${rows[@]}"
  } >>"$report"
}

# ------------------------------------------------------------------- main --

{
  echo "authsim $("$binary" --version | awk '{print $2}') beside nginx $("$nginx_bin" -v 2>&1 | sed 's/.*nginx\///'), wrk $(wrk -v 2>&1 | awk 'NR == 1 {print $2}'), $cpus CPU(s): $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')"
  echo
  echo "authsim flags: ${authsim_args[*]}; command: ${baseline:+BENCH_BASELINE=$baseline }scripts/bench.sh $mode"
} >"$report"

if [ "$mode" = all ] || [ "$mode" = throughput ]; then
  if [ "$cpus" -ge 2 ]; then
    throughput pinned 0 1 1 1
  else
    echo "bench: one CPU only: no pinned variant" >&2
  fi
  throughput unpinned "0-$((cpus - 1))" "0-$((cpus - 1))" "$cpus" "$cpus"
  targets
fi
if [ "$mode" = all ] || [ "$mode" = redis ]; then
  redis_variant
fi
if [ "$mode" = all ] || [ "$mode" = memory ]; then
  memory
fi
if [ "$mode" = all ] || [ "$mode" = soak ]; then
  soak
fi
if [ "$mode" = instructions ]; then
  instructions
fi

echo
cat "$report"

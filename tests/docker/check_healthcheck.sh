#!/usr/bin/env bash
# Runs the image's health probe (scripts/healthcheck.sh) against real authsim
# processes on loopback: it must pass for a healthy server, with or without an
# admin token, and fail, quickly, for a wrong token, a server without the
# admin API, a closed port and a server that never answers.
#
# Usage: check_healthcheck.sh SOURCE_DIR AUTHSIM_BINARY
set -uo pipefail

if [ $# -ne 2 ]; then
  echo "usage: $0 SOURCE_DIR AUTHSIM_BINARY" >&2
  exit 2
fi
src=${1%/}
binary=$2
probe=$src/scripts/healthcheck.sh
fixtures=$src/fixtures

work=$(mktemp -d)
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do
    kill -CONT "$p" 2>/dev/null
    kill -TERM "$p" 2>/dev/null
  done
  for p in "${pids[@]}"; do
    wait "$p" 2>/dev/null
  done
  rm -rf "$work"
}
trap cleanup EXIT

failures=0
fail() {
  printf 'FAIL: %s\n' "$*" >&2
  failures=$((failures + 1))
}

# Starts authsim on 127.0.0.1 (unless FLAGS say --host), port 0, with FLAGS; sets server_pid and
# server_port once it has printed its listening line. No AUTHSIM_* variable
# of the caller's environment reaches it.
start_server() {
  local out="$work/server$((${#pids[@]} + 1))" line=""
  local -a clean_env=()
  local v
  for v in $(compgen -e); do
    [[ $v == AUTHSIM_* ]] && clean_env+=(-u "$v")
  done
  env "${clean_env[@]}" "$binary" --host 127.0.0.1 --port 0 --fixtures "$fixtures" "$@" >"$out.out" 2>"$out.err" &
  server_pid=$!
  pids+=("$server_pid")
  for _ in $(seq 1 100); do
    line=$(head -n1 "$out.out" 2>/dev/null)
    [[ $line == "listening on "* ]] && break
    if ! kill -0 "$server_pid" 2>/dev/null; then
      break
    fi
    sleep 0.1
  done
  if [[ ! $line =~ ^listening\ on\ http://[^\ ]+:([0-9]+)$ ]]; then
    echo "FAIL: authsim $* did not start; its stderr:" >&2
    cat "$out.err" >&2
    exit 1
  fi
  server_port=${BASH_REMATCH[1]}
}

stop_server() {
  kill -TERM "$1" 2>/dev/null
  wait "$1" 2>/dev/null
}

# expect STATUS MAX_SECONDS DESCRIPTION -- ENV... : runs the probe with the
# given environment and a 1 s answer limit.
expect() {
  local want=$1 max=$2 what=$3 out status start elapsed
  shift 4
  start=${EPOCHREALTIME/[.,]/}
  out=$(env -u AUTHSIM_ADMIN_TOKEN -u AUTHSIM_PORT "$@" bash "$probe" 1 2>&1)
  status=$?
  elapsed=$(((${EPOCHREALTIME/[.,]/} - start) / 1000))
  if [ "$want" = 0 ] && [ "$status" -ne 0 ]; then
    fail "$what: the probe failed (exit $status): $out"
  elif [ "$want" != 0 ] && [ "$status" -eq 0 ]; then
    fail "$what: the probe passed, but should not: $out"
  elif [ "$elapsed" -gt $((max * 1000)) ]; then
    fail "$what: the probe took ${elapsed} ms, more than ${max} s"
  else
    echo "ok: $what (exit $status in ${elapsed} ms: $out)"
  fi
}

if [ ! -f "$probe" ]; then
  echo "FAIL: $probe does not exist" >&2
  exit 1
fi

start_server
open_pid=$server_pid
open_port=$server_port
expect 0 2 "healthy server, no token needed" -- AUTHSIM_PORT="$open_port"
expect 0 2 "a token the server does not need is harmless" -- AUTHSIM_PORT="$open_port" AUTHSIM_ADMIN_TOKEN=unused

start_server --admin-token 's3cret-token'
expect 0 2 "admin token required and given" -- AUTHSIM_PORT="$server_port" AUTHSIM_ADMIN_TOKEN='s3cret-token'
expect 1 2 "admin token required, none given (401)" -- AUTHSIM_PORT="$server_port"
expect 1 2 "admin token required, a wrong one given (401)" -- AUTHSIM_PORT="$server_port" AUTHSIM_ADMIN_TOKEN=wrong

# As in the image: bound to every address, no admin token. The rest of the
# admin API is closed then, but health answers the probe on loopback.
start_server --host 0.0.0.0
expect 0 2 "bound to every address without a token, as in the image" -- AUTHSIM_PORT="$server_port"

start_server --no-admin
expect 1 2 "server without the admin API (404)" -- AUTHSIM_PORT="$server_port"

# A server that accepts (the kernel does) but never answers: stopped.
start_server
kill -STOP "$server_pid"
expect 1 4 "server that never answers" -- AUTHSIM_PORT="$server_port"
kill -CONT "$server_pid"

# Nobody on the port any more.
stop_server "$open_pid"
expect 1 2 "nothing listening" -- AUTHSIM_PORT="$open_port"
expect 1 2 "AUTHSIM_PORT that is no port" -- AUTHSIM_PORT=http

if [ "$failures" -gt 0 ]; then
  echo "$failures check(s) of the health probe failed" >&2
  exit 1
fi
echo "the health probe tells a healthy authsim from the rest"

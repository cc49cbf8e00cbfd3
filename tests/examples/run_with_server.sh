#!/usr/bin/env bash
# Runs one command against a fresh authsim on a free loopback port.
#
# Usage: run_with_server.sh BINARY FIXTURES_DIR -- COMMAND [ARG...]
#
# Starts BINARY with --port 0 --fixtures FIXTURES_DIR, waits (at most
# AUTHSIM_START_TIMEOUT seconds, default 20) for its first stdout line
# "listening on http://HOST:PORT", runs COMMAND with that URL appended as its
# last argument (its stdin is /dev/null), then stops the server with SIGTERM and waits (at most
# AUTHSIM_STOP_TIMEOUT seconds, default 15) for it to exit 0.
# Exits with COMMAND's status; a server that does not start or does not stop
# cleanly makes the run fail too. The server's output is shown on failure.
set -euo pipefail

usage() {
  echo "usage: $0 BINARY FIXTURES_DIR -- COMMAND [ARG...]" >&2
  exit 2
}

[[ $# -ge 4 && $3 == -- ]] || usage
binary=$1
fixtures=$2
shift 3
command=("$@")

start_timeout=${AUTHSIM_START_TIMEOUT:-20}
stop_timeout=${AUTHSIM_STOP_TIMEOUT:-15}

[[ -x $binary ]] || { echo "run_with_server: $binary is not an executable file" >&2; exit 2; }
[[ -d $fixtures ]] || { echo "run_with_server: $fixtures is not a directory" >&2; exit 2; }

work=$(mktemp -d)
server_pid=
drain_pid=
command_pid=

# shellcheck disable=SC2317  # only ever called from the EXIT trap
cleanup() {
  # Only reached with a live command or server when the run was cut short.
  if [[ -n $command_pid ]]; then
    kill -TERM "$command_pid" 2>/dev/null || true
    wait "$command_pid" 2>/dev/null || true
  fi
  if [[ -n $server_pid ]]; then
    kill -KILL "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if [[ -n $drain_pid ]]; then
    kill "$drain_pid" 2>/dev/null || true
    wait "$drain_pid" 2>/dev/null || true
  fi
  exec 3<&- 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

show_server_output() {
  echo "--- authsim stdout ---" >&2
  cat "$work/stdout" >&2 2>/dev/null || true
  echo "--- authsim stderr ---" >&2
  cat "$work/stderr" >&2 2>/dev/null || true
  echo "----------------------" >&2
}

# The server's stdout goes through a FIFO, so the first line is read as soon as
# it is written, with a bounded wait and no polling.
mkfifo "$work/stdout.fifo"
"$binary" --port 0 --fixtures "$fixtures" >"$work/stdout.fifo" 2>"$work/stderr" &
server_pid=$!
exec 3<"$work/stdout.fifo"

first_line=
read_status=0
IFS= read -r -t "$start_timeout" first_line <&3 || read_status=$?
if [[ -n $first_line ]]; then
  printf '%s\n' "$first_line" >"$work/stdout"
fi

# Keep reading the rest of stdout so the server can never block on a full pipe.
cat <&3 >>"$work/stdout" &
drain_pid=$!
exec 3<&-

if (( read_status != 0 )); then
  if (( read_status > 128 )); then
    echo "run_with_server: no 'listening on' line from authsim within ${start_timeout}s" >&2
  else
    status=0
    wait "$server_pid" || status=$?
    server_pid=
    echo "run_with_server: authsim exited (status $status) before printing its 'listening on' line" >&2
  fi
  show_server_output
  exit 1
fi

if [[ ! $first_line =~ ^listening\ on\ (http://[^[:space:]]+)$ ]]; then
  echo "run_with_server: unexpected first line from authsim: '$first_line'" >&2
  show_server_output
  exit 1
fi
url=${BASH_REMATCH[1]}
echo "run_with_server: authsim (pid $server_pid) listening on $url" >&2

# In the background, so that a SIGTERM or SIGINT sent to this script is acted
# on at once (bash runs traps only between foreground commands).
command_status=0
"${command[@]}" "$url" </dev/null &
command_pid=$!
wait "$command_pid" || command_status=$?
command_pid=

# Stop the server we started, and insist on a clean exit.
server_ok=1
if ! kill -TERM "$server_pid" 2>/dev/null; then
  echo "run_with_server: authsim (pid $server_pid) was no longer running" >&2
  server_ok=0
fi
# Bounded wait for the exit (bash's wait has no time-out): look ten times a second.
for (( tick = 0; tick < stop_timeout * 10; tick++ )); do
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.1
done
if kill -0 "$server_pid" 2>/dev/null; then
  echo "run_with_server: authsim (pid $server_pid) still running ${stop_timeout}s after SIGTERM; killing it" >&2
  kill -KILL "$server_pid" 2>/dev/null || true
  server_ok=0
fi
server_status=0
wait "$server_pid" || server_status=$?
server_pid=
if (( server_status != 0 )); then
  echo "run_with_server: authsim exited with status $server_status (expected 0)" >&2
  server_ok=0
fi
wait "$drain_pid" || true
drain_pid=

if (( command_status != 0 || server_ok == 0 )); then
  show_server_output
fi
if (( server_ok == 0 && command_status == 0 )); then
  exit 1
fi
exit "$command_status"

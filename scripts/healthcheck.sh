#!/usr/bin/env bash
# Health probe for the container image: asks the authsim running beside it
# for GET /__admin/health and succeeds only on a 200 answer. It needs nothing
# but bash (no curl in the image): the request goes through bash's /dev/tcp.
#
# Usage: healthcheck.sh [SECONDS]   (how long to wait for the answer; default 3)
# Reads AUTHSIM_PORT (default 8080) and, when set, AUTHSIM_ADMIN_TOKEN, which
# it sends as "Authorization: Bearer ..." as the admin API then requires.
# Exit status: 0 healthy, 1 anything else (with one line saying why).
set -u

port=${AUTHSIM_PORT:-8080}
limit=${1:-3}
token=${AUTHSIM_ADMIN_TOKEN:-}

unhealthy() {
  echo "unhealthy: $*"
  exit 1
}

case $port in
  '' | *[!0-9]*) unhealthy "AUTHSIM_PORT is not a port number: '$port'" ;;
esac
if [ "$port" -lt 1 ] || [ "$port" -gt 65535 ]; then
  unhealthy "AUTHSIM_PORT is out of range: $port"
fi
case $limit in
  '' | *[!0-9]*) unhealthy "the time limit must be a whole number of seconds, got '$limit'" ;;
esac
[ "$limit" -ge 1 ] || limit=1
case $token in
  *$'\r'* | *$'\n'*) unhealthy "AUTHSIM_ADMIN_TOKEN contains a line break" ;;
esac

if ! { exec 3<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null; then
  unhealthy "nothing accepts connections on 127.0.0.1:$port"
fi

# HTTP/1.0: the server closes the connection once it has answered.
request="GET /__admin/health HTTP/1.0"$'\r\n'"Host: 127.0.0.1:$port"$'\r\n'
if [ -n "$token" ]; then
  request+="Authorization: Bearer $token"$'\r\n'
fi
request+="Connection: close"$'\r\n\r\n'
printf '%s' "$request" >&3 2>/dev/null || unhealthy "could not send the request to 127.0.0.1:$port"

deadline=$((SECONDS + limit))
status=
IFS= read -r -t "$limit" status <&3
status=${status%$'\r'}

# Read the rest of the answer, within what is left of the time limit, so the
# server is not left writing into a reset connection.
while left=$((deadline - SECONDS)) && [ "$left" -gt 0 ] && IFS= read -r -t "$left" _ <&3; do
  :
done
exec 3<&-

if [ -z "$status" ]; then
  unhealthy "no answer from 127.0.0.1:$port within ${limit}s"
fi
if [[ $status =~ ^HTTP/[0-9]\.[0-9][[:space:]]+200([[:space:]]|$) ]]; then
  echo "healthy: $status"
  exit 0
fi
unhealthy "/__admin/health answered '$status'"

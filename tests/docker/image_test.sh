#!/usr/bin/env bash
# Builds the project's container image from its Dockerfile and runs it for
# real, with Debian's podman (no Docker engine runs on the CI machines):
#
#   tests/docker/image_test.sh [REPO_DIR]
#
# Set-up, each step skipped when already done: podman, debootstrap and runc
# from apt; the Dockerfile's base images (debian:12 and debian:12-slim) made
# from the Debian mirror apt already uses (debootstrap --variant=minbase),
# as no other registry is reachable. Then:
#   - the image is built in docker format, so that its HEALTHCHECK is kept
#     (the OCI format drops it), and the HEALTHCHECK is checked to be there;
#   - a container runs it with AUTHSIM_* variables (port, public base URL,
#     admin token, scenario): its health check passes, it runs as the
#     image's non-root user, a signed identify answers code 0 with a `url` on
#     the public base URL, the admin API answers with the token only and
#     reports the scenario;
#   - a second container with a fixtures folder mounted over /fixtures
#     serves that folder's platform and not the bundled one;
#   - `podman stop` (SIGTERM) ends each container with exit code 0.
#
# Exit status: 0 when every check passed, 1 when one failed, 77 (with the
# reason on stderr) when podman cannot build or run containers on this
# machine: a skip that says so, never a silent one.
set -euo pipefail

repo=$(cd "${1:-$(dirname "$0")/../..}" && pwd)
image=authsim-image-test
prefix="docker image:"
work=$(mktemp -d)
containers=()

skip() {
  echo "$prefix SKIPPED: $*" >&2
  exit 77
}
fail() {
  echo "$prefix FAIL: $*" >&2
  exit 1
}
ok() { echo "$prefix ok: $*"; }

cleanup() {
  for c in "${containers[@]}"; do
    podman rm -f "$c" >/dev/null 2>&1 || true
  done
  podman rmi -f "$image" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

as_root() {
  if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi
}

# --- tools -------------------------------------------------------------------
missing=()
for tool in podman:podman debootstrap:debootstrap runc:runc python3:python3 curl:curl openssl:openssl; do
  command -v "${tool%%:*}" >/dev/null 2>&1 || missing+=("${tool#*:}")
done
if ((${#missing[@]})); then
  echo "$prefix installing ${missing[*]}"
  as_root apt-get update -qq >/dev/null
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null ||
    skip "could not install ${missing[*]} with apt-get"
fi
if [[ $(id -u) -ne 0 ]]; then
  skip "needs root (podman's chroot isolation and the base image's debootstrap); run as root"
fi

# The sandbox refuses raising RLIMIT_NOFILE and RLIMIT_NPROC, which podman
# does for every container by default, and crun does not take a hybrid
# cgroup layout: Debian's runc with cgroupfs, and no default ulimits.
cat >"$work/containers.conf" <<'EOF'
[containers]
default_ulimits = []
EOF
export CONTAINERS_CONF="$work/containers.conf"
run_opts=(--runtime runc --cgroup-manager cgroupfs)

if ! podman "${run_opts[@]}" info >"$work/info.log" 2>&1; then
  skip "podman does not work here: $(tail -n 1 "$work/info.log")"
fi

# --- base images from the Debian mirror apt uses ---------------------------
mirror() {
  local uri
  uri=$(sed -n 's/^URIs: *\([^ ]*\).*/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | grep -v security | head -n 1)
  if [[ -z $uri ]]; then
    uri=$(awk '$1 == "deb" && $2 !~ /security/ { print $2; exit }' /etc/apt/sources.list 2>/dev/null)
  fi
  echo "${uri:-http://deb.debian.org/debian}"
}
if ! podman image exists debian:12 || ! podman image exists debian:12-slim; then
  uri=$(mirror)
  started=$SECONDS
  debootstrap --variant=minbase bookworm "$work/rootfs" "$uri" >"$work/debootstrap.log" 2>&1 ||
    skip "debootstrap from $uri failed: $(tail -n 1 "$work/debootstrap.log")"
  tar -C "$work/rootfs" -c . | podman import - debian:12 >/dev/null
  podman tag debian:12 debian:12-slim
  rm -rf "$work/rootfs"
  ok "base images debian:12 and debian:12-slim made from $uri ($((SECONDS - started)) s)"
fi

# --- the image ----------------------------------------------------------------
started=$SECONDS
if ! podman build --format docker --isolation chroot --network host --pull=never -t "$image" "$repo" \
  >"$work/build.log" 2>&1; then
  tail -n 40 "$work/build.log" >&2
  fail "podman build failed (the end of its log is above)"
fi
ok "image built from the Dockerfile ($((SECONDS - started)) s)"
healthcheck=$(podman image inspect --format '{{json .Healthcheck}}' "$image" 2>/dev/null ||
  podman image inspect --format '{{json .Config.Healthcheck}}' "$image")
[[ $healthcheck == *authsim-healthcheck* ]] || fail "the image has no HEALTHCHECK (got: $healthcheck)"
ok "the image keeps its HEALTHCHECK"

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
# Starts a container on the host's network (the sandbox has no other) and
# waits until it listens; its name in $started_name.
start() {
  local name=$1 port=$2
  shift 2
  # Podman hands the health check's timer to systemd, which does not run
  # here, and says so on stderr; the test runs the check itself
  # (healthcheck run), so that complaint is kept out of the log.
  podman "${run_opts[@]}" run -d --name "$name" --network host -e AUTHSIM_PORT="$port" "$@" "$image" \
    >/dev/null 2>"$work/$name.run.log" || { cat "$work/$name.run.log" >&2; fail "podman run $name failed"; }
  containers+=("$name")
  for _ in $(seq 1 100); do
    if podman logs "$name" 2>&1 | grep -q 'listening on'; then return 0; fi
    if [[ $(podman inspect --format '{{.State.Running}}' "$name") != true ]]; then
      podman logs "$name" >&2 || true
      fail "$name exited before listening"
    fi
    sleep 0.1
  done
  podman logs "$name" >&2 || true
  fail "$name did not listen within 10 s"
}
stop_cleanly() {
  local name=$1 code
  podman "${run_opts[@]}" stop -t 15 "$name" >/dev/null 2>"$work/$name.stop.log" ||
    { cat "$work/$name.stop.log" >&2; fail "podman stop $name failed"; }
  code=$(podman inspect --format '{{.State.ExitCode}}' "$name")
  [[ $code == 0 ]] || { podman logs "$name" >&2 || true; fail "$name exited $code on SIGTERM, not 0"; }
  ok "$name stopped by SIGTERM with exit code 0"
}

# The demo platform's identify, signed here with openssl.
platform_field() {
  python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['platforms'][0][sys.argv[2]])" "$1" "$2"
}
identify() {
  local base=$1 fixtures=$2 body signature
  body='{"custom_no":"image-test","customer_token":"tok-image","token_expire":'$(($(date +%s) * 1000 + 3600000))',"callback_url":"https://partner.example/cb","client_ip":"127.0.0.1"}'
  signature=$(printf '%s' "/v1/platform/identify/auth$body" |
    openssl dgst -sha1 -hmac "$(platform_field "$fixtures" signature_key)" -binary | base64)
  curl -s --max-time 10 -H 'Content-Type: application/json' -H 'trace: image-test' \
    -H "api-key: $(platform_field "$fixtures" api_key)" -H "signature: $signature" -d "$body" \
    "$base/dg/v1/platform/identify/auth?platId=$(platform_field "$fixtures" plat_id)"
}

# --- a container with AUTHSIM_* variables --------------------------------------
port=$(free_port)
public="http://localhost:$port"
token="image-test-$RANDOM$RANDOM"
start authsim-image-vars "$port" -e AUTHSIM_PUBLIC_BASE_URL="$public" -e AUTHSIM_ADMIN_TOKEN="$token" \
  -e AUTHSIM_SCENARIO=slow
base="http://127.0.0.1:$port"

podman "${run_opts[@]}" healthcheck run authsim-image-vars >/dev/null 2>&1 ||
  fail "the image's health check fails on a running container"
ok "the health check passes"

pid=$(podman inspect --format '{{.State.Pid}}' authsim-image-vars)
uid=$(awk '/^Uid:/ { print $2 }' "/proc/$pid/status")
[[ $uid != 0 ]] || fail "authsim runs as root in the container"
user=$(podman image inspect --format '{{.Config.User}}' "$image" 2>/dev/null || true)
ok "authsim runs as uid $uid (user ${user:-?}), not root"

answer=$(identify "$base" "$repo/fixtures/creditpay.json")
[[ $answer == *'"code":0'* ]] || fail "a signed identify was refused: $answer"
[[ $answer == *"\"url\":\"$public/dg/oauth?ident_code="* ]] || fail "the code's url is not on $public: $answer"
ok "a signed identify answers code 0 with its url on $public"

status=$(curl -s -o /dev/null -w '%{http_code}' "$base/__admin/scenarios")
[[ $status == 401 ]] || fail "the admin API answered $status without the token, not 401"
scenarios=$(curl -s -H "Authorization: Bearer $token" "$base/__admin/scenarios")
[[ $scenarios == *'"active":"slow"'* ]] || fail "AUTHSIM_SCENARIO=slow is not active: ${scenarios:0:200}"
ok "AUTHSIM_ADMIN_TOKEN guards the admin API and AUTHSIM_SCENARIO selected 'slow'"
stop_cleanly authsim-image-vars

# --- a container with its own fixtures ------------------------------------------
mkdir -p "$work/fixtures"
cp -r "$repo/fixtures/." "$work/fixtures/"
python3 - "$work/fixtures/creditpay.json" <<'EOF'
import json, sys
path = sys.argv[1]
doc = json.load(open(path))
doc["platforms"][0]["plat_id"] = "mountedplatform0000000000000001"
doc["platforms"][0]["name"] = "Mounted fixtures"
json.dump(doc, open(path, "w"))
EOF
chmod -R a+rX "$work"
port=$(free_port)
start authsim-image-fixtures "$port" -v "$work/fixtures:/fixtures:ro"
base="http://127.0.0.1:$port"
answer=$(identify "$base" "$work/fixtures/creditpay.json")
[[ $answer == *'"code":0'* ]] || fail "the mounted fixtures' platform was refused: $answer"
answer=$(identify "$base" "$repo/fixtures/creditpay.json")
[[ $answer == *'"code":40101'* ]] || fail "the bundled platform still answers with fixtures mounted: $answer"
ok "a fixtures folder mounted at /fixtures replaces the bundled one"
stop_cleanly authsim-image-fixtures

echo "$prefix all checks passed"

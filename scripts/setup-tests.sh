#!/usr/bin/env bash
# Installs what the test suite needs beyond the build: Python 3, Node.js and
# socat for the client examples, redis-server and nginx for the shared-state
# tests, Debian's Chromium for the browser tests (with a CJK font, so that
# the dashboard's Chinese shows in its screenshots), and
# the Node packages of tests/node (playwright-core drives that Chromium;
# yaml reads openapi.yaml). Safe to run again: it installs only what is
# missing, and runs `npm ci` only when the lock file changed.
set -euo pipefail
cd "$(dirname "$0")/.."

extra=(python3 chromium fonts-wqy-microhei socat redis-server nginx-light)
# Node.js 20 or newer is needed (playwright-core requires it). Debian 12's
# own nodejs is 18, so a machine that has a newer one keeps it; the npm
# that comes with such a Node.js must not be replaced by Debian's npm.
if ! command -v node >/dev/null 2>&1; then
  extra+=(nodejs)
fi
if ! command -v npm >/dev/null 2>&1; then
  extra+=(npm)
fi
AUTHSIM_EXTRA_PACKAGES="${extra[*]} ${AUTHSIM_EXTRA_PACKAGES:-}" ./scripts/setup.sh

node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
  echo "setup-tests: Node.js $(node --version) is too old: the browser test's playwright-core needs 20 or newer" >&2
  exit 1
fi

# node_modules is rebuilt when package-lock.json is newer than the marker
# npm ci leaves behind.
marker=tests/node/node_modules/.package-lock.json
if [ ! -f "$marker" ] || [ tests/node/package-lock.json -nt "$marker" ]; then
  echo "setup-tests: installing the Node packages of tests/node"
  (cd tests/node && npm ci --no-audit --no-fund --loglevel=error)
else
  echo "setup-tests: the Node packages of tests/node are installed"
fi

#!/usr/bin/env bash
# A platform's side of Credit Pay, in bash, with socat for the socket and
# openssl for the signature.
#
# Two endpoints, as a platform implements them:
#   POST /webhook       Credit Pay's payment events. The signature is checked
#                       first (401 when wrong); an event already processed
#                       (the same event_id, sent again or retried) is
#                       acknowledged with 200 and not processed twice.
#   POST /credit-limit  Credit Pay's credit-limit query
#                       (GET_DEFAULT_ACCOUNT_CREDIT_LIMIT): the signature is
#                       checked, and the answer carries one card in the
#                       currency and with the decimals asked for.
#
# Both signatures are Base64 of HMAC-SHA1, keyed with the platform's
# signature key, over the path of the URL (without its query) followed by
# the raw body.
#
# Run:   bash examples/shell/webhook_receiver.sh [PORT]
# It listens on 127.0.0.1 (PORT 0, the default, picks a free one), prints
# "listening on http://127.0.0.1:PORT", then one line per request:
#   processed TYPE EVENT_ID retry=N
#   duplicate TYPE EVENT_ID retry=N
#   refused EVENT_ID: bad signature
#   credit limit CURRENCY DIGITS
# AUTHSIM_SIGNATURE_KEY replaces the demo platform's signature key. One
# request per connection (each answer says Connection: close).
set -euo pipefail

key=${AUTHSIM_SIGNATURE_KEY:-18dd8a3c8003d2adcd13cb9981618bedd759a19f697a46d270542c6023479a08f541a5fa7f2e09a6f93cab7fe5de3b1b465abxxx}
max_body=1048576

# Sends one answer on stdout (the connection) and ends the handler.
answer() {  # STATUS_LINE JSON
  printf 'HTTP/1.1 %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s' \
    "$1" "${#2}" "$2"
  exit 0
}

# A string field of the (flat enough) JSON in FILE.
field() {  # FILE NAME
  sed -n 's/.*"'"$2"'":"\([^"]*\)".*/\1/p' "$1"
}

# One connection: socat runs this with the socket as stdin and stdout; the
# lines for the log go to stderr.
handle() {
  local method target version line name value length=0 signature=""
  IFS=' ' read -r -t 10 method target version || exit 0
  while IFS= read -r -t 10 line; do
    line=${line%$'\r'}
    [[ -z $line ]] && break
    name=${line%%:*}
    value=${line#*:}
    value=${value# }
    case ${name,,} in
      content-length) length=$value ;;
      signature) signature=$value ;;
    esac
  done
  [[ $method == POST ]] || answer "405 Method Not Allowed" '{"error":"POST only"}'
  [[ $length =~ ^[0-9]+$ && $length -le $max_body ]] || answer "413 Payload Too Large" '{"error":"body too large"}'
  local body
  body=$(mktemp)
  trap 'rm -f "$body"' EXIT
  head -c "$length" >"$body"
  local path=${target%%\?*}
  local expected
  expected=$({ printf '%s' "$path"; cat "$body"; } | openssl dgst -sha1 -hmac "$key" -binary | base64)
  if [[ $signature != "$expected" ]]; then
    local id
    id=$(field "$body" event_id)
    echo "refused ${id:-$path}: bad signature" >&2
    answer "401 Unauthorized" '{"error":"bad signature"}'
  fi
  case $path in
    /webhook)
      local id type retry
      id=$(field "$body" event_id)
      type=$(field "$body" type)
      retry=$(sed -n 's/.*"retry":\([0-9]*\).*/\1/p' "$body")
      # mkdir is atomic: the first delivery of an event creates its mark.
      if mkdir "$AUTHSIM_RECEIVER_STATE/$id" 2>/dev/null; then
        echo "processed $type $id retry=$retry" >&2
      else
        echo "duplicate $type $id retry=$retry" >&2
      fi
      answer "200 OK" '{"received":"'"$id"'"}'
      ;;
    /credit-limit)
      local currency digits amount
      currency=$(field "$body" currency)
      digits=$(field "$body" digits)
      echo "credit limit ${currency:-CNY} ${digits:-2}" >&2
      amount=$(printf "%.${digits:-2}f" 28000)
      answer "200 OK" '{"data":{"tag":"card-1","available_cards":[{"tag":"card-1","amount":"'"$amount"'","currency":"'"${currency:-CNY}"'","icon":"https://platform.example/icon.ico","input":"<div>Platform card: <b>'"$amount"'</b> '"${currency:-CNY}"'</div>"}]}}'
      ;;
    *)
      answer "404 Not Found" '{"error":"no such endpoint"}'
      ;;
  esac
}

if [[ ${1:-} == --one ]]; then
  handle
  exit 0
fi

command -v socat >/dev/null || { echo "webhook_receiver: socat is needed (apt-get install socat)" >&2; exit 2; }
AUTHSIM_RECEIVER_STATE=$(mktemp -d)
export AUTHSIM_RECEIVER_STATE
export AUTHSIM_SIGNATURE_KEY=$key
socat_pid=
# shellcheck disable=SC2317  # called from the traps
stop() {
  [[ -n $socat_pid ]] && kill "$socat_pid" 2>/dev/null
  wait 2>/dev/null || true
  rm -rf "$AUTHSIM_RECEIVER_STATE"
  exit 0
}
trap stop TERM INT

# socat reports the port it bound (-d -d); the handlers' lines come through
# the same stream; socat's own notices are left out.
socat -d -d "TCP-LISTEN:${1:-0},bind=127.0.0.1,reuseaddr,fork" EXEC:"bash $0 --one" 2> >(
  while IFS= read -r line; do
    case $line in
      *" N listening on AF=2 127.0.0.1:"*) echo "listening on http://127.0.0.1:${line##*:}" ;;
      processed* | duplicate* | refused* | "credit limit"*) echo "$line" ;;
    esac
  done
) >/dev/null &
socat_pid=$!
wait "$socat_pid" || true

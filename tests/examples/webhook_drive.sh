#!/usr/bin/env bash
# Drives an example webhook receiver (examples/*/webhook_receiver.*) through
# Credit Pay's flow against a running authsim, and checks what it did.
#
# Usage: webhook_drive.sh RECEIVER_COMMAND [ARG...] BASE_URL
#
# Starts the receiver (which prints "listening on URL" first), points the
# demo platform's webhook_url and credit_limit_url at it, activates the
# shipped webhook-faults scenario, logs a user in, asks for the cashier's
# data (the receiver answers the credit-limit query), plays a paid payment
# by moving the simulated clock, and then checks the receiver's own lines:
# the credit limit was asked once, PAY_START arrived twice and was processed
# once, ASSIGN_SUCCESS was refused for its bad signature and processed on its
# retry, PAY_FINISH came before the held-back PAY_SUCCESS, and every event
# was processed exactly once. Needs bash, curl and openssl.
set -euo pipefail

[[ $# -ge 2 ]] || { echo "usage: $0 RECEIVER_COMMAND [ARG...] BASE_URL" >&2; exit 2; }
base=${*: -1}
receiver=("${@:1:$#-1}")

plat=328cf95950f54f89a2dd4c3bf98ac5fb
api_key=kHm2nk3dgrBhn10v494XqwpPOV7gn1Uu0rUVMuxpxAowvNfXEs5UzZueUdq7vgNc
key=18dd8a3c8003d2adcd13cb9981618bedd759a19f697a46d270542c6023479a08f541a5fa7f2e09a6f93cab7fe5de3b1b465abxxx

work=$(mktemp -d)
receiver_pid=
reader_pid=
# shellcheck disable=SC2317  # called from the EXIT trap
cleanup() {
  if [[ -n $receiver_pid ]]; then
    kill -TERM "$receiver_pid" 2>/dev/null || true
    wait "$receiver_pid" 2>/dev/null || true
  fi
  if [[ -n $reader_pid ]]; then
    wait "$reader_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

fail() {
  echo "webhook_drive: $*" >&2
  echo "--- receiver output ---" >&2
  cat "$work/receiver.log" >&2 || true
  exit 1
}

# The receiver's output comes through a FIFO: its first line is read as it
# comes (no polling), the rest is copied to a file.
mkfifo "$work/out"
"${receiver[@]}" >"$work/out" 2>&1 &
receiver_pid=$!
exec {out}<"$work/out"
IFS= read -r -t 20 -u "$out" first || fail "the receiver printed nothing within 20 s"
url=${first#listening on }
[[ $url == http://* ]] || fail "expected 'listening on URL' first, got: $first"
cat <&"$out" >"$work/receiver.log" &
reader_pid=$!
exec {out}<&-

call() {  # METHOD PATH [BODY]: prints the body; fails on an HTTP error status
  curl -sS --fail-with-body -X "$1" "$base$2" ${3:+-d "$3"}
}

call PUT "/__admin/platforms/$plat/endpoints" \
  '{"webhook_url":"'"$url"'/webhook","credit_limit_url":"'"$url"'/credit-limit?source=authsim"}' >/dev/null
call PUT /__admin/scenario '{"name":"webhook-faults"}' >/dev/null

now=$(call GET /__admin/clock | sed -n 's/.*"now_ms":\([0-9]*\).*/\1/p')
body='{"customer_token":"tok-driver","custom_no":"driver-1","callback_url":"https://platform.example/callback","token_expire":'$((now + 3600000))',"client_ip":"127.0.0.1"}'
sig=$(printf '%s%s' /v1/platform/identify/auth "$body" | openssl dgst -sha1 -hmac "$key" -binary | base64)
code=$(curl -sS --fail-with-body -X POST "$base/dg/v1/platform/identify/auth?platId=$plat" \
  -H "trace: drive-1" -H "api-key: $api_key" -H "signature: $sig" -d "$body" |
  sed -n 's/.*"ident_code":"\([0-9a-f]*\)".*/\1/p')
[[ -n $code ]] || fail "no ident_code"
token=$(curl -sS --fail-with-body -X POST "$base/dg/v1/identify/redirect" -H "trace: drive-2" \
  -d '{"ident_code":"'"$code"'"}' | sed -n 's/.*"open_token":"\([^"]*\)".*/\1/p')
[[ $token == Bearer* ]] || fail "no open token"

cashier=$(curl -sS -X POST "$base/dg/v1/cashier/fetch_data" -H "trace: drive-3" -H "authorization: $token")
[[ $cashier == *'"tag":"card-1"'* && $cashier == *'"amount":"28000.00"'* ]] ||
  fail "the cashier data does not carry the receiver's card: $cashier"
echo "webhook_drive: cashier data from the receiver's credit-limit endpoint: card-1, 28000.00 CNY"

call POST /__admin/payments '{"ident_code":"'"$code"'","outcome":"paid","amount":"12.30","pay_after_ms":100000}' >/dev/null
call PUT /__admin/clock '{"advance_ms":250000}' >/dev/null
wait_for() {  # QUERY: the long poll must not time out
  local answer
  answer=$(call GET "/__admin/webhooks/wait?timeout_ms=20000&$1")
  [[ $answer == *'"timed_out":false'* ]] || fail "waiting for $1: $answer"
}
wait_for "type=PAY_SUCCESS"
wait_for "type=ASSIGN_SUCCESS&status=retrying"
call PUT /__admin/clock '{"advance_ms":60000}' >/dev/null
wait_for "type=ASSIGN_SUCCESS"
call PUT /__admin/scenario '{"name":null}' >/dev/null

# Stop the receiver so that every line it printed is in the file.
kill -TERM "$receiver_pid" 2>/dev/null || true
wait "$receiver_pid" 2>/dev/null || true
receiver_pid=
wait "$reader_pid" 2>/dev/null || true
reader_pid=
log=$work/receiver.log

count() { grep -c -- "$1" "$log" || true; }
[[ $(count '^credit limit CNY 2$') == 1 ]] || fail "the credit limit was not asked exactly once (CNY, 2 digits)"
[[ $(count '^processed PAY_START ') == 1 && $(count '^duplicate PAY_START ') == 1 ]] ||
  fail "PAY_START should arrive twice and be processed once"
[[ $(count '^refused evt_[0-9a-f]*: bad signature$') == 1 ]] || fail "one event should be refused for its signature"
grep -q '^processed ASSIGN_SUCCESS evt_[0-9a-f]* retry=1$' "$log" || fail "ASSIGN_SUCCESS should be processed on retry 1"
for type in GET_BARCODE_SUCCESS PAY_SUCCESS PAY_FINISH; do
  [[ $(count "^processed $type ") -ge 1 ]] || fail "$type was not processed"
done
[[ $(count '^processed SESSION_RENEWAL ') == 0 ]] || fail "SESSION_RENEWAL is dropped by the scenario"
finish=$(grep -n '^processed PAY_FINISH ' "$log" | cut -d: -f1)
success=$(grep -n '^processed PAY_SUCCESS ' "$log" | cut -d: -f1)
[[ $finish -lt $success ]] || fail "PAY_FINISH should overtake the held-back PAY_SUCCESS"
events=$(grep -c '^processed ' "$log")
distinct=$(grep '^processed ' "$log" | cut -d' ' -f3 | sort -u | wc -l)
[[ $events == "$distinct" ]] || fail "an event was processed twice"
echo "webhook_drive: $events events processed once each; duplicate, bad signature, drop and reordering handled"

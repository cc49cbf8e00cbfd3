#!/usr/bin/env bash
# authsim client example in bash, needing only curl and openssl.
#
# Walks the whole flow against a running authsim and prints one line per step:
#   1. Credit Pay: ask for a one-time code for the demo platform (signed request)
#   2. Credit Pay: redeem the code for an open token
#   3. UOCS: log in with the demo account
#   4. UOCS: check drone capacity with that token (the upstream's example)
#   5. UOCS: create a waybill (the upstream's example, a fresh bizCode)
#   6. UOCS: read the waybill's details
# Any unexpected answer is reported on stderr (what was expected, the status
# and the body) and the script exits non-zero.
#
# Run:   bash examples/shell/flow.sh [BASE_URL]
# BASE_URL defaults to $AUTHSIM_URL, else http://127.0.0.1:8080.
# AUTHSIM_PLAT_ID, AUTHSIM_API_KEY and AUTHSIM_SIGNATURE_KEY replace the demo
# platform's credentials.
set -euo pipefail

if [[ -z ${EPOCHREALTIME:-} ]]; then
  echo "this example needs bash 5 or later (it reads the clock from EPOCHREALTIME)" >&2
  exit 1
fi

base_url=${1:-${AUTHSIM_URL:-http://127.0.0.1:8080}}
base_url=${base_url%/}

# The demo platform of the fixtures shipped with authsim (fixtures/creditpay.json).
plat_id=${AUTHSIM_PLAT_ID:-328cf95950f54f89a2dd4c3bf98ac5fb}
api_key=${AUTHSIM_API_KEY:-kHm2nk3dgrBhn10v494XqwpPOV7gn1Uu0rUVMuxpxAowvNfXEs5UzZueUdq7vgNc}
signature_key=${AUTHSIM_SIGNATURE_KEY:-18dd8a3c8003d2adcd13cb9981618bedd759a19f697a46d270542c6023479a08f541a5fa7f2e09a6f93cab7fe5de3b1b465abxxx}

# The demo UOCS account of the shipped fixtures (fixtures/uocs.json).
uocs_login='{"appKey":"IE-UOCS-OUT","appSecret":"fykj12345678","deviceId":"00:FF:16:4B:63:57","hostName":"SF0001304522C","ip":"192.168.255.10","userId":"fc0001","password":"8bb2423a0e1c4d0a"}'

# The path that is signed: no /dg gateway prefix, no query string.
signed_path=/v1/platform/identify/auth

# expect STEP EXPECTED PATTERN...: unless the last answer is HTTP 200, looks
# like a whole JSON object and matches every pattern (bash regular
# expressions), report it and exit. BASH_REMATCH keeps the last pattern's groups.
expect() {
  local step=$1 expected=$2 pattern ok=1
  shift 2
  [[ $status == 200 && $body =~ ^\{.*\}$ ]] || ok=0
  for pattern in "$@"; do
    (( ok )) || break
    [[ $body =~ $pattern ]] || ok=0
  done
  if (( ! ok )); then
    {
      echo "FAILED at $step"
      echo "  expected: $expected"
      echo "  got:      HTTP $status"
      echo "  body:     $body"
    } >&2
    exit 1
  fi
}

# post URL BODY [HEADER...]: POST the body bytes as given; sets $status and $body.
post() {
  local url=$1 data=$2 out
  shift 2
  local args=(--silent --show-error --noproxy '*' --connect-timeout 5 --max-time 10
              -X POST -H 'Content-Type: application/json')
  local h
  for h in "$@"; do args+=(-H "$h"); done
  # The status code is written after the body, on a line of its own.
  if ! out=$(curl "${args[@]}" --data-binary "$data" --write-out '\n%{http_code}' "$url"); then
    echo "FAILED: no answer from $url (is authsim running there?)" >&2
    exit 1
  fi
  status=${out##*$'\n'}
  body=${out%$'\n'*}
}

random_hex() { openssl rand -hex "$1"; }

# --- 1. one-time code ----------------------------------------------------------
# EPOCHREALTIME (bash 5) is seconds with 6 decimals; keep the digits, drop
# the locale's decimal mark, and the microseconds become milliseconds.
now_us=${EPOCHREALTIME//[!0-9]/}
now_ms=$(( now_us / 1000 ))
token_expire=$(( now_ms + 3600 * 1000 ))   # one hour from now, 13 digits
custom_no="example-sh-$(random_hex 6)"
customer_token="example-token-$(random_hex 16)"

# Serialise once; these exact bytes are signed and sent.
identify_body='{"custom_no":"'"$custom_no"'","customer_token":"'"$customer_token"'","token_expire":'"$token_expire"',"callback_url":"https://partner.example.com/payment/callback","client_ip":"192.0.2.10"}'

# HMAC-SHA1 over path + body, keyed with the signature key, in standard Base64.
# (openssl takes the key as an argument, so it shows in the process list:
# fine for the demo key, think twice with a real one.)
signature=$(printf '%s%s' "$signed_path" "$identify_body" \
  | openssl dgst -sha1 -hmac "$signature_key" -binary | openssl base64 -A)

post "$base_url/dg$signed_path?platId=$plat_id" "$identify_body" \
  "trace: example-sh-$(random_hex 8)" "api-key: $api_key" "signature: $signature"

re_code0='"code":[[:space:]]*0[,}]'
expect "identify (POST /dg$signed_path)" 'HTTP 200, "code":0 and a 32-hex "ident_code"' \
  "$re_code0" '"ident_code":[[:space:]]*"([0-9a-f]{32})"'
ident_code=${BASH_REMATCH[1]}
echo "1. identify: custom_no $custom_no got ident_code $ident_code"

# --- 2. redeem the code ----------------------------------------------------------
post "$base_url/dg/v1/identify/redirect" '{"ident_code":"'"$ident_code"'"}' \
  "trace: example-sh-$(random_hex 8)"

expect "redirect (POST /dg/v1/identify/redirect)" 'HTTP 200, "code":0 and "open_token":"Bearer ..."' \
  "$re_code0" '"open_token":[[:space:]]*"(Bearer [^"]+)"'
open_token=${BASH_REMATCH[1]}
echo "2. redirect: open token ${open_token:0:30}..."

# --- 3. UOCS login -------------------------------------------------------------
post "$base_url/apis-auth/login/auth" "$uocs_login"

re_success='"success":[[:space:]]*true'
expect "UOCS login (POST /apis-auth/login/auth)" 'HTTP 200, "success":true and obj.token' \
  "$re_success" '"token":[[:space:]]*"([^"]+)"'
uocs_token=${BASH_REMATCH[1]}
echo "3. UOCS login: token ${uocs_token:0:20}..."

# --- 4. UOCS capacity check ---------------------------------------------------------
request_id="example-sh-$(random_hex 8)"
post "$base_url/uocs-tes/waybill/api/carrierWaybill" \
  '{"requestId":"'"$request_id"'","devCode":"tc123456","gpsType":1,"senderLon":"113.9311883","senderLat":"22.5616979","goodsType":1,"goodsWeight":8000,"receiverLon":"114.0267861","receiverLat":"22.5353805"}' \
  "token: $uocs_token"

expect "UOCS capacity check (POST /uocs-tes/waybill/api/carrierWaybill)" 'HTTP 200, "success":true and obj.flightTime' \
  "$re_success" '"flightTime":[[:space:]]*([0-9]+)'
echo "4. UOCS carrierWaybill: carriable, flight ${BASH_REMATCH[1]} min (requestId $request_id)"

# --- 5. UOCS create a waybill ---------------------------------------------------
post "$base_url/uocs-tes/waybill/api/createWaybill" \
  '{"devCode":"tc123456","pushTime":"2024-10-08 14:07:11","useCab":1,"bizCode":"'"$request_id"'","senderCode":"CN001","receiverCode":"CN0023","gpsType":1,"senderLon":"114.1234567","senderLat":"26.1234567","senderAddr":"深圳市","senderTel":"13699847593","senderName":"jacky","goodsType":1,"goodsWeight":2000,"receiverLon":"114.1234567","receiverLat":"26.1234567","receiverAddr":"深圳市","receiverTel":"13699847593","receiverName":"jacky","amount":20.5,"remark":null}' \
  "token: $uocs_token"

expect "UOCS create (POST /uocs-tes/waybill/api/createWaybill)" 'HTTP 200, "success":true and obj.fyCode' \
  "$re_success" '"fyCode":[[:space:]]*"([^"]+)"'
fy_code=${BASH_REMATCH[1]}
echo "5. UOCS createWaybill: fyCode $fy_code"

# --- 6. UOCS waybill details -----------------------------------------------------
post "$base_url/uocs-tes/waybill/api/selectOrderDetails" '{"devCode":"tc123456","fyCode":"'"$fy_code"'"}' \
  "token: $uocs_token"

expect "UOCS details (POST /uocs-tes/waybill/api/selectOrderDetails)" 'HTTP 200, "success":true and obj.orderStatus' \
  "$re_success" '"orderStatus":[[:space:]]*([0-9])'
echo "6. UOCS selectOrderDetails: orderStatus ${BASH_REMATCH[1]} (0: awaiting pickup)"
echo "flow complete"

#!/usr/bin/env python3
"""authsim client example in Python 3, standard library only.

Walks the whole flow against a running authsim and prints one line per step:
  1. Credit Pay: ask for a one-time code for the demo platform (signed request)
  2. Credit Pay: redeem the code for an open token
  3. UOCS: log in with the demo account
  4. UOCS: check drone capacity with that token (the upstream's example)
  5. UOCS: create a waybill (the upstream's example, a fresh bizCode)
  6. UOCS: read the waybill's details
Any unexpected answer is reported on stderr (what was expected, the status
and the body) and the script exits non-zero.

Run:   python3 examples/python/flow.py [BASE_URL]
BASE_URL defaults to $AUTHSIM_URL, else http://127.0.0.1:8080.
AUTHSIM_PLAT_ID, AUTHSIM_API_KEY and AUTHSIM_SIGNATURE_KEY replace the demo
platform's credentials.
"""

import base64
import hashlib
import hmac
import json
import os
import secrets
import sys
import time
import urllib.error
import urllib.parse
import urllib.request


def env_or(name, default):
    """The environment variable's value, or the default when it is unset or empty."""
    return os.environ.get(name) or default


# The demo platform of the fixtures shipped with authsim (fixtures/creditpay.json).
PLAT_ID = env_or("AUTHSIM_PLAT_ID", "328cf95950f54f89a2dd4c3bf98ac5fb")
API_KEY = env_or(
    "AUTHSIM_API_KEY", "kHm2nk3dgrBhn10v494XqwpPOV7gn1Uu0rUVMuxpxAowvNfXEs5UzZueUdq7vgNc")
SIGNATURE_KEY = env_or(
    "AUTHSIM_SIGNATURE_KEY",
    "18dd8a3c8003d2adcd13cb9981618bedd759a19f697a46d270542c6023479a08"
    "f541a5fa7f2e09a6f93cab7fe5de3b1b465abxxx")

# The demo UOCS account of the shipped fixtures (fixtures/uocs.json).
UOCS_LOGIN = {
    "appKey": "IE-UOCS-OUT",
    "appSecret": "fykj12345678",
    "deviceId": "00:FF:16:4B:63:57",
    "hostName": "SF0001304522C",
    "ip": "192.168.255.10",
    "userId": "fc0001",
    "password": "8bb2423a0e1c4d0a",
}

# The upstream's examples of a capacity check and of a new waybill.
CAPACITY_EXAMPLE = {"devCode": "tc123456", "gpsType": 1, "senderLon": "113.9311883", "senderLat": "22.5616979",
                    "goodsType": 1, "goodsWeight": 8000, "receiverLon": "114.0267861", "receiverLat": "22.5353805"}
CREATE_EXAMPLE = {"devCode": "tc123456", "pushTime": "2024-10-08 14:07:11", "useCab": 1, "bizCode": "tc123456899",
                  "senderCode": "CN001", "receiverCode": "CN0023", "gpsType": 1, "senderLon": "114.1234567",
                  "senderLat": "26.1234567", "senderAddr": "深圳市", "senderTel": "13699847593",
                  "senderName": "jacky", "goodsType": 1, "goodsWeight": 2000, "receiverLon": "114.1234567",
                  "receiverLat": "26.1234567", "receiverAddr": "深圳市", "receiverTel": "13699847593",
                  "receiverName": "jacky", "amount": 20.5, "remark": None}

# The path that is signed: no /dg gateway prefix, no query string.
SIGNED_PATH = "/v1/platform/identify/auth"
TIMEOUT_SECONDS = 10

# authsim runs on this machine or in CI: talk to it directly, whatever the
# proxy environment variables say.
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class FlowError(Exception):
    pass


def post(url, body, headers):
    """POSTs the body bytes as given; returns (status, text of the answer)."""
    request = urllib.request.Request(url, data=body, method="POST")
    request.add_header("Content-Type", "application/json")
    for name, value in headers.items():
        request.add_header(name, value)
    try:
        with OPENER.open(request, timeout=TIMEOUT_SECONDS) as answer:
            return answer.status, answer.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:  # an answer with a 4xx/5xx status
        return error.code, error.read().decode("utf-8", "replace")
    except (urllib.error.URLError, OSError) as error:
        raise FlowError(f"FAILED: no answer from {url} (is authsim running there?): {error}") from None


def expect(step, expected, status, text, check):
    """Parses the JSON answer and returns it if check(answer) holds; else fails."""
    try:
        answer = json.loads(text)
    except ValueError:
        answer = None
    if status != 200 or not isinstance(answer, dict) or not check(answer):
        raise FlowError(
            f"FAILED at {step}\n  expected: {expected}\n  got:      HTTP {status}\n  body:     {text}")
    return answer


def code_is_zero(answer):
    code = answer.get("code")
    return isinstance(code, int) and not isinstance(code, bool) and code == 0


def flow(base_url):
    # --- 1. one-time code -------------------------------------------------------
    token_expire = int(time.time() * 1000) + 3600 * 1000  # one hour from now, 13 digits
    custom_no = "example-py-" + secrets.token_hex(6)
    fields = {
        "custom_no": custom_no,
        "customer_token": "example-token-" + secrets.token_hex(16),
        "token_expire": token_expire,
        "callback_url": "https://partner.example.com/payment/callback",
        "client_ip": "192.0.2.10",
    }
    # Serialise once; these exact bytes are signed and sent.
    body = json.dumps(fields, separators=(",", ":")).encode("utf-8")
    digest = hmac.new(SIGNATURE_KEY.encode("utf-8"), SIGNED_PATH.encode("utf-8") + body,
                      hashlib.sha1).digest()
    signature = base64.b64encode(digest).decode("ascii")

    url = f"{base_url}/dg{SIGNED_PATH}?" + urllib.parse.urlencode({"platId": PLAT_ID})
    status, text = post(url, body, {
        "trace": "example-py-" + secrets.token_hex(8),
        "api-key": API_KEY,
        "signature": signature,
    })
    answer = expect(
        f"identify (POST /dg{SIGNED_PATH})", 'HTTP 200, "code":0 and an "ident_code"', status, text,
        lambda a: code_is_zero(a) and isinstance(a.get("data"), dict)
        and isinstance(a["data"].get("ident_code"), str))
    ident_code = answer["data"]["ident_code"]
    print(f"1. identify: custom_no {custom_no} got ident_code {ident_code}")

    # --- 2. redeem the code -----------------------------------------------------
    status, text = post(f"{base_url}/dg/v1/identify/redirect",
                        json.dumps({"ident_code": ident_code}).encode("utf-8"),
                        {"trace": "example-py-" + secrets.token_hex(8)})
    answer = expect(
        "redirect (POST /dg/v1/identify/redirect)", 'HTTP 200, "code":0 and "open_token":"Bearer ..."',
        status, text,
        lambda a: code_is_zero(a) and isinstance(a.get("data"), dict)
        and str(a["data"].get("open_token", "")).startswith("Bearer "))
    print(f"2. redirect: open token {answer['data']['open_token'][:30]}...")

    # --- 3. UOCS login ----------------------------------------------------------
    status, text = post(f"{base_url}/apis-auth/login/auth",
                        json.dumps(UOCS_LOGIN).encode("utf-8"), {})
    answer = expect(
        "UOCS login (POST /apis-auth/login/auth)", 'HTTP 200, "success":true and obj.token',
        status, text,
        lambda a: a.get("success") is True and isinstance(a.get("obj"), dict)
        and isinstance(a["obj"].get("token"), str))
    uocs_token = answer["obj"]["token"]
    print(f"3. UOCS login: token {uocs_token[:20]}...")

    # --- 4. UOCS capacity check -----------------------------------------------
    request_id = "example-py-" + secrets.token_hex(8)
    status, text = post(f"{base_url}/uocs-tes/waybill/api/carrierWaybill",
                        json.dumps({"requestId": request_id, **CAPACITY_EXAMPLE}).encode("utf-8"),
                        {"token": uocs_token})
    answer = expect("UOCS capacity check (POST /uocs-tes/waybill/api/carrierWaybill)",
                    'HTTP 200, "success":true and obj.flightTime', status, text,
                    lambda a: a.get("success") is True and isinstance(a.get("obj"), dict)
                    and isinstance(a["obj"].get("flightTime"), int))
    print(f"4. UOCS carrierWaybill: carriable, flight {answer['obj']['flightTime']} min (requestId {request_id})")

    # --- 5. UOCS create a waybill -----------------------------------------------
    status, text = post(f"{base_url}/uocs-tes/waybill/api/createWaybill",
                        json.dumps({**CREATE_EXAMPLE, "bizCode": request_id}, ensure_ascii=False).encode("utf-8"),
                        {"token": uocs_token})
    answer = expect("UOCS create (POST /uocs-tes/waybill/api/createWaybill)",
                    'HTTP 200, "success":true and obj.fyCode', status, text,
                    lambda a: a.get("success") is True and isinstance(a.get("obj"), dict)
                    and isinstance(a["obj"].get("fyCode"), str))
    fy_code = answer["obj"]["fyCode"]
    print(f"5. UOCS createWaybill: fyCode {fy_code}")

    # --- 6. UOCS waybill details ------------------------------------------------
    status, text = post(f"{base_url}/uocs-tes/waybill/api/selectOrderDetails",
                        json.dumps({"devCode": "tc123456", "fyCode": fy_code}).encode("utf-8"),
                        {"token": uocs_token})
    answer = expect("UOCS details (POST /uocs-tes/waybill/api/selectOrderDetails)",
                    'HTTP 200, "success":true and obj.orderStatus', status, text,
                    lambda a: a.get("success") is True and isinstance(a.get("obj"), dict)
                    and isinstance(a["obj"].get("orderStatus"), int))
    print(f"6. UOCS selectOrderDetails: orderStatus {answer['obj']['orderStatus']} (0: awaiting pickup)")
    print("flow complete")


def main():
    # One line per step as it happens, even when the output is a pipe.
    sys.stdout.reconfigure(line_buffering=True)
    base_url = sys.argv[1] if len(sys.argv) > 1 else env_or("AUTHSIM_URL", "http://127.0.0.1:8080")
    try:
        flow(base_url.rstrip("/"))
    except FlowError as error:
        print(error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

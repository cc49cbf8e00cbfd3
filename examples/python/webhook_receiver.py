#!/usr/bin/env python3
"""A platform's side of Credit Pay, in Python 3 (standard library only).

Two endpoints, as a platform implements them:
  POST /webhook       Credit Pay's payment events. The signature is checked
                      first (401 when wrong); an event already processed
                      (the same event_id, sent again or retried) is
                      acknowledged with 200 and not processed twice.
  POST /credit-limit  Credit Pay's credit-limit query
                      (GET_DEFAULT_ACCOUNT_CREDIT_LIMIT): the signature is
                      checked, and the answer carries one card in the
                      currency and with the decimals asked for.

Both signatures are Base64 of HMAC-SHA1, keyed with the platform's signature
key, over the path of the URL (without its query) followed by the raw body.

Run:   python3 examples/python/webhook_receiver.py [PORT]
It listens on 127.0.0.1 (PORT 0, the default, picks a free one), prints
"listening on http://127.0.0.1:PORT", then one line per request:
  processed TYPE EVENT_ID retry=N
  duplicate TYPE EVENT_ID retry=N
  refused EVENT_ID: bad signature
  credit limit CURRENCY DIGITS
AUTHSIM_SIGNATURE_KEY replaces the demo platform's signature key.
"""

import base64
import hashlib
import hmac
import json
import os
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SIGNATURE_KEY = os.environ.get("AUTHSIM_SIGNATURE_KEY") or (
    "18dd8a3c8003d2adcd13cb9981618bedd759a19f697a46d270542c6023479a08"
    "f541a5fa7f2e09a6f93cab7fe5de3b1b465abxxx")
MAX_BODY = 1024 * 1024

processed = set()
processed_lock = threading.Lock()


def expected_signature(path, body):
    """Base64 of HMAC-SHA1 over the path (no query) and the raw body bytes."""
    digest = hmac.new(SIGNATURE_KEY.encode(), path.encode() + body, hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def say(line):
    print(line, flush=True)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # one line per request is printed by the handlers
        pass

    def answer(self, status, document):
        body = json.dumps(document).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self.answer(413, {"error": "body too large"})
            return
        body = self.rfile.read(length)
        path = urllib.parse.urlsplit(self.path).path
        signature = self.headers.get("signature") or ""
        if not hmac.compare_digest(signature, expected_signature(path, body)):
            event_id = ""
            try:
                event_id = json.loads(body).get("event_id", "")
            except ValueError:
                pass
            say(f"refused {event_id or path}: bad signature")
            self.answer(401, {"error": "bad signature"})
            return
        try:
            message = json.loads(body)
        except ValueError:
            self.answer(400, {"error": "not JSON"})
            return
        if path == "/webhook":
            self.webhook(message)
        elif path == "/credit-limit":
            self.credit_limit(message)
        else:
            self.answer(404, {"error": "no such endpoint"})

    def webhook(self, event):
        key = event.get("event_id")
        with processed_lock:
            seen = key in processed
            processed.add(key)
        # Idempotent: a retried or repeated event is acknowledged, once processed.
        state = "duplicate" if seen else "processed"
        say(f"{state} {event.get('type')} {key} retry={event.get('retry')}")
        self.answer(200, {"received": key})

    def credit_limit(self, query):
        data = query.get("data") or {}
        currency = data.get("currency", "CNY")
        digits = int(data.get("digits", "2"))
        say(f"credit limit {currency} {digits}")
        amount = f"{28000:.{digits}f}"
        card = {
            "tag": "card-1",
            "amount": amount,
            "currency": currency,
            "icon": "https://platform.example/icon.ico",
            "input": f"<div>Platform card: <b>{amount}</b> {currency}</div>",
        }
        self.answer(200, {"data": {"tag": "card-1", "available_cards": [card]}})


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    say(f"listening on http://127.0.0.1:{server.server_address[1]}")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()

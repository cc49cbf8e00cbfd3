#!/usr/bin/env python3
"""Sends a fixed number of requests of one workload to authsim over four
keep-alive connections, one at a time, and checks every answer: the client
of scripts/bench.sh's instructions mode, where authsim runs under callgrind
and a request count, not a duration, is what matters.

Usage: drive.py PORT COUNT login|identify|bad-signature
The identify workloads read AUTHSIM_BENCH_PLAT_ID, AUTHSIM_BENCH_API_KEY,
AUTHSIM_BENCH_BODY and AUTHSIM_BENCH_SIGNATURE, as the wrk scripts do.
"""
import os
import socket
import sys

LOGIN_BODY = (b'{"appKey":"IE-UOCS-OUT","appSecret":"fykj12345678","deviceId":"00:FF:16:4B:63:57",'
              b'"hostName":"SF0001304522C","requestId":"bench-1","ip":"192.168.255.10","userId":"fc0001",'
              b'"password":"8bb2423a0e1c4d0a"}')


def request_of(kind):
    if kind == "login":
        head = "POST /apis-auth/login/auth HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\n"
        return head.encode() + b"Content-Length: %d\r\n\r\n" % len(LOGIN_BODY) + LOGIN_BODY, b'"success":true', 200
    body = os.environ["AUTHSIM_BENCH_BODY"].encode()
    signature = os.environ["AUTHSIM_BENCH_SIGNATURE"]
    expected = (b'"code":0', 200)
    if kind == "bad-signature":
        signature = ("A" if signature[0] != "A" else "B") + signature[1:]
        expected = (b'"code":40105', 401)
    head = ("POST /dg/v1/platform/identify/auth?platId=%s HTTP/1.1\r\nHost: bench\r\n"
            "Content-Type: application/json\r\ntrace: bench-drive\r\napi-key: %s\r\nsignature: %s\r\n"
            % (os.environ["AUTHSIM_BENCH_PLAT_ID"], os.environ["AUTHSIM_BENCH_API_KEY"], signature))
    return head.encode() + b"Content-Length: %d\r\n\r\n" % len(body) + body, expected[0], expected[1]


def read_answer(sock, pending):
    while b"\r\n\r\n" not in pending:
        chunk = sock.recv(65536)
        if not chunk:
            raise SystemExit("drive.py: the server closed the connection")
        pending += chunk
    head, rest = pending.split(b"\r\n\r\n", 1)
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise SystemExit("drive.py: the server closed the connection mid-answer")
        rest += chunk
    return status, rest[:length], rest[length:]


def main():
    port, count, kind = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    request, expected_text, expected_status = request_of(kind)
    socks = [socket.create_connection(("127.0.0.1", port)) for _ in range(4)]
    pending = [b""] * len(socks)
    for i in range(count):
        k = i % len(socks)
        socks[k].sendall(request)
        status, body, pending[k] = read_answer(socks[k], pending[k])
        if status != expected_status or expected_text not in body:
            raise SystemExit("drive.py: unexpected answer %d %r" % (status, body[:200]))
    for s in socks:
        s.close()


if __name__ == "__main__":
    main()

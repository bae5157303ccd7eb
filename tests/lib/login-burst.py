#!/usr/bin/env python3
"""Send many logins at the same moment, for the brute-force lock tests
(tests/integration/30-lockout.t).

    login-burst.py SOURCE CLIENT COUNT PORT [PORT...] < BODY

COUNT connections are opened from the address SOURCE (a trusted proxy) to
127.0.0.1, spread over the PORTs in turn, and each gets the whole of a
login request on behalf of CLIENT (its X-Forwarded-For) with the JSON
BODY read from stdin, except its last byte. Only when every connection
holds its request does the last byte go out on each, one right after the
other: all COUNT requests are in flight at once, however the server
spreads them over its workers. Then each answer is read to the end (the
requests say Connection: close).

Prints one line per request, "STATUS RETRY-AFTER" ("-" when the answer has
no Retry-After; status 000 when there was no answer), then to stderr how
long sending the last bytes took and how many answers had begun by then. Always 127.0.0.1, never
anything else. Exit status 1 when a connection could not be opened or a
request not sent: then the burst did not happen as asked.
"""

import selectors
import socket
import sys
import time

CONNECT_TIMEOUT = 5.0
ANSWER_TIMEOUT = 30.0
READ_CHUNK = 65536


def request(port, client, body):
    head = ("POST /api/v1/auth/login HTTP/1.1\r\n"
            "Host: 127.0.0.1:%d\r\n"
            "X-Forwarded-For: %s\r\n"
            "Content-Type: application/json\r\n"
            "Content-Length: %d\r\n"
            "Connection: close\r\n\r\n" % (port, client, len(body)))
    return head.encode() + body


def status_of(answer):
    """The status and Retry-After of a raw HTTP answer."""
    head = answer.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    parts = head[0].split(" ")
    if len(parts) < 2 or not parts[0].startswith("HTTP/"):
        return "000", "-"
    retry = "-"
    for line in head[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "retry-after":
            retry = value.strip() or "-"
    return parts[1], retry


def main():
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    source, client, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    ports = [int(p) for p in sys.argv[4:]]
    body = sys.stdin.buffer.read().strip()

    conns = []
    for i in range(count):
        port = ports[i % len(ports)]
        data = request(port, client, body)
        s = socket.create_connection(("127.0.0.1", port), CONNECT_TIMEOUT,
                                     source_address=(source, 0))
        s.sendall(data[:-1])
        conns.append((s, data[-1:]))

    # Nothing may have answered yet: no request is complete.
    sel = selectors.DefaultSelector()
    for i, (s, _) in enumerate(conns):
        sel.register(s, selectors.EVENT_READ, i)
    early = len(sel.select(timeout=0))

    started = time.monotonic()
    for s, last in conns:
        s.sendall(last)
    spread_ms = (time.monotonic() - started) * 1000
    # Answers that began before the last request was complete.
    ahead = len(sel.select(timeout=0))

    answers = [b""] * count
    done = [False] * count
    left = count
    deadline = time.monotonic() + ANSWER_TIMEOUT
    while left > 0 and time.monotonic() < deadline:
        for key, _ in sel.select(timeout=deadline - time.monotonic()):
            i = key.data
            try:
                chunk = key.fileobj.recv(READ_CHUNK)
            except OSError:
                chunk = b""
            if chunk:
                answers[i] += chunk
                continue
            sel.unregister(key.fileobj)
            done[i] = True
            left -= 1

    for s, _ in conns:
        s.close()
    for i in range(count):
        print("%s %s" % status_of(answers[i]) if done[i] else "000 -")
    print("burst: %d requests completed within %.1f ms, %d answers begun "
          "by then, %d before" % (count, spread_ms, ahead, early),
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except OSError as e:
        sys.exit("login-burst.py: %s" % e)

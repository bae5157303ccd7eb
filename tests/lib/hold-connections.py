#!/usr/bin/env python3
"""Hold many TCP connections open against a server, the way a slow or
hostile client does, for the fault tests (tests/integration/80-faults.t).

    hold-connections.py PORT MODE COUNT SECONDS [REPORT]

MODE is one of
    idle      connect and send nothing
    partial   send the start of a request line ("GET /api/v1/he") and stop
    trickle   send a request's headers one byte at a time, a byte per
              connection every TRICKLE_INTERVAL seconds, never finishing
COUNT connections are opened to 127.0.0.1:PORT (those that cannot be
opened are counted, not retried) and held until the server closes them or
SECONDS have passed. When REPORT is given, the state is written to it as
one line, "STATE opened=N refused=N closed_by_server=N first_close_s=T
last_close_s=T" (T in seconds after every connection was open, "-" for
none yet): STATE is "ready" once every connection is open, "holding"
every second after, "done" at the end. The test reads it. Always
127.0.0.1, never anything else.
"""

import errno
import os
import select
import socket
import sys
import time

TRICKLE_INTERVAL = 0.5
REPORT_INTERVAL = 1.0
CONNECT_TIMEOUT = 5.0
# Endless headers: the request never ends, so only a timeout ends it.
TRICKLE_HEAD = (b"GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + b"X-Slow: " + b"a" * 100000)


def report(path, state, opened, refused, closed, first, last):
    if not path:
        return
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write("%s opened=%d refused=%d closed_by_server=%d "
                "first_close_s=%s last_close_s=%s\n"
                % (state, opened, refused, closed, fmt(first), fmt(last)))
    os.replace(tmp, path)


def fmt(t):
    return "-" if t is None else "%.1f" % t


def main():
    if len(sys.argv) not in (5, 6):
        sys.stderr.write(__doc__)
        return 2
    port = int(sys.argv[1])
    mode = sys.argv[2]
    count = int(sys.argv[3])
    seconds = float(sys.argv[4])
    path = sys.argv[5] if len(sys.argv) == 6 else None
    if mode not in ("idle", "partial", "trickle"):
        sys.stderr.write("unknown mode %s\n" % mode)
        return 2

    socks = []
    refused = 0
    for _ in range(count):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.settimeout(CONNECT_TIMEOUT)
        try:
            s.connect(("127.0.0.1", port))
        except OSError:
            refused += 1
            s.close()
            continue
        s.setblocking(False)
        if mode == "partial":
            try:
                s.send(b"GET /api/v1/he")
            except OSError:
                pass
        socks.append(s)

    opened = len(socks)
    live = {s.fileno(): s for s in socks}
    sent = {s.fileno(): 0 for s in socks}
    closed = 0
    first = last = None
    start = time.monotonic()
    report(path, "ready", opened, refused, closed, first, last)

    deadline = start + seconds
    next_byte = start
    next_report = start + REPORT_INTERVAL
    while time.monotonic() < deadline and live:
        n = 0
        now = time.monotonic()
        if mode == "trickle" and now >= next_byte:
            next_byte = now + TRICKLE_INTERVAL
            for fd, s in list(live.items()):
                off = sent[fd]
                if off >= len(TRICKLE_HEAD):
                    continue
                try:
                    s.send(TRICKLE_HEAD[off:off + 1])
                    sent[fd] = off + 1
                except OSError as e:
                    if e.errno not in (errno.EAGAIN, errno.EWOULDBLOCK):
                        del live[fd]
                        s.close()
                        n += 1
        # A readable socket is one the server answered or closed.
        until = min(deadline, next_report)
        if mode == "trickle":
            until = min(until, next_byte)
        n += reap(live, max(0.0, until - time.monotonic()))
        if n:
            closed += n
            last = time.monotonic() - start
            if first is None:
                first = last
        if time.monotonic() >= next_report:
            next_report = time.monotonic() + REPORT_INTERVAL
            report(path, "holding", opened, refused, closed, first, last)

    report(path, "done", opened, refused, closed, first, last)
    for s in live.values():
        s.close()
    return 0


def reap(live, timeout):
    """Drop the connections the server answered or closed; count them.
    poll(), not select(): select() stops at 1024 descriptors."""
    p = select.poll()
    for fd in live:
        p.register(fd, select.POLLIN | select.POLLHUP | select.POLLERR)
    n = 0
    for fd, _ in p.poll(timeout * 1000):
        s = live.pop(fd)
        # An answer (a 408, say) or a close: either way it is over.
        try:
            s.recv(65536)
        except OSError:
            pass
        n += 1
        s.close()
    return n


if __name__ == "__main__":
    sys.exit(main())

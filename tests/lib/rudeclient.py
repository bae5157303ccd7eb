#!/usr/bin/env python3
"""A rude HTTP/1.x client on a raw socket, for the tests of how reactbin
treats clients that read slowly, late, in pieces or not at all, or send
headers for a body that never comes (tests/integration/65-clients.t and
66-stalled.t). Standard library only; only ever 127.0.0.1.

    rudeclient.py [options] http://127.0.0.1:PORT/PATH

Prints one JSON object a line per request, then exits 0 when every
request got a whole answer (a status line, and all the body its
Content-Length announced; with --stall: saw the server close), 1
otherwise, 2 on a usage error.

The request:
    --method M          the method (GET)
    --header 'N: V'     an extra header (repeatable)
    --request-id ID     send "X-Request-Id: ID-n-seq" (see below), to
                        find each request's access line
    --range a-b         send "Range: bytes=a-b" (also "a-" and "-n")
    --close             send "Connection: close"
    --http10            an HTTP/1.0 request line
    --content-length N  announce a body of N bytes; --no-body: send none
                        of it (else N bytes of zeros follow the head)
    --rcvbuf BYTES      SO_RCVBUF, set before connect()

How the answer is read:
    --wait SECONDS      wait after sending the request, before reading
    --pace BPS          read at most BPS bytes a second
    --pause-at BYTES --pause SECONDS
                        stop reading for SECONDS once BYTES of the body
                        are in, once
    --stall BYTES       read the head and BYTES of the body, then stop
                        reading but keep the socket open, and watch
                        whether and when the server closes its end, until
                        --timeout; then close ours
    --sha256            hash the body
    --keep-body         put the body's first 4 KiB in the line,
                        as text (for the small JSON answers)
    --timeout SECONDS   every request ends within this (60); a request
                        cut off by it says "error": "timeout"
    --parallel N        N such connections at once, one thread each
    --repeat N          up to N requests one after the other on each
                        connection (keep-alive), until an answer fails,
                        says "Connection: close" or the server closes

The line's fields: n (which connection, from 0), seq (which request on
it, from 0), request_id (as sent), status (null when no status line
came), content_length (announced, or null), body_bytes (received),
complete (body_bytes equals content_length; true for a bodiless
answer), extra_bytes (received past the body), eof (we saw the server
close the connection), at (when the request was sent, Unix time),
head_s and elapsed_s (seconds after that), error (null, "timeout",
"reset" or what went wrong), headers (the answer's, names lower-cased),
and as asked: sha256, body, body_sent (bytes sent of the announced
body), and for --stall: stalled_at (body bytes read when the reading
stopped), server_closed, closed_after_s (seconds from the stall to the
close, or null), close_seen_as ("reset", "eof", "server_fin_wait",
"server_gone"), and once it was closed drained_bytes and drain_end
("eof", "reset" or "timeout"): what the server had written into the
connection before it closed it, read by us after the close.

A server that closes a connection its client no longer reads cannot
deliver its FIN: that waits in its send buffer behind the bytes the
client does not take. So --stall also watches the server's end of the
connection in /proc/net/tcp: once it has left ESTABLISHED (FIN_WAIT1
with bytes unsent, or gone), the server has closed it.
"""

import argparse
import hashlib
import json
import select
import socket
import sys
import threading
import time
import urllib.parse

HOST = "127.0.0.1"
DEFAULT_TIMEOUT = 60.0
READ_CHUNK = 64 * 1024
HEAD_MAX = 64 * 1024
# How often the stall watch looks at the server's end (it reads all of
# /proc/net/tcp, which may be long).
STALL_TICK = 0.5
# What --pace reads at a time: a tenth of a second's worth, at least 1 KiB.
PACE_SLICES = 10
PACE_MIN_CHUNK = 1024
# After a complete body on a connection the server should close, how
# long to wait for its EOF.
EOF_WAIT = 5.0
# What --keep-body keeps of a body.
KEEP_MAX = 4096
# /proc/net/tcp states (include/net/tcp_states.h).
TCP_ESTABLISHED = 0x01

print_lock = threading.Lock()


class Timeout(Exception):
    pass


def parse_args(argv):
    p = argparse.ArgumentParser(
        description="A rude HTTP client for reactbin's tests (127.0.0.1 only).")
    p.add_argument("url")
    p.add_argument("--method", default="GET")
    p.add_argument("--header", action="append", default=[])
    p.add_argument("--request-id")
    p.add_argument("--range")
    p.add_argument("--close", action="store_true")
    p.add_argument("--http10", action="store_true")
    p.add_argument("--content-length", type=int)
    p.add_argument("--no-body", action="store_true")
    p.add_argument("--rcvbuf", type=int)
    p.add_argument("--wait", type=float, default=0.0)
    p.add_argument("--pace", type=int)
    p.add_argument("--pause-at", type=int)
    p.add_argument("--pause", type=float, default=0.0)
    p.add_argument("--stall", type=int)
    p.add_argument("--sha256", action="store_true")
    p.add_argument("--keep-body", action="store_true")
    p.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT)
    p.add_argument("--parallel", type=int, default=1)
    p.add_argument("--repeat", type=int, default=1)
    a = p.parse_args(argv)

    u = urllib.parse.urlsplit(a.url)
    if u.scheme != "http" or u.hostname != HOST or u.port is None:
        p.error("the URL must be http://127.0.0.1:PORT/...")
    a.port = u.port
    a.target = u.path or "/"
    if u.query:
        a.target += "?" + u.query
    if a.no_body and a.content_length is None:
        p.error("--no-body needs --content-length")
    if (a.pause_at is None) != (a.pause == 0.0):
        p.error("--pause-at and --pause go together")
    if a.parallel < 1 or a.repeat < 1 or a.timeout <= 0:
        p.error("--parallel, --repeat and --timeout must be positive")
    for h in a.header:
        if ":" not in h or "\r" in h or "\n" in h:
            p.error("a header is 'Name: value', on one line")
    return a


def request_head(a, r):
    version = "HTTP/1.0" if a.http10 else "HTTP/1.1"
    lines = ["%s %s %s" % (a.method, a.target, version),
             "Host: %s:%d" % (HOST, a.port)]
    if a.request_id:
        r["request_id"] = "%s-%d-%d" % (a.request_id, r["n"], r["seq"])
        lines.append("X-Request-Id: %s" % r["request_id"])
    if a.close:
        lines.append("Connection: close")
    if a.range:
        lines.append("Range: bytes=%s" % a.range)
    if a.content_length is not None:
        lines.append("Content-Length: %d" % a.content_length)
    lines.extend(a.header)
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


class Conn:
    """A socket whose every wait is bounded by one deadline."""

    def __init__(self, a):
        self.begin(a.timeout)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if a.rcvbuf:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF,
                                 a.rcvbuf)
        self.sock.settimeout(self.left())
        try:
            self.sock.connect((HOST, a.port))
        except socket.timeout:
            self.sock.close()
            raise Timeout()
        except OSError:
            self.sock.close()
            raise
        self.eof = False

    def begin(self, timeout):
        """A new request: its own deadline and clock."""
        self.started = time.monotonic()
        self.wall = time.time()
        self.deadline = self.started + timeout

    def left(self):
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise Timeout()
        return left

    def send(self, data):
        self.sock.settimeout(self.left())
        self.sock.sendall(data)

    def recv(self, n):
        self.sock.settimeout(self.left())
        try:
            data = self.sock.recv(n)
        except socket.timeout:
            raise Timeout()
        if not data:
            self.eof = True
        return data

    def sleep(self, seconds):
        if seconds <= 0:
            return
        if seconds >= self.deadline - time.monotonic():
            time.sleep(max(0.0, self.deadline - time.monotonic()))
            raise Timeout()
        time.sleep(seconds)

    def since(self):
        return round(time.monotonic() - self.started, 3)


def read_head(conn, r):
    buf = b""
    while b"\r\n\r\n" not in buf:
        if len(buf) > HEAD_MAX:
            raise ValueError("head longer than %d bytes" % HEAD_MAX)
        data = conn.recv(READ_CHUNK)
        if not data:
            if buf:
                raise ValueError("the connection closed inside the head")
            raise ValueError("the connection closed before any answer")
        buf += data
    head, rest = buf.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/"):
        raise ValueError("not a status line: %r" % lines[0][:80])
    r["status"] = int(parts[1])
    r["head_s"] = conn.since()
    for line in lines[1:]:
        name, _, value = line.partition(":")
        r["headers"][name.strip().lower()] = value.strip()
    cl = r["headers"].get("content-length")
    r["content_length"] = int(cl) if cl is not None else None
    return rest


def bodiless(a, r):
    return (a.method == "HEAD" or r["status"] in (204, 304)
            or 100 <= r["status"] < 200)


class Body:
    """What of the body has come, and its hash."""

    def __init__(self, a):
        self.n = 0
        self.hash = hashlib.sha256() if a.sha256 else None
        self.kept = b"" if a.keep_body else None
        self.paused = False

    def take(self, data, want):
        """Count DATA; returns what came past WANT (None: no limit)."""
        extra = b""
        if want is not None and self.n + len(data) > want:
            cut = want - self.n
            data, extra = data[:cut], data[cut:]
        self.n += len(data)
        if self.hash is not None:
            self.hash.update(data)
        if self.kept is not None and len(self.kept) < KEEP_MAX:
            self.kept += data[:KEEP_MAX - len(self.kept)]
        return extra


def read_body(conn, a, r, body, rest):
    want = r["content_length"]
    limit = want
    if a.stall is not None:
        limit = a.stall if want is None else min(want, a.stall)
    extra = body.take(rest, want)
    r["extra_bytes"] += len(extra)
    pace_started = time.monotonic()
    while True:
        # Also when the body is all in already: the pause still comes
        # before the close is looked for.
        if (a.pause_at is not None and not body.paused
                and body.n >= a.pause_at):
            body.paused = True
            conn.sleep(a.pause)
            pace_started += a.pause
        if limit is not None and body.n >= limit:
            return
        n = READ_CHUNK
        if a.pace:
            n = max(PACE_MIN_CHUNK, a.pace // PACE_SLICES)
            due = pace_started + body.n / a.pace
            conn.sleep(due - time.monotonic())
        if limit is not None:
            n = min(n, limit - body.n)
        data = conn.recv(n)
        if not data:
            return
        extra = body.take(data, want)
        r["extra_bytes"] += len(extra)


def server_state(server_port, client_port):
    """The state of the server's end of our connection in /proc/net/tcp,
    or None when it is gone."""
    local = "0100007F:%04X" % server_port
    remote = "0100007F:%04X" % client_port
    with open("/proc/net/tcp") as f:
        next(f)
        for line in f:
            fields = line.split()
            if fields[1] == local and fields[2] == remote:
                return int(fields[3], 16)
    return None


def watch_stall(conn, a, r):
    """Without reading, wait for the server to close its end."""
    client_port = conn.sock.getsockname()[1]
    stalled = time.monotonic()
    p = select.poll()
    p.register(conn.sock, select.POLLERR | select.POLLHUP | select.POLLRDHUP)
    r["server_closed"] = False
    r["closed_after_s"] = None
    r["close_seen_as"] = None
    while time.monotonic() < conn.deadline:
        how = None
        wait = min(STALL_TICK, max(0.0, conn.deadline - time.monotonic()))
        for _, ev in p.poll(wait * 1000):
            if ev & select.POLLERR:
                how = "reset"
            elif ev & (select.POLLHUP | select.POLLRDHUP):
                how = "eof"
        if how is None:
            st = server_state(a.port, client_port)
            if st is None:
                how = "server_gone"
            elif st != TCP_ESTABLISHED:
                how = "server_fin_wait"
        if how is not None:
            r["server_closed"] = True
            r["closed_after_s"] = round(time.monotonic() - stalled, 3)
            r["close_seen_as"] = how
            drain_closed(conn, r)
            return


def drain_closed(conn, r):
    """The server has closed: read what it had written before it did,
    up to its EOF (or reset)."""
    r["drained_bytes"] = 0
    r["drain_end"] = "timeout"
    end = min(conn.deadline, time.monotonic() + EOF_WAIT)
    while time.monotonic() < end:
        conn.sock.settimeout(max(0.01, end - time.monotonic()))
        try:
            data = conn.sock.recv(READ_CHUNK)
        except socket.timeout:
            return
        except OSError:
            r["drain_end"] = "reset"
            return
        if not data:
            r["drain_end"] = "eof"
            return
        r["drained_bytes"] += len(data)


def wait_eof(conn, r):
    """After a whole body on a connection the server is to close: does
    the EOF come (and nothing else)?"""
    end = min(conn.deadline, time.monotonic() + EOF_WAIT)
    while not conn.eof and time.monotonic() < end:
        conn.sock.settimeout(max(0.01, end - time.monotonic()))
        try:
            data = conn.sock.recv(READ_CHUNK)
        except socket.timeout:
            return
        if not data:
            conn.eof = True
        r["extra_bytes"] += len(data)


def new_result(n, seq):
    return {"n": n, "seq": seq, "status": None, "content_length": None,
            "body_bytes": 0, "complete": False, "extra_bytes": 0,
            "eof": False, "head_s": None, "elapsed_s": None, "error": None,
            "headers": {}}


def exchange(conn, a, r):
    """One request and its answer on CONN, into R."""
    body = Body(a)
    try:
        conn.begin(a.timeout)
        conn.send(request_head(a, r))
        if a.content_length is not None:
            r["body_sent"] = 0
            if not a.no_body:
                zeros = b"\0" * READ_CHUNK
                while r["body_sent"] < a.content_length:
                    k = min(len(zeros), a.content_length - r["body_sent"])
                    conn.send(zeros[:k])
                    r["body_sent"] += k
        conn.sleep(a.wait)
        rest = read_head(conn, r)
        if bodiless(a, r):
            r["complete"] = True
        else:
            read_body(conn, a, r, body, rest)
            r["complete"] = (r["content_length"] is not None
                             and body.n == r["content_length"])
            if a.stall is not None:
                r["stalled_at"] = body.n
                watch_stall(conn, a, r)
            elif r["complete"] and closing(a, r):
                wait_eof(conn, r)
    except (Timeout, socket.timeout):
        r["error"] = "timeout"
    except ConnectionResetError:
        r["error"] = "reset"
    except (OSError, ValueError) as e:
        r["error"] = str(e) or e.__class__.__name__
    except Exception as e:  # still one line, whatever went wrong
        r["error"] = "client: %r" % e
    r["eof"] = conn.eof
    r["at"] = round(conn.wall, 3)
    r["elapsed_s"] = conn.since()
    r["body_bytes"] = body.n
    if body.hash is not None:
        r["sha256"] = body.hash.hexdigest()
    if body.kept is not None:
        r["body"] = body.kept.decode("utf-8", "replace")


def closing(a, r):
    """Is the server to close the connection after this answer?"""
    return (a.close or a.http10
            or r["headers"].get("connection", "").lower() == "close")


def report(r):
    with print_lock:
        sys.stdout.write(json.dumps(r, sort_keys=True) + "\n")
        sys.stdout.flush()


def succeeded(a, r):
    if a.stall is not None:
        return r["error"] is None and r.get("server_closed", False)
    return r["error"] is None and r["complete"]


def one(a, n):
    """One connection: --repeat requests on it, one after the other,
    until one fails or the server ends the connection."""
    try:
        conn = Conn(a)
    except (OSError, Timeout) as e:
        r = new_result(n, 0)
        r["error"] = "connect: %s" % (str(e) or e.__class__.__name__)
        report(r)
        return False
    try:
        for seq in range(a.repeat):
            r = new_result(n, seq)
            exchange(conn, a, r)
            report(r)
            if not succeeded(a, r):
                return False
            if r["eof"] or closing(a, r) or a.stall is not None:
                return True
        return True
    finally:
        conn.sock.close()


def main(argv):
    a = parse_args(argv)
    results = [False] * a.parallel

    def run(i):
        results[i] = one(a, i)

    threads = [threading.Thread(target=run, args=(i,), daemon=True)
               for i in range(a.parallel)]
    for t in threads:
        t.start()
    for t in threads:
        # Each request ends by its own deadline; this is the backstop.
        t.join(a.repeat * (a.timeout + a.wait + a.pause + EOF_WAIT) + 5)
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

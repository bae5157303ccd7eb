#!/usr/bin/env python3
"""A TCP proxy in front of PostgreSQL that can play a hung database host,
for the fault tests (tests/integration/85-hung-db.t).

    db-proxy.py LISTEN_PORT UPSTREAM_PORT SECONDS STATE

Forwards 127.0.0.1:LISTEN_PORT to 127.0.0.1:UPSTREAM_PORT, both ways.
Signals switch what it does:

    SIGUSR1  hang: nothing is forwarded any more, on the connections it
             has and on new ones, which it accepts and holds without
             reading a byte (what a host whose server stopped answering
             does: its kernel still completes the handshake)
    SIGUSR2  answer again: everything held is forwarded, new connections
             reach the server first (as a server that wakes up works
             through its backlog)
    SIGHUP   cut: close every connection it has now (the clients see them
             reset, as after a failover); the mode stays as it was

After each switch STATE holds one line, "MODE SWITCHES CONNECTIONS"
(MODE is "pass" or "hang", SWITCHES counts the signals handled, so a test
can wait for its own). It exits after SECONDS, or on SIGTERM. Always
127.0.0.1, never anything else.
"""

import os
import selectors
import signal
import socket
import sys
import time

BACKLOG = 128
CHUNK = 65536
TICK = 0.1


class Pair:
    """A client connection and its server connection (None while held)."""

    def __init__(self, client):
        self.client = client
        self.server = None
        self.out = {}


class Proxy:
    def __init__(self, listen_port, upstream_port, state):
        self.upstream = ("127.0.0.1", upstream_port)
        self.state = state
        self.mode = "pass"
        self.switches = 0
        self.pending = []
        self.pairs = {}
        self.sel = selectors.DefaultSelector()
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", listen_port))
        self.listener.listen(BACKLOG)
        self.listener.setblocking(False)
        self.sel.register(self.listener, selectors.EVENT_READ, None)
        self.report()

    def report(self):
        tmp = self.state + ".tmp"
        with open(tmp, "w") as f:
            f.write("%s %d %d\n" % (self.mode, self.switches, len(self.pairs)))
        os.replace(tmp, self.state)

    def signalled(self, signum, frame):
        # Handled in the loop, between two selects.
        self.pending.append(signum)

    def switch(self, signum):
        if signum == signal.SIGUSR1:
            self.mode = "hang"
            for pair in list(self.pairs.values()):
                self.watch(pair)
        elif signum == signal.SIGUSR2:
            self.mode = "pass"
            for pair in list(self.pairs.values()):
                if pair.server is None and not self.dial(pair):
                    continue
                self.watch(pair)
        elif signum == signal.SIGHUP:
            for pair in list(self.pairs.values()):
                self.close(pair)
        self.switches += 1
        self.report()

    def accept(self):
        try:
            client, _ = self.listener.accept()
        except BlockingIOError:
            return
        client.setblocking(False)
        pair = Pair(client)
        self.pairs[client.fileno()] = pair
        if self.mode == "pass" and not self.dial(pair):
            return
        self.watch(pair)

    def dial(self, pair):
        try:
            pair.server = socket.create_connection(self.upstream)
        except OSError:
            self.close(pair)
            return False
        pair.server.setblocking(False)
        pair.out = {pair.client: b"", pair.server: b""}
        return True

    def watch(self, pair):
        """(Re)register the pair's sockets for what the mode allows."""
        for sock in (pair.client, pair.server):
            if sock is None:
                continue
            events = 0
            if self.mode == "pass":
                events = selectors.EVENT_READ
                if pair.out.get(sock):
                    events |= selectors.EVENT_WRITE
            try:
                self.sel.unregister(sock)
            except KeyError:
                pass
            if events:
                self.sel.register(sock, events, pair)

    def close(self, pair):
        for sock in (pair.client, pair.server):
            if sock is None:
                continue
            try:
                self.sel.unregister(sock)
            except KeyError:
                pass
            sock.close()
        self.pairs = {k: v for k, v in self.pairs.items() if v is not pair}

    def ready(self, sock, mask, pair):
        other = pair.server if sock is pair.client else pair.client
        if mask & selectors.EVENT_READ:
            try:
                data = sock.recv(CHUNK)
            except BlockingIOError:
                data = None
            except OSError:
                data = b""
            if data == b"":
                self.close(pair)
                return
            if data:
                pair.out[other] += data
        for s in (pair.client, pair.server):
            if pair.out.get(s):
                try:
                    n = s.send(pair.out[s])
                except BlockingIOError:
                    n = 0
                except OSError:
                    self.close(pair)
                    return
                pair.out[s] = pair.out[s][n:]
        self.watch(pair)

    def run(self, seconds):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            while self.pending:
                self.switch(self.pending.pop(0))
            for key, mask in self.sel.select(TICK):
                if key.data is None:
                    self.accept()
                elif key.data in self.pairs.values():
                    self.ready(key.fileobj, mask, key.data)


def main():
    if len(sys.argv) != 5:
        sys.stderr.write(__doc__)
        return 2
    proxy = Proxy(int(sys.argv[1]), int(sys.argv[2]), sys.argv[4])
    for signum in (signal.SIGUSR1, signal.SIGUSR2, signal.SIGHUP):
        signal.signal(signum, proxy.signalled)
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    proxy.run(float(sys.argv[3]))
    return 0


if __name__ == "__main__":
    sys.exit(main())

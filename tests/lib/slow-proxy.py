#!/usr/bin/env python3
"""A TCP proxy on loopback that passes bytes on at a bounded rate, to play
an S3 server slower than the clients that upload through reactbin
(tests/integration/62-stream.t).

    slow-proxy.py LISTEN_PORT TARGET_PORT BYTES_PER_SECOND READY_FILE

It listens on 127.0.0.1:LISTEN_PORT and relays each connection to
127.0.0.1:TARGET_PORT; bytes towards the target go at most
BYTES_PER_SECOND per connection (answers come back at full speed).
READY_FILE is written once it listens. Runs until killed. Never
anything but 127.0.0.1.
"""

import os
import socket
import sys
import threading
import time

SLICE_SECONDS = 0.05
BUFFER = 65536


def pipe(src, dst, rate):
    """Copy src to dst, at most rate bytes a second (0: no bound)."""
    budget = 0.0
    last = time.monotonic()
    try:
        while True:
            want = BUFFER
            if rate:
                now = time.monotonic()
                budget = min(rate * SLICE_SECONDS * 4,
                             budget + (now - last) * rate)
                last = now
                if budget < 1:
                    time.sleep(SLICE_SECONDS)
                    continue
                want = max(1, min(BUFFER, int(budget)))
            data = src.recv(want)
            if not data:
                break
            dst.sendall(data)
            budget -= len(data)
    except OSError:
        pass
    finally:
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def serve(client, target_port, rate):
    try:
        upstream = socket.create_connection(("127.0.0.1", target_port))
    except OSError:
        client.close()
        return
    up = threading.Thread(target=pipe, args=(client, upstream, rate),
                          daemon=True)
    down = threading.Thread(target=pipe, args=(upstream, client, 0),
                            daemon=True)
    up.start()
    down.start()
    up.join()
    down.join()
    client.close()
    upstream.close()


def main():
    if len(sys.argv) != 5:
        sys.stderr.write(__doc__)
        return 2
    listen_port, target_port, rate = map(int, sys.argv[1:4])
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", listen_port))
    ls.listen(128)
    with open(sys.argv[4], "w") as f:
        f.write("%d\n" % os.getpid())
    while True:
        client, _ = ls.accept()
        threading.Thread(target=serve, args=(client, target_port, rate),
                         daemon=True).start()


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Send an upload and cut it short, the way a client that dies or loses
its network does, for tests/integration/62-stream.t.

    cut-upload.py PORT TOKEN raw|multipart FILE CUT [TITLE]

The request is POST /api/v1/reactions to 127.0.0.1:PORT with the bearer
TOKEN; its Content-Length announces the whole body (the raw file, or a
multipart form: a title field, the file part, the close delimiter), but
only the first CUT bytes of the body are sent (CUT may point anywhere,
into the closing delimiter too), then the connection is closed. Prints
"sent=N answer=STATUS" (STATUS "-" when the server said nothing before
the close). Always 127.0.0.1.
"""

import socket
import sys
import time

BOUNDARY = b"cutUploadBoundary7"
# Long enough for the server to have taken (and streamed on) what came.
LINGER_SECONDS = 1.0
CHUNK = 65536


def body_of(kind, path, title):
    data = open(path, "rb").read()
    if kind == "raw":
        return b"application/octet-stream", data
    head = (b"--" + BOUNDARY + b"\r\n"
            b"Content-Disposition: form-data; name=\"title\"\r\n\r\n"
            + title + b"\r\n--" + BOUNDARY + b"\r\n"
            b"Content-Disposition: form-data; name=\"file\"; "
            b"filename=\"x\"\r\nContent-Type: image/png\r\n\r\n")
    tail = b"\r\n--" + BOUNDARY + b"--\r\n"
    return (b"multipart/form-data; boundary=" + BOUNDARY,
            head + data + tail)


def main():
    if len(sys.argv) not in (6, 7):
        sys.stderr.write(__doc__)
        return 2
    port, token, kind, path, cut = sys.argv[1:6]
    title = sys.argv[6].encode() if len(sys.argv) == 7 else b"cut"
    ctype, body = body_of(kind, path, title)
    cut = min(int(cut), len(body))
    head = (b"POST /api/v1/reactions HTTP/1.1\r\n"
            b"Host: 127.0.0.1\r\n"
            b"Authorization: Bearer " + token.encode() + b"\r\n"
            b"Content-Type: " + ctype + b"\r\n"
            b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n")
    s = socket.create_connection(("127.0.0.1", int(port)))
    s.sendall(head)
    sent = 0
    while sent < cut:
        n = s.send(body[sent:min(cut, sent + CHUNK)])
        sent += n
    time.sleep(LINGER_SECONDS)
    s.setblocking(False)
    answer = "-"
    try:
        got = s.recv(4096)
        if got.startswith(b"HTTP/1.1 "):
            answer = got[9:12].decode()
    except OSError:
        pass
    s.close()
    print("sent=%d answer=%s" % (sent, answer))
    return 0


if __name__ == "__main__":
    sys.exit(main())

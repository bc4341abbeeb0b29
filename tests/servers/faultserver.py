#!/usr/bin/env python3
"""faultserver.py - a small HTTP server that misbehaves on purpose, for the
`bbroot fetch` tests.  Python 3 standard library only.

    faultserver.py --root DIR --port-file FILE --log FILE [--port N]

Binds 127.0.0.1 (port 0 = any; the port is written to --port-file once the
socket listens).  Every request is appended to --log as one line:
"METHOD PATH range=<Range header or ->".

Paths (the rest of the path names a file under --root):
  /<path>                 the file, with Range support (200 / 206 / 416)
  /404/<path>             404 Not Found
  /flaky500/<path>        500 on the first request for <path>, then the file
  /drop/<path>            without Range: half the body, then the connection
                          is closed; with Range: a correct 206
  /dropnorange/<path>     first request: half the body, then closed; later
                          requests ignore Range (always 200 with everything)
  /stall/<path>           headers and 1 KiB of body, then nothing for 60 s
  /loop/<n>               302 to /loop/<n+1>, forever
  /tofile/<path>          302 to file:///<path>
  /redirect/<path>        302 to /<path>
  /chunked/<path>         the file, chunked, no Content-Length
"""
import argparse
import os
import re
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

seen = {}
seen_lock = threading.Lock()


def first_time(key):
    with seen_lock:
        n = seen.get(key, 0)
        seen[key] = n + 1
        return n == 0


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "faultserver/1"

    def log_message(self, fmt, *args):
        pass

    def record(self):
        with seen_lock:
            with open(self.server.logfile, "a") as f:
                f.write("%s %s range=%s\n" % (self.command, self.path,
                                              self.headers.get("Range", "-")))

    def body_of(self, rel):
        path = os.path.normpath(os.path.join(self.server.root, rel.lstrip("/")))
        if not path.startswith(self.server.root) or not os.path.isfile(path):
            return None
        with open(path, "rb") as f:
            return f.read()

    def simple(self, code, extra=None, text=b""):
        self.send_response(code)
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(text)))
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(text)

    def send_file(self, data, honour_range=True):
        rng = self.headers.get("Range")
        m = re.match(r"bytes=(\d+)-$", rng or "")
        if honour_range and m:
            start = int(m.group(1))
            if start >= len(data):
                return self.simple(416, {"Content-Range": "bytes */%d" % len(data)})
            part = data[start:]
            self.send_response(206)
            self.send_header("Content-Range", "bytes %d-%d/%d" % (start, len(data) - 1, len(data)))
        else:
            part = data
            self.send_response(200)
        self.send_header("Content-Length", str(len(part)))
        self.send_header("Accept-Ranges", "bytes" if honour_range else "none")
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(part)

    def send_half_and_drop(self, data):
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Accept-Ranges", "bytes")
        self.end_headers()
        self.wfile.write(data[: len(data) // 2])
        self.wfile.flush()
        self.close_connection = True
        self.connection.shutdown(2)

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        self.record()
        parts = self.path.split("/", 2)
        kind = parts[1] if len(parts) > 1 else ""
        rest = parts[2] if len(parts) > 2 else ""
        if kind == "loop":
            n = int(rest) if rest.isdigit() else 0
            return self.simple(302, {"Location": "/loop/%d" % (n + 1)})
        if kind == "tofile":
            return self.simple(302, {"Location": "file:///" + rest})
        if kind == "redirect":
            return self.simple(302, {"Location": "/" + rest})
        if kind == "404":
            return self.simple(404, text=b"not found\n")
        faults = ("flaky500", "drop", "dropnorange", "stall", "chunked")
        rel = rest if kind in faults else self.path
        data = self.body_of(rel.split("?")[0])
        if data is None:
            return self.simple(404, text=b"not found\n")
        if kind == "flaky500":
            if first_time(self.path):
                return self.simple(500, text=b"try again\n")
            return self.send_file(data)
        if kind == "drop":
            if "Range" not in self.headers:
                return self.send_half_and_drop(data)
            return self.send_file(data)
        if kind == "dropnorange":
            if first_time(self.path):
                return self.send_half_and_drop(data)
            return self.send_file(data, honour_range=False)
        if kind == "stall":
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[:1024])
            self.wfile.flush()
            time.sleep(60)
            return
        if kind == "chunked":
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.send_header("Connection", "close")
            self.end_headers()
            for i in range(0, len(data), 65536):
                chunk = data[i:i + 65536]
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            self.wfile.write(b"0\r\n\r\n")
            return
        return self.send_file(data)


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # clients hanging up mid-body is what these tests do


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", required=True)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log", required=True)
    a = ap.parse_args()
    srv = Server(("127.0.0.1", a.port), Handler)
    srv.root = os.path.realpath(a.root)
    srv.logfile = a.log
    open(a.log, "a").close()
    tmp = a.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(tmp, a.port_file)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())

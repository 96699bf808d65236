#!/usr/bin/env python3
"""A fake EC2 instance metadata service (IMDSv2) for tests/scripts/netprobe_local_imds.sh.

Usage: imds_fake.py MODE ADDRESS PORT LOG

MODE ok: PUT /latest/api/token with X-aws-ec2-metadata-token-ttl-seconds
gives a token; GET /latest/meta-data/public-ipv4 with that token gives
203.0.113.77 (without it: 401, as IMDSv2 does).  MODE no_public: the same,
but public-ipv4 is 404 (an instance without a public address).  MODE
silent: accepts connections and never answers.  Each request is logged as
"PUT /path ttl=N" or "GET /path token=ok|bad"; "ready" once listening.
Only for the namespace a test creates: it binds ADDRESS, nothing else.
"""
import http.server
import socket
import sys
import time

TOKEN = "AQAEAfaketoken-for-tests=="
MODE, ADDRESS, PORT, LOG = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]


def log(line):
    with open(LOG, "a") as f:
        f.write(line + "\n")


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def reply(self, status, body=""):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(data)
        self.close_connection = True

    def do_PUT(self):
        ttl = self.headers.get("X-aws-ec2-metadata-token-ttl-seconds")
        log("PUT %s ttl=%s" % (self.path, ttl))
        if self.path != "/latest/api/token" or ttl is None:
            self.reply(400)
        else:
            self.reply(200, TOKEN)

    def do_GET(self):
        ok = self.headers.get("X-aws-ec2-metadata-token") == TOKEN
        log("GET %s token=%s" % (self.path, "ok" if ok else "bad"))
        if not ok:
            self.reply(401)
        elif self.path != "/latest/meta-data/public-ipv4" or MODE == "no_public":
            self.reply(404)
        else:
            self.reply(200, "203.0.113.77")

    def log_message(self, *args):
        pass


def silent():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((ADDRESS, PORT))
    s.listen(8)
    log("ready")
    held = []
    while True:
        conn, _ = s.accept()
        held.append(conn)  # kept open, never answered
        time.sleep(0.01)


if MODE == "silent":
    silent()
else:
    server = http.server.HTTPServer((ADDRESS, PORT), Handler)
    log("ready")
    server.serve_forever()

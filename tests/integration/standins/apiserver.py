"""apiserver.py - what the stand-in Kubernetes API servers share: a request handler with JSON
answers and chunked watch streams, and a TLS server on a loopback port that writes its port to a
file once it listens (the tests wait for that file)."""
import json
import os
import ssl
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class ApiHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send_json(self, obj, status=200):
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def authorized(self, token, log):
        """The request's (path, query) when it carries the bearer token, else None (answered
        401); every request is logged as "GET PATH auth=ok|bad"."""
        ok = self.headers.get("Authorization") == "Bearer " + token
        log("GET %s auth=%s" % (self.path, "ok" if ok else "bad"))
        if not ok:
            self.send_json({"kind": "Status", "code": 401}, 401)
            return None
        url = urllib.parse.urlparse(self.path)
        return url.path, urllib.parse.parse_qs(url.query)

    def start_watch(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

    def event(self, kind, obj):
        """One watch event, one chunk."""
        line = (json.dumps({"type": kind, "object": obj}) + "\n").encode()
        self.wfile.write(b"%x\r\n%s\r\n" % (len(line), line))
        self.wfile.flush()

    def hold(self, seconds=120):
        """Keep a quiet watch open, as an API server does until its timeout."""
        for _ in range(seconds * 10):
            time.sleep(0.1)


def serve(handler, cert, key, port_file):
    """Serve handler over TLS 1.2+ on 127.0.0.1 (a free port, written to port_file)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(cert, key)
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    with open(port_file + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(port_file + ".tmp", port_file)
    server.serve_forever()

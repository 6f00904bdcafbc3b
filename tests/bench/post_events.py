#!/usr/bin/env python3
# post_events.py - load generator for tests/bench/forward.sh: N findings with provenance, cut
# into gzip'd NDJSON batches before the clock starts, then POSTed in order on one keep-alive
# connection (503 answers are retried after their Retry-After). Prints "EVENTS SECONDS".
#
#   post_events.py URL TOKEN_FILE N [BATCH]
import gzip
import http.client
import json
import os
import sys
import time
import urllib.parse

url, token_file, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
batch = int(sys.argv[4]) if len(sys.argv) > 4 else 1000
token = open(token_file).readline().strip()
agent = os.urandom(8).hex()  # ids unique to this run: <agent>-<seq>


def event(i):
    return {
        "schema": "cloud2dev.event/v1", "id": "%s-%016x" % (agent, i),
        "time": "2026-11-28T12:%02d:%02d.%09dZ" % (i // 60 % 60, i % 60, i % 1000000000),
        "kind": "credential_read", "rule": "k8s-serviceaccount-token", "severity": "high",
        "outcome": "success", "node": {"name": "bench-node"},
        "process": {"pid": 1000 + i % 5000, "uid": 0, "euid": 0, "comm": "cat",
                    "executable": "/bin/cat"},
        "syscall": {"name": "openat"},
        "file": {"path": "/var/run/secrets/kubernetes.io/serviceaccount/token"},
        "container": {"id": "%064x" % (i % 50)},
        "k8s": {"namespace": "shop", "pod": "web-%d" % (i % 50),
                "workload": {"kind": "Deployment", "name": "web"}},
        "provenance": {"commit": "9f1c2e3d4b5a69788796a5b4c3d2e1f0a9b8c7d6",
                       "pipeline_id": "4711", "repository": "https://github.com/acme/web"},
    }


bodies = []
for start in range(0, n, batch):
    lines = "".join(json.dumps(event(i), separators=(",", ":")) + "\n"
                    for i in range(start, min(n, start + batch)))
    bodies.append(gzip.compress(lines.encode(), 6))

u = urllib.parse.urlsplit(url)
conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
headers = {"Authorization": "Bearer " + token, "Content-Type": "application/x-ndjson",
           "Content-Encoding": "gzip"}
t0 = time.monotonic()
for body in bodies:
    while True:
        conn.request("POST", "/v1/events", body, headers)
        r = conn.getresponse()
        r.read()
        if r.status == 202:
            break
        if r.status != 503:
            sys.exit("post_events: HTTP %d" % r.status)
        time.sleep(float(r.getheader("Retry-After", "1")))
print(n, "%.6f" % (time.monotonic() - t0))

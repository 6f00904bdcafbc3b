#!/usr/bin/env python3
# backend.py - a loopback stand-in for one forwarding backend (OTLP/HTTP, Loki push,
# Elasticsearch _bulk, Splunk HEC, a JSON webhook), for tests/integration/test_forward.c and
# the forwarding benchmark (tests/bench/forward.sh).
#
#   backend.py KIND PORT OUT FAULTS
#
# Every request is checked strictly against the format (INTEGRATION.md section 6); the event
# ids of every accepted request are appended to OUT, one per line, in the order received.
# Bodies may be gzip'd (Content-Encoding: gzip); OTLP's must be, as the forwarder's default.
# A payload that breaks the format is answered 400 and recorded as "INVALID <why>", which
# fails the test. FAULTS is a comma list played one per request before normal service:
# 503, 429 (with Retry-After: 1), slow (answer after 3 s, beyond the client's time-out),
# partial (_bulk only: the last item gets 429, the others are accepted).
# With C2D_STANDIN_RAW=FILE in the environment every body is also appended there as received.
import gzip
import json
import os
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

KIND, PORT, OUT = sys.argv[1], int(sys.argv[2]), sys.argv[3]
FAULTS = [f for f in (sys.argv[4] if len(sys.argv) > 4 else "").split(",") if f]
RAW = os.environ.get("C2D_STANDIN_RAW")  # also append every request body as received
PATHS = {"otlp": "/v1/logs", "loki": "/loki/api/v1/push", "elastic": "/_bulk",
         "splunk": "/services/collector/event", "webhook": "/hook"}
CTYPES = {"otlp": "application/json", "loki": "application/json",
          "elastic": "application/x-ndjson", "splunk": "application/json",
          "webhook": "application/json"}
AUTH = {"otlp": "Bearer", "loki": "Bearer", "elastic": "ApiKey", "splunk": "Splunk",
        "webhook": "Bearer"}


class Invalid(Exception):
    pass


def need(cond, why):
    if not cond:
        raise Invalid(why)


def attrs(lst, where):
    need(isinstance(lst, list), where + ": attributes not a list")
    out = {}
    for kv in lst:
        need(set(kv) == {"key", "value"}, where + ": KeyValue fields")
        v = kv["value"]
        need(len(v) == 1, where + ": AnyValue has one field")
        (t, x), = v.items()
        need(t in ("stringValue", "intValue", "boolValue", "doubleValue", "arrayValue"),
             where + ": AnyValue type " + t)
        if t == "intValue":
            need(isinstance(x, str) and x.lstrip("-").isdigit(), kv["key"] + ": intValue string")
        need(kv["key"] not in out, where + ": duplicate key " + kv["key"])
        out[kv["key"]] = x
    return out


def check_otlp(body):
    ids = []
    doc = json.loads(body)
    need(set(doc) == {"resourceLogs"}, "top level")
    for rl in doc["resourceLogs"]:
        res = attrs(rl["resource"]["attributes"], "resource")
        need("process.pid" not in res and "file.path" not in res, "details in the resource")
        cid = res.get("container.id")
        for sl in rl["scopeLogs"]:
            for rec in sl["logRecords"]:
                need(isinstance(rec["timeUnixNano"], str) and rec["timeUnixNano"].isdigit(),
                     "timeUnixNano string")
                need(isinstance(rec["severityNumber"], int), "severityNumber int")
                need(rec["eventName"].startswith("cloud2dev."), "eventName")
                a = attrs(rec["attributes"], "record")
                need("container.id" not in a, "identity in the record")
                need(isinstance(a.get("process.pid"), str), "process.pid")
                need(cid is not None, "no container.id in the resource")
                ids.append(a["cloud2dev.id"] + " " + res.get("vcs.ref.head.revision", "-"))
    return ids


def check_loki(body):
    ids = []
    for s in json.loads(body)["streams"]:
        labels = s["stream"]
        need(all(isinstance(v, str) for v in labels.values()), "label values strings")
        need(not ({"pod", "id", "container_id", "commit"} & set(labels)), "high-cardinality label")
        last = 0
        for ts, line in s["values"]:
            need(isinstance(ts, str) and ts.isdigit(), "timestamp string")
            need(int(ts) >= last, "entries out of order in a stream")
            last = int(ts)
            ids.append(json.loads(line)["id"])
    return ids


def check_elastic(body):
    need(body.endswith(b"\n"), "no trailing newline")
    lines = body.decode().split("\n")[:-1]
    need(len(lines) % 2 == 0, "odd number of lines")
    ids = []
    for i in range(0, len(lines), 2):
        act, doc = json.loads(lines[i]), json.loads(lines[i + 1])
        need(list(act) == ["create"] and "_index" in act["create"], "action line")
        need(act["create"]["_id"] == doc["id"], "_id is not the event id")
        need("@timestamp" in doc, "@timestamp")
        ids.append(doc["id"])
    return ids


def check_splunk(body):
    dec, text, pos, ids = json.JSONDecoder(), body.decode(), 0, []
    while pos < len(text):
        obj, pos = dec.raw_decode(text, pos)
        need(isinstance(obj["time"], (int, float)), "time number")
        need(obj["source"] == "cloud2dev" and obj["sourcetype"] == "cloud2dev:event", "source")
        need(isinstance(obj["event"], dict), "event object")
        ids.append(obj["event"]["id"])
    return ids


def check_webhook(body):
    events = json.loads(body)
    need(isinstance(events, list) and events, "a non-empty JSON array")
    for ev in events:
        need(isinstance(ev, dict) and ev.get("schema") == "cloud2dev.event/v1", "event objects")
    return [ev["id"] for ev in events]


CHECKS = {"otlp": check_otlp, "loki": check_loki, "elastic": check_elastic,
          "splunk": check_splunk, "webhook": check_webhook}


def record(lines):
    with open(OUT, "a") as f:
        for line in lines:
            f.write(line + "\n")


class Handler(BaseHTTPRequestHandler):
    def answer(self, code, body=b"", headers=()):
        self.send_response(code)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if RAW:
            with open(RAW, "ab") as f:
                f.write(body + b"\n")
        try:
            enc = self.headers.get("Content-Encoding")
            need(enc in (None, "gzip"), "content encoding %r" % enc)
            need(KIND != "otlp" or enc == "gzip", "OTLP bodies are gzip'd by default")
            if enc == "gzip":
                body = gzip.decompress(body)
            need(self.path == PATHS[KIND], "path " + self.path)
            need(self.headers["Content-Type"] == CTYPES[KIND], "content type")
            need(self.headers["Authorization"] == AUTH[KIND] + " standin-token", "auth")
            ids = CHECKS[KIND](body)
        except (Invalid, ValueError, KeyError, TypeError, OSError, EOFError) as e:
            record(["INVALID %s: %r" % (KIND, e)])
            return self.answer(400, b'{"error":"invalid"}')
        fault = FAULTS.pop(0) if FAULTS else ""
        if fault == "503":
            return self.answer(503)
        if fault == "429":
            return self.answer(429, b"", [("Retry-After", "1")])
        if fault == "slow":
            time.sleep(3)
            return self.answer(503)
        if fault == "partial" and KIND == "elastic" and len(ids) > 1:
            record(ids[:-1])
            items = [{"create": {"status": 201}} for _ in ids[:-1]]
            items.append({"create": {"status": 429, "error": {"type": "es_rejected"}}})
            return self.answer(200, json.dumps({"errors": True, "items": items}).encode())
        record(ids)
        if KIND == "elastic":
            items = [{"create": {"_id": i, "status": 201}} for i in ids]
            return self.answer(200, json.dumps({"errors": False, "items": items}).encode())
        if KIND == "loki":
            return self.answer(204)
        if KIND == "splunk":
            return self.answer(200, b'{"text":"Success","code":0}')
        return self.answer(200, b"{}")

    def log_message(self, *a):
        pass


ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()

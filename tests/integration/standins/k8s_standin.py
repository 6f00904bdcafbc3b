#!/usr/bin/env python3
"""k8s_standin.py - a stand-in Kubernetes API server for the agent's tests: HTTPS on loopback,
bearer-token checked, serving recorded-shape responses for one node's pods.

  k8s_standin.py CERT KEY TOKEN NODE POD_UID PORT_FILE LOG_FILE

- GET /api/v1/pods?fieldSelector=spec.nodeName=NODE            list, resourceVersion "100"
- …&watch=1&resourceVersion=100: ADDED (rv 101), MODIFIED with the deploy-commit annotation
  (rv 102), then the connection drops (as API servers do at their watch timeout)
- …&watch=1&resourceVersion=102: a BOOKMARK (rv 103), then held open
- any other resourceVersion: an ERROR event with code 410 (Gone)
- GET /apis/apps/v1/namespaces/prod/replicasets/payments-7d9f8c6b5: owned by Deployment payments
- GET /api/v1/namespaces/prod/serviceaccounts/payments-sa: annotated with an IRSA role
Every request is logged as "METHOD PATH auth=ok|bad".
"""
import json
import sys
from apiserver import ApiHandler, serve

CERT, KEY, TOKEN, NODE, UID, PORT_FILE, LOG = sys.argv[1:8]


def pod(rv, annotations):
    return {
        "kind": "Pod", "apiVersion": "v1",
        "metadata": {
            "name": "payments-7d9f8c6b5-x2x4q", "generateName": "payments-7d9f8c6b5-",
            "namespace": "prod", "uid": UID, "resourceVersion": str(rv),
            "labels": {"app": "payments", "pod-template-hash": "7d9f8c6b5",
                       "app.kubernetes.io/version": "1.4.2"},
            "annotations": annotations,
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet",
                                 "name": "payments-7d9f8c6b5", "uid": "rs-uid-1",
                                 "controller": True, "blockOwnerDeletion": True}],
        },
        "spec": {"nodeName": NODE, "serviceAccountName": "payments-sa",
                 "containers": [{"name": "payments", "image": "c2d/provenance:rev-b",
                                 # fakes of the right shape: a literal in the manifest, a Secret
                                 "env": [{"name": "DB_PASSWORD", "value": "Tr0ub4dor&3-horse"},
                                         {"name": "API_TOKEN", "valueFrom": {"secretKeyRef": {
                                             "name": "payments-api", "key": "token"}}},
                                         {"name": "LOG_LEVEL", "value": "info"}],
                                 # its command and args (a fake key of the right shape in
                                 # them): what the test's container runs
                                 "command": ["/bin/sh", "-c",
                                             "cat /var/run/secrets/kubernetes.io/serviceaccount/token",
                                             "sh"],
                                 "args": ["--api-key=sk_live_51HArgsFromTheManifest00"],
                                 # its identity: privileged, one added capability
                                 "securityContext": {"privileged": True, "capabilities": {
                                     "add": ["NET_ADMIN"]}}}],
                 "volumes": [{"name": "aws-iam-token", "projected": {"sources": [
                                 {"serviceAccountToken": {"audience": "sts.amazonaws.com",
                                                          "expirationSeconds": 86400,
                                                          "path": "token"}}]}},
                             {"name": "containerd", "hostPath": {
                                 "path": "/var/run/containerd/containerd.sock",
                                 "type": "Socket"}}]},
        "status": {"phase": "Running"},
    }


REPLICASET = {
    "kind": "ReplicaSet", "apiVersion": "apps/v1",
    "metadata": {"name": "payments-7d9f8c6b5", "namespace": "prod", "uid": "rs-uid-1",
                 "resourceVersion": "90",
                 "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment",
                                      "name": "payments", "uid": "dep-uid-1",
                                      "controller": True, "blockOwnerDeletion": True}]},
    "spec": {"replicas": 1},
}


SERVICEACCOUNT = {
    "kind": "ServiceAccount", "apiVersion": "v1",
    "metadata": {"name": "payments-sa", "namespace": "prod", "uid": "sa-uid-1",
                 "resourceVersion": "80",
                 "annotations": {
                     "eks.amazonaws.com/role-arn": "arn:aws:iam::111122223333:role/payments-ro"}},
}


def log(line):
    with open(LOG, "a") as f:
        f.write(line + "\n")


class Handler(ApiHandler):
    def do_GET(self):
        req = self.authorized(TOKEN, log)
        if not req:
            return
        path, q = req
        if path == "/apis/apps/v1/namespaces/prod/replicasets/payments-7d9f8c6b5":
            return self.send_json(REPLICASET)
        if path == "/api/v1/namespaces/prod/serviceaccounts/payments-sa":
            return self.send_json(SERVICEACCOUNT)
        if path != "/api/v1/pods" or q.get("fieldSelector") != ["spec.nodeName=" + NODE]:
            return self.send_json({"kind": "Status", "code": 404}, 404)
        if "watch" not in q:
            return self.send_json({"kind": "PodList", "apiVersion": "v1",
                                   "metadata": {"resourceVersion": "100"}, "items": []})
        self.start_watch()
        rv = q.get("resourceVersion", [""])[0]
        if rv == "100":
            self.event("ADDED", pod(101, {}))
            self.event("MODIFIED", pod(102, {"cloud2dev.dev/deploy-commit": "9a8b7c6d"}))
            self.close_connection = True  # the drop: no final chunk
            return
        if rv == "102":
            self.event("BOOKMARK", {"kind": "Pod", "apiVersion": "v1",
                                    "metadata": {"resourceVersion": "103"}})
            return self.hold(60)
        self.event("ERROR", {"kind": "Status", "code": 410, "reason": "Expired"})
        self.close_connection = True


serve(Handler, CERT, KEY, PORT_FILE)

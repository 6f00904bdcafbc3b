#!/usr/bin/env python3
"""k8s_gitops.py - a stand-in Kubernetes API server with GitOps objects, for test_gitops and
test_identity_change: HTTPS on loopback, bearer-token checked, objects in the shapes Argo CD and
Flux write (agent/GITOPS.md).

  k8s_gitops.py CERT KEY TOKEN NODE DIR UID_PAYMENTS UID_BILLING UID_LEGACY
               [UID_CHECKOUT_A UID_CHECKOUT_B]

- pods of NODE (list, then a watch held open): three pods, each owned by a ReplicaSet owned
  by a Deployment:
    prod/payments  tracked by Argo CD: argocd.argoproj.io/tracking-id + app.kubernetes.io/instance
    prod/billing   applied by a Flux Kustomization: kustomize.toolkit.fluxcd.io/name + /namespace
    prod/legacy    a plain Helm release (meta.helm.sh/*), its instance label naming no Application
- /apis/argoproj.io/v1alpha1/applications: argocd/payments with a sync history (list rv 500)
- /apis/kustomize.toolkit.fluxcd.io/v1/kustomizations: flux-system/billing (list rv 600)
- /apis/source.toolkit.fluxcd.io/v1/gitrepositories: the Kustomization's GitRepository (its
  spec.url is the repository of what the Kustomization applies)
- /apis/helm.toolkit.fluxcd.io/v2/helmreleases: 404 (the CRD is not installed)
- the two GitOps watches wait for DIR/redeploy, then send one MODIFIED each (a redeploy: the
  Application's sync.revision changes and its history grows by an entry deployed now; the
  Kustomization's lastAppliedRevision changes), log "SENT <resource>", and are held open.
With the two checkout uids, also shop/checkout (test_identity_change): a Deployment tracked by
the Argo CD Application argocd/checkout (its own history: CHECKOUT_REV1, then CHECKOUT_REV2 at
the redeploy), run by ServiceAccount shop/checkout whose IRSA role is checkout-ro. Its pod of
revision A (UID_CHECKOUT_A, ReplicaSet checkout-6b7c8d9f5) is listed; at the redeploy the
ServiceAccount's role becomes checkout-admin and the pod watch sends the pod of revision B
(UID_CHECKOUT_B, ReplicaSet checkout-7c8d9e6a4) ADDED, then logs "SENT pods".
DIR/port: the port; DIR/requests.log: "GET PATH auth=ok|bad" per request; DIR/redeployed_at:
the new history entries' deployedAt.
"""
import copy
import datetime
import json
import os
import sys
import time
from apiserver import ApiHandler, serve

CERT, KEY, TOKEN, NODE, DIR, UID_P, UID_B, UID_L = sys.argv[1:9]
UID_CA, UID_CB = (sys.argv[9:11] + [None, None])[:2]  # the checkout workload, when given
REPO = "https://git.example/shop/deploy.git"
REV0 = "1111111111111111111111111111111111111111"
REV1 = "2222222222222222222222222222222222222222"
REV2 = "3333333333333333333333333333333333333333"
KS1 = "main@sha1:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
KS2 = "main@sha1:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
CHECKOUT_REV1 = "c0ffee01c0ffee01c0ffee01c0ffee01c0ffee01"
CHECKOUT_REV2 = "c0ffee02c0ffee02c0ffee02c0ffee02c0ffee02"
ROLE = "arn:aws:iam::111122223333:role/checkout-"
RS_CB = "checkout-7c8d9e6a4"  # the ReplicaSet of revision B

WORKLOADS = {  # name: (pod uid, replicaset, deployment labels, deployment annotations[, ns])
    "payments": (UID_P, "payments-5c8d7f9b4",
                 {"app": "payments", "app.kubernetes.io/instance": "payments"},
                 {"argocd.argoproj.io/tracking-id": "payments:apps/Deployment:prod/payments"}),
    "billing": (UID_B, "billing-6f7d8c9b5",
                {"app": "billing", "kustomize.toolkit.fluxcd.io/name": "billing",
                 "kustomize.toolkit.fluxcd.io/namespace": "flux-system"}, {}),
    "legacy": (UID_L, "legacy-7b8c9d6f4",
               {"app": "legacy", "app.kubernetes.io/managed-by": "Helm",
                "app.kubernetes.io/instance": "legacy"},
               {"meta.helm.sh/release-name": "legacy", "meta.helm.sh/release-namespace": "prod"}),
}
if UID_CA:
    WORKLOADS["checkout"] = (UID_CA, "checkout-6b7c8d9f5",
                             {"app": "checkout", "app.kubernetes.io/instance": "checkout"},
                             {"argocd.argoproj.io/tracking-id":
                              "checkout:apps/Deployment:shop/checkout"}, "shop")
SERVICE_ACCOUNTS = {"checkout": "checkout"}  # the others run as "default"


def ns_of(name):
    return WORKLOADS[name][4] if len(WORKLOADS[name]) > 4 else "prod"


def redeploy_seen():
    return os.path.exists(os.path.join(DIR, "redeploy"))


def wait_redeploy():
    for _ in range(1200):  # until the test redeploys
        if redeploy_seen():
            break
        time.sleep(0.1)


def pod(name, uid=None, rs=None):
    uid, rs = uid or WORKLOADS[name][0], rs or WORKLOADS[name][1]
    return {"kind": "Pod", "apiVersion": "v1",
            "metadata": {"name": rs + "-x2x4q", "namespace": ns_of(name), "uid": uid,
                         "resourceVersion": "101", "labels": {"app": name},
                         "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet",
                                              "name": rs, "uid": rs + "-uid",
                                              "controller": True}]},
            "spec": {"nodeName": NODE,
                     "serviceAccountName": SERVICE_ACCOUNTS.get(name, "default"),
                     "containers": [{"name": name, "image": "c2d/gitops:rev-a"}]},
            "status": {"phase": "Running"}}


def replicaset(name, rs):
    return {"kind": "ReplicaSet", "apiVersion": "apps/v1",
            "metadata": {"name": rs, "namespace": ns_of(name), "uid": rs + "-uid",
                         "resourceVersion": "90",
                         "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment",
                                              "name": name, "uid": name + "-dep-uid",
                                              "controller": True}]}}


def deployment(name):
    labels, annotations = WORKLOADS[name][2:4]
    return {"kind": "Deployment", "apiVersion": "apps/v1",
            "metadata": {"name": name, "namespace": ns_of(name), "uid": name + "-dep-uid",
                         "resourceVersion": "80", "labels": labels,
                         "annotations": annotations},
            "spec": {"replicas": 1}}


def history(i, rev, at, app="payments"):
    return {"id": i, "revision": rev, "deployedAt": at, "deployStartedAt": at,
            "source": {"repoURL": REPO, "path": "apps/" + app, "targetRevision": "main"},
            "initiatedBy": {"automated": True}}


def application(app, ns, rev0, rev1, redeploy_rev):
    return {
        "apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
        "metadata": {"name": app, "namespace": "argocd", "resourceVersion": "501"},
        "spec": {"project": "default",
                 "source": {"repoURL": REPO, "path": "apps/" + app, "targetRevision": "main"},
                 "destination": {"server": "https://kubernetes.default.svc", "namespace": ns}},
        "status": {"sync": {"status": "Synced", "revision": rev1,
                            "comparedTo": {"source": {"repoURL": REPO}}},
                   "health": {"status": "Healthy"},
                   "history": [history(1, rev0, "2024-05-01T10:00:00Z", app),
                               history(2, rev1, "2024-05-01T12:00:00Z", app)],
                   "sourceType": "Directory"},
    }, redeploy_rev


APPLICATIONS = [application("payments", "prod", REV0, REV1, REV2)]
if UID_CA:
    APPLICATIONS.append(application("checkout", "shop", REV0, CHECKOUT_REV1, CHECKOUT_REV2))

KUSTOMIZATION = {
    "apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
    "metadata": {"name": "billing", "namespace": "flux-system", "resourceVersion": "601"},
    "spec": {"interval": "10m", "path": "./apps/billing", "prune": True,
             "sourceRef": {"kind": "GitRepository", "name": "flux-system"}},
    "status": {"observedGeneration": 1, "lastAppliedRevision": KS1,
               "lastAttemptedRevision": KS1,
               "conditions": [{"type": "Ready", "status": "True", "reason": "ReconciliationSucceeded",
                               "message": "Applied revision: " + KS1,
                               "lastTransitionTime": "2024-05-01T12:00:00Z"}]},
}

# the GitRepository the Kustomization applies from (source.toolkit.fluxcd.io/v1: spec.url,
# status.artifact.revision)
GITREPOSITORY = {
    "apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository",
    "metadata": {"name": "flux-system", "namespace": "flux-system", "resourceVersion": "701"},
    "spec": {"interval": "1m", "url": "https://git.example/shop/fleet", "ref": {"branch": "main"}},
    "status": {"artifact": {"revision": KS1, "path": "gitrepository/flux-system/flux-system/x.tar.gz",
                            "digest": "sha256:" + "0" * 64,
                            "lastUpdateTime": "2024-05-01T12:00:00Z"}},
}


def redeployed(resource):
    """The objects after a redeploy, and log it."""
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    if resource == "applications":
        objs = []
        for app, rev in APPLICATIONS:
            obj = copy.deepcopy(app)
            obj["metadata"]["resourceVersion"] = str(501 + len(objs) + 1)
            obj["status"]["sync"]["revision"] = rev
            obj["status"]["history"].append(history(3, rev, now, obj["metadata"]["name"]))
            objs.append(obj)
        with open(os.path.join(DIR, "redeployed_at.tmp"), "w") as f:
            f.write(now)
        os.rename(os.path.join(DIR, "redeployed_at.tmp"), os.path.join(DIR, "redeployed_at"))
        return objs
    if resource == "gitrepositories":  # the source moved on with the commit
        obj = copy.deepcopy(GITREPOSITORY)
        obj["metadata"]["resourceVersion"] = "702"
        obj["status"]["artifact"]["revision"] = KS2
        return [obj]
    obj = copy.deepcopy(KUSTOMIZATION)
    obj["metadata"]["resourceVersion"] = "602"
    obj["status"]["lastAppliedRevision"] = KS2
    obj["status"]["lastAttemptedRevision"] = KS2
    return [obj]


def service_account(name):
    role = ROLE + ("admin" if redeploy_seen() else "ro")
    return {"kind": "ServiceAccount", "apiVersion": "v1",
            "metadata": {"name": name, "namespace": "shop", "uid": name + "-sa-uid",
                         "resourceVersion": "71" if redeploy_seen() else "70",
                         "annotations": {"eks.amazonaws.com/role-arn": role}}}


def log(line):
    with open(os.path.join(DIR, "requests.log"), "a") as f:
        f.write(line + "\n")


class Handler(ApiHandler):
    def gitops(self, resource, q):
        listed = {"applications": ("ApplicationList", [a for a, _ in APPLICATIONS], "500"),
                  "kustomizations": ("KustomizationList", [KUSTOMIZATION], "600"),
                  "gitrepositories": ("GitRepositoryList", [GITREPOSITORY], "700")}[resource]
        if "watch" not in q:
            return self.send_json({"kind": listed[0], "apiVersion": listed[1][0]["apiVersion"],
                                   "metadata": {"resourceVersion": listed[2]},
                                   "items": listed[1]})
        self.start_watch()
        if q.get("resourceVersion") != [listed[2]]:
            return self.hold()
        wait_redeploy()
        for obj in redeployed(resource):
            self.event("MODIFIED", obj)
        log("SENT %s" % resource)
        self.hold()

    def pods(self, q):
        """The node's pods; the checkout pod of revision B comes with the redeploy."""
        items = [pod(n) for n in WORKLOADS]
        if UID_CB and redeploy_seen():
            items.append(pod("checkout", UID_CB, RS_CB))
        if "watch" not in q:
            return self.send_json({"kind": "PodList", "apiVersion": "v1",
                                   "metadata": {"resourceVersion": "100"}, "items": items})
        self.start_watch()
        if UID_CB and q.get("resourceVersion") == ["100"]:
            wait_redeploy()
            self.event("ADDED", pod("checkout", UID_CB, RS_CB))
            log("SENT pods")
        return self.hold()

    def do_GET(self):
        req = self.authorized(TOKEN, log)
        if not req:
            return
        path, q = req
        parts = path.strip("/").split("/")
        if path == "/api/v1/pods" and q.get("fieldSelector") == ["spec.nodeName=" + NODE]:
            return self.pods(q)
        if UID_CA and path == "/api/v1/namespaces/shop/serviceaccounts/checkout":
            return self.send_json(service_account("checkout"))
        # /apis/apps/v1/namespaces/<ns>/<resource>/<name>
        if len(parts) == 7 and parts[:4] == ["apis", "apps", "v1", "namespaces"]:
            name = parts[6]
            if parts[5] == "replicasets":
                for n, w in list(WORKLOADS.items()) + \
                        ([("checkout", (UID_CB, RS_CB))] if UID_CB else []):
                    if w[1] == name and ns_of(n) == parts[4]:
                        return self.send_json(replicaset(n, name))
            if parts[5] == "deployments" and name in WORKLOADS and ns_of(name) == parts[4]:
                return self.send_json(deployment(name))
        if path == "/apis/argoproj.io/v1alpha1/applications":
            return self.gitops("applications", q)
        if path == "/apis/kustomize.toolkit.fluxcd.io/v1/kustomizations":
            return self.gitops("kustomizations", q)
        if path == "/apis/source.toolkit.fluxcd.io/v1/gitrepositories":
            return self.gitops("gitrepositories", q)
        return self.send_json({"kind": "Status", "apiVersion": "v1", "status": "Failure",
                               "reason": "NotFound", "code": 404,
                               "message": "the server could not find the requested resource"},
                              404)


serve(Handler, CERT, KEY, os.path.join(DIR, "port"))

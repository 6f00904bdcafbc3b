#!/usr/bin/env python3
"""Chart tests for helm/cloud2dev: helm lint, then helm template with the default values and with
tests/helm/values-custom.yaml, parsed with PyYAML (python3-yaml) and checked object by object.
Prints cmocka-style lines ([ RUN ], [ OK ], [ PASSED ] N test(s).) that .ci/run counts.

    tests/helm/test_chart.py [--helm PATH]     (default: build/tools/bin/helm, see fetch_helm.sh)
"""
import json
import os
import subprocess
import sys
import traceback

try:
    import yaml
except ImportError:  # a python3 without PyYAML on PATH: Debian's has python3-yaml
    if sys.executable != "/usr/bin/python3" and os.path.exists("/usr/bin/python3"):
        os.execv("/usr/bin/python3", ["/usr/bin/python3"] + sys.argv)
    raise

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CHART = os.path.join(ROOT, "helm", "cloud2dev")
CUSTOM = os.path.join(ROOT, "tests", "helm", "values-custom.yaml")
sys.path.insert(0, os.path.join(ROOT, "helm"))
import gen_values_doc  # noqa: E402

HELM = os.path.join(ROOT, "build", "tools", "bin", "helm")
if "--helm" in sys.argv:
    HELM = sys.argv[sys.argv.index("--helm") + 1]

# The agent's capabilities, as values.yaml justifies them (agent.capabilities).
AGENT_CAPS = {"BPF", "PERFMON", "SYS_RESOURCE", "SYS_PTRACE", "DAC_READ_SEARCH"}
# Every host path the agent may mount: values key → (node path, read-only).
HOST_PATHS = {
    "btf": ("/sys/kernel/btf", True),
    "tracefs": ("/sys/kernel/tracing", True),
    "cgroup": ("/sys/fs/cgroup", True),
    "runtimeSocket": ("/run/containerd/containerd.sock", True),
    "spool": ("/var/lib/cloud2dev", False),
    "bpffs": ("/sys/fs/bpf", False),
}
RBAC = {
    ("", "pods"), ("apps", "replicasets"), ("apps", "deployments"), ("apps", "statefulsets"),
    ("apps", "daemonsets"), ("batch", "jobs"), ("batch", "cronjobs"), ("", "serviceaccounts"),
    ("argoproj.io", "applications"), ("kustomize.toolkit.fluxcd.io", "kustomizations"),
    ("helm.toolkit.fluxcd.io", "helmreleases"), ("source.toolkit.fluxcd.io", "gitrepositories"),
}


def helm(*args):
    r = subprocess.run([HELM, *args], capture_output=True, text=True)
    if r.returncode != 0:
        raise AssertionError(f"helm {' '.join(args)}: exit {r.returncode}\n{r.stderr}")
    return r.stdout


_cache = {}


def render(*extra):
    key = extra
    if key not in _cache:
        out = helm("template", "rel", CHART, "--namespace", "c2d", *extra)
        _cache[key] = [d for d in yaml.safe_load_all(out) if d]
    return _cache[key]


def default():
    return render()


def custom():
    return render("-f", CUSTOM)


def find(docs, kind, suffix=None):
    hits = [d for d in docs if d["kind"] == kind and
            (suffix is None or d["metadata"]["name"].endswith(suffix))]
    return hits


def one(docs, kind, suffix=None):
    hits = find(docs, kind, suffix)
    assert len(hits) == 1, f"expected one {kind} {suffix or ''}, got {len(hits)}"
    return hits[0]


def pod_spec(obj):
    return obj["spec"]["template"]["spec"]


def agent(docs):
    return one(docs, "DaemonSet", "-agent")


def collector(docs):
    return one(docs, "StatefulSet", "-collector")


def args_of(container):
    return container.get("args", [])


def flag(container, name):
    """Values of a repeatable --flag VALUE in the container's args."""
    a = args_of(container)
    return [a[i + 1] for i, x in enumerate(a) if x == name and i + 1 < len(a)]


def walk(node):
    if isinstance(node, dict):
        for k, v in node.items():
            yield k, v
            yield from walk(v)
    elif isinstance(node, list):
        for v in node:
            yield from walk(v)


# ---- tests ----------------------------------------------------------------------------------

def test_lint():
    helm("lint", CHART, "--strict")
    helm("lint", CHART, "--strict", "-f", CUSTOM)


def test_renders_expected_objects():
    kinds = sorted((d["kind"], d["metadata"]["name"]) for d in default())
    assert kinds == sorted([
        ("ClusterRole", "rel-cloud2dev-agent"), ("ClusterRoleBinding", "rel-cloud2dev-agent"),
        ("ConfigMap", "rel-cloud2dev-agent-policy"), ("ConfigMap", "rel-cloud2dev-collector"),
        ("DaemonSet", "rel-cloud2dev-agent"), ("Secret", "rel-cloud2dev-token"),
        ("Secret", "rel-cloud2dev-fingerprint-key"),
        ("Secret", "rel-cloud2dev-read-token"),
        ("Service", "rel-cloud2dev-collector"), ("ServiceAccount", "rel-cloud2dev-agent"),
        ("ServiceAccount", "rel-cloud2dev-collector"), ("StatefulSet", "rel-cloud2dev-collector"),
    ]), kinds
    c = custom()
    one(c, "NetworkPolicy")
    one(c, "ServiceMonitor")


def test_nothing_privileged_by_default():
    for d in default():
        for k, v in walk(d):
            assert not (k == "privileged" and v is True), f"{d['kind']} has privileged: true"
            assert not (k == "hostNetwork" and v is True), f"{d['kind']} has hostNetwork"
            assert not (k == "hostIPC" and v is True), f"{d['kind']} has hostIPC"


def test_agent_capabilities_exact():
    for docs in (default(), custom()):
        c = pod_spec(agent(docs))["containers"][0]
        sc = c["securityContext"]
        assert sc["capabilities"]["drop"] == ["ALL"], sc
        assert set(sc["capabilities"]["add"]) == AGENT_CAPS, sc["capabilities"]["add"]
        assert len(sc["capabilities"]["add"]) == len(AGENT_CAPS)
        assert sc["allowPrivilegeEscalation"] is False
        assert sc["privileged"] is False
        assert sc["runAsUser"] == 0
        assert sc["seccompProfile"] == {"type": "RuntimeDefault"}


def test_every_container_read_only_root():
    for docs in (default(), custom()):
        for d in docs:
            if d["kind"] not in ("DaemonSet", "StatefulSet", "Deployment"):
                continue
            spec = pod_spec(d)
            for c in spec.get("initContainers", []) + spec["containers"]:
                assert c["securityContext"]["readOnlyRootFilesystem"] is True, c["name"]


def test_agent_host_namespaces():
    spec = pod_spec(agent(default()))
    assert spec["hostPID"] is True
    assert spec.get("hostNetwork", False) is False
    assert spec.get("hostIPC", False) is False
    assert spec["priorityClassName"] == "system-node-critical"
    assert spec["tolerations"] == [{"operator": "Exists"}]


def test_host_paths_justified():
    text = open(os.path.join(CHART, "values.yaml")).read()
    docs = gen_values_doc.parse_comments(text)
    for key in HOST_PATHS:
        assert f"agent.hostPaths.{key}" in docs, f"agent.hostPaths.{key} has no comment"
    allowed = {p for p, _ in HOST_PATHS.values()} | {
        "/var/run/crio/crio.sock", "/data/cloud2dev-spool"}  # custom values
    for docs_ in (default(), custom()):
        spec = pod_spec(agent(docs_))
        mounts = {m["name"]: m for m in spec["containers"][0]["volumeMounts"]}
        for v in spec["volumes"]:
            if "hostPath" not in v:
                continue
            path = v["hostPath"]["path"]
            assert path in allowed, f"host path {path} is not in the justified list"
            key = [k for k in HOST_PATHS if v["name"] == "host-" + gen_values_doc_kebab(k)]
            assert key, f"volume {v['name']} is not one of agent.hostPaths"
            ro = HOST_PATHS[key[0]][1]
            assert mounts[v["name"]].get("readOnly", False) is ro, (v["name"], ro)
        for d in docs_:
            if d["kind"] == "StatefulSet":
                assert not any("hostPath" in v for v in pod_spec(d)["volumes"])
    names = {v["hostPath"]["path"] for v in pod_spec(agent(default()))["volumes"]
             if "hostPath" in v}
    assert names == {"/sys/kernel/btf", "/sys/kernel/tracing", "/sys/fs/cgroup",
                     "/run/containerd/containerd.sock", "/var/lib/cloud2dev"}, names
    spool = [v for v in pod_spec(agent(default()))["volumes"] if v["name"] == "host-spool"][0]
    assert spool["hostPath"]["type"] == "DirectoryOrCreate"


def gen_values_doc_kebab(key):
    return "".join("-" + ch.lower() if ch.isupper() else ch for ch in key)


def test_rbac_read_only_owners():
    role = one(default(), "ClusterRole")
    seen = set()
    for rule in role["rules"]:
        assert set(rule["verbs"]) <= {"get", "list", "watch"}, rule
        assert "resourceNames" not in rule and "nonResourceURLs" not in rule
        for g in rule["apiGroups"]:
            for r in rule["resources"]:
                seen.add((g, r))
    assert seen == RBAC, seen ^ RBAC
    binding = one(default(), "ClusterRoleBinding")
    assert binding["subjects"][0]["name"] == pod_spec(agent(default()))["serviceAccountName"]
    assert not find(default(), "Role") and not find(default(), "RoleBinding")


def test_agent_env_and_args():
    c = pod_spec(agent(default()))["containers"][0]
    env = {e["name"]: e for e in c["env"]}
    assert env["NODE_NAME"]["valueFrom"]["fieldRef"]["fieldPath"] == "spec.nodeName"
    assert "KUBERNETES_SERVICE_HOST" not in env  # the kubelet injects it; the agent uses it
    assert flag(c, "--k8s-api") == []
    assert flag(c, "--collector") == ["http://rel-cloud2dev-collector.c2d.svc:8080"]
    assert flag(c, "--token-file") == ["/etc/cloud2dev/token/token"]
    assert flag(c, "--state-dir") == ["/var/lib/cloud2dev"]
    assert flag(c, "--policy") == ["/etc/cloud2dev/policy/policy.json"]
    assert flag(c, "--containerd-socket") == ["/run/containerd/containerd.sock"]
    assert "--stdout" not in args_of(c)
    # the per-container budget and the metadata cache, at the agent's defaults
    assert flag(c, "--container-rate") == ["10000"]
    assert flag(c, "--container-burst") == ["5000"]
    assert flag(c, "--metadata-cache-size") == ["1024"]
    # metrics on by default: the endpoint, its port, and both probes on it
    assert flag(c, "--metrics-addr") == ["0.0.0.0:9101"]
    assert c["ports"] == [{"name": "metrics", "containerPort": 9101, "protocol": "TCP"}]
    assert c["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "metrics"}
    assert c["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "metrics"}


def test_collector_non_root_and_probes():
    sts = collector(default())
    spec = pod_spec(sts)
    psc = spec["securityContext"]
    assert psc["runAsNonRoot"] is True and psc["runAsUser"] == 65532 and psc["fsGroup"] == 65532
    assert spec["automountServiceAccountToken"] is False
    c = spec["containers"][0]
    sc = c["securityContext"]
    assert sc["capabilities"] == {"drop": ["ALL"]} and sc["allowPrivilegeEscalation"] is False
    assert c["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    assert c["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert c["ports"] == [{"name": "http", "containerPort": 8080, "protocol": "TCP"}]
    assert flag(c, "--listen") == ["0.0.0.0:8080"]
    assert flag(c, "--db") == ["/var/lib/cloud2dev-collector/c2d.db"]
    writable = [m for m in c["volumeMounts"] if not m.get("readOnly")]
    assert [m["name"] for m in writable] == ["store"], writable
    assert sts["spec"]["replicas"] == 1
    svc = one(default(), "Service")
    assert svc["spec"]["ports"][0]["port"] == 8080


def test_collector_pvc():
    claim = collector(default())["spec"]["volumeClaimTemplates"][0]
    assert claim["metadata"]["name"] == "store"
    assert claim["spec"]["resources"]["requests"]["storage"] == "10Gi"
    assert "storageClassName" not in claim["spec"]
    claim = collector(custom())["spec"]["volumeClaimTemplates"][0]
    assert claim["spec"]["resources"]["requests"]["storage"] == "50Gi"
    assert claim["spec"]["storageClassName"] == "fast-ssd"
    off = collector(render("--set", "collector.persistence.enabled=false"))
    assert "volumeClaimTemplates" not in off["spec"]
    assert {"name": "store", "emptyDir": {}} in pod_spec(off)["volumes"]


def test_token_secret_generated_and_existing():
    import base64
    sec = one(default(), "Secret", "-cloud2dev-token")
    read = one(default(), "Secret", "-read-token")
    assert sec["metadata"]["labels"]["cloud2dev.dev/token-role"] == "ingest"
    assert read["metadata"]["labels"]["cloud2dev.dev/token-role"] == "read"
    tok = base64.b64decode(sec["data"]["token"]).decode()
    rtok = base64.b64decode(read["data"]["token"]).decode()
    assert len(tok) == 48 and tok.isalnum() and len(rtok) == 48 and rtok != tok, "generated"
    for wl in (agent(default()), collector(default())):
        vols = {v["name"]: v for v in pod_spec(wl)["volumes"]}
        assert vols["token"]["secret"]["secretName"] == "rel-cloud2dev-token"
    # roles: the agents get the ingest token only, the collector both files by role
    avols = {v["name"] for v in pod_spec(agent(default()))["volumes"]}
    assert "read-token" not in avols, "an agent never holds the read token"
    col = pod_spec(collector(default()))["containers"][0]
    assert flag(col, "--ingest-token-file") == ["/etc/cloud2dev/token/token"]
    assert flag(col, "--read-token-file") == ["/etc/cloud2dev/read-token/token"]
    assert not flag(col, "--token-file"), "no token with both roles"
    cvols = {v["name"]: v for v in pod_spec(collector(default()))["volumes"]}
    assert cvols["read-token"]["secret"]["secretName"] == "rel-cloud2dev-read-token"
    assert cvols["read-token"]["secret"]["defaultMode"] == 0o440
    fixed = one(render("--set", "auth.token=abc123", "--set", "auth.read.token=rd456"), "Secret",
                "-cloud2dev-token")
    assert base64.b64decode(fixed["data"]["token"]).decode() == "abc123"
    fixed = one(render("--set", "auth.token=abc123", "--set", "auth.read.token=rd456"), "Secret",
                "-read-token")
    assert base64.b64decode(fixed["data"]["token"]).decode() == "rd456"
    ext = render("--set", "auth.read.existingSecret=team-readers", "--set",
                 "auth.read.secretKey=t")
    assert not find(ext, "Secret", "-read-token")
    cvols = {v["name"]: v for v in pod_spec(collector(ext))["volumes"]}
    assert cvols["read-token"]["secret"]["secretName"] == "team-readers"
    assert flag(pod_spec(collector(ext))["containers"][0], "--read-token-file") == \
        ["/etc/cloud2dev/read-token/t"]
    c = custom()
    assert [s["metadata"]["name"] for s in find(c, "Secret")
            if s["metadata"]["labels"]["cloud2dev.dev/token-role"] != "fingerprint"] == \
        ["acme-c2d-read-token"], "no ingest Secret with auth.existingSecret"
    for wl in (agent(c), collector(c)):
        vols = {v["name"]: v for v in pod_spec(wl)["volumes"]}
        assert vols["token"]["secret"]["secretName"] == "acme-c2d-agent-tokens"
        assert vols["token"]["secret"]["items"] == [{"key": "agent-token", "path": "agent-token"}]
    a = pod_spec(agent(c))["containers"][0]
    assert flag(a, "--token-file") == ["/etc/cloud2dev/token/agent-token"]


def test_fingerprint_key_generated_and_existing():
    import base64
    sec = one(default(), "Secret", "-fingerprint-key")
    assert sec["metadata"]["labels"]["cloud2dev.dev/token-role"] == "fingerprint"
    key = base64.b64decode(sec["data"]["fingerprint-key"]).decode()
    assert len(key) == 48 and key.isalnum(), "generated: one per cluster"
    a = pod_spec(agent(default()))
    assert flag(a["containers"][0], "--secret-key-file") == \
        ["/etc/cloud2dev/fingerprint/fingerprint-key"]
    vols = {v["name"]: v for v in a["volumes"]}
    assert vols["fingerprint-key"]["secret"]["secretName"] == "rel-cloud2dev-fingerprint-key"
    assert vols["fingerprint-key"]["secret"]["defaultMode"] == 0o400
    mounts = {m["name"]: m for m in a["containers"][0]["volumeMounts"]}
    assert mounts["fingerprint-key"]["readOnly"] is True
    ext = render("--set", "agent.secretFingerprint.existingSecret=cluster-fp",
                 "--set", "agent.secretFingerprint.secretKey=k")
    assert not find(ext, "Secret", "-fingerprint-key")
    a = pod_spec(agent(ext))
    assert {v["name"]: v for v in a["volumes"]}["fingerprint-key"]["secret"]["secretName"] == \
        "cluster-fp"
    assert flag(a["containers"][0], "--secret-key-file") == ["/etc/cloud2dev/fingerprint/k"]


def test_custom_values_reach_their_places():
    c = custom()
    ds = agent(c)
    spec = pod_spec(ds)
    a = spec["containers"][0]
    assert a["image"] == "registry.acme.test/sec/c2d-agent:9.9.9-rc1"
    assert flag(a, "--collector") == ["https://collector.acme.test:8443"]
    assert flag(a, "--collector-ca") == ["/etc/ssl/certs/ca-certificates.crt"]
    assert flag(a, "--storage-path") == ["/var/lib/postgresql", "/srv/orders"]
    assert flag(a, "--container-rate") == ["0"] and flag(a, "--container-burst") == ["100"]
    assert flag(a, "--metadata-cache-size") == ["4096"]
    assert flag(a, "--containerd-socket") == ["none"]
    assert flag(a, "--cri-socket") == ["/var/run/crio/crio.sock"]
    assert flag(a, "--spool-max-mb") == ["512"]
    assert a["resources"] == {"requests": {"cpu": "250m", "memory": "200Mi"},
                              "limits": {"cpu": "2", "memory": "300Mi"}}
    assert spec["tolerations"] == [{"key": "dedicated", "operator": "Equal", "value": "gpu",
                                    "effect": "NoSchedule"}]
    # helm merges maps: the default kubernetes.io/os stays
    assert spec["nodeSelector"] == {"acme.io/pool": "prod", "kubernetes.io/os": "linux"}
    assert spec["priorityClassName"] == "acme-node-critical"
    vols = {v["name"]: v for v in spec["volumes"]}
    assert vols["host-spool"]["hostPath"]["path"] == "/data/cloud2dev-spool"
    assert vols["host-runtime-socket"]["hostPath"] == {"path": "/var/run/crio/crio.sock",
                                                       "type": "Socket"}
    col = pod_spec(collector(c))["containers"][0]
    assert col["image"] == "registry.acme.test/sec/c2d-collector:9.9.9-rc1"
    assert flag(col, "--listen") == ["0.0.0.0:9443"]
    assert col["resources"]["limits"] == {"cpu": "4", "memory": "2Gi"}
    svc = one(c, "Service")
    assert svc["metadata"]["name"] == "acme-c2d-collector"
    assert svc["spec"]["ports"][0]["port"] == 443
    np = one(c, "NetworkPolicy")
    peers = np["spec"]["ingress"][0]["from"]
    assert peers[0]["podSelector"]["matchLabels"]["app.kubernetes.io/component"] == "agent"
    assert peers[1] == {"namespaceSelector": {"matchLabels": {
        "kubernetes.io/metadata.name": "monitoring"}}}
    assert one(c, "ServiceMonitor")["metadata"]["labels"]["release"] == "prom"


def test_policy_configmap():
    cm = one(default(), "ConfigMap", "-agent-policy")
    assert json.loads(cm["data"]["policy.json"]) == {}
    cm = one(custom(), "ConfigMap", "-agent-policy")
    pol = json.loads(cm["data"]["policy.json"])
    assert pol["provenance_keys"] == {"commit": ["image-label:com.acme.git.sha"],
                                      "deploy_commit": ["pod-annotation:acme.io/deployed-from"]}
    assert pol["report_denied_opens"] is False
    assert pol["rules"][0] == {"name": "vault-token", "kind": "credential_read",
                               "path": "*/.vault-token", "severity": "critical"}
    assert set(pol) <= {"replace_defaults", "report_denied_opens", "rules", "provenance_keys"}
    # the agent rolls when its policy changes
    a1 = agent(default())["spec"]["template"]["metadata"]["annotations"]["checksum/policy"]
    a2 = agent(custom())["spec"]["template"]["metadata"]["annotations"]["checksum/policy"]
    assert a1 != a2


def test_policy_keys_shape():
    """provenance_keys as agent/policy/policy_file.c accepts them: known fields, known sources."""
    pol = json.loads(one(custom(), "ConfigMap", "-agent-policy")["data"]["policy.json"])
    for field, keys in pol["provenance_keys"].items():
        assert field in {"commit", "repository", "version", "build_time", "pipeline_id",
                         "pipeline_url", "deploy_commit"}, field
        for k in keys:
            assert k.split(":", 1)[0] in {"image-label", "pod-annotation", "pod-label"}, k


def test_collector_config_and_forwarders():
    cm = one(default(), "ConfigMap", "-collector")
    assert "retention-days = 30" in cm["data"]["collector.conf"].splitlines()
    assert not any(line.startswith("forwarder.") for line in
                   cm["data"]["collector.conf"].splitlines())
    cm = one(custom(), "ConfigMap", "-collector")
    lines = cm["data"]["collector.conf"].splitlines()
    assert "retention-days = 90" in lines and "max-body = 16M" in lines, lines
    for want in ("forwarder.loki.type = loki",
                 "forwarder.loki.url = http://loki.monitoring:3100/loki/api/v1/push",
                 "forwarder.loki.min_severity = high", "forwarder.splunk.type = splunk",
                 "forwarder.splunk.token_file = /etc/cloud2dev/forwarders/splunk-hec/token"):
        assert want in lines, (want, lines)
    spec = pod_spec(collector(custom()))
    mounts = {m["name"]: m for m in spec["containers"][0]["volumeMounts"]}
    assert mounts["fwd-splunk-hec"] == {"name": "fwd-splunk-hec", "readOnly": True,
                                        "mountPath": "/etc/cloud2dev/forwarders/splunk-hec"}
    vols = {v["name"]: v for v in spec["volumes"]}
    assert vols["fwd-splunk-hec"]["secret"]["secretName"] == "splunk-hec"
    for line in lines:
        assert line.startswith("#") or " = " in line, line


def test_agent_metrics_switch():
    docs = render("--set", "agent.metrics.port=9400", "--set", "agent.podMonitor.enabled=true",
                  "--set", "agent.podMonitor.labels.release=prom")
    c = pod_spec(agent(docs))["containers"][0]
    assert flag(c, "--metrics-addr") == ["0.0.0.0:9400"]
    assert c["ports"] == [{"name": "metrics", "containerPort": 9400, "protocol": "TCP"}]
    pm = one(docs, "PodMonitor")
    assert pm["metadata"]["labels"]["release"] == "prom"
    assert pm["spec"]["podMetricsEndpoints"] == [{"port": "metrics", "path": "/metrics",
                                                  "interval": "30s"}]
    assert pm["spec"]["selector"]["matchLabels"]["app.kubernetes.io/component"] == "agent"
    # off: no flag, no port, no probes, and no PodMonitor pointing at a missing port
    docs = render("--set", "agent.metrics.enabled=false", "--set", "agent.podMonitor.enabled=true")
    c = pod_spec(agent(docs))["containers"][0]
    assert "--metrics-addr" not in args_of(c)
    assert "ports" not in c and "livenessProbe" not in c and "readinessProbe" not in c
    assert not find(docs, "PodMonitor")


def test_fold_window_and_compat_syscalls():
    a = pod_spec(agent(default()))["containers"][0]
    assert flag(a, "--fold-window") == ["1"]
    assert "--watch-compat-syscalls" not in args_of(a)
    a = pod_spec(agent(render("--set", "agent.foldWindow=0", "--set",
                              "agent.watchCompatSyscalls=true")))["containers"][0]
    assert flag(a, "--fold-window") == ["0"]
    assert "--watch-compat-syscalls" in args_of(a)
    r = subprocess.run([HELM, "template", "rel", CHART, "--set", "agent.foldWindow=-1"],
                       capture_output=True, text=True)
    assert r.returncode != 0


def test_image_registry_and_digest():
    d = render("--set", "agent.image.registry=reg.acme.test/", "--set",
               "collector.image.registry=reg.acme.test", "--set",
               "collector.image.digest=sha256:" + "ab" * 32)
    assert pod_spec(agent(d))["containers"][0]["image"] == "reg.acme.test/cloud2dev/c2d-agent:0.1.0"
    assert pod_spec(collector(d))["containers"][0]["image"] == \
        "reg.acme.test/cloud2dev/c2d-collector@sha256:" + "ab" * 32
    r = subprocess.run([HELM, "template", "rel", CHART, "--set", "agent.image.digest=latest"],
                       capture_output=True, text=True)
    assert r.returncode != 0 and "image.digest" in r.stderr, r.stderr


def test_extra_volumes_and_mounts():
    vol = '{"name":"ca","configMap":{"name":"corp-ca"}}'
    mnt = '{"name":"ca","mountPath":"/etc/corp-ca","readOnly":true}'
    for comp, fn in (("agent", agent), ("collector", collector)):
        d = render("--set-json", f"{comp}.extraVolumes=[{vol}]", "--set-json",
                   f"{comp}.extraVolumeMounts=[{mnt}]")
        spec = pod_spec(fn(d))
        assert {"name": "ca", "configMap": {"name": "corp-ca"}} in spec["volumes"], comp
        assert {"name": "ca", "mountPath": "/etc/corp-ca", "readOnly": True} in \
            spec["containers"][0]["volumeMounts"], comp
    # the use the issue asked for: agent.collectorCA inside an extra volume
    d = render("--set-json", f"agent.extraVolumes=[{vol}]", "--set-json",
               f"agent.extraVolumeMounts=[{mnt}]", "--set", "agent.collectorCA=/etc/corp-ca/ca.pem")
    assert flag(pod_spec(agent(d))["containers"][0], "--collector-ca") == ["/etc/corp-ca/ca.pem"]


def test_container_security_context_overrides():
    d = render("--set", "agent.containerSecurityContext.appArmorProfile.type=RuntimeDefault",
               "--set", "agent.containerSecurityContext.runAsGroup=10",
               "--set", "collector.containerSecurityContext.runAsUser=7000")
    sc = pod_spec(agent(d))["containers"][0]["securityContext"]
    assert sc["appArmorProfile"] == {"type": "RuntimeDefault"} and sc["runAsGroup"] == 10
    assert sc["capabilities"]["drop"] == ["ALL"] and sc["readOnlyRootFilesystem"] is True, \
        "merged over, not replacing"
    csc = pod_spec(collector(d))["containers"][0]["securityContext"]
    assert csc["runAsUser"] == 7000 and csc["capabilities"] == {"drop": ["ALL"]}


def test_collector_tls():
    d = render("--set", "collector.tls.enabled=true", "--set", "collector.tls.secretName=c2d-tls")
    col = pod_spec(collector(d))
    c = col["containers"][0]
    assert flag(c, "--tls-cert") == ["/etc/cloud2dev/tls/tls.crt"]
    assert flag(c, "--tls-key") == ["/etc/cloud2dev/tls/tls.key"]
    assert c["readinessProbe"]["httpGet"]["scheme"] == "HTTPS"
    assert c["livenessProbe"]["httpGet"]["scheme"] == "HTTPS"
    vols = {v["name"]: v for v in col["volumes"]}
    assert vols["tls"]["secret"]["secretName"] == "c2d-tls"
    assert vols["tls"]["secret"]["defaultMode"] == 0o440
    a = pod_spec(agent(d))
    assert flag(a["containers"][0], "--collector")[0].startswith("https://rel-cloud2dev-collector.")
    assert flag(a["containers"][0], "--collector-ca") == ["/etc/cloud2dev/collector-ca/ca.crt"]
    avols = {v["name"]: v for v in a["volumes"]}
    assert avols["collector-ca"]["secret"] == {
        "secretName": "c2d-tls", "items": [{"key": "ca.crt", "path": "ca.crt"}]}, \
        "the agents get the CA, never the key"
    plain = pod_spec(collector(default()))["containers"][0]
    assert "scheme" not in plain["readinessProbe"]["httpGet"] and not flag(plain, "--tls-cert")
    r = subprocess.run([HELM, "template", "rel", CHART, "--set", "collector.tls.enabled=true"],
                       capture_output=True, text=True)
    assert r.returncode != 0 and "collector.tls.secretName" in r.stderr



def test_collector_scale_mode():
    """collector.store.clickhouse: N replicas over ClickHouse, each with its own claim (its
    forwarding queue), started in parallel, a PodDisruptionBudget; the password and CA from
    Secrets the collector's group alone reads. Without ClickHouse more than one replica fails."""
    d = render("--set", "collector.replicas=3",
               "--set", "collector.store.clickhouse.url=clickhouse://ch.db.svc:8123/c2d",
               "--set", "collector.store.clickhouse.user=c2d",
               "--set", "collector.store.clickhouse.passwordSecret=ch-pass",
               "--set", "collector.store.clickhouse.caSecret=ch-ca")
    st = collector(d)
    assert st["spec"]["replicas"] == 3
    assert st["spec"]["podManagementPolicy"] == "Parallel"
    assert st["spec"]["volumeClaimTemplates"][0]["metadata"]["name"] == "store"
    c = pod_spec(st)["containers"][0]
    assert flag(c, "--store") == ["clickhouse://ch.db.svc:8123/c2d"]
    assert flag(c, "--store-user") == ["c2d"]
    assert flag(c, "--store-password-file") == ["/etc/cloud2dev/clickhouse/password/password"]
    assert flag(c, "--store-ca") == ["/etc/cloud2dev/clickhouse/ca/ca.crt"]
    vols = {v["name"]: v for v in pod_spec(st)["volumes"]}
    assert vols["clickhouse-password"]["secret"]["secretName"] == "ch-pass"
    assert vols["clickhouse-password"]["secret"]["defaultMode"] == 0o440
    assert vols["clickhouse-ca"]["secret"]["secretName"] == "ch-ca"
    pdb = one(d, "PodDisruptionBudget", "-collector")
    assert pdb["spec"]["maxUnavailable"] == 1
    # the embedded store: one replica, no --store, no budget
    plain = collector(default())
    assert plain["spec"]["replicas"] == 1 and plain["spec"]["podManagementPolicy"] == "OrderedReady"
    assert not flag(pod_spec(plain)["containers"][0], "--store")
    assert not find(default(), "PodDisruptionBudget")
    r = subprocess.run([HELM, "template", "rel", CHART, "--set", "collector.replicas=2"],
                       capture_output=True, text=True)
    assert r.returncode != 0 and "collector.store.clickhouse.url" in r.stderr
    r = subprocess.run([HELM, "template", "rel", CHART, "--set",
                        "collector.store.clickhouse.url=http://ch:8123/x"],
                       capture_output=True, text=True)
    assert r.returncode != 0, "a URL that is not clickhouse:// is refused by the schema"

def test_schema_refuses_unknown_keys():
    for bad in ("agent.bogusKey=1", "collector.tls.bogus=1", "bogus=1", "auth.read.tokn=x"):
        r = subprocess.run([HELM, "template", "rel", CHART, "--set", bad],
                           capture_output=True, text=True)
        assert r.returncode != 0, bad
        assert "Additional property" in r.stderr or "additional properties" in r.stderr.lower(), \
            r.stderr
    for bad in ("agent.containerRate=-1", "agent.logLevel=verbose", "collector.port=http"):
        r = subprocess.run([HELM, "template", "rel", CHART, "--set", bad],
                           capture_output=True, text=True)
        assert r.returncode != 0, bad
    # free-form maps stay free-form
    render("--set", "commonLabels.team=sec", "--set", "agent.podAnnotations.x=y")
    import gen_values_schema
    assert gen_values_schema.check(), "values.schema.json out of date: run helm/gen_values_schema.py"


def test_values_documented_and_readme_current():
    text = open(os.path.join(CHART, "values.yaml")).read()
    docs = gen_values_doc.parse_comments(text)
    values = yaml.safe_load(text)
    missing = [k for k in gen_values_doc.leaves(values) if not gen_values_doc.documented(k, docs)]
    assert not missing, f"values without a `# --` comment: {missing}"
    readme = open(gen_values_doc.README).read()
    assert gen_values_doc.render_readme(readme, text) == readme, \
        "README values table out of date: run helm/gen_values_doc.py"


TESTS = [(n, f) for n, f in list(globals().items()) if n.startswith("test_") and callable(f)]


def main():
    if not os.access(HELM, os.X_OK):
        print(f"test_chart: no helm at {HELM} (tests/helm/fetch_helm.sh)", file=sys.stderr)
        return 1
    print(f"[==========] Running {len(TESTS)} test(s).")
    failed = []
    for name, fn in TESTS:
        print(f"[ RUN      ] {name}", flush=True)
        try:
            fn()
            print(f"[       OK ] {name}")
        except Exception as e:  # an assertion or a helm error: report and go on
            msg = str(e) or traceback.format_exc(limit=2)
            print(f"[  ERROR   ] --- {type(e).__name__}: {msg}")
            print(f"[  FAILED  ] {name}")
            failed.append(name)
    print(f"[==========] {len(TESTS)} test(s) run.")
    print(f"[  PASSED  ] {len(TESTS) - len(failed)} test(s).")
    if failed:
        print(f"[  FAILED  ] {len(failed)} test(s), listed below:")
        for name in failed:
            print(f"[  FAILED  ] {name}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

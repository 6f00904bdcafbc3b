#!/usr/bin/env python3
"""helm/cloud2dev/values.schema.json, from the defaults of values.yaml.

    helm/gen_values_schema.py            write the schema
    helm/gen_values_schema.py --check    exit 1 if the committed schema is not the generated one

Every map of values.yaml becomes an object whose keys are exactly its defaults'
(`additionalProperties: false`: `--set agent.bogusKey=1` is an error, not silently ignored),
except the free-form maps below (Kubernetes objects and user maps), and every scalar gets the
type of its default; a few keys get bounds or an enum. Helm checks the schema on install,
upgrade, lint and template.
"""
import json
import os
import sys

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
VALUES = os.path.join(HERE, "cloud2dev", "values.yaml")
SCHEMA = os.path.join(HERE, "cloud2dev", "values.schema.json")

# Maps whose keys are the user's or Kubernetes' own: any key goes.
FREE = {
    "commonLabels", "agent.policy", "agent.provenanceKeys", "agent.podAnnotations",
    "agent.podLabels", "agent.nodeSelector", "agent.affinity", "agent.resources",
    "agent.containerSecurityContext", "agent.seccompProfile", "agent.livenessProbe",
    "agent.readinessProbe", "agent.updateStrategy", "agent.podMonitor.labels",
    "agent.serviceAccount.annotations", "collector.config", "collector.forwarders",
    "collector.podSecurityContext", "collector.securityContext",
    "collector.containerSecurityContext", "collector.resources", "collector.readinessProbe",
    "collector.livenessProbe", "collector.nodeSelector", "collector.affinity",
    "collector.podAnnotations", "collector.podLabels", "collector.service.annotations",
    "collector.serviceMonitor.labels",
}
# Keys with more than a type.
EXTRA = {
    "agent.logLevel": {"enum": ["error", "warn", "info", "debug"]},
    "collector.logLevel": {"enum": ["error", "warn", "info", "debug"]},
    "agent.runtime.type": {"enum": ["containerd", "crio"]},
    "agent.image.pullPolicy": {"enum": ["Always", "IfNotPresent", "Never"]},
    "collector.image.pullPolicy": {"enum": ["Always", "IfNotPresent", "Never"]},
    "agent.image.digest": {"pattern": "^(sha256:[0-9a-f]{64})?$"},
    "collector.image.digest": {"pattern": "^(sha256:[0-9a-f]{64})?$"},
    "agent.containerRate": {"minimum": 0},
    "agent.containerBurst": {"minimum": 0},
    "agent.metadataCacheSize": {"minimum": 1},
    "agent.foldWindow": {"minimum": 0, "maximum": 3600},
    "agent.metrics.port": {"minimum": 1, "maximum": 65535},
    "collector.port": {"minimum": 1, "maximum": 65535},
    "collector.service.port": {"minimum": 1, "maximum": 65535},
    "collector.service.type": {"enum": ["ClusterIP", "NodePort", "LoadBalancer"]},
    "agent.terminationGracePeriodSeconds": {"minimum": 0},
    "collector.terminationGracePeriodSeconds": {"minimum": 0},
    "collector.replicas": {"minimum": 1},
    "collector.store.clickhouse.url": {"pattern": "^(clickhouses?://[^/?#]+/[A-Za-z_][A-Za-z0-9_]*)?$"},
}


def node(value, path):
    if isinstance(value, dict):
        if path in FREE or not value:
            return {"type": "object"}
        return {
            "type": "object",
            "additionalProperties": False,
            "properties": {k: node(v, f"{path}.{k}" if path else k) for k, v in value.items()},
        }
    if isinstance(value, bool):
        s = {"type": "boolean"}
    elif isinstance(value, int):
        s = {"type": "integer"}
    elif isinstance(value, float):
        s = {"type": "number"}
    elif isinstance(value, list):
        s = {"type": "array"}
    else:
        s = {"type": "string"}
    s.update(EXTRA.get(path, {}))
    return s


def generate():
    with open(VALUES) as f:
        values = yaml.safe_load(f)
    schema = {"$schema": "http://json-schema.org/draft-07/schema#", "title": "cloud2dev values"}
    schema.update(node(values, ""))
    return json.dumps(schema, indent=2, sort_keys=False) + "\n"


def check():
    try:
        with open(SCHEMA) as f:
            return f.read() == generate()
    except FileNotFoundError:
        return False


if __name__ == "__main__":
    if "--check" in sys.argv:
        sys.exit(0 if check() else 1)
    with open(SCHEMA, "w") as f:
        f.write(generate())

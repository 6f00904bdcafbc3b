#!/usr/bin/env bash
# The end-to-end demo on this node: start the agent, do what an attacker in a pod would do,
# and show what cloud2dev reported. Run by `make demo` (README).
set -euo pipefail
cd "$(dirname "$0")/../.."

AGENT=${C2D_AGENT:-build/c2d-agent}
WORK=$(mktemp -d /tmp/c2d-demo.XXXXXX)
SA_DIR=/run/secrets/kubernetes.io/serviceaccount
STORAGE=$WORK/prod-data
created_sa=0
agent_pid=

step() { printf '\n\033[1m[%s] %s\033[0m\n' "$1" "$2"; }

cleanup() {
	[ -n "$agent_pid" ] && kill "$agent_pid" 2>/dev/null && wait "$agent_pid" 2>/dev/null || true
	[ "$created_sa" = 1 ] && rm -rf /run/secrets/kubernetes.io
	rm -rf "$WORK"
}
trap cleanup EXIT

if [ "$(id -u)" -ne 0 ]; then
	echo "demo: run as root (the agent loads eBPF programs)" >&2
	exit 1
fi
[ -x "$AGENT" ] || { echo "demo: $AGENT is missing: run 'make' first" >&2; exit 1; }

step 1/4 "starting the agent (c2d-agent --stdout --storage-path $STORAGE)"
mkdir -p "$STORAGE"
"$AGENT" --stdout --storage-path "$STORAGE" >"$WORK/events.ndjson" 2>"$WORK/agent.log" &
agent_pid=$!
for _ in $(seq 1 150); do
	grep -q ready "$WORK/agent.log" && break
	kill -0 "$agent_pid" 2>/dev/null || { cat "$WORK/agent.log" >&2; exit 1; }
	sleep 0.1
done
grep -q ready "$WORK/agent.log" || { echo "demo: agent not ready after 15 s" >&2; cat "$WORK/agent.log" >&2; exit 1; }
sed 's/^/    agent: /' "$WORK/agent.log"

step 2/4 "behaving like a compromised workload"
if [ ! -e "$SA_DIR/token" ]; then
	mkdir -p "$SA_DIR" && echo "demo-token-not-a-secret" >"$SA_DIR/token" && created_sa=1
fi
echo "    reading the service-account token";  cat "$SA_DIR/token" >/dev/null
echo "    reading /etc/shadow through a symlink"; ln -s /etc/shadow "$WORK/innocent" && cat "$WORK/innocent" >/dev/null
echo "    creating a user namespace";            unshare -U true || true
echo "    writing and deleting production data"; echo x >"$STORAGE/orders.db" && rm "$STORAGE/orders.db"
echo "    calling the cloud metadata endpoint";  timeout 1 bash -c 'echo >/dev/tcp/169.254.169.254/80' 2>/dev/null || true
echo "    and doing ordinary work (not reported)"; cat /etc/hostname /etc/os-release >/dev/null
sleep 0.5

step 3/4 "stopping the agent"
kill -TERM "$agent_pid"; wait "$agent_pid" || true; agent_pid=
grep -E "stats:" "$WORK/agent.log" | sed 's/^/    agent: /'

step 4/4 "what cloud2dev reported ($(wc -l <"$WORK/events.ndjson") findings)"
python3 - "$WORK/events.ndjson" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
print(f"    {'kind':<17} {'rule':<26} {'process':<10} {'outcome':<8} target")
for e in rows:
    tgt = e.get("file", {}).get("path") or e.get("network", {}).get("address") or \
        ",".join(e["syscall"].get("args", {}).get("namespaces", [])) or e["syscall"]["name"]
    print(f"    {e['kind']:<17} {e['rule']:<26} {e['process']['comm']:<10} {e['outcome']:<8} {tgt}")
reads = [e for e in rows if e["process"]["comm"] == "cat"] or rows
if reads:
    print("\n    one event in full:")
    print("\n".join("    " + l for l in json.dumps(reads[0], indent=2).splitlines()))
PY

#!/usr/bin/env bash
# The end-to-end demo on this node (README: Quick start; run by `make demo`).
#
# Starts containerd (if it is not running), the collector and the agent; builds two revisions
# of a small workload whose images carry provenance labels (commit, repository, pipeline); runs
# revision A (reads only its own config) and then revision B (reads its service-account token,
# writes production data) as real containers; and asks the collector which revision introduced
# what: `c2d introduced` and a `c2d trace` of one finding; it ends with the web UI's address.
# Everything it started is stopped and removed at the end, also on failure or Ctrl-C — except,
# with C2D_DEMO_KEEP=1, the collector and its store, so the UI can be opened (the last lines say
# how to stop it).
set -euo pipefail
cd "$(dirname "$0")/../.."

BIN=${C2D_BIN:-build}
NS=default                        # ctr's namespace: cgroups /default/<id>, a layout the agent knows
WORKLOAD=shop/checkout            # Kubernetes namespace/name the containers pretend to be
REPO=https://github.com/acme/checkout
STORAGE=/srv/prod-data            # production storage, as the workload sees it
STEPS=7
WORK=
pids=()
. tests/lib/containerd.sh

step() { printf '\n\033[1m[%s/%s] %s\033[0m\n' "$1" "$STEPS" "$2"; }
die() { printf 'demo: %s\n' "$*" >&2; exit 1; }

cleanup() {
	local rc=$?
	for p in "${pids[@]}"; do
		[ "$rc" -eq 0 ] && [ -n "${C2D_DEMO_KEEP:-}" ] && [ "$p" = "${COLLECTOR_PID:-}" ] && continue
		kill "$p" 2>/dev/null && wait "$p" 2>/dev/null || true
	done
	if command -v ctr >/dev/null && ctr version >/dev/null 2>&1; then
		for c in "demo-checkout-a-$$" "demo-checkout-b-$$"; do # only what the demo made
			ctr -n "$NS" tasks kill -s KILL "$c" >/dev/null 2>&1 || true
			ctr -n "$NS" containers rm "$c" >/dev/null 2>&1 || true
		done
		ctr -n "$NS" images rm demo/checkout:a demo/checkout:b demo/checkout:img \
			>/dev/null 2>&1 || true
	fi
	c2d_containerd_down
	if [ $rc -ne 0 ] && [ -n "$WORK" ]; then
		echo "demo: failed; the logs were:" >&2
		tail -n 20 "$WORK"/*.log >&2 2>/dev/null || true
	fi
	if [ -n "$WORK" ] && [ -z "${C2D_DEMO_KEEP:-}" ]; then rm -rf "$WORK"; fi
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- prerequisites -------------------------------------------------------------------------
step 1 "checking prerequisites"
[ "$(id -u)" -eq 0 ] || die "run as root (the agent loads eBPF programs, ctr runs containers)"
for b in c2d-agent c2d-collector c2d; do
	[ -x "$BIN/$b" ] || die "$BIN/$b is missing: run 'bash .ci/setup && make' first"
done
for t in containerd ctr runc umoci busybox; do
	command -v "$t" >/dev/null || die "'$t' is not installed: run 'bash .ci/setup' first"
done
[ -r /sys/kernel/btf/vmlinux ] || die "this kernel has no BTF (/sys/kernel/btf/vmlinux)"
WORK=$(mktemp -d /tmp/c2d-demo.XXXXXX)
echo "    root, binaries, containerd, runc, umoci, busybox, BTF: ok (work dir $WORK)"

step 2 "container runtime"
if ctr version >/dev/null 2>&1; then
	echo "    containerd is already running: using it"
else
	c2d_containerd_up "$WORK/containerd.log" || die "containerd did not start"
	echo "    started containerd (pid $C2D_CONTAINERD_PID); it is stopped at the end"
fi

# --- collector and agent ---------------------------------------------------------------------
step 3 "starting the collector"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$WORK/token"
chmod 600 "$WORK/token"
"$BIN/c2d-collector" --listen "127.0.0.1:$port" --db "$WORK/c2d.db" --token-file "$WORK/token" \
	>"$WORK/collector.log" 2>&1 &
COLLECTOR_PID=$!
pids+=($COLLECTOR_PID)
export C2D_SERVER="http://127.0.0.1:$port" C2D_TOKEN_FILE="$WORK/token"
for _ in $(seq 1 100); do
	curl -fsS "$C2D_SERVER/healthz" >/dev/null 2>&1 && break
	sleep 0.1
done
curl -fsS "$C2D_SERVER/healthz" >/dev/null || die "the collector did not come up"
echo "    c2d-collector on $C2D_SERVER, store $WORK/c2d.db"

step 4 "starting the agent"
"$BIN/c2d-agent" --collector "$C2D_SERVER" --token-file "$WORK/token" --state-dir "$WORK/agent" \
	--storage-path "$STORAGE" --batch-age-ms 200 >"$WORK/agent.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 900); do # every program is verified at start: ~10-20 s on a small VM
	grep -q "ready" "$WORK/agent.log" && break
	kill -0 "${pids[-1]}" 2>/dev/null || die "the agent exited at start-up"
	sleep 0.1
done
grep -q "ready" "$WORK/agent.log" || die "the agent was not ready after 90 s"
grep -E "hooks:|ready" "$WORK/agent.log" | sed 's/^/    agent: /'

# --- the workload ----------------------------------------------------------------------------
step 5 "building two revisions of $WORKLOAD (umoci, labels as a CI pipeline would set them)"
build() { # LETTER COMMIT PIPELINE
	tests/integration/images/build_image.sh "$NS" "demo/checkout:$1" \
		"org.opencontainers.image.revision=$2" "org.opencontainers.image.source=$REPO" \
		"org.opencontainers.image.version=1.$3.0" \
		"org.opencontainers.image.created=$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
		"dev.cloud2dev.pipeline.id=$3" \
		"dev.cloud2dev.pipeline.url=https://ci.example/acme/checkout/pipelines/$3"
	echo "    demo/checkout:$1  commit ${2:0:12}  pipeline $3"
}
COMMIT_A=9f1c2d3e4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d
COMMIT_B=4b7e1a9c3d5f2e8a6c0b9d7f1e3a5c2b8d4f6e0a
build a "$COMMIT_A" 812
# revision B's build also bakes a payment key into the image (a fake of the right shape), as a
# CI variable passed to a Dockerfile ENV would
C2D_IMAGE_ENV="STRIPE_KEY=sk_live_4eC39HqLyjWDarjtT1zdp7dc" build b "$COMMIT_B" 813
echo "    (demo/checkout:b also carries STRIPE_KEY in its image config)"

step 6 "running revision A, then revision B, as pods of $WORKLOAD"
run() { # LETTER HASH SCRIPT
	ctr -n "$NS" run --rm \
		--label "io.kubernetes.pod.name=checkout-$2-q7x2k" \
		--label "io.kubernetes.pod.namespace=${WORKLOAD%/*}" \
		--label "io.kubernetes.pod.uid=$(cat /proc/sys/kernel/random/uuid)" \
		--label "io.kubernetes.container.name=checkout" \
		"demo/checkout:$1" "demo-checkout-$1-$$" /bin/sh -c "$3"
}
wait_for() { # SQL-less: until `c2d` sees N rows of what the args ask
	local want=$1; shift
	for _ in $(seq 1 150); do
		n=$("$BIN/c2d" --json "$@" 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin).get("count",0))' 2>/dev/null || echo 0)
		[ "${n:-0}" -ge "$want" ] && return 0
		sleep 0.2
	done
	return 1
}
echo "    A: reads its own config and serves"
run a 5d8f7c9b6 'cat /etc/app/config >/dev/null; sleep 1'
sleep 1 # A's start reaches the collector before B starts
echo "    B: also reads the service-account token and writes to $STORAGE"
run b 7c6b5d4f8 "cat /etc/app/config >/dev/null; cat /var/run/secrets/kubernetes.io/serviceaccount/token >/dev/null; mkdir -p $STORAGE && echo order-1 >$STORAGE/orders.db; sleep 1"
# B's three: the token read, the storage write, the key in its image
wait_for 3 findings --workload "$WORKLOAD" || die "the findings did not reach the collector"

# --- the answer ------------------------------------------------------------------------------
step 7 "asking the collector: which revision introduced what?"
echo
echo "\$ c2d introduced --workload $WORKLOAD"
"$BIN/c2d" introduced --workload "$WORKLOAD"
echo
echo "\$ c2d exposures --workload $WORKLOAD"
"$BIN/c2d" exposures --workload "$WORKLOAD"
id=$("$BIN/c2d" --json findings --workload "$WORKLOAD" --rule k8s-serviceaccount-token --limit 1 |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["findings"][0]["id"])')
echo
echo "\$ c2d trace $id"
"$BIN/c2d" trace "$id"
echo
echo "demo: the web UI: $C2D_SERVER/ui/  (sign in with the token in $WORK/token)"
if [ -n "${C2D_DEMO_KEEP:-}" ]; then
	echo "demo: done; the collector keeps running for the UI: collector pid $COLLECTOR_PID," \
		"work dir $WORK"
	echo "demo: stop it with: kill $COLLECTOR_PID; rm -rf $WORK"
else
	echo "demo: done; stopping what it started (C2D_DEMO_KEEP=1 keeps the collector for the UI)"
fi

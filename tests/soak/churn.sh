#!/usr/bin/env bash
# churn.sh - memory under container churn (make soak): the release agent watches CHURN_N
# short-lived containers (each reads its token and exits, --rm) started one after another.
# The agent keeps at most 32 container records (--metadata-cache-size 32) and 1024 processes
# (--proc-cache-size 1024), so both caches are full after the first few dozen containers and
# must then replace, not grow. Checks: every container's finding arrives attributed to it; the
# agent's resident memory after the warm-up (the first third of the containers, past both
# caches filling up) grows by less than
# CHURN_MAX_GROWTH_KIB by the end; the metadata cache never holds more than its capacity.
# Prints a progress line every 50.
set -euo pipefail
cd "$(dirname "$0")/../.."

N=${CHURN_N:-300}
MAX_GROWTH=${CHURN_MAX_GROWTH_KIB:-4096}
AGENT=${C2D_AGENT:-build/c2d-agent}
IMAGE=c2d/churn:rev-1
work=$(mktemp -d /tmp/c2d-churn.XXXXXX)
agent_pid=

. tests/lib/containerd.sh
. tests/lib/agent.sh
log() { printf 'soak: %s\n' "$*" >&2; }
cleanup() {
	[ -n "$agent_pid" ] && kill "$agent_pid" 2>/dev/null && wait "$agent_pid" 2>/dev/null || true
	ctr -n default images rm "$IMAGE" c2d/churn:img >/dev/null 2>&1 || true
	c2d_containerd_down
	rm -rf "$work"
}
trap cleanup EXIT
rss() { awk '$1 == "VmRSS:" { print $2 }' "/proc/$agent_pid/status"; }
metric() { curl -fsS "http://127.0.0.1:$mport/metrics" | awk -v k="$1" '$1 == k { print $2 }'; }

c2d_containerd_up "$work/containerd.log"
tests/integration/images/build_image.sh default "$IMAGE" \
	org.opencontainers.image.revision=churn1234 >/dev/null
mport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$AGENT" --stdout --k8s-api none --metadata-cache-size 32 --proc-cache-size 1024 --metrics-addr "127.0.0.1:$mport" >"$work/events" 2>"$work/agent.err" &
agent_pid=$!
c2d_agent_ready "$work/agent.err" "$agent_pid" || { cat "$work/agent.err" >&2; exit 1; }

warm=$((N / 3)) base=0 peak_cache=0 cap=$(metric c2d_agent_metadata_cache_capacity)
for i in $(seq 1 "$N"); do
	ctr -n default run --rm "$IMAGE" "churn-$$-$i" \
		cat /var/run/secrets/kubernetes.io/serviceaccount/token >/dev/null
	[ "$i" -eq "$warm" ] && base=$(rss)
	if [ $((i % 50)) -eq 0 ]; then
		entries=$(metric c2d_agent_metadata_cache_entries)
		[ "$entries" -gt "$peak_cache" ] && peak_cache=$entries
		log "$i/$N containers; agent RSS $(rss) KiB (after warm-up: $base KiB); metadata cache $entries/$cap; process cache $(metric c2d_agent_process_cache_entries) (evictions $(metric c2d_agent_process_cache_evictions_total))"
	fi
done
sleep 3 # the last findings
end=$(rss)
attributed=$(grep -c "\"container\":{\"id\":\"churn-$$-" "$work/events" || true)
tokens=$(grep '"rule":"k8s-serviceaccount-token"' "$work/events" | grep -c "\"id\":\"churn-$$-" || true)
log "done: $tokens token reads attributed to their container ($attributed events in all); RSS $base → $end KiB; metadata cache peak $peak_cache/$cap"
fail=0
[ "$tokens" -eq "$N" ] || { log "FAIL: $tokens of $N token reads attributed"; fail=1; }
[ $((end - base)) -lt "$MAX_GROWTH" ] || { log "FAIL: RSS grew $((end - base)) KiB (limit $MAX_GROWTH)"; fail=1; }
[ "$peak_cache" -le "$cap" ] || { log "FAIL: metadata cache above its capacity"; fail=1; }
exit $fail

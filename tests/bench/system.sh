#!/usr/bin/env bash
# system.sh - whole-system figures for tests/bench/run.sh (markdown rows on stdout, progress on
# stderr), release binaries:
#  - per-program cost: kernel.bpf_stats_enabled on while a mixed load runs (matching and
#    non-matching opens, execs, privileged calls); ns per run of each of the agent's programs
#    that ran, from bpftool's run_time_ns / run_cnt;
#  - a mixed workload: compiling a C file (a build: execs, opens, mmaps, many syscalls) N times,
#    without and with the agent, interleaved rounds, median ratio;
#  - end to end: matching opens paced at rising rates, then unpaced, agent → collector over
#    loopback (batches, gzip, fsync'd spool and 202s): events/s until the collector holds them
#    all, and the highest rate with nothing lost (a loss is reported in band as agent_gap);
#  - resident memory of the agent and the collector, idle and at the high-water mark of that
#    load (VmRSS / VmHWM).
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/lib/agent.sh

BUILD=${BUILD:-build}
AGENT=$BUILD/c2d-agent COL=$BUILD/c2d-collector OL=$BUILD/bench/open_loop
BUILD_ROUNDS=${C2D_BENCH_BUILD_ROUNDS:-5}
COMPILES=${C2D_BENCH_COMPILES:-6}
work=$(mktemp -d /tmp/c2d-sysbench.XXXXXX)
agent_pid= col_pid=

log() { printf 'bench: %s\n' "$*" >&2; }
cleanup() {
	for p in $agent_pid $col_pid; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null || true; done
	sysctl -q kernel.bpf_stats_enabled=0 || true
	rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
kb() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; } # PID VmRSS|VmHWM → KiB
mib() { awk -v k="$1" 'BEGIN { printf "%.1f MiB", k / 1024 }'; }
prog_ids() { bpftool prog show 2>/dev/null | awk -F: '/^[0-9]+:/ {print $1}' | sort; }

start_agent() { # ARGS...
	local before
	before=$(prog_ids)
	"$AGENT" --container-rate 0 --fold-window 0 "$@" >/dev/null 2>"$work/agent.err" &
	agent_pid=$!
	if c2d_agent_ready "$work/agent.err" "$agent_pid"; then
		PROGS=$(comm -13 <(echo "$before") <(prog_ids) | tr '\n' ' ')
		sleep 0.5
		return 0
	fi
	log "agent not ready"; cat "$work/agent.err" >&2; exit 1
}
stop_agent() { kill -INT "$agent_pid"; wait "$agent_pid" || true; agent_pid=; }

# ---- per-program cost -------------------------------------------------------------------------
# Every hook runs at least once: matching and non-matching opens, execs and forks, privileged
# calls, storage writes by name and by io_uring, io_uring opens (inline, io-wq), TCP connects to
# the metadata address inside a network namespace of its own (never the host's).
log "per-program cost (kernel.bpf_stats_enabled)"
T=$BUILD/triggers
mkdir -p "$work/prod"
start_agent --storage-path "$work/prod/"
sysctl -q kernel.bpf_stats_enabled=1
"$OL" open /etc/hostname 200000 >/dev/null
"$OL" open /etc/shadow 50000 >/dev/null
for _ in $(seq 200); do /bin/true; done
unshare -U true 2>/dev/null || true
"$OL" getppid 200000 >/dev/null
for i in $(seq 50); do
	"$T/uring_ops" openat /etc/shadow >/dev/null 2>&1 || true
	"$T/uring_ops" openat-async /etc/hostname >/dev/null 2>&1 || true
	: >"$work/prod/f$i"
	"$T/uring_ops" renameat "$work/prod/f$i" "$work/prod/g$i" >/dev/null 2>&1 || true
	"$T/uring_ops" unlinkat "$work/prod/g$i" >/dev/null 2>&1 || true
	"$T/storage_ops" "$work/prod" >/dev/null 2>&1 || true
done
for _ in $(seq 20); do
	"$T/meta_netns" connect >/dev/null 2>&1 || true
	"$T/meta_netns" sendto >/dev/null 2>&1 || true
done
PROG_ROWS=$(bpftool prog show -j 2>/dev/null | python3 -c '
import json, sys
ids = set(int(i) for i in sys.argv[1].split())
rows = []
for p in json.load(sys.stdin):
    if p["id"] in ids and p.get("run_cnt"):
        rows.append((p["run_time_ns"] / p["run_cnt"], p["name"], p["run_cnt"]))
rows.sort(reverse=True)
for ns, name, cnt in rows:
    print("| per-program cost: %s | %d runs | Falco modern_bpf 64 / 116 / 349 ns | **%.0f ns per run** |" % (name, cnt, ns))
' "$PROGS")
sysctl -q kernel.bpf_stats_enabled=0
stop_agent

# ---- mixed workload: a build -------------------------------------------------------------------
log "mixed workload: $COMPILES compiles per measure, $BUILD_ROUNDS interleaved rounds"
# the agent's headers are included by bare name from its folders (agent/<folder>/)
AGENT_INC=(-Iagent)
for d in agent/*/; do AGENT_INC+=("-I${d%/}"); done
compile() {
	local t0 t1
	t0=$(date +%s%N)
	for _ in $(seq "$COMPILES"); do
		cc -O2 -D_GNU_SOURCE -c -o "$work/x.o" agent/pipeline/render.c "${AGENT_INC[@]}" -Icommon \
			-Ibpf -Ibuild
	done
	t1=$(date +%s%N)
	echo $(((t1 - t0) / COMPILES / 1000)) # µs per compile
}
compile >/dev/null # warm the caches
A=() B=()
for r in $(seq "$BUILD_ROUNDS"); do
	if [ $((r % 2)) -eq 1 ]; then
		A+=("$(compile)"); start_agent; B+=("$(compile)"); stop_agent
	else
		start_agent; B+=("$(compile)"); stop_agent; A+=("$(compile)")
	fi
done
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
ma=$(median "${A[@]}") mb=$(median "${B[@]}")
BUILD_ROW="| a build (cc -O2 -c agent/pipeline/render.c), µs per compile | $ma | $mb | **$(awk -v a="$ma" -v b="$mb" 'BEGIN { printf "%.3f", b / a }')** |"

# ---- end to end -------------------------------------------------------------------------------
# e2e RATE: a fresh collector and agent; 2 s of matching opens paced at RATE (0: as fast as one
# process goes); sets STORED, GEN, E2E (events/s until the collector held them all) and the
# memory figures.
e2e() {
	local rate=$1 n port t0 t1 out
	n=$((rate ? 2 * rate : 300000))
	rm -rf "$work/e2e" && mkdir -p "$work/e2e"
	port=$(free_port)
	"$COL" --listen "127.0.0.1:$port" --db "$work/e2e/c2d.db" --token-file "$work/token" \
		>"$work/col.log" 2>&1 &
	col_pid=$!
	for _ in $(seq 100); do curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.05; done
	col_idle=$(kb "$col_pid" VmRSS)
	start_agent --collector "http://127.0.0.1:$port" --token-file "$work/token" \
		--state-dir "$work/e2e/state" --containerd-socket none --k8s-api none
	agent_idle=$(kb "$agent_pid" VmRSS)
	t0=$(date +%s%N)
	out=$("$OL" burst /etc/shadow "$n" "$rate")
	GEN=$(sed -n 's/.*rate=\([0-9.]*\).*/\1/p' <<<"$out")
	STORED=0
	for _ in $(seq 600); do # 60 s at most
		STORED=$(sqlite3 -readonly "$work/e2e/c2d.db" \
			"SELECT count(*) FROM events WHERE rule = 'etc-shadow'" 2>/dev/null || echo 0)
		[ "$STORED" -ge "$n" ] && break
		# a loss is reported in band: once the gap is stored, nothing more is coming
		[ "$(sqlite3 -readonly "$work/e2e/c2d.db" "SELECT count(*) FROM events WHERE kind = 'agent_gap'" 2>/dev/null || echo 0)" -gt 0 ] &&
			[ "$(sqlite3 -readonly "$work/e2e/c2d.db" "SELECT count(*) FROM events WHERE rule = 'etc-shadow'")" = "$STORED" ] && sleep 2 &&
			[ "$(sqlite3 -readonly "$work/e2e/c2d.db" "SELECT count(*) FROM events WHERE rule = 'etc-shadow'")" = "$STORED" ] && break
		sleep 0.1
	done
	t1=$(date +%s%N)
	agent_hwm=$(kb "$agent_pid" VmHWM) col_hwm=$(kb "$col_pid" VmHWM)
	stop_agent
	kill "$col_pid"; wait "$col_pid" || true; col_pid=
	N_E2E=$n
	E2E=$(awk -v n="$STORED" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", n / ((b - a) / 1e9) }')
}

head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$work/token"
chmod 600 "$work/token"
E2E_ROWS= BEST=0
for rate in ${C2D_BENCH_E2E_RATES:-25000 50000 100000 150000 0}; do
	log "end to end: matching opens at ${rate:-max}/s, agent → collector"
	e2e "$rate"
	label=$([ "$rate" = 0 ] && echo "unpaced" || echo "paced at $rate/s")
	if [ "$STORED" -eq "$N_E2E" ]; then
		verdict="all $N_E2E stored"
		[ "$rate" != 0 ] && [ "$rate" -gt "$BEST" ] && BEST=$rate
		[ "$rate" = 0 ] && BEST=${GEN%.*}
	else
		verdict="$((N_E2E - STORED)) of $N_E2E lost, reported as agent_gap"
	fi
	E2E_ROWS+="| end to end agent → collector, $label | generated ${GEN:-?}/s | $verdict | $E2E events/s stored |"$'\n'
done

echo "| mixed workload | without agent | with agent | ratio |"
echo "| --- | --- | --- | --- |"
echo "$BUILD_ROW"
echo
echo "| measure | detail | – | value |"
echo "| --- | --- | --- | --- |"
printf '%s\n' "$PROG_ROWS"
printf '%s' "$E2E_ROWS"
echo "| highest end-to-end rate with zero loss (loopback, gzip, fsync'd spool and store) | – | – | **$BEST events/s** |"
echo "| agent resident memory | idle $(mib "$agent_idle") | after the unpaced end-to-end run (VmHWM) | **$(mib "$agent_hwm")** |"
echo "| collector resident memory | idle $(mib "$col_idle") | after the unpaced end-to-end run (VmHWM) | **$(mib "$col_hwm")** |"

#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# tests/bench/run.sh - cloud2dev benchmarks, run by `make bench` (needs root).
#
# Method (docs PERFORMANCE.md): every number is a ratio measured side by side on the same machine
# in the same run. A/B rounds are interleaved (without / with agent / with auditd / tracepoint
# floor, the order rotating from round to round), at least 11 rounds, and the result is the median
# of the per-round values. The machine is shared, so absolute ns are noisy; the ratios are what to
# compare.
#
#   1. open+close of a non-matching file (/etc/hostname), ns per iteration, without / with agent
#   2. open+close of a matching file (/etc/shadow): every open is an emitted event
#   3. getppid(), a syscall the agent does not monitor
#   1-3 have a peer arm, Linux audit (tests/bench/auditd.sh: Debian's auditd, installed if missing,
#      started and stopped in each round, no agent): read watches on the credential files that
#      exist and one syscall rule for the privileged set, log in a temp dir; after the matching
#      loop its records of key c2d are counted, so a rule that does not fire cannot pass as cheap.
#      No kernel audit, or no auditd to install: the column says "skipped: <reason>".
#   1-3 also have a floor arm, the tracepoint floor (build/bench/tp_floor, no agent): an empty BPF
#      program (r0 = 0; exit) on the agent's own openat hook, syscalls/sys_exit_openat, attached
#      before and detached after its measures in every round. It is what any classic-tracepoint
#      tool pays before doing anything; the agent's ratio above the floor's is what the agent adds.
#   4. matching events/s delivered to --stdout: a ladder of paced bursts then an unpaced one,
#      each with a fresh agent; delivered events are counted in the agent's output and checked
#      against the generated count when the kernel drop counters are zero.
#   5. attribution (tests/bench/attribution.sh): a container's events through enrichment, and
#      the latency of a new container's first attributed event.
#   6. forwarding (tests/bench/forward.sh): events/s per forwarder type into loopback sinks, and
#      the collector's ingest rate with no forwarder, one backend down, six forwarders live.
#   6b. the collector's SQLite store (tests/bench/store.sh): ingest events/s and per core through
#      HTTP, and the time of each query, on a realistic load at 1M and 5M events.
#   7. the whole system (tests/bench/system.sh): ns per run of each BPF program
#      (kernel.bpf_stats_enabled), a build with and without the agent, agent → collector end to
#      end with zero loss, resident memory of both binaries idle and after load.
#
# The table (markdown) goes to standard output, progress to standard error.
# Knobs (environment): ROUNDS (11), ITERS (200000 open+close of the non-matching file per measure),
# MATCH_ITERS (100000 of the matching file: each is an event, slower), PPID_ITERS (1000000),
# RATES ("25000 50000 100000 200000 300000 0"; 0 = as fast as possible, always run), BURST_SECONDS (2),
# MAX_N (300000, the unpaced burst), SKIP ("attribution forwarding store": sections left out;
# "auditd": no peer arm; "floor": no tracepoint floor arm),
# EXTRA_ROUNDS (4: more rounds when another c2d-agent ran
# during some), QUIET_WAIT (20: seconds in all to wait for other agents to stop),
# BUILD (build directory, default <repo>/build).
set -u -o pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/lib/agent.sh"
BUILD=${BUILD:-$ROOT/build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
AGENT=$BUILD/c2d-agent
OL=$BUILD/bench/open_loop
TP_FLOOR=$BUILD/bench/tp_floor
FLOOR_TP=sys_exit_openat # the agent's own hook for openat (bpf/file.bpf.c)
AUDITD_SH=$ROOT/tests/bench/auditd.sh

ROUNDS=${ROUNDS:-11}
ITERS=${ITERS:-200000}
MATCH_ITERS=${MATCH_ITERS:-100000}
PPID_ITERS=${PPID_ITERS:-1000000}
RATES=${RATES:-25000 50000 100000 200000 300000 0}
BURST_SECONDS=${BURST_SECONDS:-2}
MAX_N=${MAX_N:-300000}
EXTRA_ROUNDS=${EXTRA_ROUNDS:-4}
QUIET_WAIT=${QUIET_WAIT:-20}
NOMATCH=/etc/hostname
MATCH=/etc/shadow

log() { printf 'bench: %s\n' "$*" >&2; }
die() { log "FAIL: $*"; exit 1; }

[ "$(id -u)" = 0 ] || die "needs root (BPF programs are loaded)"
[ -x "$AGENT" ] || die "$AGENT missing (make)"
[ -x "$OL" ] || die "$OL missing (make $BUILD/bench/open_loop)"
case " ${SKIP:-} " in
*" floor "*) ;;
*) [ -x "$TP_FLOOR" ] || die "$TP_FLOOR missing (make $BUILD/bench/tp_floor)" ;;
esac
[ -r "$MATCH" ] && [ -r "$NOMATCH" ] || die "$MATCH or $NOMATCH not readable"
[ "$ROUNDS" -ge 11 ] 2>/dev/null || log "warning: ROUNDS=$ROUNDS < 11, below the method's minimum"

mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf || die "cannot mount bpffs"
if [ ! -d /sys/kernel/tracing/events ]; then
	mount -t tracefs tracefs /sys/kernel/tracing || die "cannot mount tracefs"
fi

TMP=$(mktemp -d /tmp/c2d-bench.XXXXXX) || die "mktemp"
AGENT_PID='' COUNT_PID='' BURST_PID='' FLOOR_PID='' AGENT_PROGS='' AUDITD_ON=0
FAILED=0

cleanup() {
	local p
	for p in $BURST_PID $COUNT_PID $AGENT_PID $FLOOR_PID; do
		kill -0 "$p" 2>/dev/null && kill -TERM "$p" 2>/dev/null
	done
	for p in $BURST_PID $COUNT_PID $AGENT_PID $FLOOR_PID; do
		for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -0 "$p" 2>/dev/null && kill -KILL "$p" 2>/dev/null
	done
	wait 2>/dev/null
	# the audit state as found: our auditd stopped, its rules removed, settings restored
	[ "$AUDITD_ON" = 0 ] || "$AUDITD_SH" stop
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- helpers ------------------------------------------------------------------------------------

# BPF programs loaded now (ids), and the recursion misses of some of them: an invocation the kernel
# skipped because a BPF program was already running on that CPU is an event lost without any
# counter of the agent seeing it.
prog_ids() { bpftool prog show 2>/dev/null | awk -F: '/^[0-9]+:/ {print $1}' | sort; }
prog_misses() { # IDS...
	bpftool prog show 2>/dev/null | awk -v ids=" $* " '/^[0-9]+:/ {
		id = $1; sub(":", "", id)
		if (index(ids, " " id " "))
			for (i = 1; i < NF; i++) if ($i == "recursion_misses") s += $(i + 1)
	} END {print s + 0}'
}

# start_agent STDOUT STDERR: starts the agent, waits for "ready"; sets AGENT_PID and AGENT_PROGS
# (the programs that appeared meanwhile: its own, unless someone else loaded some at that moment).
start_agent() {
	local out=$1 err=$2 before
	before=$(prog_ids)
	# no per-container budget: these measure what the pipeline carries, not the policy
	"$AGENT" --stdout --container-rate 0 --fold-window 0 >"$out" 2>"$err" &
	AGENT_PID=$!
	if c2d_agent_ready "$err" "$AGENT_PID"; then
		AGENT_PROGS=$(comm -13 <(echo "$before") <(prog_ids) | tr '\n' ' ')
		sleep 0.3
		return 0
	fi
	log "agent did not become ready; its stderr:"
	sed 's/^/  /' "$err" >&2
	die "agent start"
}

# stop_agent STDERR: SIGTERM, wait for a clean exit; sets DROPS and PDROPS from its stats line,
# MISSES from its programs' recursion misses.
stop_agent() {
	local err=$1 rc line
	# shellcheck disable=SC2086
	MISSES=$(prog_misses $AGENT_PROGS)
	kill -TERM "$AGENT_PID" 2>/dev/null
	for _ in $(seq 150); do kill -0 "$AGENT_PID" 2>/dev/null || break; sleep 0.1; done
	if kill -0 "$AGENT_PID" 2>/dev/null; then
		log "agent did not stop within 15 s of SIGTERM: SIGKILL"
		kill -KILL "$AGENT_PID"
		FAILED=1
	fi
	wait "$AGENT_PID"
	rc=$?
	AGENT_PID=
	[ "$rc" = 0 ] || { log "agent exited with status $rc"; FAILED=1; }
	line=$(grep -o 'kernel drops ringbuf=[0-9]* proc_ringbuf=[0-9]*' "$err" | tail -n 1)
	if [ -z "$line" ]; then
		log "no stats line in the agent's stderr:"
		sed 's/^/  /' "$err" >&2
		FAILED=1
		DROPS="?" PDROPS="?"
		return
	fi
	line=${line#kernel drops ringbuf=}
	DROPS=${line% proc_ringbuf=*} PDROPS=${line#* proc_ringbuf=}
}

# Other agents (other people's tests) attach programs that slow down both conditions. A
# zombie (exited, not reaped: an init that does not reap orphans) holds no program: not counted.
other_agents() {
	local p
	for p in $(pgrep '^c2d-agent'); do
		[ "$p" != "${AGENT_PID:-}" ] && [ "$(awk '{print $3}' "/proc/$p/stat" 2>/dev/null)" != Z ] &&
			[ -e "/proc/$p" ] && echo "$p"
	done
}
foreign_agents() { other_agents | wc -l; }

kv() { tr ' ' '\n' | sed -n "s/^$1=//p"; } # kv KEY < "k=v k=v"
proc_cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }

# measure ROUND COND: one pass of the three loads, appended to $AB as "round cond measure wall cpu"
# (ns per iteration: wall clock, and the loop's own CPU time). The matching loop goes last: the
# agent may still be draining its events for a while, which would slow down a measure after it
# (stop_agent waits for that drain to end).
measure() {
	local out
	out=$("$OL" getppid "$PPID_ITERS") || die "open_loop getppid"
	echo "$1 $2 getppid $out" >>"$AB"
	out=$("$OL" open "$NOMATCH" "$ITERS") || die "open_loop open $NOMATCH"
	echo "$1 $2 nomatch $out" >>"$AB"
	out=$("$OL" open "$MATCH" "$MATCH_ITERS") || die "open_loop open $MATCH"
	echo "$1 $2 match $out" >>"$AB"
}

# Wait (from a shared budget of QUIET_WAIT seconds) until no other c2d-agent runs.
QUIET_LEFT=$QUIET_WAIT
wait_quiet() {
	local said=0
	while [ "$(foreign_agents)" != 0 ] && [ "$QUIET_LEFT" -gt 0 ]; do
		[ "$said" = 1 ] || log "another c2d-agent is running ($(other_agents | paste -sd,)): waiting up to $QUIET_LEFT s"
		said=1
		sleep 1
		QUIET_LEFT=$((QUIET_LEFT - 1))
	done
}

# ---- header -------------------------------------------------------------------------------------
STATS_ENABLED=$(sysctl -n kernel.bpf_stats_enabled 2>/dev/null || echo "?")
[ "$STATS_ENABLED" = 0 ] || log "WARNING: kernel.bpf_stats_enabled=$STATS_ENABLED: timings are inflated"
START_S=$SECONDS
START_DATE=$(date -u +%Y-%m-%dT%H:%M:%SZ)

# ---- 1-3: interleaved A/B rounds ---------------------------------------------------------------
# The peer arm: auditd started for its measures, its records counted, stopped (the audit state
# restored). A failed start leaves the arm out from then on ("skipped: <reason>"), never fails the
# bench. The first start (before the rounds) installs auditd if it is missing.
AUDITD_SKIP='' AUDITD_DESC='' AUDITD_COUNTS=$TMP/auditd-counts.txt
: >"$AUDITD_COUNTS"
auditd_start() {
	local out
	AUDITD_ON=1 # from here on the trap restores, even if interrupted inside start
	if out=$("$AUDITD_SH" start); then
		out=${out#ok: } AUDITD_DESC=${out%%; log *}
		return 0
	fi
	AUDITD_ON=0
	AUDITD_SKIP=${out#skipped: }
	[ -n "$AUDITD_SKIP" ] || AUDITD_SKIP="tests/bench/auditd.sh start failed"
	log "auditd arm left out: $AUDITD_SKIP"
	return 1
}
auditd_stop() { "$AUDITD_SH" stop; AUDITD_ON=0; }
case " ${SKIP:-} " in *" auditd "*) AUDITD_SKIP="SKIP" ;; esac
if [ -z "$AUDITD_SKIP" ] && auditd_start; then
	log "auditd: $AUDITD_DESC"
	auditd_stop
fi

# The floor arm: tp_floor attaches its empty program, prints "attached"; measured; SIGTERM detaches
# it. A failed start leaves the arm out from then on ("skipped: <reason>"), like auditd's.
FLOOR_SKIP=''
floor_start() {
	"$TP_FLOOR" "$FLOOR_TP" >"$TMP/floor.out" 2>"$TMP/floor.err" &
	FLOOR_PID=$!
	for _ in $(seq 100); do
		grep -qx attached "$TMP/floor.out" 2>/dev/null && return 0
		kill -0 "$FLOOR_PID" 2>/dev/null || break
		sleep 0.1
	done
	floor_stop
	FLOOR_SKIP=$(grep -m 1 '^tp_floor: ' "$TMP/floor.err")
	[ -n "$FLOOR_SKIP" ] || FLOOR_SKIP="tp_floor did not attach within 10 s"
	log "floor arm left out: $FLOOR_SKIP"
	return 1
}
floor_stop() {
	kill -TERM "$FLOOR_PID" 2>/dev/null
	wait "$FLOOR_PID" 2>/dev/null
	FLOOR_PID=
}
case " ${SKIP:-} " in *" floor "*) FLOOR_SKIP="SKIP" ;; esac
if [ -z "$FLOOR_SKIP" ] && floor_start; then
	log "floor: an empty program attaches to syscalls/$FLOOR_TP"
	floor_stop
fi

# A round measures the conditions in an order rotating from round to round: round r starts at the
# (r mod n)-th of the n conditions (alternating when both the auditd and floor arms are left out).
# A round during which another c2d-agent ran (other people's tests) is
# "foreign": its programs slow down every condition and hide part of ours. Up to EXTRA_ROUNDS more rounds are run to get ROUNDS clean
# ones; the medians are over the clean rounds if there are ROUNDS of them, else over all.
AB=$TMP/ab.txt
: >"$AB"
log "warm-up"
"$OL" open "$NOMATCH" "$ITERS" >/dev/null
"$OL" open "$MATCH" "$ITERS" >/dev/null
AB_DROPS=0 AB_PDROPS=0 AB_MISSES=0 CLEAN=0 FOREIGN_ROUNDS=0 RUN=0 CLEAN_LIST=' '
# (no extra round once the waiting budget is spent: the other agent is not going away)
for ((r = 0; r < ROUNDS || (CLEAN < ROUNDS && r < ROUNDS + EXTRA_ROUNDS && QUIET_LEFT > 0); r++)); do
	wait_quiet
	f0=$(foreign_agents)
	conds=(with without)
	[ -n "$AUDITD_SKIP" ] || conds+=(auditd)
	[ -n "$FLOOR_SKIP" ] || conds+=(floor)
	k=$((r % ${#conds[@]}))
	order="${conds[*]:k} ${conds[*]:0:k}"
	for cond in $order; do
		if [ "$cond" = with ]; then
			start_agent /dev/null "$TMP/ab.err"
			measure "$r" with
			stop_agent "$TMP/ab.err"
			[ "$DROPS" = "?" ] || { AB_DROPS=$((AB_DROPS + DROPS)); AB_PDROPS=$((AB_PDROPS + PDROPS)); }
			AB_MISSES=$((AB_MISSES + MISSES))
		elif [ "$cond" = auditd ]; then
			lost0=$("$AUDITD_SH" lost)
			if auditd_start; then
				measure "$r" auditd
				# records of the watch rule (waits for the backlog to drain), kernel's lost count
				nrec=$("$AUDITD_SH" count)
				lost1=$("$AUDITD_SH" lost)
				auditd_stop
				echo "$r ${nrec:-0} $((${lost1:-0} - ${lost0:-0}))" >>"$AUDITD_COUNTS"
			fi
		elif [ "$cond" = floor ]; then
			if floor_start; then
				measure "$r" floor
				floor_stop
			fi
		else
			measure "$r" without
		fi
	done
	RUN=$((RUN + 1))
	if [ "$f0" = 0 ] && [ "$(foreign_agents)" = 0 ]; then
		CLEAN=$((CLEAN + 1)) CLEAN_LIST+="$r "
		tag=clean
	else
		FOREIGN_ROUNDS=$((FOREIGN_ROUNDS + 1))
		tag="FOREIGN AGENT RUNNING"
	fi
	log "round $RUN ($tag): $(awk -v r="$r" '$1 == r {v[$3, $2] = $4} END {
		printf "hostname %s→%s ns, shadow %s→%s ns, getppid %s→%s ns",
			v["nomatch", "without"], v["nomatch", "with"], v["match", "without"],
			v["match", "with"], v["getppid", "without"], v["getppid", "with"]
		if (("match", "auditd") in v)
			printf "; auditd: hostname %s, shadow %s, getppid %s ns",
				v["nomatch", "auditd"], v["match", "auditd"], v["getppid", "auditd"] }' "$AB")$(
		awk -v r="$r" '$1 == r {printf " (%s records key c2d, %s lost)", $2, $3}' "$AUDITD_COUNTS")$(
		awk -v r="$r" '$1 == r && $2 == "floor" {v[$3] = $4} END {
			if ("match" in v)
				printf "; floor: hostname %s, shadow %s, getppid %s ns",
					v["nomatch"], v["match"], v["getppid"] }' "$AB")"
done
AB_S=$((SECONDS - START_S))
if [ "$CLEAN" -ge "$ROUNDS" ]; then USED=$CLEAN_LIST USED_NOTE="$CLEAN clean rounds"
else USED=all USED_NOTE="all $RUN rounds, only $CLEAN without another agent running"; fi

# One row per measure: medians per condition; ratio = median of the per-round ratios (min–max);
# delta = median of the per-round deltas; loop CPU = median per-round ratio of the loop's CPU time.
# The same for auditd and for the tracepoint floor against the same round's "without" measure.
# The auditd arm's proof of work, on the matching row: its records of key c2d per round (at least
# one per timed open, or the rule did not fire), and the records the kernel counted as lost.
AUDITD_NOTE=$(awk -v used="$USED" -v iters="$MATCH_ITERS" '
used == "all" || index(used, " " $1 " ") {
	n++; lost += $3
	if (n == 1 || $2 < lo) lo = $2
	if (n == 1 || $2 > hi) hi = $2
}
END {
	if (!n) exit
	span = lo == hi ? lo : lo "–" hi
	if (lo < iters)
		printf "**auditd wrote only %s records (key c2d) in a round for %d opens: its rule did not fire on every open**", span, iters
	else
		printf "auditd wrote %s records (key c2d) per round for %d timed opens and the warm-up", span, iters
	printf "; kernel lost %d", lost
}' "$AUDITD_COUNTS")
ROWS=$(awk -v used="$USED" -v nm="open+close, non-matching ($NOMATCH)" \
	-v m="open+close, matching ($MATCH), every open emitted" -v gp="getppid (not monitored)" \
	-v askip="${AUDITD_SKIP:+skipped: $AUDITD_SKIP}" -v anote="$AUDITD_NOTE" \
	-v fskip="${FLOOR_SKIP:+skipped: $FLOOR_SKIP}" '
function med(a, n,   i, j, t) {
	for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
# ratio(x, cond): medians of cond against "without" over the rounds that have both; sets N,
# MA (without), MB (cond), MQ (ratio), MD (delta), MC (CPU ratio), LO, HI (ratio range)
function ratio(x, cond,   r, a, b, q, d, c) {
	N = 0
	for (r in rounds) {
		if (!((x, cond, r) in wall) || !((x, "without", r) in wall)) continue
		N++
		a[N] = wall[x, "without", r]; b[N] = wall[x, cond, r]
		q[N] = b[N] / a[N]; d[N] = b[N] - a[N]
		c[N] = cpu[x, cond, r] / cpu[x, "without", r]
		if (N == 1 || q[N] < LO) LO = q[N]
		if (N == 1 || q[N] > HI) HI = q[N]
	}
	MA = med(a, N); MB = med(b, N); MQ = med(q, N); MD = med(d, N); MC = med(c, N)
}
used == "all" || index(used, " " $1 " ") { wall[$3, $2, $1] = $4; cpu[$3, $2, $1] = $5; rounds[$1] = 1 }
END {
	label["nomatch"] = nm; label["match"] = m; label["getppid"] = gp
	split("nomatch match getppid", order, " ")
	for (k = 1; k <= 3; k++) {
		x = order[k]
		ratio(x, "auditd")
		if (N) {
			acell = sprintf("%.0f ns", MB)
			aratio = sprintf("%.2f (%+.0f ns; rounds %.2f–%.2f; loop CPU time %.2f)", MQ, MD, LO, HI, MC)
			if (x == "match" && anote != "") aratio = aratio "; " anote
		} else {
			acell = askip != "" ? askip : "skipped: no round with auditd"; aratio = "–"
		}
		ratio(x, "floor")
		if (N) {
			fcell = sprintf("%.0f ns", MB)
			fratio = sprintf("%.2f (%+.0f ns; rounds %.2f–%.2f; loop CPU time %.2f)", MQ, MD, LO, HI, MC)
		} else {
			fcell = fskip != "" ? fskip : "skipped: no round with the floor"; fratio = "–"
		}
		ratio(x, "with")
		printf "| %s | %.0f ns | %.0f ns | %s | **%.2f** (%+.0f ns; rounds %.2f–%.2f; loop CPU time %.2f) | %s | %s | %s |\n",
			label[x], MA, MB, acell, MQ, MD, LO, HI, MC, aratio, fcell, fratio
	}
}' "$AB")
ROWS+=$'\n'"| kernel drops during the A/B rounds with agent (matching opens) | – | – | – | ringbuf=$AB_DROPS proc_ringbuf=$AB_PDROPS; program recursion misses $AB_MISSES | – | – | – |"

# ---- 4: matching events/s delivered to --stdout ------------------------------------------------
# burst RATE N: fresh agent with --stdout into `open_loop count`, N opens of $MATCH by a process
# whose pid is known before it starts (it waits on a fifo, then execs), so only its events count.
CLK_TCK=$(getconf CLK_TCK)
BEST_RATE=0 FOREIGN_BURSTS=0 LAST_GEN_RATE=0
EV_ROWS=
# On a mismatch, keep the agent's stderr and the burst/count output for whoever looks into it.
keep_evidence() {
	local keep
	keep=$(mktemp -d /tmp/c2d-bench-mismatch.XXXXXX) || return
	cp "$err" "$bout" "$cout" "$keep/" 2>/dev/null
	log "evidence kept in $keep"
}
burst() {
	local rate=$1 n=$2 go=$TMP/go ev=$TMP/ev bout=$TMP/burst.out cout=$TMP/count.out
	local err=$TMP/burst.err gen start elapsed matched lines last cpu0 cpu1 drops pdrops
	local deliv_ns deliv_rate gen_rate cpu_pct label verdict kcred misses
	rm -f "$go" "$ev" "$bout" "$cout"
	mkfifo "$go" "$ev" || die mkfifo
	( read -r _ <"$go"; exec "$OL" burst "$MATCH" "$n" "$rate" ) >"$bout" &
	BURST_PID=$!
	"$OL" count "\"process\":{\"pid\":$BURST_PID," <"$ev" >"$cout" &
	COUNT_PID=$!
	start_agent "$ev" "$err"
	cpu0=$(proc_cpu_ticks "$AGENT_PID")
	echo go >"$go"
	wait "$BURST_PID" || { log "burst failed: $(cat "$bout")"; FAILED=1; }
	BURST_PID=
	sleep 0.5 # > the agent's 20 ms poll tick: let it drain what it can before the stop
	cpu1=$(proc_cpu_ticks "$AGENT_PID")
	stop_agent "$err"
	drops=$DROPS pdrops=$PDROPS misses=$MISSES
	wait "$COUNT_PID"
	COUNT_PID=
	gen=$(kv generated <"$bout")
	start=$(kv start_ns <"$bout")
	elapsed=$(kv elapsed_ns <"$bout")
	gen_rate=$(kv rate <"$bout")
	LAST_GEN_RATE=${gen_rate:-0}
	matched=$(kv matched <"$cout")
	lines=$(kv lines <"$cout")
	last=$(kv last_ns <"$cout")
	[ -n "$gen" ] && [ -n "$matched" ] || die "burst/count output missing"
	log "agent: $(grep -o 'stats: .*' "$err" | tail -n 1)"
	grep -E 'Z (warn|error) ' "$err" | sed 's/^/bench: agent said: /' >&2
	kcred=$(grep -o 'credential_read=[0-9]*' "$err" | tail -n 1)
	kcred=${kcred#credential_read=}
	# delivered: from the burst's first open to the last of its events read from the agent's stdout
	deliv_ns=$((matched > 0 ? last - start : elapsed))
	deliv_rate=$(awk -v m="$matched" -v t="$deliv_ns" 'BEGIN {printf "%.0f", (t > 0 ? m * 1e9 / t : 0)}')
	cpu_pct=$(awk -v c=$((cpu1 - cpu0)) -v hz="$CLK_TCK" -v m="$matched" \
		'BEGIN {if (m > 0) printf "%.1f", c / hz / m * 10000 * 100; else print "?"}')
	if [ "$drops" = 0 ] && [ "$pdrops" = 0 ]; then
		if [ "$matched" = "$gen" ]; then
			verdict="0 drops, delivered = generated ($gen)"
			awk -v a="$deliv_rate" -v b="$BEST_RATE" 'BEGIN {exit !(a > b)}' && BEST_RATE=$deliv_rate
		else
			verdict="**MISMATCH: 0 drops but delivered $matched of $gen**"
			log "MISMATCH: kernel drop counters are 0 but $matched of $gen events were delivered" \
				"(kernel counted ${kcred:-?} credential_read events sent, all processes)"
			keep_evidence
			FAILED=1
		fi
	else
		verdict="drops ringbuf=$drops proc_ringbuf=$pdrops; delivered $matched of $gen (missing $((gen - matched)))"
		if [ "$drops" != "?" ] && [ $((gen - matched)) -gt "$drops" ]; then
			verdict+=" **missing > counted drops**"
			log "MISMATCH: $((gen - matched)) events missing but only $drops counted as dropped" \
				"(kernel counted ${kcred:-?} credential_read events sent, all processes)"
			keep_evidence
			FAILED=1
		fi
	fi
	[ "$rate" = 0 ] && label="unpaced" || label="paced at $rate/s"
	[ "$(foreign_agents)" = 0 ] || { label+=" (another c2d-agent running)"; FOREIGN_BURSTS=$((FOREIGN_BURSTS + 1)); }
	log "burst $label: generated $gen at $gen_rate/s, delivered $matched at $deliv_rate/s (agent printed $lines lines), drops $drops/$pdrops, recursion misses $misses, agent CPU $cpu_pct % of a core per 10k ev/s"
	[ "$misses" = 0 ] || verdict+="; **$misses program invocations skipped (recursion misses)**"
	EV_ROWS+="| matching events to --stdout, burst $label, N=$n | generated $gen_rate/s | delivered $deliv_rate/s | $verdict; agent $cpu_pct % of a core per 10 k ev/s |"$'\n'
	[ "$drops" = 0 ] && [ "$pdrops" = 0 ]
}
# Paced rates climb until the first drops; the unpaced burst (rate 0) always runs: beyond the
# agent's capacity it shows that what is lost is counted.
LADDER_DONE=0
for rate in $RATES; do
	[ "$rate" = 0 ] || [ "$LADDER_DONE" = 0 ] || continue
	if [ "$rate" = 0 ]; then n=$MAX_N; else n=$((rate * BURST_SECONDS)); fi
	wait_quiet
	if ! burst "$rate" "$n"; then
		[ "$rate" = 0 ] || log "drops at $rate/s: no higher paced rate"
		LADDER_DONE=1
	elif [ "$rate" != 0 ] && [ $((LAST_GEN_RATE * 10)) -lt $((rate * 9)) ]; then
		log "the opener reached only $LAST_GEN_RATE of $rate/s (CPU-bound): no higher paced rate"
		LADDER_DONE=1
	fi
done
FOREIGN_END=$(foreign_agents)

# ---- table --------------------------------------------------------------------------------------
echo "# cloud2dev bench"
echo
echo "- date: $START_DATE (start)"
echo "- kernel: $(uname -srm), $(nproc) CPUs; kernel.bpf_stats_enabled=$STATS_ENABLED"
echo "- agent: $AGENT --stdout --container-rate 0 --fold-window 0 (output to /dev/null in the A/B rounds); $(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo "?")"
echo "- A/B: $RUN interleaved rounds in ${AB_S} s, medians over $USED_NOTE; $ITERS open+close ($MATCH_ITERS" \
	"of $MATCH) or $PPID_ITERS getppid per measure; ratio = median of the per-round ratios (their min–max)," \
	"delta = median per-round delta, loop CPU time = the same ratio for the loop's own CPU time"
if [ "$FOREIGN_ROUNDS" != 0 ] || [ "$FOREIGN_BURSTS" != 0 ] || [ "$FOREIGN_END" != 0 ]; then
	echo "- **NOTE: another c2d-agent (someone else's) was running during $FOREIGN_ROUNDS of $RUN A/B rounds," \
		"$FOREIGN_BURSTS bursts, and at the end ($FOREIGN_END): its programs and its CPU use slow both" \
		"conditions; the ratios are understated**"
fi
if [ -n "$AUDITD_SKIP" ]; then
	echo "- auditd (peer arm): skipped: $AUDITD_SKIP"
else
	echo "- auditd (peer arm, no agent; tests/bench/auditd.sh): $AUDITD_DESC; Debian's -b 8192" \
		"--backlog_wait_time 60000 -f 1; started before and stopped after its measures in every round" \
		"($(wc -l <"$AUDITD_COUNTS") rounds), log in a temp dir; auditd ratio = auditd / without, same method"
fi
if [ -n "$FLOOR_SKIP" ]; then
	echo "- tracepoint floor: skipped: $FLOOR_SKIP"
else
	echo "- tracepoint floor (no agent; tests/bench/tp_floor.c): an empty BPF program (r0 = 0; exit) on the" \
		"agent's own openat hook, syscalls/$FLOOR_TP, attached before and detached after its measures in" \
		"every round: what any classic-tracepoint tool pays before doing anything; the agent's ratio above" \
		"the floor's is what the agent adds; floor ratio = floor / without, same method"
fi
echo
echo "| measure | without | with agent | with auditd | agent ratio | auditd ratio | tracepoint floor | floor ratio |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
echo "$ROWS"
echo
echo "| measure | without agent | with agent | ratio (or value) |"
echo "| --- | --- | --- | --- |"
printf '%s' "$EV_ROWS"
echo "| highest delivered rate with zero drops | – | – | **$BEST_RATE events/s** |"
# the secret scan a container start adds (exposures.c on its OCI spec), next to the parse of the
# spec the agent does anyway
if scan=$("$BUILD/bench/spec_scan" 20000); then
	scan_us=$(echo "$scan" | sed 's/.*scan_us=\([0-9.]*\).*/\1/')
	parse_us=$(echo "$scan" | sed 's/.*parse_us=\([0-9.]*\).*/\1/')
	found=$(echo "$scan" | sed 's/.*found=\([0-9]*\).*/\1/')
	echo "| secret scan per container start (40 env entries, 12 args; $found secrets fingerprinted) | spec parse $parse_us µs | scan $scan_us µs | **$scan_us µs** |"
else
	log "spec scan bench failed"
	FAILED=1
fi
# attribution: a container's events through enrichment, and a new container's first event
# (SKIP="attribution forwarding" leaves sections out, for a quicker look at the kernel side)
skip() { case " ${SKIP:-} " in *" $1 "*) echo "| $1 | – | – | skipped (SKIP) |"; return 0 ;; esac; return 1; }
if skip attribution; then
	:
elif command -v containerd >/dev/null && command -v umoci >/dev/null; then
	"$ROOT/tests/bench/attribution.sh" || { log "attribution bench failed"; FAILED=1; }
else
	echo "| attribution | – | – | skipped: containerd/umoci not installed (bash .ci/setup) |"
fi
# forwarding: per-forwarder throughput, and ingest while forwarders work or a backend is down
if skip forwarding; then
	:
elif command -v rsyslogd >/dev/null; then
	C2D_COLLECTOR="$BUILD/c2d-collector" "$ROOT/tests/bench/forward.sh" || { log "forwarding bench failed"; FAILED=1; }
else
	echo "| forwarding | – | – | skipped: rsyslog not installed (bash .ci/setup) |"
fi
# the collector's SQLite store on a load of realistic cardinality: ingest and query times
if skip store; then
	:
else
	C2D_COLLECTOR="$BUILD/c2d-collector" REALISTIC="$BUILD/bench/realistic" \
		"$ROOT/tests/bench/store.sh" || { log "store bench failed"; FAILED=1; }
fi
# the whole system: per-program cost, a build, agent → collector end to end, memory
echo
BUILD="$BUILD" "$ROOT/tests/bench/system.sh" || { log "system bench failed"; FAILED=1; }
echo
echo "total: $((SECONDS - START_S)) s"
[ "$FAILED" = 0 ] || { log "FAILED (see above)"; exit 1; }

#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# store.sh - the collector's SQLite store on a load of realistic cardinality, for
# tests/bench/run.sh (markdown rows on stdout, progress on stderr). Release binaries, loopback.
#
# Method (issue 15; docs/performance.md "Collector store on realistic load"):
#  - The load is tests/bench/realistic.c, seeded (SEED): 40 namespaces, 1,000 workloads, 30
#    commits each over 30 days, 400 behaviours, 500 nodes, ~1.3 KB per event, six kinds.
#  - A store of STORE_SIZE events (default 1M) is filled in two parts: all but the last
#    2 x INGEST_N events by `realistic fill`, which runs the collector's own ingest and store code
#    (batch_parse + store_insert_batch, batches of 10k: the same tables, indexes and summaries
#    as POST /v1/events makes); then a collector is started on it and the last 2 x INGEST_N events
#    are POSTed through its HTTP API, gzip'd NDJSON, INGEST_N in batches of 1,000 then INGEST_N in
#    batches of 10,000, from `realistic post` (C, libcurl, bodies built before the clock starts,
#    CONNS connections) so the client is not the bottleneck. Each batch must be answered 202:
#    stored and fsync'd (WAL, synchronous=FULL). Ingest is events/s of wall time, and events/s
#    per core of the collector's own CPU time (utime+stime from /proc) over the same window.
#  - Then each query is timed with curl, warm: one unmeasured call, then QUERY_RUNS calls, the
#    median. The workload asked about is the first of /v1/workloads, the trace id an event of
#    it. The same is done at LARGE_SIZE events (default 5M; 0 skips it), filled by `realistic
#    fill` alone.
#  - BASELINE=<git revision> also builds that revision's collector (and `realistic` against its
#    store code) from `git archive` into a temporary directory and measures it at STORE_SIZE
#    (not at LARGE_SIZE: an unimproved store takes minutes to fill), so the rows show both side
#    by side and their ratio; each answer of the two collectors is also compared (md5) and a
#    difference is reported.
# Knobs: STORE_SIZE (1000000), LARGE_SIZE (5000000), INGEST_N (100000), CONNS (2),
# QUERY_RUNS (5), SEED (1), BASELINE (unset), STORE_DIR (a directory with room for the stores:
# ~1.5 KB per event and version; default a temporary one under /var/tmp), C2D_COLLECTOR,
# REALISTIC.
set -euo pipefail
cd "$(dirname "$0")/../.."

COL=${C2D_COLLECTOR:-build/c2d-collector}
REAL=${REALISTIC:-build/bench/realistic}
SIZE=${STORE_SIZE:-1000000}
LARGE=${LARGE_SIZE:-5000000}
N=${INGEST_N:-100000}
CONNS=${CONNS:-2}
RUNS=${QUERY_RUNS:-5}
SEED=${SEED:-1}
work=$(mktemp -d "${STORE_DIR:-/var/tmp}/c2d-storebench.XXXXXX")
col_pid=
HZ=$(getconf CLK_TCK)

log() { printf 'bench: %s\n' "$*" >&2; }
cleanup() {
	[ -z "$col_pid" ] || { kill "$col_pid" 2>/dev/null; wait "$col_pid" 2>/dev/null || true; }
	[ -n "${C2D_BENCH_KEEP:-}" ] && log "kept $work" || rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
kv() { tr ' ' '\n' | sed -n "s/^$1=//p"; }

head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$work/token"
chmod 600 "$work/token"
TOKEN=$(cat "$work/token")

# build_baseline REV: $work/base/{c2d-collector,realistic} from that revision's collector code
build_baseline() {
	local b=$work/base srcs
	mkdir -p "$b"
	git archive "$1" collector common | tar -x -C "$b"
	srcs=$(cd "$b" && ls collector/*.c common/*.c | grep -v '^collector/main.c$')
	(cd "$b" && cc -O2 -g -std=gnu11 -D_GNU_SOURCE -DC2D_GIT_REV='"baseline"' -I. -Icommon \
		-o c2d-collector collector/main.c $srcs -lmicrohttpd -lsqlite3 -lz -lcjson -lcurl \
		-lpthread -lm &&
		cc -O2 -g -std=gnu11 -D_GNU_SOURCE -DC2D_GIT_REV='"baseline"' -DREALISTIC_STORE -I. \
			-Icommon -o realistic "$OLDPWD/tests/bench/realistic.c" $srcs -lmicrohttpd \
			-lsqlite3 -lz -lcjson -lcurl -lpthread -lm)
}

# start_collector BINARY DB: sets col_pid, URL
start_collector() {
	local port
	port=$(free_port)
	URL="http://127.0.0.1:$port"
	"$1" --listen "127.0.0.1:$port" --db "$2" --token-file "$work/token" --retention-days 0 \
		--log-level warn >>"$work/collector.log" 2>&1 &
	col_pid=$!
	for _ in $(seq 1 200); do
		curl -fsS "$URL/healthz" >/dev/null 2>&1 && return 0
		sleep 0.05
	done
	log "collector did not start"; tail -5 "$work/collector.log" >&2; exit 1
}
stop_collector() { kill "$col_pid"; wait "$col_pid" || true; col_pid=; }

# fill REALISTIC DB FIRST COUNT TOTAL: echoes the rate
fill() {
	local out
	out=$("$1" fill "$2" "$SEED" "$3" "$4" "$5" 2>>"$work/fill.log") || { log "fill failed"; tail -3 "$work/fill.log" >&2; exit 1; }
	echo "$out" | kv rate
}

# ingest FIRST BATCH TOTAL: POSTs N events; echoes "rate per_core"
ingest() {
	local t0 t1 out secs
	t0=$(ticks "$col_pid")
	out=$("$REAL_USED" post "$URL" "$work/token" "$SEED" "$1" "$N" "$3" "$2" "$CONNS")
	t1=$(ticks "$col_pid")
	secs=$(echo "$out" | kv seconds)
	awk -v n="$N" -v s="$secs" -v c=$((t1 - t0)) -v hz="$HZ" \
		'BEGIN {printf "%.0f %.0f\n", n / s, (c > 0 ? n / (c / hz) : 0)}'
}

# qtime NAME PATH: median ms of RUNS warm calls; the answer kept in $work/ans.$TAG.NAME
qtime() {
	local ts=()
	curl -fsS -H "Authorization: Bearer $TOKEN" "$URL$2" -o "$work/ans.$TAG.$1" ||
		{ log "query $2 failed"; echo "FAILED"; return; }
	for _ in $(seq "$RUNS"); do
		ts+=("$(curl -fsS -H "Authorization: Bearer $TOKEN" -o /dev/null -w '%{time_total}' "$URL$2")")
	done
	printf '%s\n' "${ts[@]}" | sort -n | awk '{v[NR] = $1} END {printf "%.1f\n", v[int((NR + 1) / 2)] * 1000}'
}

QUERIES="findings introduced diff trace origins_commit origins_pipeline origins_repository exposures workloads"
# queries TOTAL: sets Q[name] (ms) for the collector at $URL
declare -A Q
queries() {
	local wl ns name id
	wl=$(curl -fsS -H "Authorization: Bearer $TOKEN" "$URL/v1/workloads?limit=1" |
		python3 -c 'import json,sys; w=json.load(sys.stdin)["workloads"][0]; print(w["namespace"] + "/" + w["name"])')
	ns=${wl%/*} name=${wl#*/}
	id=$(curl -fsS -H "Authorization: Bearer $TOKEN" "$URL/v1/findings?workload=$wl&limit=1" |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["findings"][0]["id"])')
	log "$TAG: queries about $ns/$name, trace $id"
	Q[findings]=$(qtime findings "/v1/findings?workload=$wl")
	Q[introduced]=$(qtime introduced "/v1/introduced?workload=$wl")
	Q[diff]=$(qtime diff "/v1/diff?workload=$wl")
	Q[trace]=$(qtime trace "/v1/trace/$id")
	Q[origins_commit]=$(qtime origins_commit "/v1/origins?by=commit")
	Q[origins_pipeline]=$(qtime origins_pipeline "/v1/origins?by=pipeline")
	Q[origins_repository]=$(qtime origins_repository "/v1/origins?by=repository")
	Q[exposures]=$(qtime exposures "/v1/exposures")
	Q[workloads]=$(qtime workloads "/v1/workloads")
}

# measure TAG COLLECTOR REALISTIC: fill + ingest + queries at SIZE; sets R_<TAG>_* and QS_<TAG>
declare -A R
measure() {
	local tag=$1 db=$work/$1.db pre=$((SIZE - 2 * N)) out
	TAG=$tag REAL_USED=$3
	log "$tag: fill $pre events"
	R[$tag.fill]=$(fill "$3" "$db" 0 "$pre" "$SIZE")
	start_collector "$2" "$db"
	log "$tag: POST $N events in batches of 1000, then $N in batches of 10000"
	out=$(ingest "$pre" 1000 "$SIZE"); R[$tag.b1k]=${out% *} R[$tag.b1k_core]=${out#* }
	out=$(ingest $((pre + N)) 10000 "$SIZE"); R[$tag.b10k]=${out% *} R[$tag.b10k_core]=${out#* }
	log "$tag: ingest ${R[$tag.b1k]}/s (1k), ${R[$tag.b10k]}/s (10k); fill ${R[$tag.fill]}/s"
	queries
	for q in $QUERIES; do R[$tag.$q]=${Q[$q]}; done
	R[$tag.bytes]=$(du -sb "$db"* | awk '{s += $1} END {printf "%.0f", s / 1048576}')
	stop_collector
	rm -f "$db"*
}

if [ -n "${BASELINE:-}" ]; then
	log "building baseline $BASELINE"
	build_baseline "$BASELINE"
	measure base "$work/base/c2d-collector" "$work/base/realistic"
fi
measure cur "$COL" "$REAL"
if [ "$LARGE" != 0 ]; then
	log "large: fill $LARGE events"
	TAG=large
	R[large.fill]=$(fill "$REAL" "$work/large.db" 0 "$LARGE" "$LARGE")
	start_collector "$COL" "$work/large.db"
	queries
	for q in $QUERIES; do R[large.$q]=${Q[$q]}; done
	R[large.bytes]=$(du -sb "$work/large.db"* | awk '{s += $1} END {printf "%.0f", s / 1048576}')
	stop_collector
fi

# ---- rows ------------------------------------------------------------------------------------
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (a + 0 > 0 && b + 0 > 0) printf " (**%.2f×**)", b / a}'; }
inv() { awk -v a="$1" -v b="$2" 'BEGIN {if (a + 0 > 0 && b + 0 > 0) printf " (**%.1f× faster**)", a / b}'; }
base() { [ -n "${BASELINE:-}" ] && echo "${R[base.$1]} → " || true; }
row() { # LABEL KEY UNIT RATIOFN
	local b=""
	[ -z "${BASELINE:-}" ] || b="${R[base.$2]} $3 → "
	echo "| [SQLite] $1 | ${b}**${R[cur.$2]} $3**$([ -z "${BASELINE:-}" ] || $4 "${R[base.$2]}" "${R[cur.$2]}") | ${R[large.$2]:-–}${R[large.$2]:+ $3} |"
}
echo "| [SQLite] store on realistic load (seed $SEED; ${BASELINE:+baseline $BASELINE → }this tree) | at $SIZE events | at $LARGE events |"
echo "| --- | --- | --- |"
row "ingest, batches of 1,000 (HTTP, gzip, durable 202)" b1k "ev/s" ratio
row "ingest, batches of 1,000, per core of collector CPU" b1k_core "ev/s" ratio
row "ingest, batches of 10,000" b10k "ev/s" ratio
row "ingest, batches of 10,000, per core of collector CPU" b10k_core "ev/s" ratio
row "fill through the store code, batches of 10,000, one thread" fill "ev/s" ratio
for q in $QUERIES; do row "query $q (median of $RUNS, warm)" "$q" ms inv; done
row "store size (db + wal)" bytes MiB ratio
if [ -n "${BASELINE:-}" ]; then
	for q in $QUERIES; do
		cmp -s "$work/ans.base.$q" "$work/ans.cur.$q" ||
			{ log "answers differ: $q"; echo "| [SQLite] answer of $q | differs from the baseline's | |"; }
	done
fi

#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# store.sh - the collector's stores, SQLite and ClickHouse, on a load of realistic cardinality,
# for tests/bench/run.sh (markdown rows on stdout, progress on stderr). Release binaries, loopback.
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
#  - Then the same for the ClickHouse store (--store clickhouse://…/bench), when clickhouse-server
#    is installed (else a row says it was skipped): a throwaway server in $work/ch
#    (tests/integration/clickhouse.sh), filled by `realistic fill-ch` with its DB argument, i.e.
#    exactly as a collector with --store ingests (events.c): the local SQLite store (the
#    replica's forwarding queue, the collector's --db afterwards) and, inside its transaction,
#    ClickHouse with the identity_change events that store made; so ClickHouse holds what the
#    SQLite run's store holds and every answer can be compared. Then the same collector ingest
#    and queries, asking about the same workload and trace as the SQLite run. Its rows follow
#    each SQLite row, prefixed [ClickHouse], with the ratio to SQLite; ingest per core is also
#    given with clickhouse-server's CPU counted (it does the storing). Each answer is compared
#    (md5) with SQLite's: the ClickHouse store promises byte-identical JSON, so any difference
#    gets a row. Also the server's RSS after the queries and the active parts' bytes on disk.
# Knobs: STORE_SIZE (1000000), LARGE_SIZE (5000000), INGEST_N (100000), CONNS (2),
# QUERY_RUNS (5), SEED (1), BASELINE (unset), STORE_DIR (a directory with room for the stores:
# ~1.5 KB per event and version, and ClickHouse's ~0.5 KB; default a temporary one under /var/tmp),
# C2D_COLLECTOR, REALISTIC.
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
ch_dir=
CH_URL=
CH_PASS=
ch_pid=
CHSH=tests/integration/clickhouse.sh
HZ=$(getconf CLK_TCK)

log() { printf 'bench: %s\n' "$*" >&2; }
cleanup() {
	[ -z "$col_pid" ] || { kill "$col_pid" 2>/dev/null; wait "$col_pid" 2>/dev/null || true; }
	# the server outlives this script unless stopped: it is not our child (clickhouse.sh's)
	[ -z "$ch_dir" ] || "$CHSH" stop "$ch_dir" >&2 || true
	[ -n "${C2D_BENCH_KEEP:-}" ] && log "kept $work" || rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# ch_ticks: clickhouse-server's CPU ticks (0 without it), for ingest per core of both processes
ch_ticks() { if [ -n "$ch_pid" ]; then ticks "$ch_pid"; else echo 0; fi; }
kv() { tr ' ' '\n' | sed -n "s/^$1=//p"; }

head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$work/token"
chmod 600 "$work/token"
TOKEN=$(cat "$work/token")

# build_baseline REV: $work/base/{c2d-collector,realistic} from that revision's collector code
# (flat, or in folders collector/<folder>/ whose headers are included by bare name)
build_baseline() {
	local b=$work/base srcs incs
	mkdir -p "$b"
	git archive "$1" collector common | tar -x -C "$b"
	srcs=$(cd "$b" && ls collector/*.c collector/*/*.c common/*.c |
		grep -v '^collector/main.c$\|^collector/cli/')
	incs=$(cd "$b" && for d in collector/*/; do
		case $d in collector/cli/ | collector/ui/) ;; *) printf -- '-I%s ' "${d%/}" ;; esac
	done)
	# shellcheck disable=SC2086 # the lists are meant to split
	(cd "$b" && cc -O2 -g -std=gnu11 -D_GNU_SOURCE -DC2D_GIT_REV='"baseline"' -I. -Icommon \
		-Icollector $incs -o c2d-collector collector/main.c $srcs -lmicrohttpd -lsqlite3 -lz \
		-lcjson -lcurl -lpthread -lm &&
		cc -O2 -g -std=gnu11 -D_GNU_SOURCE -DC2D_GIT_REV='"baseline"' -DREALISTIC_STORE -I. \
			-Icommon -Icollector $incs -o realistic "$OLDPWD/tests/bench/realistic.c" $srcs \
			-lmicrohttpd -lsqlite3 -lz -lcjson -lcurl -lpthread -lm)
}

# start_collector BINARY DB: sets col_pid, URL; with CH_URL set, on the ClickHouse store (DB is
# then the replica's local store)
start_collector() {
	local port store=()
	port=$(free_port)
	URL="http://127.0.0.1:$port"
	[ -z "$CH_URL" ] || store=(--store "$CH_URL" --store-password-file "$CH_PASS")
	"$1" --listen "127.0.0.1:$port" --db "$2" "${store[@]}" --token-file "$work/token" \
		--retention-days 0 --log-level warn >>"$work/collector.log" 2>&1 &
	col_pid=$!
	for _ in $(seq 1 200); do
		curl -fsS "$URL/healthz" >/dev/null 2>&1 && return 0
		sleep 0.05
	done
	log "collector did not start"; tail -5 "$work/collector.log" >&2; exit 1
}
stop_collector() { kill "$col_pid"; wait "$col_pid" || true; col_pid=; }

# fill REALISTIC DB FIRST COUNT TOTAL: echoes the rate; with CH_URL set, into ClickHouse and DB
# as a collector with --store ingests (see the top)
fill() {
	local out args=(fill "$2")
	[ -z "$CH_URL" ] || args=(fill-ch "$CH_URL" "$CH_PASS")
	args+=("$SEED" "$3" "$4" "$5")
	[ -z "$CH_URL" ] || args+=("$2")
	out=$("$1" "${args[@]}" 2>>"$work/fill.log") || { log "fill failed"; tail -3 "$work/fill.log" >&2; exit 1; }
	echo "$out" | kv rate
}

# ingest FIRST BATCH TOTAL: POSTs N events; echoes "rate per_core per_core_with_clickhouse"
ingest() {
	local t0 t1 c0 c1 out secs
	t0=$(ticks "$col_pid") c0=$(ch_ticks)
	out=$("$REAL_USED" post "$URL" "$work/token" "$SEED" "$1" "$N" "$3" "$2" "$CONNS")
	t1=$(ticks "$col_pid") c1=$(ch_ticks)
	secs=$(echo "$out" | kv seconds)
	awk -v n="$N" -v s="$secs" -v c=$((t1 - t0)) -v a=$((t1 - t0 + c1 - c0)) -v hz="$HZ" \
		'BEGIN {printf "%.0f %.0f %.0f\n", n / s, (c > 0 ? n / (c / hz) : 0), (a > 0 ? n / (a / hz) : 0)}'
}

# qtime NAME PATH: median ms of RUNS warm calls, or FAILED/<HTTP status>; the answer kept in
# $work/ans.$TAG.NAME
qtime() {
	local ts=() code
	code=$(curl -sS -H "Authorization: Bearer $TOKEN" "$URL$2" -o "$work/ans.$TAG.$1" -w '%{http_code}') ||
		code=000
	[ "$code" = 200 ] || { log "$TAG: query $2 failed: HTTP $code"; echo "FAILED/$code"; return; }
	for _ in $(seq "$RUNS"); do
		ts+=("$(curl -fsS -H "Authorization: Bearer $TOKEN" -o /dev/null -w '%{time_total}' "$URL$2")")
	done
	printf '%s\n' "${ts[@]}" | sort -n | awk '{v[NR] = $1} END {printf "%.1f\n", v[int((NR + 1) / 2)] * 1000}'
}

QUERIES="findings introduced diff trace origins_commit origins_pipeline origins_repository exposures workloads"
# queries [WORKLOAD TRACE_ID]: sets Q[name] (ms) for the collector at $URL, and S[$TAG.wl] and
# S[$TAG.id], the workload and trace asked about: the first of /v1/workloads and an event of it,
# or the ones given (ClickHouse is asked what SQLite was, so the answers compare)
declare -A Q S
queries() {
	local wl ns name id
	if [ $# = 2 ]; then
		wl=$1 id=$2
	else
		wl=$(curl -fsS -H "Authorization: Bearer $TOKEN" "$URL/v1/workloads?limit=1" |
			python3 -c 'import json,sys; w=json.load(sys.stdin)["workloads"][0]; print(w["namespace"] + "/" + w["name"])')
		id=$(curl -fsS -H "Authorization: Bearer $TOKEN" "$URL/v1/findings?workload=$wl&limit=1" |
			python3 -c 'import json,sys; print(json.load(sys.stdin)["findings"][0]["id"])')
	fi
	S[$TAG.wl]=$wl S[$TAG.id]=$id
	ns=${wl%/*} name=${wl#*/}
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

# ch_sql SQL: one statement on the throwaway ClickHouse, its answer (TSV); the password goes in
# curl's config on stdin, not on a command line
ch_sql() {
	printf 'user = "default:%s"\n' "$(head -n 1 "$CH_PASS")" |
		curl -fsS -K - "http://127.0.0.1:$ch_port/" --data-binary "$1"
}

# sizes TAG DB: R[TAG.bytes] (MiB of the store); with ClickHouse also R[TAG.parts], R[TAG.local]
# (the replica's SQLite) and R[TAG.rss] (clickhouse-server's resident memory, MiB)
mib() { du -scb "$@" | awk 'END {printf "%.0f", $1 / 1048576}'; }
sizes() {
	local out
	if [ -z "$CH_URL" ]; then
		R[$1.bytes]=$(mib "$2"*)
		return
	fi
	R[$1.local]=$(mib "$2"*)
	# active parts only: the ones a merge replaced are deleted a few minutes later
	out=$(ch_sql "SELECT sum(bytes_on_disk), count() FROM system.parts WHERE active AND database = 'bench'")
	R[$1.bytes]=$(echo "$out" | awk '{printf "%.0f", $1 / 1048576}')
	R[$1.parts]=$(echo "$out" | awk '{print $2}')
	R[$1.rss]=$(awk '/^VmRSS:/ {printf "%.0f", $2 / 1024}' "/proc/$ch_pid/status")
}

# measure TAG COLLECTOR REALISTIC [SUBJECT_TAG]: fill + ingest + queries at SIZE, asking about
# SUBJECT_TAG's workload and trace if given; sets R[TAG.*]
declare -A R
measure() {
	local tag=$1 db=$work/$1.db pre=$((SIZE - 2 * N)) out a b c
	TAG=$tag REAL_USED=$3
	log "$tag: fill $pre events"
	R[$tag.fill]=$(fill "$3" "$db" 0 "$pre" "$SIZE")
	start_collector "$2" "$db"
	log "$tag: POST $N events in batches of 1000, then $N in batches of 10000"
	out=$(ingest "$pre" 1000 "$SIZE")
	read -r a b c <<<"$out"
	R[$tag.b1k]=$a R[$tag.b1k_core]=$b R[$tag.b1k_all]=$c
	out=$(ingest $((pre + N)) 10000 "$SIZE")
	read -r a b c <<<"$out"
	R[$tag.b10k]=$a R[$tag.b10k_core]=$b R[$tag.b10k_all]=$c
	log "$tag: ingest ${R[$tag.b1k]}/s (1k), ${R[$tag.b10k]}/s (10k); fill ${R[$tag.fill]}/s"
	if [ $# = 4 ]; then queries "${S[$4.wl]}" "${S[$4.id]}"; else queries; fi
	for q in $QUERIES; do R[$tag.$q]=${Q[$q]}; done
	sizes "$tag" "$db"
	stop_collector
	rm -f "$db"*
}

# measure_large TAG [SUBJECT_TAG]: fill LARGE events (fill alone: no ingest), then the queries
measure_large() {
	local tag=$1 db=$work/$1.db
	TAG=$tag
	log "$tag: fill $LARGE events"
	R[$tag.fill]=$(fill "$REAL" "$db" 0 "$LARGE" "$LARGE")
	start_collector "$COL" "$db"
	if [ $# = 2 ]; then queries "${S[$2.wl]}" "${S[$2.id]}"; else queries; fi
	for q in $QUERIES; do R[$tag.$q]=${Q[$q]}; done
	sizes "$tag" "$db"
	stop_collector
	rm -f "$db"*
}

if [ -n "${BASELINE:-}" ]; then
	log "building baseline $BASELINE"
	build_baseline "$BASELINE"
	measure base "$work/base/c2d-collector" "$work/base/realistic"
fi
measure cur "$COL" "$REAL"
[ "$LARGE" = 0 ] || measure_large large

# ---- the ClickHouse store: the same, on a throwaway server --------------------------------
ch_state=skipped ch_note=
# as root, clickhouse.sh runs the server as an unprivileged user, which must reach $work/ch
chmod 711 "$work"
ch_dir=$work/ch
rc=0
ch_port=$("$CHSH" start "$ch_dir") || rc=$?
if [ "$rc" = 77 ]; then
	ch_dir='' ch_note="skipped: clickhouse-server not installed"
	log "clickhouse: $ch_note"
elif [ "$rc" != 0 ]; then
	ch_state=failed ch_note="FAILED: clickhouse-server did not start (exit $rc)"
	log "clickhouse: $ch_note"
else
	ch_state=ran
	CH_PASS=$ch_dir/password CH_URL=clickhouse://127.0.0.1:$ch_port/bench
	ch_pid=$(cat "$ch_dir/pid")
	log "clickhouse: server pid $ch_pid on 127.0.0.1:$ch_port"
	measure ch "$COL" "$REAL" cur
	if [ "$LARGE" != 0 ]; then
		ch_sql "DROP DATABASE IF EXISTS bench" # the large store starts empty, as SQLite's
		measure_large chlarge large
	fi
	"$CHSH" stop "$ch_dir" >&2
	ch_dir='' ch_pid=''
fi

# ---- rows ------------------------------------------------------------------------------------
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (a + 0 > 0 && b + 0 > 0) printf " (**%.2f×**)", b / a}'; }
inv() { awk -v a="$1" -v b="$2" 'BEGIN {if (a + 0 > 0 && b + 0 > 0) printf " (**%.1f× faster**)", a / b}'; }
chratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (a + 0 > 0 && b + 0 > 0) printf " (%.2f× SQLite)", b / a}'; }
# cell VALUE UNIT: "VALUE UNIT"; a value that is no number (FAILED/501, none: –) without the unit
cell() { case ${1:-–} in *[!0-9.]*) echo "${1:-–}" ;; *) echo "$1${2:+ $2}" ;; esac; }
row() { # LABEL KEY UNIT RATIOFN
	local b=""
	[ -z "${BASELINE:-}" ] || b="$(cell "${R[base.$2]:-}" "$3") → "
	echo "| [SQLite] $1 | ${b}**$(cell "${R[cur.$2]:-}" "$3")**$([ -z "${BASELINE:-}" ] || $4 "${R[base.$2]:-}" "${R[cur.$2]:-}") | $(cell "${R[large.$2]:-}" "$3") |"
}
chrow() { # LABEL KEY UNIT [SQLITE_KEY]: the ClickHouse row, and its ratio to SQLite's
	[ "$ch_state" = ran ] || return 0
	local s=${4:-$2}
	echo "| [ClickHouse] $1 | **$(cell "${R[ch.$2]:-}" "$3")**$(chratio "${R[cur.$s]:-}" "${R[ch.$2]:-}") | $(cell "${R[chlarge.$2]:-}" "$3")$(chratio "${R[large.$s]:-}" "${R[chlarge.$2]:-}") |"
}
echo "| [SQLite] store on realistic load (seed $SEED; ${BASELINE:+baseline $BASELINE → }this tree)${CH_URL:+, and [ClickHouse] 18.16 (ratio: ClickHouse ÷ SQLite)} | at $SIZE events | at $LARGE events |"
echo "| --- | --- | --- |"
row "ingest, batches of 1,000 (HTTP, gzip, durable 202)" b1k "ev/s" ratio
chrow "ingest, batches of 1,000 (HTTP, gzip, in ClickHouse and the local SQLite)" b1k "ev/s"
row "ingest, batches of 1,000, per core of collector CPU" b1k_core "ev/s" ratio
chrow "ingest, batches of 1,000, per core of collector CPU" b1k_core "ev/s"
chrow "ingest, batches of 1,000, per core of collector + clickhouse-server CPU" b1k_all "ev/s" b1k_core
row "ingest, batches of 10,000" b10k "ev/s" ratio
chrow "ingest, batches of 10,000" b10k "ev/s"
row "ingest, batches of 10,000, per core of collector CPU" b10k_core "ev/s" ratio
chrow "ingest, batches of 10,000, per core of collector CPU" b10k_core "ev/s"
chrow "ingest, batches of 10,000, per core of collector + clickhouse-server CPU" b10k_all "ev/s" b10k_core
row "fill through the store code, batches of 10,000, one thread" fill "ev/s" ratio
chrow "fill through the store code (local SQLite, ClickHouse inside its transaction), batches of 10,000, one thread" fill "ev/s"
for q in $QUERIES; do
	row "query $q (median of $RUNS, warm)" "$q" ms inv
	chrow "query $q (median of $RUNS, warm)" "$q" ms
done
row "store size (db + wal)" bytes MiB ratio
if [ "$ch_state" = ran ]; then
	chrow "store size (active parts of database bench, bytes on disk)" bytes MiB
	chrow "active parts of database bench" parts ""
	chrow "the replica's local SQLite store (db + wal: its forwarding queue)" local MiB
	chrow "clickhouse-server RSS after the queries (VmRSS)" rss MiB
else
	echo "| [ClickHouse] store on realistic load | $ch_note | |"
fi
if [ -n "${BASELINE:-}" ]; then
	for q in $QUERIES; do
		cmp -s "$work/ans.base.$q" "$work/ans.cur.$q" ||
			{ log "answers differ: $q"; echo "| [SQLite] answer of $q | differs from the baseline's | |"; }
	done
fi
# same SQLITE_TAG CH_TAG Q: how ClickHouse's answer compares with SQLite's ("" when identical)
md5of() { md5sum <"$1" | cut -c1-12; }
same() {
	if [ -z "${R[$2.$3]:-}" ]; then echo "–"
	elif [[ ${R[$2.$3]} == FAILED* ]]; then echo "no answer: ${R[$2.$3]}"
	elif [[ ${R[$1.$3]} == FAILED* ]]; then echo "SQLite gave no answer: ${R[$1.$3]}"
	elif ! cmp -s "$work/ans.$1.$3" "$work/ans.$2.$3"; then
		echo "**differs**: md5 $(md5of "$work/ans.$2.$3")… vs SQLite's $(md5of "$work/ans.$1.$3")…"
	fi
}
if [ "$ch_state" = ran ]; then
	n_same=0 n_large=0
	for q in $QUERIES; do
		a=$(same cur ch "$q") b=$(same large chlarge "$q")
		[ -n "$a" ] || n_same=$((n_same + 1))
		[ -n "$b" ] || n_large=$((n_large + 1))
		if [ -n "$a" ] || { [ -n "$b" ] && [ "$b" != – ]; }; then
			log "clickhouse: answer of $q: ${a:-same} / ${b:-same}"
			echo "| [ClickHouse] answer of $q vs SQLite's | ${a:-same} | ${b:-same} |"
		fi
	done
	nq=$(echo $QUERIES | wc -w)
	echo "| [ClickHouse] answers byte-identical to SQLite's (md5) | $n_same of $nq | $([ "$LARGE" = 0 ] && echo – || echo "$n_large of $nq") |"
fi
[ "$ch_state" != failed ] || exit 1

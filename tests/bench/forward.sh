#!/usr/bin/env bash
# forward.sh - forwarding and ingest under forwarding, for tests/bench/run.sh (markdown rows on
# stdout, progress on stderr). Release binaries, loopback only.
#  1. Forwarding throughput per forwarder type: a store preloaded with N findings, a collector
#     started on a copy of it with that one forwarder, timed until /metrics says all N were
#     acknowledged. Sinks: the strict stand-ins of tests/integration/standins/backend.py (OTLP,
#     Loki, Elasticsearch, Splunk HEC, webhook; Python, so often the slower side) and a real
#     rsyslogd (syslog over TCP). Also the collector's own CPU per 1000 events forwarded.
#  2. Ingest rate with forwarders at work, side by side in interleaved rounds (median): no
#     forwarder; one forwarder whose backend is down (retrying); all six draining live.
set -euo pipefail
cd "$(dirname "$0")/../.."

COL=${C2D_COLLECTOR:-build/c2d-collector}
N=${C2D_BENCH_FWD_N:-20000}
ROUNDS=${C2D_BENCH_INGEST_ROUNDS:-5}
TYPES="otlp loki elastic splunk webhook syslog"
work=$(mktemp -d /tmp/c2d-fwdbench.XXXXXX)
pids=()
col_pid=

log() { printf 'bench: %s\n' "$*" >&2; }
cleanup() {
	for p in "${pids[@]}" $col_pid; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null || true; done
	[ -n "${C2D_BENCH_KEEP:-}" ] && log "kept $work" || rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; } # utime + stime of a process, clock ticks
HZ=$(getconf CLK_TCK)

head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$work/token"
echo standin-token >"$work/backend-token"
chmod 600 "$work/token" "$work/backend-token"

# start_collector DB CONFIG: sets col_pid, COL_URL
start_collector() {
	local port
	port=$(free_port)
	COL_URL="http://127.0.0.1:$port"
	"$COL" --listen "127.0.0.1:$port" --db "$1" --token-file "$work/token" \
		${2:+--config "$2"} >>"$work/collector.log" 2>&1 &
	col_pid=$!
	for _ in $(seq 1 100); do
		curl -fsS "$COL_URL/healthz" >/dev/null 2>&1 && return 0
		sleep 0.05
	done
	log "collector did not start"; tail -5 "$work/collector.log" >&2; exit 1
}
stop_collector() { kill "$col_pid"; wait "$col_pid" || true; col_pid=; }
metric() { # NAME_AND_LABELS: the value at the collector's /metrics, or 0
	curl -fsS "$COL_URL/metrics" | awk -v k="$1" 'index($0, k" ") == 1 { print $2; f=1 } END { if (!f) print 0 }'
}

# sink TYPE PORT: a backend for one forwarder type; echoes its config lines
sink() {
	local t=$1 port=$2 path
	case $t in
	otlp) path=/v1/logs ;; loki) path=/loki/api/v1/push ;; elastic) path=/_bulk ;;
	splunk) path=/services/collector/event ;; webhook) path=/hook ;;
	esac
	if [ "$t" = syslog ]; then
		mkdir -p "$work/rsyslog-$port"
		cat >"$work/rsyslog-$port.conf" <<-CONF
			global(workDirectory="$work/rsyslog-$port")
			module(load="imtcp")
			input(type="imtcp" address="127.0.0.1" port="$port")
			template(name="raw" type="string" string="%rawmsg%\n")
			*.* action(type="omfile" file="$work/syslog-$port.out" template="raw")
		CONF
		rsyslogd -n -f "$work/rsyslog-$port.conf" -i "$work/rsyslog-$port.pid" \
			>>"$work/sinks.log" 2>&1 &
		pids+=($!)
		printf 'forwarder.%s.type = syslog\nforwarder.%s.url = tcp://127.0.0.1:%s\n' "$t" "$t" "$port"
	else
		python3 tests/integration/standins/backend.py "$t" "$port" "$work/$t-$port.out" "" \
			>>"$work/sinks.log" 2>&1 &
		pids+=($!)
		printf 'forwarder.%s.type = %s\nforwarder.%s.url = http://127.0.0.1:%s%s\n' "$t" "$t" "$t" "$port" "$path"
		printf 'forwarder.%s.token_file = %s\n' "$t" "$work/backend-token"
	fi
	for _ in $(seq 1 100); do # listening?
		python3 -c "import socket,sys; socket.create_connection(('127.0.0.1',$port),0.2)" 2>/dev/null && return 0
		sleep 0.05
	done
	log "the $t sink did not start"; exit 1
}
stop_sinks() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null || true; done; pids=(); }

# ---- 1. forwarding throughput per type -------------------------------------------------------
log "forwarding: preloading a store with $N findings"
start_collector "$work/base.db" ""
tests/bench/post_events.py "$COL_URL" "$work/token" "$N" >/dev/null
stop_collector
FWD_ROWS=
for t in $TYPES; do
	rm -f "$work/f.db"*
	cp "$work/base.db" "$work/f.db"
	sink "$t" "$(free_port)" >"$work/f.conf"
	t0=$(date +%s.%N)
	start_collector "$work/f.db" "$work/f.conf"
	c0=$(ticks "$col_pid")
	done_n=0
	for _ in $(seq 1 1200); do # 120 s at most
		done_n=$(metric "c2d_collector_forwarder_sent_events_total{forwarder=\"$t\",type=\"$t\"}")
		[ "$done_n" -ge "$N" ] && break
		sleep 0.1
	done
	t1=$(date +%s.%N)
	c1=$(ticks "$col_pid")
	fails=$(metric "c2d_collector_forwarder_failures_total{forwarder=\"$t\",type=\"$t\"}")
	stop_collector
	stop_sinks
	if [ "$done_n" -lt "$N" ]; then
		log "$t: only $done_n of $N forwarded in 120 s"; exit 1
	fi
	row=$(awk -v n="$N" -v a="$t0" -v b="$t1" -v c="$((c1 - c0))" -v hz="$HZ" -v f="$fails" -v t="$t" \
		'BEGIN { s = b - a; printf "| forwarding: %s | %d events in %.2f s | collector CPU %.1f ms per 1000 events, %d failed requests | **%.0f events/s** |", t, n, s, c * 1000 / hz / (n / 1000), f, n / s }')
	log "$row"
	FWD_ROWS+="$row"$'\n'
done

# ---- 2. ingest while forwarding --------------------------------------------------------------
dead=$(free_port) # nothing listens: that backend is down
printf 'forwarder.down.type = webhook\nforwarder.down.url = http://127.0.0.1:%s/hook\nforwarder.down.timeout_ms = 1000\n' \
	"$dead" >"$work/down.conf"
declare -A RATE
for r in $(seq 1 "$ROUNDS"); do
	conds="none down live"
	[ $((r % 2)) -eq 0 ] && conds="live down none"
	for cond in $conds; do
		rm -f "$work/i.db"* "$work/live.conf"
		conf=
		case $cond in
		down) conf=$work/down.conf ;;
		live) for t in $TYPES; do sink "$t" "$(free_port)" >>"$work/live.conf"; done
		      conf=$work/live.conf ;;
		esac
		start_collector "$work/i.db" "$conf"
		read -r n secs < <(tests/bench/post_events.py "$COL_URL" "$work/token" "$N")
		RATE[$cond]+="$(awk -v n="$n" -v s="$secs" 'BEGIN { printf "%.0f", n / s }') "
		stop_collector
		stop_sinks
	done
	log "ingest round $r/$ROUNDS: none ${RATE[none]}| down ${RATE[down]}| live ${RATE[live]}"
done
median() { tr ' ' '\n' | grep . | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
m_none=$(echo "${RATE[none]}" | median)
m_down=$(echo "${RATE[down]}" | median)
m_live=$(echo "${RATE[live]}" | median)
printf '%s' "$FWD_ROWS"
echo "| ingest (gzip'd batches of 1000, one client) | no forwarder: $m_none events/s | one backend down: $m_down events/s | **$(awk -v a="$m_down" -v b="$m_none" 'BEGIN { printf "%.2f", a / b }')×** |"
echo "| ingest while six forwarders drain live | no forwarder: $m_none events/s | six live: $m_live events/s | **$(awk -v a="$m_live" -v b="$m_none" 'BEGIN { printf "%.2f", a / b }')×** |"

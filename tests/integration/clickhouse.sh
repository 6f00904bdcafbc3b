#!/usr/bin/env bash
# Throwaway ClickHouse server for the tests (Debian 12's clickhouse-server 18.16).
#
#   clickhouse.sh start DIR   write DIR/config.xml + DIR/users.xml, start clickhouse-server in the
#                             foreground (backgrounded here, pid in DIR/pid) as an unprivileged
#                             user, listening on 127.0.0.1 only; print the HTTP port on stdout
#                             (also DIR/port) once GET /ping answers "Ok.".
#   clickhouse.sh stop DIR    SIGTERM, wait up to 20 s, then SIGKILL; DIR is left to the caller.
#
# The password of user "default" is read from DIR/password (created, random, if absent;
# trailing newlines are ignored). Stored as password_sha256_hex in DIR/users.xml.
# Run as root (drops to the user c2d-ch, created if missing) or as an ordinary user (runs as that
# user). Exit 77 when clickhouse-server is not installed, so callers can skip.
set -euo pipefail

CH_USER=${C2D_CH_USER:-c2d-ch}
START_TIMEOUT=60
STOP_TIMEOUT=20

die() { echo "clickhouse.sh: $*" >&2; exit 1; }

find_server() {
	local b
	for b in "${CLICKHOUSE_SERVER:-}" /usr/sbin/clickhouse-server /usr/bin/clickhouse-server; do
		[ -n "$b" ] && [ -x "$b" ] && { echo "$b"; return 0; }
	done
	b=$(command -v clickhouse-server 2>/dev/null) && { echo "$b"; return 0; }
	return 1
}

free_port() {
	python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# Running and not a zombie (the server is our child until this script exits).
pid_alive() {
	kill -0 "$1" 2>/dev/null || return 1
	[ "$(sed -n 's/^[0-9]* (.*) \([A-Z]\).*/\1/p' "/proc/$1/stat" 2>/dev/null)" != Z ]
}

alive() { [ -f "$1/pid" ] && pid_alive "$(cat "$1/pid")"; }

log_tail() {
	local f=$1/log/clickhouse-server.err.log
	[ -s "$f" ] || f=$1/log/clickhouse-server.log
	for f in "$f" "$1/log/stderr"; do
		[ -s "$f" ] && { echo "--- $f" >&2; tail -n 30 "$f" >&2; }
	done
	return 0
}

write_config() { # DIR HTTP_PORT
	local d=$1 port=$2
	cat >"$d/config.xml" <<XML
<?xml version="1.0"?>
<yandex>
    <logger>
        <level>warning</level>
        <log>$d/log/clickhouse-server.log</log>
        <errorlog>$d/log/clickhouse-server.err.log</errorlog>
        <size>10M</size>
        <count>2</count>
        <console>0</console>
    </logger>
    <listen_host>127.0.0.1</listen_host>
    <listen_try>0</listen_try>
    <http_port>$port</http_port>
    <!-- no tcp_port / interserver_http_port: those listeners are not opened -->
    <max_connections>256</max_connections>
    <keep_alive_timeout>3</keep_alive_timeout>
    <max_concurrent_queries>32</max_concurrent_queries>
    <uncompressed_cache_size>16777216</uncompressed_cache_size>
    <mark_cache_size>16777216</mark_cache_size>
    <path>$d/data/</path>
    <tmp_path>$d/data/tmp/</tmp_path>
    <user_files_path>$d/data/user_files/</user_files_path>
    <format_schema_path>$d/data/format_schemas/</format_schema_path>
    <users_config>$d/users.xml</users_config>
    <default_profile>default</default_profile>
    <default_database>default</default_database>
    <timezone>UTC</timezone>
    <umask>027</umask>
    <mlock_executable>false</mlock_executable>
    <builtin_dictionaries_reload_interval>0</builtin_dictionaries_reload_interval>
    <max_session_timeout>3600</max_session_timeout>
    <default_session_timeout>60</default_session_timeout>
    <max_table_size_to_drop>0</max_table_size_to_drop>
    <max_partition_size_to_drop>0</max_partition_size_to_drop>
</yandex>
XML
}

write_users() { # DIR
	local d=$1 sha
	sha=$(printf '%s' "$(cat "$d/password")" | sha256sum | cut -d' ' -f1)
	cat >"$d/users.xml" <<XML
<?xml version="1.0"?>
<yandex>
    <profiles>
        <default>
            <max_memory_usage>1000000000</max_memory_usage>
            <max_memory_usage_for_all_queries>2000000000</max_memory_usage_for_all_queries>
            <max_execution_time>60</max_execution_time>
            <max_threads>4</max_threads>
            <use_uncompressed_cache>0</use_uncompressed_cache>
            <load_balancing>random</load_balancing>
        </default>
    </profiles>
    <users>
        <default>
            <password_sha256_hex>$sha</password_sha256_hex>
            <networks replace="replace">
                <ip>::1</ip>
                <ip>127.0.0.1</ip>
            </networks>
            <profile>default</profile>
            <quota>default</quota>
        </default>
    </users>
    <quotas>
        <default>
            <interval>
                <duration>3600</duration>
                <queries>0</queries>
                <errors>0</errors>
                <result_rows>0</result_rows>
                <read_rows>0</read_rows>
                <execution_time>0</execution_time>
            </interval>
        </default>
    </quotas>
</yandex>
XML
}

launch() { # DIR SERVER: write the configs for a fresh free port, start; sets port and pid
	local d=$1 server=$2 run_as=()
	port=$(free_port)
	write_config "$d" "$port"
	write_users "$d"
	chmod 600 "$d/config.xml" "$d/users.xml"
	if [ "$(id -u)" -eq 0 ]; then
		if ! id -u "$CH_USER" >/dev/null 2>&1; then
			useradd --system --no-create-home --home-dir /nonexistent \
				--shell /usr/sbin/nologin "$CH_USER" || die "cannot create user $CH_USER"
		fi
		# The server needs DIR itself traversable, data/ and log/ writable, the configs readable.
		chown -R "$CH_USER:" "$d"
		chmod 700 "$d"
		run_as=(setpriv --reuid="$CH_USER" --regid="$CH_USER" --init-groups --inh-caps=-all --)
	fi
	echo "$port" >"$d/port"
	# Foreground mode (no --daemon); the subshell is replaced by the server, so $! is its pid.
	(cd "$d/data" && exec "${run_as[@]}" "$server" --config-file="$d/config.xml" \
		</dev/null >>"$d/log/stdout" 2>>"$d/log/stderr") &
	pid=$!
	echo "$pid" >"$d/pid"
}

cmd_start() {
	local d=$1 server port pid i attempt
	server=$(find_server) || { echo "clickhouse.sh: clickhouse-server not installed" >&2; exit 77; }
	mkdir -p "$d"
	d=$(cd "$d" && pwd)
	alive "$d" && die "a server already runs from $d (pid $(cat "$d/pid"))"
	mkdir -p "$d/data/tmp" "$d/data/user_files" "$d/data/format_schemas" "$d/log"
	if [ ! -s "$d/password" ]; then
		(umask 077; head -c 18 /dev/urandom | base64 | tr -d '/+=\n' >"$d/password")
	fi
	for attempt in 1 2 3; do
		launch "$d" "$server"
		for ((i = 0; i < START_TIMEOUT * 10; i++)); do
			if ! pid_alive "$pid"; then
				rm -f "$d/pid"
				# Someone took the port between free_port and the server's bind: try another.
				if [ "$attempt" -lt 3 ] &&
					grep -qs 'Address already in use' "$d/log/clickhouse-server.err.log"; then
					: >"$d/log/clickhouse-server.err.log"
					continue 2
				fi
				echo "clickhouse.sh: clickhouse-server exited during start-up" >&2
				log_tail "$d"
				exit 1
			fi
			if [ "$(curl -s --max-time 2 "http://127.0.0.1:$port/ping" 2>/dev/null)" = "Ok." ]; then
				echo "$port"
				return 0
			fi
			sleep 0.1
		done
		echo "clickhouse.sh: clickhouse-server did not answer /ping on 127.0.0.1:$port" \
			"within ${START_TIMEOUT}s" >&2
		log_tail "$d"
		cmd_stop "$d" >/dev/null 2>&1 || true
		exit 1
	done
}

cmd_stop() {
	local d=$1 pid i
	[ -f "$d/pid" ] || return 0
	pid=$(cat "$d/pid")
	if pid_alive "$pid"; then
		kill -TERM "$pid" 2>/dev/null || true
		for ((i = 0; i < STOP_TIMEOUT * 10; i++)); do
			pid_alive "$pid" || break
			sleep 0.1
		done
		if pid_alive "$pid"; then
			echo "clickhouse.sh: clickhouse-server (pid $pid) ignored SIGTERM for ${STOP_TIMEOUT}s;" \
				"sending SIGKILL" >&2
			kill -KILL "$pid" 2>/dev/null || true
			for ((i = 0; i < 50; i++)); do pid_alive "$pid" || break; sleep 0.1; done
		fi
	fi
	rm -f "$d/pid"
}

case "${1:-}:${2:-}" in
start:?*) cmd_start "$2" ;;
stop:?*) cmd_stop "$2" ;;
*) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac

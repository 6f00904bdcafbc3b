#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# tests/bench/auditd.sh - Linux audit (Debian's auditd) as the peer arm of tests/bench/run.sh
# (needs root). The peer is configured like a Debian install watching what the agent watches:
# Debian's rule defaults (-b 8192, --backlog_wait_time 60000, -f 1), a read watch on each
# credential file that exists, one syscall rule for the privileged set.
#
#   auditd.sh start   install Debian's auditd if missing, save the kernel's audit state, start
#                     auditd (-n, config and log in a temp dir), load the rules. Prints "ok ..."
#                     and exits 0, or prints "skipped: <reason>" and exits 3 (state restored).
#   auditd.sh count   the SYSCALL records of key c2d auditd has written since start (waits for
#                     the kernel's backlog to drain and the log to stop growing first).
#   auditd.sh lost    the kernel's count of lost audit records now (auditctl -s).
#   auditd.sh stop    stop our auditd, restore the saved rules and settings, remove the temp dir.
#                     Idempotent; safe after an interrupted start; always exits 0.
#
# If an auditd was already running, it is left alone: only our rules (keys c2d, c2dpriv) are
# added and removed, and the records are counted in its log.
#
# The kernel's audit_ever_enabled flag cannot be reset: once audit has been enabled, every task
# forked afterwards takes the slow syscall path (an audit context) even with audit disabled and no
# rules, until reboot (getppid +50 % here). When the kernel had audit off and no rules before
# start, stop therefore leaves one rule, "-a never,task", which gives new tasks no audit context:
# the syscall cost is as before the bench (C2D_AUDITD_UNTAX=0: leave no rule at all).
#
# Environment: C2D_AUDITD_STATE (state directory, default /run/c2d-bench-auditd: a fixed place, so
# a later stop restores after a killed bench), C2D_AUDITD_UNTAX (1).
set -u -o pipefail

STATE=${C2D_AUDITD_STATE:-/run/c2d-bench-auditd}
UNTAX=${C2D_AUDITD_UNTAX:-1}
KEY=c2d KEYPRIV=c2dpriv
CRED_FILES="/etc/shadow /etc/gshadow /root/.ssh /root/.aws/credentials /root/.kube/config
/var/run/secrets/kubernetes.io/serviceaccount"
PRIV_SYSCALLS=setuid,setgid,setreuid,setregid,setresuid,setresgid,setfsuid,setfsgid,capset,ptrace,mount,umount2,unshare,setns,init_module,finit_module,delete_module,bpf

log() { printf 'auditd.sh: %s\n' "$*" >&2; }

# status_field NAME < "auditctl -s" output
status_field() { awk -v k="$1" '$1 == k {print $2; exit}'; }

# Install Debian's auditd without letting the package start the service or enable it at boot
# (a policy-rc.d that denies starts, only if there is none already).
install_auditd() {
	local policy=/usr/sbin/policy-rc.d ours=0 rc
	command -v apt-get >/dev/null || { echo "auditd not installed and no apt-get"; return 1; }
	if [ ! -e "$policy" ]; then
		printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && ours=1
	fi
	log "installing auditd (apt-get)"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q auditd >"$STATE/apt.log" 2>&1
	rc=$?
	[ "$ours" = 0 ] || rm -f "$policy"
	if [ "$rc" != 0 ]; then
		echo "apt-get install auditd failed: $(tail -n 1 "$STATE/apt.log")"
		return 1
	fi
	# installed for the bench only: not started at boot
	command -v deb-systemd-helper >/dev/null && deb-systemd-helper disable auditd.service >/dev/null 2>&1
	command -v update-rc.d >/dev/null && update-rc.d auditd disable >/dev/null 2>&1
	echo "installed" >"$STATE/installed"
	return 0
}

# Our auditd.conf: Debian's, with the log in DIR and never rotated (every record is counted).
write_conf() {
	local dir=$1 src=/etc/audit/auditd.conf
	{
		if [ -r "$src" ]; then
			grep -v -E '^[[:space:]]*(log_file|max_log_file_action|num_logs)[[:space:]]*=' "$src"
		else
			printf 'log_format = ENRICHED\nflush = INCREMENTAL_ASYNC\nfreq = 50\n'
		fi
		printf 'log_file = %s/audit.log\nmax_log_file_action = IGNORE\nnum_logs = 1\n' "$dir"
	} >"$dir/auditd.conf"
	chmod 640 "$dir/auditd.conf"
}

load_rules() {
	local f n=0
	for f in $CRED_FILES; do
		[ -e "$f" ] || continue
		auditctl -w "$f" -p r -k "$KEY" >/dev/null || return 1
		n=$((n + 1))
	done
	[ "$n" -gt 0 ] || { log "no credential file exists"; return 1; }
	auditctl -a always,exit -F arch=b64 -S "$PRIV_SYSCALLS" -k "$KEYPRIV" >/dev/null || return 1
	echo "$n" >"$STATE/watches"
}

cmd_start() {
	local st pid dir apid out
	[ -d "$STATE" ] && cmd_stop
	mkdir -p "$STATE" || { echo "skipped: cannot create $STATE"; return 3; }
	if ! command -v auditd >/dev/null || ! command -v auditctl >/dev/null; then
		out=$(install_auditd) || { echo "skipped: $out"; rm -rf "$STATE"; return 3; }
	fi
	if ! st=$(auditctl -s 2>&1); then
		echo "skipped: no usable kernel audit ($(echo "$st" | head -n 1))"
		rm -rf "$STATE"
		return 3
	fi
	if [ "$(echo "$st" | status_field enabled)" = 2 ]; then
		echo "skipped: the kernel's audit configuration is locked (enabled 2)"
		rm -rf "$STATE"
		return 3
	fi
	echo "$st" >"$STATE/before.status"
	auditctl -l >"$STATE/before.rules" 2>&1
	pid=$(echo "$st" | status_field pid)
	if [ -n "$pid" ] && [ "$pid" != 0 ] && kill -0 "$pid" 2>/dev/null; then
		# someone's auditd: leave it and its settings, add our rules only
		echo foreign >"$STATE/mode"
		# its config directory: -c DIR on its command line, else Debian's
		dir=$(tr '\0' '\n' <"/proc/$pid/cmdline" | awk 'p {print; exit} $0 == "-c" {p = 1}')
		out=$(awk -F= '$1 ~ /^[[:space:]]*log_file[[:space:]]*$/ {gsub(/[[:space:]]/, "", $2); print $2}' \
			"${dir:-/etc/audit}/auditd.conf" 2>/dev/null)
		echo "${out:-/var/log/audit/audit.log}" >"$STATE/log"
		stat -c %s "$(cat "$STATE/log")" >"$STATE/log_offset" 2>/dev/null || echo 0 >"$STATE/log_offset"
		load_rules || { cmd_stop; echo "skipped: auditctl could not load the rules"; return 3; }
		echo "ok: auditd already running (pid $pid), our rules added; log $(cat "$STATE/log")"
		return 0
	fi
	echo ours >"$STATE/mode"
	dir=$(mktemp -d /tmp/c2d-auditd.XXXXXX) || { cmd_stop; echo "skipped: mktemp"; return 3; }
	echo "$dir" >"$STATE/dir"
	echo "$dir/audit.log" >"$STATE/log"
	echo 0 >"$STATE/log_offset"
	write_conf "$dir"
	# own session: a ^C to the bench does not reach it, the bench's trap stops it
	setsid auditd -n -c "$dir" </dev/null >"$dir/auditd.out" 2>&1 &
	echo $! >"$STATE/pid"
	for _ in $(seq 100); do
		apid=$(auditctl -s 2>/dev/null | status_field pid)
		[ "$apid" = "$(cat "$STATE/pid")" ] && break
		kill -0 "$(cat "$STATE/pid")" 2>/dev/null || break
		sleep 0.1
	done
	if [ "$apid" != "$(cat "$STATE/pid")" ]; then
		out=$(tail -n 2 "$dir/auditd.out" | tr '\n' ' ')
		cmd_stop
		echo "skipped: auditd did not start (${out:-no output})"
		return 3
	fi
	# what Debian's /etc/audit/rules.d/audit.rules sets, then our rules
	if ! { auditctl -D >/dev/null && auditctl -b 8192 >/dev/null &&
		auditctl --backlog_wait_time 60000 >/dev/null && auditctl -f 1 >/dev/null && load_rules &&
		auditctl -e 1 >/dev/null; }; then
		cmd_stop
		echo "skipped: auditctl could not load the rules"
		return 3
	fi
	echo "ok: auditd $(dpkg-query -W -f '${Version}' auditd 2>/dev/null) pid $(cat "$STATE/pid")," \
		"$(cat "$STATE/watches") read watches (key $KEY) and the privileged syscall rule (key $KEYPRIV); log $dir/audit.log"
	return 0
}

# Wait until the kernel's backlog is empty and the log stops growing (at most ~30 s), then count.
cmd_count() {
	local log off size prev=-1 backlog
	[ -f "$STATE/log" ] || { echo 0; return 0; }
	log=$(cat "$STATE/log") off=$(cat "$STATE/log_offset" 2>/dev/null || echo 0)
	for _ in $(seq 300); do
		backlog=$(auditctl -s 2>/dev/null | status_field backlog)
		size=$(stat -c %s "$log" 2>/dev/null || echo 0)
		[ "${backlog:-0}" = 0 ] && [ "$size" = "$prev" ] && break
		prev=$size
		sleep 0.1
	done
	tail -c +"$((off + 1))" "$log" 2>/dev/null | grep -c "^type=SYSCALL .*key=\"$KEY\"" || true
}

cmd_lost() { auditctl -s 2>/dev/null | status_field lost || echo 0; }

cmd_stop() {
	local mode pid i v bst
	[ -d "$STATE" ] || return 0
	mode=$(cat "$STATE/mode" 2>/dev/null || echo none)
	bst=$STATE/before.status
	if [ "$mode" = foreign ]; then
		auditctl -D -k "$KEY" >/dev/null 2>&1
		auditctl -D -k "$KEYPRIV" >/dev/null 2>&1
	elif [ "$mode" = ours ]; then
		pid=$(cat "$STATE/pid" 2>/dev/null)
		if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
			kill -TERM "$pid"
			for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
			kill -0 "$pid" 2>/dev/null && { log "auditd did not stop: SIGKILL"; kill -KILL "$pid"; }
		fi
		auditctl -D >/dev/null 2>&1
		if [ -s "$STATE/before.rules" ] && ! grep -q '^No rules' "$STATE/before.rules"; then
			auditctl -R "$STATE/before.rules" >/dev/null 2>&1 || log "could not reload the saved rules"
		fi
		if [ -f "$bst" ]; then
			v=$(status_field backlog_limit <"$bst") && [ -n "$v" ] && auditctl -b "$v" >/dev/null
			v=$(status_field backlog_wait_time <"$bst") && [ -n "$v" ] && auditctl --backlog_wait_time "$v" >/dev/null
			v=$(status_field failure <"$bst") && [ -n "$v" ] && auditctl -f "$v" >/dev/null
			v=$(status_field rate_limit <"$bst") && [ -n "$v" ] && auditctl -r "$v" >/dev/null
			v=$(status_field enabled <"$bst") && [ -n "$v" ] && auditctl -e "$v" >/dev/null
			if [ "$UNTAX" = 1 ] && [ "$(status_field enabled <"$bst")" = 0 ] &&
				grep -q '^No rules' "$STATE/before.rules"; then
				auditctl -a never,task >/dev/null 2>&1
			fi
		fi
	fi
	i=$(cat "$STATE/dir" 2>/dev/null)
	case $i in /tmp/c2d-auditd.*) rm -rf "$i" ;; esac
	rm -rf "$STATE"
	return 0
}

case ${1:-} in
start) cmd_start ;;
stop) cmd_stop ;;
count) cmd_count ;;
lost) cmd_lost ;;
*) echo "usage: $0 start|stop|count|lost" >&2; exit 2 ;;
esac

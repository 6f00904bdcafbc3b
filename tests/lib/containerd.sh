# containerd.sh - sourced by the demo, the integration runner and the benchmarks: make sure a
# containerd answers on /run/containerd/containerd.sock, starting one if none does.
#
#   . tests/lib/containerd.sh
#   c2d_containerd_up LOGFILE || exit 1   # sets C2D_CONTAINERD_PID if it started one
#   ...
#   c2d_containerd_down                   # stops only the containerd it started
#
# "Answers" is tested with `ctr version`, not by the socket file being there: a containerd
# that was killed leaves its socket behind, and dialling that one is refused. A new containerd
# replaces a stale socket itself.

C2D_CONTAINERD_PID=

c2d_containerd_up() { # LOGFILE
	if ctr version >/dev/null 2>&1; then
		return 0
	fi
	command -v containerd >/dev/null || {
		echo "containerd is not installed: run 'bash .ci/setup' first" >&2
		return 1
	}
	containerd >"$1" 2>&1 &
	C2D_CONTAINERD_PID=$!
	local i
	for i in $(seq 1 300); do # 30 s: a fresh machine's first start loads every plugin
		ctr version >/dev/null 2>&1 && return 0
		kill -0 "$C2D_CONTAINERD_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "containerd did not start answering within 30 s; the end of $1:" >&2
	tail -n 20 "$1" >&2
	c2d_containerd_down
	return 1
}

c2d_containerd_down() {
	if [ -n "$C2D_CONTAINERD_PID" ]; then
		kill "$C2D_CONTAINERD_PID" 2>/dev/null || true
		wait "$C2D_CONTAINERD_PID" 2>/dev/null || true
		C2D_CONTAINERD_PID=
	fi
}

#!/usr/bin/env bash
# run.sh - run the integration test programs given as arguments against the real kernel.
#
#   tests/integration/run.sh build/integ/test_capture build/integ/test_options …
#
# Needs root (BPF, setuid, mount, ptrace). Runs every program even after a failure, from the
# top of the tree (the programs find build/c2d-agent-san and build/triggers/ from there, or
# from $C2D_AGENT and $C2D_TRIGGERS), and exits non-zero if any failed.
set -euo pipefail

if [[ $# -eq 0 ]]; then
	echo "usage: $0 TEST_PROGRAM..." >&2
	exit 2
fi
if [[ $(id -u) -ne 0 ]]; then
	echo "run.sh: integration tests load BPF programs and change credentials: run as root" >&2
	exit 1
fi

# The agent attaches tracepoints and may pin maps: both file systems must be there.
mount_if_missing() { # TYPE DIR
	if ! mountpoint -q "$2"; then
		mkdir -p "$2"
		mount -t "$1" "$1" "$2"
	fi
}
mount_if_missing bpf /sys/fs/bpf
mount_if_missing tracefs /sys/kernel/tracing

# Container tests talk to a real containerd: start one if none answers (a fresh machine has it
# installed by .ci/setup but not running) and stop it afterwards.
. "$(dirname "$(realpath "$0")")/../lib/containerd.sh"
if command -v containerd >/dev/null; then
	c2d_containerd_up /tmp/c2d-containerd.log || exit 1
fi
trap c2d_containerd_down EXIT

# Resolve the programs before leaving the caller's directory.
tests=()
for t in "$@"; do
	if [[ ! -x $t ]]; then
		echo "run.sh: $t: not an executable (make integration builds it)" >&2
		exit 2
	fi
	tests+=("$(realpath "$t")")
done
cd "$(dirname "$(realpath "$0")")/../.."

export C2D_AGENT="${C2D_AGENT:-$PWD/build/c2d-agent-san}"
export C2D_TRIGGERS="${C2D_TRIGGERS:-$PWD/build/triggers}"
# Leaks fail the run like any other sanitizer report.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

# Each program's output is also kept, so a failure can be summed up at the end, where a
# truncated CI log still shows it (indented: .ci/run counts only cmocka's own summary lines).
logs=$(mktemp -d /tmp/c2d-integ-logs.XXXXXX)
failed=()
for t in "${tests[@]}"; do
	name=${t#"$PWD"/}
	echo "== $name"
	start=$SECONDS
	if ! "$t" 2>&1 | tee "$logs/${name//\//_}.log"; then
		failed+=("$name")
	fi
	echo "-- $name: $((SECONDS - start)) s" # where the suite's time goes
done

if [[ ${#failed[@]} -gt 0 ]]; then
	for name in "${failed[@]}"; do
		echo "---- $name: failed tests and their assertions ----" >&2
		grep -E -B4 '^\[ +(LINE|ERROR|FAILED) +\]|: error:|Failure!' \
			"$logs/${name//\//_}.log" | tail -n 60 | sed 's/^/  /' >&2 || true
	done
	echo "run.sh: FAILED: ${failed[*]} (whole logs in $logs)" >&2
	exit 1
fi
rm -rf "$logs"
echo "run.sh: all ${#tests[@]} integration test programs passed"

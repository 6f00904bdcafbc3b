# shellcheck shell=bash
# agent.sh - sourced by the benchmarks and the soak test: wait for a started c2d-agent.
#
#   . tests/lib/agent.sh
#   c2d_agent_ready ERRFILE PID || ...   # 0 once the agent's stderr says `ready`; 1 when it
#                                        # exited first or C2D_READY_WAIT seconds passed
#
# The default wait is 120 s: loading the BPF programs is nearly all verifier work, ~5 s on a
# slow 2-vCPU VM (~22 s there before the path walk kept its loop state in scratch); a slower
# kernel or machine should not fail a benchmark for it.

c2d_agent_ready() { # ERRFILE PID
	local i
	for ((i = 0; i < ${C2D_READY_WAIT:-120} * 10; i++)); do
		grep -q ' ready: ' "$1" 2>/dev/null && return 0
		kill -0 "$2" 2>/dev/null || break
		sleep 0.1
	done
	grep -q ' ready: ' "$1" 2>/dev/null
}

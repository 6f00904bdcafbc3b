#!/usr/bin/env bash
# run.sh - the long reliability runs (make soak; minutes, not part of make test):
#  1. container churn: memory stays bounded while hundreds of short-lived containers come and
#     go, and each one's finding is attributed (churn.sh);
#  2. the collector SIGKILLed and restarted in every one of C2D_KILL_ROUNDS rounds (default
#     40) of a steady load: every event stored exactly once (test_ship's repeated-kill test).
set -euo pipefail
cd "$(dirname "$0")/../.."
rc=0
echo "== soak: container churn (${CHURN_N:-300} containers)"
tests/soak/churn.sh || rc=1
echo "== soak: collector SIGKILL loop (${C2D_KILL_ROUNDS:-40} rounds)"
C2D_KILL_ROUNDS=${C2D_KILL_ROUNDS:-40} tests/integration/run.sh build/integ/test_ship || rc=1
[ $rc -eq 0 ] && echo "soak: passed" || echo "soak: FAILED"
exit $rc

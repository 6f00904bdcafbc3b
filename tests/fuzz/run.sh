#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
#
# run.sh - build each libFuzzer harness with ASan+UBSan and run it for a bounded time on a copy
# of its seed corpus (the copy grows; the repository's seeds stay as they are). Fails on the
# first crash, leak, timeout or sanitizer report; the input that caused it is left in
# $BUILD/fuzz/<name>/ as crash-*, leak-* or timeout-*.
#
#   tests/fuzz/run.sh [harness...]     default: every harness below
#   FUZZ_SECONDS=30 (each)  BUILD=build  CLANG=clang  C2D_FUZZ_BUGS=1 (known-bug checks on)
set -euo pipefail

cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
CLANG=${CLANG:-clang}
FUZZ_SECONDS=${FUZZ_SECONDS:-30}
OUT=$BUILD/fuzz

# -fno-sanitize-recover: a UBSan report must stop the run, or libFuzzer would not see a crash.
CFLAGS=(-g -O1 "-fsanitize=fuzzer,address,undefined" -fno-sanitize-recover=all -Itests/fuzz
	-Wall -Wextra -Wno-unused-parameter -D_GNU_SOURCE -I. -Iagent -Ibpf -Icommon -Icollector -Ibuild)
# the agent's and the collector's headers are included by bare name from their folders
# (agent/<folder>/, collector/<folder>/)
for d in agent/*/; do CFLAGS+=("-I${d%/}"); done
for d in collector/*/; do
	case $d in collector/cli/ | collector/ui/) ;; *) CFLAGS+=("-I${d%/}") ;; esac
done

# harness name -> the module sources it links
declare -A SRCS=(
	[pb]="agent/attribution/pb.c"
	[cgroup]="agent/attribution/container_id.c"
	[ingest]="collector/ingest/ingest.c collector/ingest/validate.c collector/ingest/validate_ids.c collector/ingest/prescan.c collector/ingest/gunzip.c common/buf.c common/rfc3339.c"
	[event]="agent/capture/event.c"
	[cri]="agent/attribution/runtime_cri.c agent/attribution/runtime_mounts.c agent/attribution/exposures.c agent/attribution/secrets.c agent/attribution/image_config.c agent/attribution/image_store.c agent/attribution/pb.c agent/attribution/labels.c agent/attribution/grpc.c common/log.c common/jsonw.c"
	[kubeconfig]="agent/attribution/kubeconfig.c common/log.c common/jsonw.c"
	[policy]="agent/policy/policy.c agent/policy/policy_file.c agent/policy/policy_defaults.c agent/attribution/provenance.c agent/attribution/gitops.c agent/attribution/gitops_parse.c agent/attribution/gitops_table.c agent/attribution/gitops_tie.c agent/attribution/k8s_http.c common/buf.c common/rfc3339.c agent/attribution/labels.c agent/capture/syscalls.c common/jsonw.c common/log.c"
	[elastic]="collector/forward/fwd_elastic.c collector/forward/fwd_util.c collector/ingest/validate.c collector/ingest/validate_ids.c common/jsonw.c common/rfc3339.c common/gzip.c"
	[spool]="agent/shipping/spool.c agent/shipping/crc32c.c agent/shipping/durable.c common/log.c common/jsonw.c"
	[image_config]="agent/attribution/image_config.c agent/attribution/image_store.c agent/attribution/exposures.c agent/attribution/secrets.c agent/attribution/pb.c agent/attribution/grpc.c common/log.c common/jsonw.c"
)
# harness name -> the libraries it links
declare -A LIBS=(
	[ingest]="-lz -lcjson"
	[cri]="-lcjson -lcurl -lcrypto -lm"
	[kubeconfig]="-lyaml"
	[policy]="-lcjson -lcurl -lpthread"
	[elastic]="-lcjson -lz"
	[image_config]="-lcjson -lcrypto -lcurl -lm"
)

build() {
	local name=$1

	# shellcheck disable=SC2086 # the source list is meant to split
	"$CLANG" "${CFLAGS[@]}" -o "$OUT/fuzz_$name" "tests/fuzz/fuzz_$name.c" ${SRCS[$name]} \
		${LIBS[$name]:-}
}

run() {
	local name=$1
	local dir=$OUT/$name log=$OUT/$name.log execs

	rm -rf "$dir" && mkdir -p "$dir/corpus"
	cp tests/fuzz/corpus/"$name"/* "$dir/corpus/"
	if ! "$OUT/fuzz_$name" -max_total_time="$FUZZ_SECONDS" -timeout=10 -max_len=4096 \
		-print_final_stats=1 -artifact_prefix="$dir/" "$dir/corpus" >"$log" 2>&1; then
		tail -n 40 "$log"
		echo "FAIL fuzz_$name: see $log and $dir/" >&2
		return 1
	fi
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	echo "ok   fuzz_$name: $execs executions in ${FUZZ_SECONDS}s," \
		"corpus $(find "$dir/corpus" -type f | wc -l) inputs"
}

mkdir -p "$OUT"
names=("$@")
[ ${#names[@]} -gt 0 ] || names=(pb cgroup ingest event cri kubeconfig policy elastic spool image_config)
for n in "${names[@]}"; do
	[ -n "${SRCS[$n]:-}" ] || { echo "no harness '$n' (have: ${!SRCS[*]})" >&2; exit 2; }
	build "$n"
done
rc=0
for n in "${names[@]}"; do
	run "$n" || rc=1
done
exit $rc

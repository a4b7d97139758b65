#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Run one fuzz target for N executions (default 10 million) from its corpus,
# niced, one job: tests/fuzz/run-long.sh TARGET [RUNS]. Log in build/fuzz/long/.
set -e
t=$1
runs=${2:-10000000}
dict=
[ -f tests/fuzz/"$t".dict ] && dict=-dict=tests/fuzz/"$t".dict
mkdir -p build/fuzz/corpus/"$t" build/fuzz/crash build/fuzz/long
exec nice build/fuzz/fuzz_"$t" -max_len=65536 -timeout=10 -rss_limit_mb=2048 $dict \
	-print_final_stats=1 -runs="$runs" -artifact_prefix=build/fuzz/crash/"$t"- \
	build/fuzz/corpus/"$t" tests/fuzz/corpus/"$t" >build/fuzz/long/"$t".log 2>&1

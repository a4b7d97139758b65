#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Run one fuzz target for N executions (default 10 million) from its corpus,
# niced, one job: tests/fuzz/run-long.sh TARGET [RUNS]. Log in build/fuzz/long/.
# The per-input timeout is 120 s, not make fuzz's 10: a niced job on a busy
# machine may be starved for seconds, and a 10 s timeout then stops a
# many-hour run on an input that takes 0.1 s alone. A real hang is still
# caught: the PDU harnesses abort after FUZZ_MAX_STEPS loop iterations.
set -e
t=$1
runs=${2:-10000000}
dict=
[ -f tests/fuzz/"$t".dict ] && dict=-dict=tests/fuzz/"$t".dict
mkdir -p build/fuzz/corpus/"$t" build/fuzz/crash build/fuzz/long
exec nice build/fuzz/fuzz_"$t" -max_len=65536 -timeout=120 -rss_limit_mb=2048 $dict \
	-print_final_stats=1 -runs="$runs" -artifact_prefix=build/fuzz/crash/"$t"- \
	build/fuzz/corpus/"$t" tests/fuzz/corpus/"$t" >build/fuzz/long/"$t".log 2>&1

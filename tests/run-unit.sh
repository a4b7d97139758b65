#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Run each unit-test program given as an argument, print one result line per
# program (its output only when it fails), then the summary line
#   unit: N passed, M failed
# Exits nonzero if any program failed. UNIT_TIMEOUT (default 120 s) bounds
# each program; a program killed by the timeout or a signal has failed.
set -euo pipefail

timeout_s=${UNIT_TIMEOUT:-120}
passed=0
failed=0
failed_names=()
out=$(mktemp)
trap 'rm -f "$out"' EXIT

for t in "$@"; do
	name=$(basename "$t")
	if [ ! -f "$t" ] || [ ! -x "$t" ]; then
		echo "FAIL $name (not an executable file: $t)"
		failed=$((failed + 1))
		failed_names+=("$name")
		continue
	fi
	start=$SECONDS
	rc=0
	timeout -k 5 "$timeout_s" "$t" >"$out" 2>&1 </dev/null || rc=$?
	secs=$((SECONDS - start))
	if [ "$rc" = 0 ]; then
		echo "PASS $name (${secs}s)"
		passed=$((passed + 1))
	else
		case $rc in
		124 | 137) why="timed out after ${timeout_s}s" ;;
		12[89] | 1[3-9][0-9]) why="killed by signal $((rc - 128))" ;;
		*) why="exit status $rc" ;;
		esac
		echo "FAIL $name ($why)"
		sed 's/^/  | /' "$out"
		failed=$((failed + 1))
		failed_names+=("$name")
	fi
done

[ "$failed" = 0 ] || echo "failed unit tests: ${failed_names[*]}"
echo "unit: $passed passed, $failed failed"
[ "$failed" = 0 ]

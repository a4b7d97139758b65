#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Run each unit-test program given as an argument, print one result line per
# program (its output only when it fails), then the summary line
#   unit: N passed, M failed, K skipped
# A program that exits 0 but whose cmocka output lists skipped tests
# ("[  SKIPPED ] name", from skip()) is SKIP, with the names of those tests;
# under CI=true a skip is a failure (CI must have what every test needs).
# Exits nonzero if any program failed. UNIT_TIMEOUT (default 120 s) bounds
# each program; a program killed by the timeout or a signal has failed.
set -euo pipefail

timeout_s=${UNIT_TIMEOUT:-120}
passed=0
failed=0
skipped=0
failed_names=()
ci=0
[ "${CI:-}" != true ] || ci=1
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
	# cmocka prints "[  SKIPPED ] NAME" for each skipped test, then
	# "[  SKIPPED ] N test(s), listed below:" and the names again.
	skips=$(sed -n 's/^\[  SKIPPED \] //p' "$out" | grep -v '^[0-9]* test(s)' | sort -u | paste -sd' ' || true)
	if [ "$rc" = 0 ] && [ -n "$skips" ]; then
		if [ "$ci" = 1 ]; then
			echo "FAIL $name (skipped under CI=true: $skips)"
			sed 's/^/  | /' "$out"
			failed=$((failed + 1))
			failed_names+=("$name")
		else
			echo "SKIP $name (${secs}s; skipped: $skips)"
			skipped=$((skipped + 1))
		fi
	elif [ "$rc" = 0 ]; then
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
echo "unit: $passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]

#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Run every tests/integration/*.sh (or only the scripts given as arguments),
# one at a time, print one result line per script (with its output when it
# fails, or always with VERBOSE=1), then the summary line
#   integration: N passed, M failed, K skipped
# A script that exits 77 (tests/lib.sh: ctgt_skip) ran but skipped a part:
# SKIP, with its SKIP lines. Under CI=true a skip is a failure (lib.sh
# already fails the script; 77 is counted as a failure too). Exits nonzero
# if any script failed. INTEGRATION_TIMEOUT (default 600 s) bounds each
# script.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
timeout_s=${INTEGRATION_TIMEOUT:-600}
if [ "$#" -gt 0 ]; then
	scripts=("$@")
else
	scripts=("$here"/integration/*.sh)
fi

passed=0
failed=0
skipped=0
failed_names=()
out=$(mktemp)
trap 'rm -f "$out"' EXIT

for s in "${scripts[@]}"; do
	name=$(basename "$s" .sh)
	if [ ! -f "$s" ]; then
		echo "FAIL $name (no such script: $s)"
		failed=$((failed + 1))
		failed_names+=("$name")
		continue
	fi
	start=$SECONDS
	rc=0
	# SIGTERM on timeout lets the script's trap stop its daemons.
	timeout -k 15 "$timeout_s" bash "$s" >"$out" 2>&1 </dev/null || rc=$?
	secs=$((SECONDS - start))
	if [ "$rc" = 0 ]; then
		echo "PASS $name (${secs}s)"
		[ "${VERBOSE:-0}" = 1 ] && sed 's/^/  | /' "$out"
		passed=$((passed + 1))
	elif [ "$rc" = 77 ] && [ "${CI:-}" != true ]; then
		echo "SKIP $name (${secs}s)"
		grep -F '] SKIP: ' "$out" | sed 's/^/  | /' || true
		[ "${VERBOSE:-0}" = 1 ] && sed 's/^/  | /' "$out"
		skipped=$((skipped + 1))
	else
		case $rc in
		124 | 137) why="timed out after ${timeout_s}s" ;;
		77) why="skipped a part under CI=true" ;;
		*) why="exit status $rc" ;;
		esac
		echo "FAIL $name ($why, ${secs}s)"
		sed 's/^/  | /' "$out"
		failed=$((failed + 1))
		failed_names+=("$name")
	fi
done

[ "$failed" = 0 ] || echo "failed integration tests: ${failed_names[*]}"
echo "integration: $passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]

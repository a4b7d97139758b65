#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Run every tests/integration/*.sh (or only the scripts given as arguments),
# one at a time, print one result line per script (with its output when it
# fails, or always with VERBOSE=1), then the summary line
#   integration: N passed, M failed
# Exits nonzero if any script failed. INTEGRATION_TIMEOUT (default 600 s)
# bounds each script.
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
	else
		case $rc in
		124 | 137) why="timed out after ${timeout_s}s" ;;
		*) why="exit status $rc" ;;
		esac
		echo "FAIL $name ($why, ${secs}s)"
		sed 's/^/  | /' "$out"
		failed=$((failed + 1))
		failed_names+=("$name")
	fi
done

[ "$failed" = 0 ] || echo "failed integration tests: ${failed_names[*]}"
echo "integration: $passed passed, $failed failed"
[ "$failed" = 0 ]

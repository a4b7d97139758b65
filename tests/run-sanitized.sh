#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Run a test command (tests/run-unit.sh, tests/run-integration.sh,
# tests/conformance/run.sh) against programs built with ASan+UBSan (make
# asan: build/asan/) or with TSan (make tsan: build/tsan/), and fail if any
# of them reported anything, even when the tests passed:
#
#   tests/run-sanitized.sh COMMAND [ARGS...]
#
# Every sanitized process writes its reports to its own file under
# $CTGT_BUILD/sanitizer/ (log_path: NAME.PID); the first error stops the
# process (halt_on_error; the build uses -fno-sanitize-recover=all), and
# leaks are reported at exit (ASan). Afterwards each report file is printed
# and the run fails. CTGT_BUILD (default build/asan) must hold a sanitized
# build; which sanitizer it is comes from the daemon's symbols.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
export CTGT_BUILD=${CTGT_BUILD:-build/asan}
case $CTGT_BUILD in /*) ;; *) CTGT_BUILD=$root/$CTGT_BUILD ;; esac
[ "$#" -gt 0 ] || { echo "usage: $0 COMMAND [ARGS...]" >&2; exit 2; }
[ -x "$CTGT_BUILD/ctgt" ] || { echo "run-sanitized: no $CTGT_BUILD/ctgt (run make asan)" >&2; exit 1; }
# The build must really be sanitized, or no report could ever fail the run.
# (grep -c, not -q: -q would stop reading and nm's SIGPIPE fail the pipe.)
syms=$(nm "$CTGT_BUILD/ctgt")
if [ "$(grep -c '__tsan_' <<<"$syms")" -gt 0 ]; then
	kind=TSan
elif [ "$(grep -c '__asan_init' <<<"$syms")" -gt 0 ]; then
	kind=ASan/UBSan
else
	echo "run-sanitized: $CTGT_BUILD/ctgt is not built with ASan or TSan" >&2
	exit 1
fi

reports=$CTGT_BUILD/sanitizer
rm -rf "$reports"
mkdir -p "$reports"
export ASAN_OPTIONS="halt_on_error=1:detect_leaks=1:log_path=$reports/asan:${CTGT_ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$reports/ubsan:${CTGT_UBSAN_OPTIONS:-}"
# exitcode 66: a unit test that raced fails even when its assertions held.
export TSAN_OPTIONS="halt_on_error=1:exitcode=66:log_path=$reports/tsan:${CTGT_TSAN_OPTIONS:-}"

rc=0
"$@" || rc=$?

found=$(find "$reports" -type f -size +0 | sort)
if [ -n "$found" ]; then
	echo "sanitizer: FAIL: $(wc -l <<<"$found") report(s) in $reports:"
	while read -r f; do
		echo "  ---- ${f#"$reports"/}"
		sed -n '1,60p' "$f" | sed 's/^/  | /'
	done <<<"$found"
	[ "$rc" != 0 ] || rc=1
else
	echo "sanitizer: no $kind report ($(basename "$1"))"
fi
exit "$rc"

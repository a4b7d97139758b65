#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Conformance gate: run libiscsi's iscsi-test-cu, suite by suite, against a
# ctgt daemon started here, write one verdict per test to
# build/conformance/results.txt ("ALL.Suite.Test PASS|FAIL|SKIP"; a test run
# on the thin LUN is named "ALL.Suite.Test@thin") and compare with
# tests/conformance/expected.txt. A test expected to PASS that now
# fails, skips or does not run is a regression: exit 1. A daemon that crashes
# during a suite, or does not exit 0 on SIGTERM at the end, also fails.
#
# Usage: tests/conformance/run.sh [--update]
#   --update   rewrite expected.txt from this run (entries of suites that
#              were not run are kept)
#
# Environment:
#   CONFORMANCE_SUITES            suites to run on LUN 0, space separated, or
#                                 "all" for every suite of the ALL family
#   CONFORMANCE_REMOVABLE_SUITES  suites to run on the removable LUN 1
#   CONFORMANCE_THIN_SUITES       suites to run on the thin-provisioned LUN 2
#   CONFORMANCE_URL               test an already running target instead of
#                                 starting ctgt (e.g. iscsi://127.0.0.1:3261/iqn.x:y/1)
#   CONFORMANCE_URL_REMOVABLE     URL for the removable suites (default: CONFORMANCE_URL)
#   CONFORMANCE_URL_THIN          URL for the thin suites (default: CONFORMANCE_URL)
#   CONFORMANCE_SUITE_TIMEOUT     seconds per suite (default 300)
#   CONFORMANCE_BUDGET            seconds for all suites together (default 900);
#                                 suites that do not fit are not run (FAIL)
#   CONFORMANCE_OUT               output directory (default build/conformance)
set -euo pipefail

export CTGT_TEST_NAME=conformance
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib.sh
. "$here/../lib.sh"

# Suites of the ALL family run against LUN 0 (file-backed, thick, 256 MiB).
# Add a suite here and its tests join the gate once expected.txt lists them.
SUITES=(
	Inquiry Mandatory
	Read6 Read10 Read12 Read16
	ReadCapacity10 ReadCapacity16
	ReportSupportedOpcodes
	TestUnitReady
	Unmap
	Write10 Write12 Write16
	iSCSIcmdsn iSCSIdatasn iSCSIResiduals
)
# Suites that need a removable medium (they skip on a fixed disk); they run
# against LUN 1, which is created with ",removable".
REMOVABLE_SUITES=(
	NoMedia
)
# Suites run (again) against LUN 2, created with ",thin": the logical block
# provisioning tests skip on a fully provisioned LU. Their tests are named
# with THIN_TAG appended, so that a test run on both LUNs has two results.
THIN_SUITES=(
	Inquiry ReadCapacity16 ReportSupportedOpcodes Unmap
)
THIN_TAG=@thin

FAMILY=ALL
EXPECTED=$here/expected.txt
OUT=${CONFORMANCE_OUT:-$CTGT_ROOT/build/conformance}
SUITE_TIMEOUT=${CONFORMANCE_SUITE_TIMEOUT:-300}
BUDGET=${CONFORMANCE_BUDGET:-900}
PARSER=$here/parse-cu.awk

update=0
case ${1:-} in
--update) update=1 ;;
"") ;;
-h | --help)
	sed -n '3,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
	exit 0
	;;
*)
	echo "usage: $0 [--update]" >&2
	exit 2
	;;
esac

command -v iscsi-test-cu >/dev/null ||
	fail "iscsi-test-cu not found (package libiscsi-bin; run tools/install-deps.sh)"

# Every test iscsi-test-cu knows, in its order: ALL.Suite.Test
all_tests=$(iscsi-test-cu --list | grep -E "^$FAMILY\.[^.]+\.[^.]+\$") ||
	fail "iscsi-test-cu --list printed no $FAMILY tests"
all_suites=$(cut -d. -f2 <<<"$all_tests" | uniq)

if [ -n "${CONFORMANCE_REMOVABLE_SUITES+x}" ]; then
	read -r -a REMOVABLE_SUITES <<<"$CONFORMANCE_REMOVABLE_SUITES"
fi
if [ -n "${CONFORMANCE_THIN_SUITES+x}" ]; then
	read -r -a THIN_SUITES <<<"$CONFORMANCE_THIN_SUITES"
fi
if [ -n "${CONFORMANCE_SUITES+x}" ]; then
	if [ "$CONFORMANCE_SUITES" = all ]; then
		SUITES=()
		for s in $all_suites; do
			[[ " ${REMOVABLE_SUITES[*]} " == *" $s "* ]] || SUITES+=("$s")
		done
	else
		read -r -a SUITES <<<"$CONFORMANCE_SUITES"
	fi
fi
for s in "${SUITES[@]}" "${REMOVABLE_SUITES[@]}" "${THIN_SUITES[@]}"; do
	grep -qx "$s" <<<"$all_suites" || fail "unknown suite '$s' (see iscsi-test-cu --list)"
done

rm -rf "$OUT"
mkdir -p "$OUT/logs"

# ------------------------------------------------------------------ target

own_daemon=0
daemon_problems=()
url0=
url1=
url2=

start_daemon() {
	local u
	ctgt_start --lun "0=$CTGT_TMP/lun0.img,size=256M" \
		--lun "1=$CTGT_TMP/lun1.img,size=64M,removable" \
		--lun "2=$CTGT_TMP/lun2.img,size=64M,thin"
	url0='' url1='' url2=''
	for u in $CTGT_URLS; do
		case $u in
		*/0) url0=$u ;;
		*/1) url1=$u ;;
		*/2) url2=$u ;;
		esac
	done
	[ -n "$url0" ] && [ -n "$url1" ] && [ -n "$url2" ] ||
		fail "daemon did not print url lines for LUN 0, 1 and 2: $CTGT_URLS"
}

save_daemon_log() {
	[ "$own_daemon" = 1 ] && [ -f "$CTGT_LOG" ] || return 0
	cp "$CTGT_LOG" "$OUT/ctgt.$CTGT_PID.log"
}

if [ -n "${CONFORMANCE_URL:-}" ]; then
	url0=$CONFORMANCE_URL
	url1=${CONFORMANCE_URL_REMOVABLE:-$CONFORMANCE_URL}
	url2=${CONFORMANCE_URL_THIN:-$CONFORMANCE_URL}
	log "testing the existing target $url0"
else
	own_daemon=1
	start_daemon
fi

# ------------------------------------------------------------------ suites

# count VERDICT FILE: number of tests with that verdict in FILE.
count() {
	cut -f1 "$2" | grep -c " $1\$" || true
}

# run_suite SUITE URL [TAG]: run one suite and append its verdicts to
# parsed.txt, with TAG appended to every test name.
run_suite() {
	local suite=$1 url=$2 tag=${3:-} left rc=0 t0 secs note=
	local name=$suite$tag
	local log=$OUT/logs/$name.log parsed=$OUT/logs/$name.parsed
	left=$((deadline - SECONDS))
	if [ "$left" -le 0 ]; then
		echo "  $name: not run (conformance time budget of ${BUDGET}s used up)"
		return 0
	fi
	[ "$left" -lt "$SUITE_TIMEOUT" ] || left=$SUITE_TIMEOUT
	t0=$SECONDS
	# -V logs at LOG_VERBOSE, which shows the "[SKIPPED]" of tests that skip
	# quietly; stdbuf keeps the log complete if the tool is killed.
	timeout -k 10 "$left" stdbuf -oL -eL \
		iscsi-test-cu --dataloss -V --test="$FAMILY.$suite" "$url" \
		>"$log" 2>&1 </dev/null &
	local tpid=$! died=0
	# If our daemon dies, stop the tool now rather than let it retry its
	# login until the timeout.
	while ! ctgt__exited "$tpid"; do
		if [ "$own_daemon" = 1 ] && ctgt__exited "$CTGT_PID"; then
			died=1
			sleep 1
			kill -TERM "$tpid" 2>/dev/null || true
			break
		fi
		sleep 0.2
	done
	wait "$tpid" || rc=$?
	secs=$((SECONDS - t0))
	awk -v family="$FAMILY" -f "$PARSER" "$log" | sed "s/ /$tag /" >"$parsed"
	cat "$parsed" >>"$OUT/parsed.txt"
	if [ "$died" = 1 ]; then
		note=" (stopped: the daemon died)"
	else
		case $rc in
		0 | 1) ;;
		124 | 137) note=" TIMED OUT after ${left}s" ;;
		*) note=" (iscsi-test-cu exit status $rc: $(grep -v '^[[:space:]]*$' "$log" | tail -n 1))" ;;
		esac
	fi
	local total notrun
	total=$(grep -c "^$FAMILY\.$suite\." <<<"$all_tests" || true)
	notrun=$((total - $(wc -l <"$parsed")))
	[ "$notrun" -le 0 ] || note=" $notrun NOT RUN$note"
	printf '  %-28s %3d passed, %3d failed, %3d skipped  %4ds%s\n' "$name" \
		"$(count PASS "$parsed")" "$(count FAIL "$parsed")" \
		"$(count SKIP "$parsed")" "$secs" "$note"

	if [ "$own_daemon" = 1 ] && ctgt__exited "$CTGT_PID"; then
		local st=0
		wait "$CTGT_PID" || st=$?
		ctgt__forget "$CTGT_PID"
		save_daemon_log
		daemon_problems+=("daemon crashed during suite $name (exit status $st); log: $OUT/ctgt.$CTGT_PID.log")
		echo "  !! ctgt died during $name (status $st); restarting it"
		tail -n 20 "$CTGT_LOG" | sed 's/^/  | /'
		start_daemon
	fi
}

: >"$OUT/parsed.txt"
deadline=$((SECONDS + BUDGET))
echo "conformance: ${#SUITES[@]} suites on LUN 0, ${#REMOVABLE_SUITES[@]} on removable LUN 1," \
	"${#THIN_SUITES[@]} on thin LUN 2; logs in $OUT/logs"
for s in "${SUITES[@]}"; do
	run_suite "$s" "$url0"
done
for s in "${REMOVABLE_SUITES[@]}"; do
	run_suite "$s" "$url1"
done
for s in "${THIN_SUITES[@]}"; do
	run_suite "$s" "$url2" "$THIN_TAG"
done

if [ "$own_daemon" = 1 ]; then
	save_daemon_log
	ctgt_try_stop || daemon_problems+=("$CTGT_STOP_ERR")
fi

# ------------------------------------------------------------------ results

# The suites run, each as "Suite" or "Suite@tag" (see suite_key below).
ran_suites=" ${SUITES[*]} ${REMOVABLE_SUITES[*]} "
for s in "${THIN_SUITES[@]}"; do
	ran_suites+="$s$THIN_TAG "
done
# awk: the suite key of a result name, "ALL.Suite.Test[@tag]" -> "Suite[@tag]",
# and the name without its tag.
AWK_KEY='
function untagged(name) { sub(/@.*/, "", name); return name }
function suite_key(name,   p, tag) {
	tag = index(name, "@") ? substr(name, index(name, "@")) : ""
	split(untagged(name), p, ".")
	return p[2] tag
}'
# The tests of the suites run: untagged ones in iscsi-test-cu's order, then
# the thin ones in the same order.
wanted=$(awk -v s="$ran_suites" -v tag="$THIN_TAG" '
	{ split($0, p, "."); if (index(s, " " p[2] " ")) print }
	index(s, " " p[2] tag " ") { thin[++n] = $0 tag }
	END { for (i = 1; i <= n; i++) print thin[i] }
' <<<"$all_tests")

# details.txt: "NAME VERDICT<TAB>reason"; a test with no verdict did not run.
awk -F'\t' '
	FILENAME == ARGV[1] { split($1, a, " "); seen[a[1]] = $0; next }
	$0 in seen { print seen[$0]; next }
	{ print $0 " FAIL\tnot run (the suite was not run, hung or crashed)" }
' "$OUT/parsed.txt" - <<<"$wanted" >"$OUT/details.txt"
cut -f1 "$OUT/details.txt" >"$OUT/results.txt"

npass=$(count PASS "$OUT/results.txt")
nfail=$(count FAIL "$OUT/results.txt")
nskip=$(count SKIP "$OUT/results.txt")

# Expected verdicts of the suites run (comments and blank lines ignored).
expected_run=$OUT/expected.run.txt
if [ -f "$EXPECTED" ]; then
	{ grep -vE '^[[:space:]]*(#|$)' "$EXPECTED" || true; } |
		awk -v s="$ran_suites" "$AWK_KEY"'
			index(s, " " suite_key($1) " ") { print $1, $2 }' >"$expected_run"
else
	: >"$expected_run"
fi

status=0
if [ "$update" = 1 ]; then
	{
		sed -n '/^#/p' "$EXPECTED" 2>/dev/null || true
		{
			# keep the entries of suites not run this time
			if [ -f "$EXPECTED" ]; then
				{ grep -vE '^[[:space:]]*(#|$)' "$EXPECTED" || true; } |
					awk -v s="$ran_suites" "$AWK_KEY"'
						!index(s, " " suite_key($1) " ") { print $1, $2 }'
			fi
			cat "$OUT/results.txt"
		} | awk "$AWK_KEY"'
			FILENAME == ARGV[1] { order[$0] = FNR; next }
			{ print order[untagged($1)] + ($1 ~ /@/ ? 1000000 : 0), $0 }
		' <(echo "$all_tests") - | sort -n -k1,1 -s | cut -d' ' -f2-
	} >"$EXPECTED.new"
	mv "$EXPECTED.new" "$EXPECTED"
	echo "conformance: updated $EXPECTED"
else
	# A regression: expected PASS, now anything else (or absent).
	regressions=$(awk '
		FILENAME == ARGV[1] { got[$1] = $2; next }
		$2 == "PASS" && got[$1] != "PASS" { print $1, "expected PASS, got", (got[$1] == "" ? "nothing" : got[$1]) }
	' "$OUT/results.txt" "$expected_run")
	improvements=$(awk '
		FILENAME == ARGV[1] { want[$1] = $2; next }
		$2 == "PASS" && want[$1] != "PASS" { print $1, "now PASS, expected.txt says", (want[$1] == "" ? "nothing" : want[$1]) }
	' "$expected_run" "$OUT/results.txt")
	[ -s "$expected_run" ] ||
		echo "conformance: warning: $EXPECTED has no entries for these suites; nothing is gated (run with --update to record a baseline)"
	if [ -n "$regressions" ]; then
		status=1
		echo "conformance: REGRESSIONS (expected.txt says PASS):"
		while read -r name _; do
			printf '  %s\n' "$(grep -m1 "^$name " "$OUT/details.txt" | tr '\t' ' ')"
		done <<<"$regressions"
		echo "conformance: diff expected.txt -> this run (suites run only):"
		diff -u --label expected --label results <(sort "$expected_run") <(sort "$OUT/results.txt") |
			sed 's/^/  /' || true
		echo "conformance: logs per suite in $OUT/logs/"
	fi
	if [ -n "$improvements" ]; then
		echo "conformance: improvements; record them with tests/conformance/run.sh --update:"
		sed 's/^/  /' <<<"$improvements"
	fi
fi

for p in "${daemon_problems[@]}"; do
	echo "conformance: FAIL: $p"
	status=1
done

echo "conformance: $npass passed, $nfail failed, $nskip skipped"
exit "$status"

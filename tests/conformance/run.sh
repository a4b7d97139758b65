#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Conformance matrix: run libiscsi's iscsi-test-cu (--dataloss
# --allow-sanitize, with a second multipath URL to the same LU through a
# second portal), suite by suite, against one ctgt daemon started here that
# exports one LU per profile:
#
#   thick      LUN 0  file, fully provisioned     every suite of the ALL family
#   thin       LUN 1  file, thin (UNMAP punches)  every suite of the ALL family
#   readonly   LUN 2  file opened read-only       ReadOnly and the read-side suites
#   removable  LUN 3  file, removable medium      PreventAllow StartStopUnit NoMedia
#   thin4k     LUN 4  thin, 4 KiB physical blocks the suites whose tests need more
#                                                 than one logical block per physical one
#   slow       LUN 5  file capped at 4 MiB/s      Sanitize.Reset
#   uring      LUN 6  thin file through io_uring  the data-path suites (reads,
#                     with O_DIRECT                writes, verify, UNMAP, WRITE
#                                                 SAME, COMPARE AND WRITE...)
#
# Sanitize.Reset needs a SANITIZE that is still running 4 s after it began
# and across resets and a new login; on the 128 MiB thick and thin LUs the
# erase is over in well under a second, so that test runs on the slow LU
# (a 32 MiB LU behind a max_bandwidth=4M cap: an 8 s erase, as on a real
# medium) and is left out of thick and thin. A profile's list names suites
# ("Sanitize") or single tests ("Sanitize.Reset"); PROFILE_EXCLUDE names
# tests a profile leaves out.
#
# One verdict per test goes to build/conformance/results.txt as
# "ALL.Suite.Test@profile PASS|FAIL|SKIP" and is compared with
# tests/conformance/expected.txt, where every SKIP and FAIL entry carries its
# reason ("ALL.Suite.Test@profile SKIP  # why"). Any difference fails (exit
# 1): a PASS that now fails, skips or does not run, a SKIP or FAIL that
# changes (even to PASS), a test run that has no entry, a malformed entry or
# a SKIP/FAIL entry without a reason. A daemon that crashes during a suite,
# or does not exit 0 on SIGTERM at the end, also fails.
#
# Usage: tests/conformance/run.sh [--update]
#   --update   rewrite expected.txt from this run (entries of suites that
#              were not run are kept; an entry whose verdict did not change
#              keeps its reason, a new SKIP/FAIL gets the tool's message as
#              its reason, to be reviewed)
#
# Environment:
#   CONFORMANCE_PROFILES          profiles to run (default: all of them)
#   CONFORMANCE_SUITES            suites (or Suite.Test) for the thick and thin
#                                 profiles, space separated (default: all =
#                                 every ALL suite)
#   CONFORMANCE_URL               test an already running target instead of
#                                 starting ctgt: only the thick profile runs,
#                                 against this URL (and CONFORMANCE_URL2, the
#                                 second path, if set)
#   CONFORMANCE_SUITE_TIMEOUT     seconds per suite (default 300)
#   CONFORMANCE_BUDGET            seconds for all suites together (default 1800);
#                                 suites that do not fit are not run (FAIL)
#   CONFORMANCE_OUT               output directory (default build/conformance)
#   CTGT_EXTRA_FLAGS              more flags for the daemon, after the LUs'
#                                 (e.g. "--threads 2"; words split on blanks)
#   CTGT_PRE_FLAGS                flags before the LUs' (e.g. another target
#                                 first, ending with --target NAME for the LUs)
set -euo pipefail

export CTGT_TEST_NAME=conformance
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib.sh
. "$here/../lib.sh"

ALL_PROFILES=(thick thin readonly removable thin4k slow uring)
declare -A LUN_OF=([thick]=0 [thin]=1 [readonly]=2 [removable]=3 [thin4k]=4 [slow]=5 [uring]=6)
declare -A LUN_OPTS=([thick]=size=128M [thin]=size=128M,thin
	[readonly]=size=64M,readonly [removable]=size=64M,removable
	[thin4k]=size=128M,thin,physical_block_size=4096
	[slow]=size=32M,max_bandwidth=4M [uring]=size=128M,thin,io=uring,direct)
# Suites per profile; "all" is every suite of the family. The readonly LU
# runs the suites that look at write protection (ReadOnly, the WP bit of
# MODE SENSE) and those that only read; the removable LU the medium suites.
declare -A PROFILE_SUITES=([thick]=all [thin]=all
	[readonly]="ReadOnly Inquiry ModeSense6 Read10 Read16 ReadCapacity10 ReadCapacity16 TestUnitReady Verify10"
	[removable]="PreventAllow StartStopUnit NoMedia"
	[thin4k]="CompareAndWrite WriteSame10 WriteSame16 WriteAtomic16 Unmap ReadCapacity16 Inquiry"
	[slow]="Sanitize.Reset"
	[uring]="Read6 Read10 Read12 Read16 Write10 Write12 Write16 WriteVerify10 WriteVerify12
		WriteVerify16 Verify10 Verify12 Verify16 OrWrite Prefetch10 Prefetch16 Unmap
		GetLBAStatus WriteSame10 WriteSame16 WriteAtomic16 CompareAndWrite")
declare -A PROFILE_EXCLUDE=([thick]="Sanitize.Reset" [thin]="Sanitize.Reset")

FAMILY=ALL
EXPECTED=$here/expected.txt
OUT=${CONFORMANCE_OUT:-$CTGT_ROOT/build/conformance}
SUITE_TIMEOUT=${CONFORMANCE_SUITE_TIMEOUT:-300}
BUDGET=${CONFORMANCE_BUDGET:-1800}
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

# The verdicts are only as good as the parser: check it on known output first.
"$here/parse-test.sh" || fail "parse-cu.awk failed its self-test (tests/conformance/parse-test.sh)"

command -v iscsi-test-cu >/dev/null ||
	fail "iscsi-test-cu not found (package libiscsi-bin; run tools/install-deps.sh)"

# Every test iscsi-test-cu knows, in its order: ALL.Suite.Test
all_tests=$(iscsi-test-cu --list | grep -E "^$FAMILY\.[^.]+\.[^.]+\$") ||
	fail "iscsi-test-cu --list printed no $FAMILY tests"
all_suites=$(cut -d. -f2 <<<"$all_tests" | uniq)

read -r -a PROFILES <<<"${CONFORMANCE_PROFILES:-${ALL_PROFILES[*]}}"
[ -z "${CONFORMANCE_URL:-}" ] || PROFILES=(thick)
if [ -n "${CONFORMANCE_SUITES:-}" ]; then
	PROFILE_SUITES[thick]=$CONFORMANCE_SUITES
	PROFILE_SUITES[thin]=$CONFORMANCE_SUITES
fi
for p in "${PROFILES[@]}"; do
	[ -n "${LUN_OF[$p]+x}" ] || fail "unknown profile '$p' (${ALL_PROFILES[*]})"
	[ "${PROFILE_SUITES[$p]}" != all ] || PROFILE_SUITES[$p]=$(echo $all_suites)
	for s in ${PROFILE_SUITES[$p]} ${PROFILE_EXCLUDE[$p]:-}; do
		grep -qxF -e "$s" <<<"$all_suites" || grep -qxF -e "$FAMILY.$s" <<<"$all_tests" ||
			fail "unknown suite or test '$s' (see iscsi-test-cu --list)"
	done
done

# entry_tests ENTRY [PROFILE]: the tests ("ALL.Suite.Test") of a suite or
# single test of a profile's list, without the profile's exclusions.
entry_tests() {
	local ex=" "
	[ -z "${2:-}" ] || ex=" ${PROFILE_EXCLUDE[$2]:-} "
	awk -v e="$FAMILY.$1" -v ex="$ex" -v fam="$FAMILY." '
		($0 == e || index($0, e ".") == 1) && !index(ex, " " substr($0, length(fam) + 1) " ")
	' <<<"$all_tests"
}

rm -rf "$OUT"
mkdir -p "$OUT/logs"

# ------------------------------------------------------------------ target

own_daemon=0
daemon_problems=()
declare -A URL1 URL2

# Two portals on 127.0.0.1: every LU is reachable by two paths, which the
# multipath tests (and the reservation tests that need a second nexus) use.
start_daemon() {
	local p args=() u second
	for p in "${ALL_PROFILES[@]}"; do
		# The read-only LU is opened O_RDONLY, so its file must exist.
		[ "$p" != readonly ] || [ -e "$CTGT_TMP/readonly.img" ] ||
			truncate -s 64M "$CTGT_TMP/readonly.img"
		args+=(--lun "${LUN_OF[$p]}=$CTGT_TMP/$p.img,${LUN_OPTS[$p]}")
	done
	# libiscsi's suites send TARGET WARM/COLD RESET (Reserve6, PreventAllow,
	# Sanitize.Reset...), which a target refuses unless it allows them.
	# shellcheck disable=SC2086 # CTGT_EXTRA_FLAGS: words, e.g. "--threads 2"
	# shellcheck disable=SC2086 # CTGT_PRE_FLAGS: words
	ctgt_start --portal 127.0.0.1:0 --portal 127.0.0.1:0 ${CTGT_PRE_FLAGS:-} \
		--allow-target-reset "${args[@]}" ${CTGT_EXTRA_FLAGS:-}
	second=${CTGT_LISTEN#* }
	[ "$second" != "$CTGT_LISTEN" ] || fail "daemon listens on one portal only: $CTGT_LISTEN"
	for p in "${ALL_PROFILES[@]}"; do
		URL1[$p]=
		for u in $CTGT_URLS; do
			[ "${u##*/}" != "${LUN_OF[$p]}" ] || URL1[$p]=$u
		done
		[ -n "${URL1[$p]}" ] || fail "daemon printed no url for LUN ${LUN_OF[$p]}: $CTGT_URLS"
		u=${URL1[$p]#iscsi://}
		URL2[$p]=iscsi://$second/${u#*/}
	done
}

save_daemon_log() {
	[ "$own_daemon" = 1 ] && [ -f "$CTGT_LOG" ] || return 0
	cp "$CTGT_LOG" "$OUT/ctgt.$CTGT_PID.log"
}

if [ -n "${CONFORMANCE_URL:-}" ]; then
	URL1[thick]=$CONFORMANCE_URL
	URL2[thick]=${CONFORMANCE_URL2:-}
	log "testing the existing target $CONFORMANCE_URL"
else
	own_daemon=1
	start_daemon
fi

# ------------------------------------------------------------------ suites

# count VERDICT FILE: number of tests with that verdict in FILE.
count() {
	cut -f1 "$2" | grep -c " $1\$" || true
}

# run_suite ENTRY PROFILE: run one suite (or single test) of the profile's
# list on the profile's LU and append its verdicts to parsed.txt, with
# "@PROFILE" appended to every test name.
run_suite() {
	local suite=$1 profile=$2 left rc=0 t0 secs note= tests spec
	local tag=@$profile
	local name=$suite$tag
	local log=$OUT/logs/$name.log parsed=$OUT/logs/$name.parsed
	left=$((deadline - SECONDS))
	if [ "$left" -le 0 ]; then
		echo "  $name: not run (conformance time budget of ${BUDGET}s used up)"
		return 0
	fi
	[ "$left" -lt "$SUITE_TIMEOUT" ] || left=$SUITE_TIMEOUT
	tests=$(entry_tests "$suite" "$profile")
	spec=$FAMILY.$suite
	# With exclusions, name the remaining tests one by one.
	[ "$tests" = "$(entry_tests "$suite")" ] || spec=$(paste -sd, <<<"$tests")
	t0=$SECONDS
	# -V logs at LOG_VERBOSE, which shows the "[SKIPPED]" of tests that skip
	# quietly; stdbuf keeps the log complete if the tool is killed.
	timeout -k 10 "$left" stdbuf -oL -eL \
		iscsi-test-cu --dataloss --allow-sanitize -V --test="$spec" \
		"${URL1[$profile]}" ${URL2[$profile]:+"${URL2[$profile]}"} \
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
	total=$(wc -l <<<"$tests")
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
echo "conformance: profiles ${PROFILES[*]}; logs in $OUT/logs"
for p in "${PROFILES[@]}"; do
	for s in ${PROFILE_SUITES[$p]}; do
		run_suite "$s" "$p"
	done
done

if [ "$own_daemon" = 1 ]; then
	save_daemon_log
	ctgt_try_stop || daemon_problems+=("$CTGT_STOP_ERR")
fi

# ------------------------------------------------------------------ results

# The suites run (wholly or in part), each as "Suite@profile".
ran_suites=" "
for p in "${PROFILES[@]}"; do
	for s in ${PROFILE_SUITES[$p]}; do
		ran_suites+="${s%%.*}@$p "
	done
done
# awk: the suite key of a result name, "ALL.Suite.Test@profile" ->
# "Suite@profile", and the name without its tag.
AWK_KEY='
function untagged(name) { sub(/@.*/, "", name); return name }
function suite_key(name,   p, tag) {
	tag = index(name, "@") ? substr(name, index(name, "@")) : ""
	split(untagged(name), p, ".")
	return p[2] tag
}'
# The tests run, profile by profile in the order of the profile's list.
wanted=$(for p in "${PROFILES[@]}"; do
	for s in ${PROFILE_SUITES[$p]}; do
		entry_tests "$s" "$p" | sed "s/\$/@$p/"
	done
done)

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

# expected.txt: one entry a line, "NAME VERDICT", and "  # reason" after every
# verdict other than PASS; comment lines and blank lines are ignored.
# expected.entries.txt: "NAME<TAB>VERDICT<TAB>REASON" of every entry; problems
# with the file itself (bad lines, duplicates, a missing reason) go to
# expected.errors.txt.
entries=$OUT/expected.entries.txt
: >"$entries"
: >"$OUT/expected.errors.txt"
if [ -f "$EXPECTED" ]; then
	awk -v errs="$OUT/expected.errors.txt" '
		function trim(s) { sub(/^[ \t]+/, "", s); sub(/[ \t\r]+$/, "", s); return s }
		function bad(why) { printf "expected.txt:%d: %s: %s\n", FNR, why, $0 >errs }
		/^[ \t]*(#|$)/ { next }
		{
			line = $0; reason = ""
			if (h = index(line, "#")) {
				reason = trim(substr(line, h + 1))
				line = substr(line, 1, h - 1)
			}
			n = split(line, f, " ")
			if (n != 2 || f[2] !~ /^(PASS|FAIL|SKIP)$/) { bad("want \"NAME PASS|FAIL|SKIP [# reason]\""); next }
			if (f[2] != "PASS" && reason == "") bad("a " f[2] " entry needs its reason (\"  # why\")")
			if (f[1] in seen) bad("second entry for " f[1])
			seen[f[1]] = 1
			printf "%s\t%s\t%s\n", f[1], f[2], reason
		}' "$EXPECTED" >"$entries"
fi
# Expected verdicts of the tests run, "NAME VERDICT".
expected_run=$OUT/expected.run.txt
awk -F'\t' 'FILENAME == ARGV[1] { run[$1] = 1; next } ($1 in run) { print $1, $2 }' \
	<(echo "$wanted") "$entries" >"$expected_run"

status=0
if [ "$update" = 1 ]; then
	# A result keeps the reason of its entry when its verdict did not change;
	# a new SKIP or FAIL gets the tool's message as its reason, to be
	# reviewed (and rewritten by hand where it does not say why).
	{
		sed -n '/^#/p' "$EXPECTED" 2>/dev/null || true
		{
			# keep the entries of suites not run this time
			awk -F'\t' -v s="$ran_suites" "$AWK_KEY"'
				!index(s, " " suite_key($1) " ") {
					print $1, $2 ($3 != "" ? "  # " $3 : "") }' "$entries"
			awk -F'\t' '
				FILENAME == ARGV[1] { v[$1] = $2; r[$1] = $3; next }
				{ split($1, a, " "); name = a[1]; got = a[2]; why = ""
				  if (got != "PASS") {
					why = (v[name] == got && r[name] != "") ? r[name] : $2
					if (why == "") why = "no reason logged: write one"
				  }
				  print name, got (why != "" ? "  # " why : "") }
			' "$entries" "$OUT/details.txt"
		} | awk -v profiles="${ALL_PROFILES[*]}" "$AWK_KEY"'
			BEGIN { n = split(profiles, pl, " "); for (i = 1; i <= n; i++) rank["@" pl[i]] = i }
			FILENAME == ARGV[1] { order[$0] = FNR; next }
			{ t = substr($1, length(untagged($1)) + 1)
			  print rank[t] * 1000000 + order[untagged($1)], $0 }
		' <(echo "$all_tests") - | sort -n -k1,1 -s | cut -d' ' -f2-
	} >"$EXPECTED.new"
	mv "$EXPECTED.new" "$EXPECTED"
	echo "conformance: updated $EXPECTED"
	changed=$(awk 'FILENAME == ARGV[1] { want[$1] = $2; next }
		$2 != "PASS" && want[$1] != $2 { print $1, $2 }' "$expected_run" "$OUT/results.txt")
	if [ -n "$changed" ]; then
		echo "conformance: new SKIP/FAIL entries carry the tool's message as their reason; review them:"
		sed 's/^/  /' <<<"$changed"
	fi
else
	# Every test run must have an entry, and its verdict must be the one of
	# its entry: a PASS that now fails or skips is a regression, a SKIP or
	# FAIL that changes (even to PASS) is a change to record with --update.
	mismatches=$(awk '
		FILENAME == ARGV[1] { want[$1] = $2; next }
		!($1 in want) { print $1, "has no entry in expected.txt (got " $2 ")"; next }
		want[$1] != $2 { print $1, "expected " want[$1] ", got " $2 }
	' "$expected_run" "$OUT/results.txt")
	if [ -s "$OUT/expected.errors.txt" ]; then
		status=1
		echo "conformance: FAIL: $EXPECTED is malformed:"
		sed 's/^/  /' "$OUT/expected.errors.txt"
	fi
	if [ -n "$mismatches" ]; then
		status=1
		echo "conformance: FAIL: verdicts differ from expected.txt:"
		while read -r name rest; do
			printf '  %s\n' "$name $rest"
			printf '    %s\n' "$(grep -m1 "^$name " "$OUT/details.txt" | sed 's/\t/: /; s/: $//')"
		done <<<"$mismatches"
		echo "conformance: diff expected.txt -> this run (suites run only):"
		diff -u --label expected --label results <(sort "$expected_run") <(sort "$OUT/results.txt") |
			sed 's/^/  /' || true
		echo "conformance: logs per suite in $OUT/logs/; if a change is right, record it with tests/conformance/run.sh --update"
	fi
fi

for p in "${daemon_problems[@]}"; do
	echo "conformance: FAIL: $p"
	status=1
done

# A FAIL that expected.txt records (with its reason) is known, not a
# regression: it is counted apart, so "failed" is what went wrong in this run.
nxfail=$(awk 'FILENAME == ARGV[1] { want[$1] = $2; next }
	$2 == "FAIL" && want[$1] == "FAIL" { n++ } END { print n + 0 }' "$expected_run" "$OUT/results.txt")
[ "$nxfail" = 0 ] || echo "conformance: $nxfail known failure(s) as recorded in expected.txt"
echo "conformance: $npass passed, $((nfail - nxfail)) failed, $nskip skipped"
exit "$status"

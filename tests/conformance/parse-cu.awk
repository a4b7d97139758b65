#!/usr/bin/awk -f
# SPDX-License-Identifier: Apache-2.0
#
# Turn the console output of "iscsi-test-cu -V ..." (CUnit basic mode,
# verbose) into one line per test:
#
#   FAMILY.Suite.Test PASS|FAIL|SKIP<TAB>reason
#
# Usage: awk -v family=ALL -f parse-cu.awk suite.log
#
# CUnit prints "\n  Test: NAME ..." when a test starts and "passed" or
# "FAILED" (followed by its list of failed assertions) when it ends, right
# after whatever the test logged; the test's setup and teardown run between
# the two. So:
#   - the verdict is the first "passed"/"FAILED" at the start of a line, or
#     right after the "..." of the Test line when the test printed nothing;
#   - iscsi-test-cu counts a skipped test as passed. A skipping test logs
#     "[SKIPPED] reason" and returns, so a test that passed and whose last
#     logged line is a "[SKIPPED]" one is a SKIP (-V makes the tests that log
#     their skip at LOG_VERBOSE visible). A "[SKIPPED]" followed by more
#     output is a helper skipping one step of a test that goes on (NoMedia
#     logs "COMPAREANDWRITE is not implemented" and tests 20 more
#     commands); such a test keeps its verdict;
#   - a "[FAILED] ..." line the test logs itself is a verdict: the test
#     FAILs even when CUnit says passed (libiscsi 1.19 tests such as
#     PrinReadKeys.Simple log a data check's failure and return without a
#     CUnit assertion). The lines the command helpers of libiscsi's
#     test-tool/iscsi-support.c log when a status differs from the one
#     they were told to expect are not: a test may call a helper where
#     either outcome is fine, and the test's own CUnit assertion on the
#     helper's return value carries the verdict. helper_line() lists those
#     forms, each exactly as iscsi-support.c 1.19 prints it;
#   - text after the verdict (e.g. a "[FAILED]" from the suite cleanup)
#     does not change it;
#   - a test with no verdict before the next test, suite or end of the log
#     hung or crashed the tool: FAIL.

function trim(s) {
	sub(/^[ \t]+/, "", s)
	sub(/[ \t\r]+$/, "", s)
	return s
}

# True when MSG (text from "[FAILED]" on) is one of the lines the helpers of
# iscsi-support.c log (1.19), not a test's own verdict. OP is the opcode name
# a helper passes to check_result() ("TESTUNITREADY", "GET_LBA_STATUS", ...).
function helper_line(msg,   op) {
	op = "[A-Z][A-Z0-9_]*"
	# check_result(), behind every EXPECT_* command macro, and the "send"
	# failure of every other helper (the command never got a status)
	if (msg ~ ("^\\[FAILED\\] Failed to send " op " command: "))
		return 1
	if (msg ~ ("^\\[FAILED\\] " op " command failed with status [0-9]+ / sense key "))
		return 1
	if (msg ~ ("^\\[FAILED\\] " op " successful but should have failed with "))
		return 1
	if (msg ~ ("^\\[FAILED\\] " op " command should have failed with RESERVATION_CONFLICT\\.$"))
		return 1
	if (msg ~ ("^\\[FAILED\\] " op " failed with wrong sense\\. Should have failed with "))
		return 1
	# the PR, READ10/WRITE10, PREVENT ALLOW and RESERVE/RELEASE(6) helpers.
	# Only these opcodes: Read6.Simple logs "READ6 command: failed with
	# sense." itself.
	if (msg ~ "^\\[FAILED\\] (PRIN|PROUT|READ10|WRITE10|PREVENTALLOW|RESERVE6|RELEASE6) command: failed with sense[.:] ")
		return 1
	if (msg ~ "^\\[FAILED\\] (READ10 command succeeded when expected to fail|WRITE10 command: succeeded when exptec to fail)$")
		return 1
	if (msg ~ "^\\[FAILED\\] PRIN/SA=0x[0-9a-fA-F]+ (failed: |succeeded with invalid serviceaction$)")
		return 1
	# the PR helpers that check what they read against what the caller
	# said to expect (prin_verify_key_presence() and friends)
	if (msg ~ "^\\[FAILED\\] (failed to unmarshall PRIN/READ_KEYS data\\. |Failed to unmarshall PRIN/READ_RESERVATION data[.:] )")
		return 1
	if (msg ~ "^\\[FAILED\\] (Key found when none expected|Key not found when expected|Expected RESERVATION CONFLICT)$")
		return 1
	if (msg ~ "^\\[FAILED\\] (Failed to find Target (not )?reserved as expected\\.$|Failed to find reservation key 0x)")
		return 1
	return 0
}

function emit(verdict, reason) {
	printf "%s.%s.%s %s\t%s\n", family, suite, test, verdict, reason
	test = ""
}

# Close a test that never got its verdict.
function close_open() {
	if (want_assert) {
		want_assert = 0
		emit("FAIL", "CUnit assertion failed")
	}
	if (test != "")
		emit("FAIL", "no verdict: the test hung or the tool crashed" \
		     (fail_reason() != "" ? "; " fail_reason() : ""))
}

# Look at text that belongs to the running test (a whole line, or what
# follows "..." on its Test line).
function scan(text,   msg) {
	if (text ~ /^passed/) {
		if (own_fail != "")
			emit("FAIL", "CUnit passed, but the test logged " own_fail)
		else if (skip_msg != "" && !after_skip)
			emit("SKIP", skip_msg)
		else
			emit("PASS", "")
		return
	}
	if (text ~ /^FAILED/) {
		if (fail_reason() != "") {
			emit("FAIL", fail_reason())
		} else {
			# The reason is CUnit's first failed assertion, on the
			# next line ("    1. file.c:NN  - CU_ASSERT...").
			want_assert = 1
		}
		return
	}
	if (index(text, "[SKIPPED]")) {
		skip_msg = trim(substr(text, index(text, "[SKIPPED]")))
		after_skip = 0
	} else if (skip_msg != "" && text !~ /^[ \t\r]*$/) {
		after_skip = 1
	}
	if (index(text, "[FAILED]")) {
		msg = trim(substr(text, index(text, "[FAILED]")))
		if (!helper_line(msg)) {
			if (own_fail == "")
				own_fail = msg
		} else if (helper_fail == "") {
			helper_fail = msg
		}
	}
}

# The reason of a failed test: its own first "[FAILED]" line, else a helper's.
function fail_reason() {
	return own_fail != "" ? own_fail : helper_fail
}

BEGIN {
	if (family == "")
		family = "ALL"
	suite = "?"
	test = ""
}

want_assert {
	want_assert = 0
	if ($0 ~ /^ +1\. /)
		emit("FAIL", "assertion " trim($0))
	else
		emit("FAIL", "CUnit assertion failed")
}

/^Suite: / {
	close_open()
	suite = trim(substr($0, 8))
	next
}

/^  Test: [^ ]+ \.\.\./ {
	close_open()
	rest = substr($0, 9)
	test = substr(rest, 1, index(rest, " ...") - 1)
	rest = substr(rest, index(rest, " ...") + 4)
	skip_msg = ""
	after_skip = 0
	own_fail = ""
	helper_fail = ""
	scan(rest)
	next
}

/^Run Summary:/ {
	close_open()
	next
}

test != "" {
	scan($0)
}

END {
	close_open()
}

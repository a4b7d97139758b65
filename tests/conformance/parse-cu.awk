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
#   - text after the verdict (e.g. a "[FAILED]" from the suite cleanup)
#     does not change it;
#   - a test with no verdict before the next test, suite or end of the log
#     hung or crashed the tool: FAIL.

function trim(s) {
	sub(/^[ \t]+/, "", s)
	sub(/[ \t\r]+$/, "", s)
	return s
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
		     (first_fail != "" ? "; " first_fail : ""))
}

# Look at text that belongs to the running test (a whole line, or what
# follows "..." on its Test line).
function scan(text) {
	if (text ~ /^passed/) {
		if (skip_msg != "" && !after_skip)
			emit("SKIP", skip_msg)
		else
			emit("PASS", "")
		return
	}
	if (text ~ /^FAILED/) {
		if (first_fail != "") {
			emit("FAIL", first_fail)
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
	if (first_fail == "" && index(text, "[FAILED]"))
		first_fail = trim(substr(text, index(text, "[FAILED]")))
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
	first_fail = ""
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

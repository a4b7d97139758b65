#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Self-test of parse-cu.awk: feed it iscsi-test-cu -V console output (lines
# in the forms libiscsi 1.19 prints) and check the verdict of each test.
# run.sh runs it first, so a parser that stopped seeing a test's own
# "[FAILED]" line (or started to take a helper's line for a verdict) stops
# the matrix. Exits 1 on any mismatch.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
log=$(mktemp)
trap 'rm -f "$log"' EXIT

cat >"$log" <<'EOF'
     CUnit - A unit testing framework for C - Version 2.1-3

Suite: PrinReadKeys
  Test: Simple ...
    Test Persistent Reserve IN READ_KEYS works.
    Send PRIN/READ_KEYS
    Test ADDITIONAL_LENGTH matches DATA_IN size.
    [FAILED] ADDITIONAL_LENGTH was 16 bytes but 8 was expected.
passed
  Test: Truncate ...
    Send PRIN/READ_KEYS
    [FAILED] PRIN command: failed with sense. SENSE KEY:UNIT_ATTENTION(6) ASCQ:BUS_DEVICE_RESET_FUNCTION_OCCURED(0x2903)
    Send PRIN/READ_KEYS
passed
Suite: Helpers
  Test: Tur ...
    Send TESTUNITREADY (Expecting SUCCESS)
    [FAILED] TESTUNITREADY command failed with status 2 / sense key UNIT_ATTENTION(0x06) / ASCQ BUS_RESET(0x2900)
    [FAILED] WRITE10 successful but should have failed with ILLEGAL_REQUEST(0x05)/LBA_OUT_OF_RANGE(0x2100)
    [FAILED] READ16 failed with wrong sense. Should have failed with ILLEGAL_REQUEST(0x05)/LBA_OUT_OF_RANGE(0x2100) but failed with Sense: x(0x06)/(0x2900)
    [FAILED] PROUT command: failed with sense: RESERVATION CONFLICT
    [FAILED] RESERVE6 command: failed with sense. SENSE KEY:UNIT_ATTENTION(6) ASCQ:SCSI_BUS_RESET_OCCURED(0x2902)
    [FAILED] Failed to send GET_LBA_STATUS command: connection lost
    [FAILED] Key not found when expected
    [FAILED] PRIN/SA=0x3 failed: x
passed
  Test: Read6Own ...
    [FAILED] READ6 command: failed with sense. x
passed
  Test: AfterHelper ...
    [FAILED] PRIN command: failed with sense. RESERVATION CONFLICT
    [FAILED] Target returned error x
passed
  Test: Assert ...
    Send READ10
FAILED
    1. test_x.c:42  - CU_ASSERT_EQUAL(task->status,SCSI_STATUS_GOOD)
  Test: Skip ...
    [SKIPPED] Logical unit is fully provisioned. Skipping test
passed
  Test: HelperThenOwnFailed ...
    [FAILED] WRITE10 command failed with status 2 / sense key ILLEGAL_REQUEST(0x05) / ASCQ x(0x2400)
FAILED
    1. test_y.c:7  - CU_ASSERT_EQUAL(ret,0)
  Test: LaterLine ...
passed
    [FAILED] Target returned error from the suite cleanup
  Test: Hung ...
    Send READ10
Run Summary:    Type  Total    Ran Passed Failed Inactive
EOF

want='ALL.PrinReadKeys.Simple FAIL
ALL.PrinReadKeys.Truncate PASS
ALL.Helpers.Tur PASS
ALL.Helpers.Read6Own FAIL
ALL.Helpers.AfterHelper FAIL
ALL.Helpers.Assert FAIL
ALL.Helpers.Skip SKIP
ALL.Helpers.HelperThenOwnFailed FAIL
ALL.Helpers.LaterLine PASS
ALL.Helpers.Hung FAIL'

got=$(awk -v family=ALL -f "$here/parse-cu.awk" "$log")
if [ "$(cut -f1 <<<"$got")" != "$want" ]; then
	echo "parse-test: FAIL: parse-cu.awk verdicts differ" >&2
	diff -u --label want --label got <(echo "$want") <(cut -f1 <<<"$got") >&2 || true
	exit 1
fi
# The reason of a FAIL names the test's own line, not a helper's.
grep -qF 'ALL.Helpers.AfterHelper FAIL	CUnit passed, but the test logged [FAILED] Target returned error x' <<<"$got" ||
	{ echo "parse-test: FAIL: wrong reason: $(grep AfterHelper <<<"$got")" >&2; exit 1; }
grep -qF 'ALL.Helpers.Assert FAIL	assertion 1. test_x.c:42' <<<"$got" ||
	{ echo "parse-test: FAIL: wrong reason: $(grep Assert <<<"$got")" >&2; exit 1; }
echo "parse-test: parse-cu.awk ok ($(wc -l <<<"$got") cases)"

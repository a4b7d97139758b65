#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Task management on the wire (tests/wire/tmf_test.c): ABORT TASK of a WRITE
# waiting for Data-Out and of an unknown ITT, ORDERED commands, LUN RESET and
# its unit attention, warm and cold target resets, unsupported functions.
# Then, when libiscsi's iscsi-test-cu is installed, its MultipathIO Simple
# and Reset tests with one session through each of two portals (two I_T
# nexuses to the same LU).
set -euo pipefail
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

ctgt_start --lun 0=mem:,size=16M
"$CTGT_BUILD"/tests/tmf_test "$CTGT_PORT" "$CTGT_IQN"
ctgt_stop

# MultipathIO of iscsi-test-cu
need_cmd iscsi-test-cu || exit 0
ctgt_start --portal 127.0.0.1:0 --portal 127.0.0.1:0 --lun 0=mem:,size=16M
read -r p1 p2 <<<"$CTGT_LISTEN"
[ -n "$p2" ] || fail "the daemon listens on one portal only: $CTGT_LISTEN"
for t in Simple Reset; do
	out=$(iscsi-test-cu --dataloss -t "ALL.MultipathIO.$t" \
		"iscsi://$p1/$CTGT_IQN/0" "iscsi://$p2/$CTGT_IQN/0" 2>&1) ||
		fail "iscsi-test-cu MultipathIO.$t failed: $out"
	grep -q "Test: $t \.\.\.passed" <<<"$out" || fail "MultipathIO.$t did not pass: $out"
	grep -q 'tests *1 *1 *1 *0' <<<"$out" || fail "MultipathIO.$t: not 1 of 1 passed: $out"
done
ctgt_stop

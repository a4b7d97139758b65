#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Task management on the wire (tests/wire/tmf_test.c): ABORT TASK of a WRITE
# waiting for Data-Out and of an unknown ITT, ORDERED commands, LUN RESET and
# its unit attention, warm and cold target resets (refused unless allowed, by
# flag or JSON key, and as a reload changes the key), unsupported functions.
# Then, when libiscsi's iscsi-test-cu is installed, its MultipathIO Simple
# and Reset tests with one session through each of two portals (two I_T
# nexuses to the same LU).
set -euo pipefail
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

# Target resets are refused by default (and the log says who asked) ...
ctgt_start --lun 0=mem:,size=16M
"$CTGT_BUILD"/tests/tmf_test "$CTGT_PORT" "$CTGT_IQN" refused
ctgt_stop
# The first refusal is logged with the initiator's name; the cold reset
# right after it falls in the same 10 s and is only counted.
grep -q "TARGET WARM RESET from \"iqn.2026-11.io.ctgt:tmf-test\" refused on $CTGT_IQN" \
	"$CTGT_LOG" || fail "no log line for the refused TARGET WARM RESET"
n=$(grep -c "RESET from .* refused" "$CTGT_LOG" || true)
assert_eq "$n" 1 "log lines for two refused resets within 10 s"
# ... and run when the target allows them, by flag and by JSON key.
ctgt_start --lun 0=mem:,size=16M --allow-target-reset
"$CTGT_BUILD"/tests/tmf_test "$CTGT_PORT" "$CTGT_IQN"
ctgt_stop
cat >"$CTGT_TMP/tmf.json" <<EOF
{ "storages": [ { "deviceID": 1, "path": "mem:", "size": "16M" } ],
  "iscsiportals": [ { "id": 0, "portal": "127.0.0.1:0" } ],
  "iscsitargets": { "$CTGT_IQN": { "tpgts": { "1": [0] }, "luns": { "0": 1 },
                                   "allowTargetReset": true } } }
EOF
ctgt_start --config "$CTGT_TMP/tmf.json"
"$CTGT_BUILD"/tests/tmf_test "$CTGT_PORT" "$CTGT_IQN"
ctgt_stop
# ... and changed by a reload: refused, allowed, refused again.
jq 'del(.iscsitargets[].allowTargetReset)' "$CTGT_TMP/tmf.json" >"$CTGT_TMP/tmf2.json"
ctgt_start --config "$CTGT_TMP/tmf2.json" --control "$CTGT_TMP/ctl.sock"
"$CTGT_BUILD"/tests/tmf_test "$CTGT_PORT" "$CTGT_IQN" refused
cp "$CTGT_TMP/tmf.json" "$CTGT_TMP/tmf2.json"
expect_ok "$CTGT_BUILD"/ctgtadm --socket "$CTGT_TMP/ctl.sock" reload
assert_contains "$RUN_OUT" "reload: allowTargetReset of 1 target changed" "the reload's summary"
"$CTGT_BUILD"/tests/tmf_test "$CTGT_PORT" "$CTGT_IQN"
jq 'del(.iscsitargets[].allowTargetReset)' "$CTGT_TMP/tmf.json" >"$CTGT_TMP/tmf2.json"
expect_ok "$CTGT_BUILD"/ctgtadm --socket "$CTGT_TMP/ctl.sock" reload
"$CTGT_BUILD"/tests/tmf_test "$CTGT_PORT" "$CTGT_IQN" refused
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

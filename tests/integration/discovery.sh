#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# SendTargets discovery and LUN listing with libiscsi's iscsi-ls: the default
# target name, the LUNs configured and nothing else, a target name given with
# --target, and every portal (127.0.0.1 and [::1]) as a TargetAddress.
set -euo pipefail
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

# --- default target name, one LUN
ctgt_start --lun "0=$CTGT_TMP/disk0.img,size=64M"
assert_eq "$CTGT_IQN" "$CTGT_DEFAULT_IQN" "default target name"
assert_eq "$CTGT_URL" "iscsi://127.0.0.1:$CTGT_PORT/$CTGT_DEFAULT_IQN/0" "url line"

expect_ok iscsi-ls "iscsi://127.0.0.1:$CTGT_PORT"
assert_match "$RUN_OUT" "^Target:$CTGT_IQN Portal:127\.0\.0\.1:$CTGT_PORT,1\$" "iscsi-ls"
assert_eq "$(grep -c '^Target:' <<<"$RUN_OUT")" 1 "number of TargetAddress lines"

expect_ok iscsi-ls -s "iscsi://127.0.0.1:$CTGT_PORT"
assert_match "$RUN_OUT" "^Target:$CTGT_IQN Portal:127\.0\.0\.1:$CTGT_PORT,1\$" "iscsi-ls -s"
assert_match "$RUN_OUT" '^Lun:0 +Type:DIRECT_ACCESS' "iscsi-ls -s"
assert_eq "$(grep -c '^Lun:' <<<"$RUN_OUT")" 1 "number of LUNs listed"
ctgt_stop

# --- named target, sparse LUN numbers, RAM disks
iqn=iqn.2026-11.io.ctgt.test:discovery-1
ctgt_start --target "$iqn" --lun 0=mem:,size=16M --lun 5=mem:,size=8M
assert_eq "$CTGT_IQN" "$iqn" "target name in url line"
assert_eq "$(wc -w <<<"$CTGT_URLS")" 2 "one url line per LUN"
assert_contains "$CTGT_URLS" "iscsi://127.0.0.1:$CTGT_PORT/$iqn/5" "url lines"
expect_ok iscsi-ls -s "iscsi://127.0.0.1:$CTGT_PORT"
assert_match "$RUN_OUT" "^Target:$iqn Portal:127\.0\.0\.1:$CTGT_PORT,1\$" "iscsi-ls -s"
assert_match "$RUN_OUT" '^Lun:0 +Type:DIRECT_ACCESS' "iscsi-ls -s"
assert_match "$RUN_OUT" '^Lun:5 +Type:DIRECT_ACCESS' "iscsi-ls -s"
assert_eq "$(grep -c '^Lun:' <<<"$RUN_OUT")" 2 "number of LUNs listed"
ctgt_stop

# --- two portals: IPv4 and IPv6 loopback
if ! have_ipv6_lo; then
	ctgt_skip "two-portal part: no ::1 on lo (ip -6 addr show lo)"
	exit 0
fi
ctgt_start --portal 127.0.0.1:0 --portal '[::1]:0' --lun 0=mem:,size=16M
read -r a4 a6 <<<"$CTGT_LISTEN"
[[ $a4 =~ ^127\.0\.0\.1:[0-9]+$ ]] || fail "first listening line: '$a4'"
[[ ${a6:-} =~ ^\[::1\]:[0-9]+$ ]] || fail "second listening line: '${a6:-}' (want [::1]:PORT)"
p4=${a4##*:}
p6=${a6##*:}
for via in "127.0.0.1:$p4" "[::1]:$p6"; do
	expect_ok iscsi-ls "iscsi://$via"
	assert_match "$RUN_OUT" "^Target:$CTGT_IQN Portal:127\.0\.0\.1:$p4,1\$" "iscsi-ls via $via"
	assert_match "$RUN_OUT" "^Target:$CTGT_IQN Portal:\[::1\]:$p6,1\$" "iscsi-ls via $via"
	assert_eq "$(grep -c '^Target:' <<<"$RUN_OUT")" 2 "TargetAddress lines via $via"
done
# A login through the IPv6 portal works too.
expect_ok iscsi-ls -s "iscsi://[::1]:$p6"
assert_match "$RUN_OUT" '^Lun:0 +Type:DIRECT_ACCESS' "iscsi-ls -s via [::1]"
expect_ok iscsi-inq "iscsi://[::1]:$p6/$CTGT_IQN/0"
assert_contains "$RUN_OUT" "Peripheral Device Type:DIRECT_ACCESS" "iscsi-inq via [::1]"
ctgt_stop

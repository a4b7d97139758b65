#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# INQUIRY and READ CAPACITY as initiators see them (iscsi-inq,
# iscsi-readcapacity16): standard data, the VPD pages 0x00, 0x80, 0x83, 0xB0
# and 0xB2, an unsupported page rejected, and the configured capacity.
# iscsi-inq's -c takes a decimal page code (0x83 = 131).
set -euo pipefail
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

ctgt_start --lun "0=$CTGT_TMP/disk0.img,size=64M" --lun 1=mem:,size=32M,removable
u0=iscsi://127.0.0.1:$CTGT_PORT/$CTGT_IQN/0
u1=iscsi://127.0.0.1:$CTGT_PORT/$CTGT_IQN/1

# --- standard INQUIRY
expect_ok iscsi-inq "$u0"
std0=$RUN_OUT
assert_contains "$std0" "Peripheral Qualifier:CONNECTED" "standard INQUIRY"
assert_contains "$std0" "Peripheral Device Type:DIRECT_ACCESS" "standard INQUIRY"
assert_match "$std0" '^Removable:0$' "standard INQUIRY of a fixed LUN"
assert_match "$std0" '^Vendor:[[:print:]]*[^ ]' "standard INQUIRY (vendor)"
assert_match "$std0" '^Product:[[:print:]]*[^ ]' "standard INQUIRY (product)"
assert_match "$std0" '^Revision:[[:print:]]*[^ ]' "standard INQUIRY (revision)"
assert_match "$std0" '^Version:[0-9]' "standard INQUIRY (version)"
expect_ok iscsi-inq "$u1"
assert_match "$RUN_OUT" '^Removable:1$' "standard INQUIRY of a ,removable LUN"

# --- VPD 0x00: supported pages
expect_ok iscsi-inq -e 1 -c 0 "$u0"
for page in 0x00 0x80 0x83 0xb0 0xb2; do
	assert_match "$RUN_OUT" "^Page:$page " "supported VPD pages"
done

# --- VPD 0x80: a non-blank serial number, different per LU
expect_ok iscsi-inq -e 1 -c 128 "$u0"
sn0=$(sed -n 's/^Unit Serial Number:\[\(.*\)\]$/\1/p' <<<"$RUN_OUT")
[[ $sn0 =~ [^[:space:]] ]] || fail "VPD 0x80: no serial number: $RUN_OUT"
expect_ok iscsi-inq -e 1 -c 128 "$u1"
sn1=$(sed -n 's/^Unit Serial Number:\[\(.*\)\]$/\1/p' <<<"$RUN_OUT")
[ "$sn0" != "$sn1" ] || fail "VPD 0x80: LUN 0 and LUN 1 have the same serial '$sn0'"

# --- VPD 0x83: a logical-unit designator, unique per LU
expect_ok iscsi-inq -e 1 -c 131 "$u0"
id0=$RUN_OUT
assert_contains "$id0" "DEVICE_IDENTIFICATION" "VPD 0x83"
assert_contains "$id0" "Association:(0) LOGICAL_UNIT" "VPD 0x83"
assert_match "$id0" '^Designator Type:' "VPD 0x83"
expect_ok iscsi-inq -e 1 -c 131 "$u1"
[ "$id0" != "$RUN_OUT" ] || fail "VPD 0x83: LUN 0 and LUN 1 have identical designators"

# --- VPD 0xB0 block limits, 0xB2 logical block provisioning
expect_ok iscsi-inq -e 1 -c 176 "$u0"
assert_match "$RUN_OUT" '^maximum transfer length:[0-9]+$' "VPD 0xB0"
assert_match "$RUN_OUT" '^optimal transfer length granularity:[0-9]+$' "VPD 0xB0"
expect_ok iscsi-inq -e 1 -c 178 "$u0"
assert_match "$RUN_OUT" '^provisioning type:[0-9]+$' "VPD 0xB2"

# --- an unsupported VPD page is refused with INVALID FIELD IN CDB
expect_fail iscsi-inq -e 1 -c 199 "$u0"
assert_contains "$RUN_OUT" "INVALID_FIELD_IN_CDB" "INQUIRY of VPD page 0xC7"

# --- READ CAPACITY(16): 64 MiB = 131072 blocks of 512; 32 MiB = 65536
expect_ok iscsi-readcapacity16 "$u0"
assert_match "$RUN_OUT" '^RETURNED LOGICAL BLOCK ADDRESS:131071$' "READ CAPACITY(16) of LUN 0"
assert_match "$RUN_OUT" '^LOGICAL BLOCK LENGTH IN BYTES:512$' "READ CAPACITY(16) of LUN 0"
assert_match "$RUN_OUT" '^Total size:67108864$' "READ CAPACITY(16) of LUN 0"
assert_match "$RUN_OUT" '^LBPME:0 ' "READ CAPACITY(16) of a thick LUN"
expect_ok iscsi-readcapacity16 "$u1"
assert_match "$RUN_OUT" '^RETURNED LOGICAL BLOCK ADDRESS:65535$' "READ CAPACITY(16) of LUN 1"
assert_match "$RUN_OUT" '^Total size:33554432$' "READ CAPACITY(16) of LUN 1"

ctgt_stop

#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# SANITIZE and GET LBA STATUS as an initiator sees them, with libiscsi's
# iscsi-test-cu: BLOCK ERASE on a thin LUN leaves its backing file without
# a single allocated block, and GET LBA STATUS says the LUN is deallocated;
# OVERWRITE on a thick LUN leaves the pattern in every byte of the file.
set -euo pipefail
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

thick=$CTGT_TMP/thick.img
thin=$CTGT_TMP/thin.img
ctgt_start --lun "0=$thick,size=16M" --lun "2=$thin,size=16M,thin"
u0=iscsi://127.0.0.1:$CTGT_PORT/$CTGT_IQN/0
u2=iscsi://127.0.0.1:$CTGT_PORT/$CTGT_IQN/2

# cu URL TEST...: run iscsi-test-cu with these tests; each must pass.
cu() {
	local url=$1 t list=""
	shift
	for t in "$@"; do
		list+=${list:+,}ALL.Sanitize.$t
	done
	expect_ok iscsi-test-cu --dataloss --allow-sanitize -t "$list" "$url"
	assert_not_contains "$RUN_OUT" "FAILED" "iscsi-test-cu $* on $url"
	assert_match "$RUN_OUT" "^ +tests +$# +$# +$# +0 " "iscsi-test-cu $* on $url"
}

# --- thin: BLOCK ERASE deallocates everything
expect_ok qemu-io -f raw -c 'write -P 0xab 0 4M' "$u2"
[ "$(stat -c %b "$thin")" -gt 0 ] || fail "writes allocated no blocks of $thin"
cu "$u2" BlockErase BlockEraseReserved CryptoErase CryptoEraseReserved \
	ExitFailureMode InvalidServiceAction OverwriteReserved
expect_ok qemu-io -f raw -c 'write -P 0xab 0 4M' "$u2"
cu "$u2" BlockErase
assert_eq "$(stat -c %b "$thin")" 0 "allocated blocks of $thin after BLOCK ERASE"
expect_ok iscsi-test-cu --dataloss -t ALL.GetLBAStatus "$u2"
assert_match "$RUN_OUT" "^ +tests +3 +3 +3 +0 " "GET LBA STATUS on the thin LUN"

# --- thick: OVERWRITE; its last pass writes a 4-byte pattern of 0xaa
cu "$u0" Overwrite InvalidServiceAction BlockEraseReserved OverwriteReserved
head -c 16777216 /dev/zero | tr '\0' '\252' >"$CTGT_TMP/want.img"
assert_files_equal "$thick" "$CTGT_TMP/want.img" "thick LUN after SANITIZE OVERWRITE"

ctgt_stop

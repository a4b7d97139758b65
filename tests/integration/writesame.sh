#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# WRITE SAME through QEMU's iSCSI driver (libiscsi): qemu-io "write -z -u"
# (zeroes, may unmap) becomes WRITE SAME(16) with UNMAP on a thin LU, which
# punches holes in the backing file; "write -z" writes the zeros; both read
# back as zeros and leave the data around them alone. On a thick LU the
# zeroes are written and the file keeps its blocks.
set -euo pipefail
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

thin=$CTGT_TMP/thin.img
thick=$CTGT_TMP/thick.img

allocated_kib() { # FILE
	echo $(($(stat -c '%b * %B' "$1") / 1024))
}

ctgt_start --lun "0=$thin,size=32M,thin" --lun "1=$thick,size=32M"
url=iscsi://127.0.0.1:$CTGT_PORT/$CTGT_IQN

# --- thin: 8 MiB of data, then 4 MiB of it deallocated through WRITE SAME
expect_ok qemu-io -c 'write -P 0xab 0 8M' "$url/0"
before=$(allocated_kib "$thin")
[ "$before" -ge 8192 ] || fail "thin backing file holds only ${before} KiB after an 8 MiB write"
expect_ok qemu-io -c 'write -z -u 2M 4M' -c 'read -P 0 2M 4M' \
	-c 'read -P 0xab 0 2M' -c 'read -P 0xab 6M 2M' "$url/0"
assert_not_contains "$RUN_OUT" "verification failed" "zeroes with unmap on the thin LU"
after=$(allocated_kib "$thin")
[ "$after" -le $((before - 4096)) ] ||
	fail "WRITE SAME with UNMAP freed nothing: ${before} KiB before, ${after} KiB after"
log "ok: WRITE SAME(16) UNMAP punched 4 MiB out of the thin LU's file"

# --- thin: zeroes without unmap are written
expect_ok qemu-io -c 'write -z 0 1M' -c 'read -P 0 0 1M' -c 'read -P 0xab 1M 1M' "$url/0"
assert_not_contains "$RUN_OUT" "verification failed" "zeroes without unmap on the thin LU"

# --- thick: zeroes are written, the file keeps its blocks
expect_ok qemu-io -c 'write -P 0x5c 0 4M' -c 'write -z -u 1M 2M' -c 'read -P 0 1M 2M' \
	-c 'read -P 0x5c 0 1M' -c 'read -P 0x5c 3M 1M' "$url/1"
assert_not_contains "$RUN_OUT" "verification failed" "zeroes on the thick LU"
[ "$(allocated_kib "$thick")" -ge 4096 ] || fail "the thick LU's file lost blocks"
log "ok: zeroes on the thick LU are written"
ctgt_stop

#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Data integrity through QEMU's iSCSI driver (libiscsi): 16 MiB of random
# data written with qemu-img convert and read back, on a file-backed LUN and
# on a RAM disk; the backing file holds the data once the daemon has
# stopped, and a restarted daemon serves it again; qemu-io with CRC32C
# header digests.
set -euo pipefail
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

MiB=1048576
data=$CTGT_TMP/data.bin
img=$CTGT_TMP/disk0.img
head -c $((16 * MiB)) /dev/urandom >"$data"
want=$(sha256sum <"$data" | cut -d' ' -f1)

sha_head() { # FILE BYTES
	head -c "$2" "$1" | sha256sum | cut -d' ' -f1
}

# roundtrip URL LUN-SIZE: write $data at offset 0, read the whole LUN back.
roundtrip() {
	local url=$1 size=$2 back
	back=$CTGT_TMP/back.$RANDOM.raw
	expect_ok qemu-img info --output=json "$url"
	assert_match "$RUN_OUT" "\"virtual-size\": $size," "qemu-img info $url"
	expect_ok qemu-img convert -n -f raw -O raw "$data" "$url"
	expect_ok qemu-img convert -f raw -O raw "$url" "$back"
	assert_eq "$(stat -c %s "$back")" "$size" "size of the image read back from $url"
	assert_eq "$(sha_head "$back" $((16 * MiB)))" "$want" "sha256 of the first 16 MiB read back from $url"
	if [ "$size" -gt $((16 * MiB)) ]; then
		# the rest of a fresh LUN reads as zeros
		cmp -s <(tail -c +$((16 * MiB + 1)) "$back") <(head -c $((size - 16 * MiB)) /dev/zero) ||
			fail "bytes after the first 16 MiB of $url are not zero"
	fi
	rm -f "$back"
	log "ok: 16 MiB round trip through $url"
}

# --- file backend (32 MiB, created by the daemon) and RAM disk (16 MiB)
ctgt_start --lun "0=$img,size=32M" --lun 1=mem:,size=16M
roundtrip "iscsi://127.0.0.1:$CTGT_PORT/$CTGT_IQN/0" $((32 * MiB))
roundtrip "iscsi://127.0.0.1:$CTGT_PORT/$CTGT_IQN/1" $((16 * MiB))
ctgt_stop

# --- the backing file holds the data after the daemon stopped
assert_eq "$(stat -c %s "$img")" $((32 * MiB)) "size of the backing file"
assert_eq "$(sha_head "$img" $((16 * MiB)))" "$want" "sha256 of the backing file's first 16 MiB"

# --- a new daemon on the same file serves the same data
ctgt_start --lun "0=$img,size=32M"
back=$CTGT_TMP/back.raw
expect_ok qemu-img convert -f raw -O raw "iscsi://127.0.0.1:$CTGT_PORT/$CTGT_IQN/0" "$back"
assert_eq "$(sha_head "$back" $((16 * MiB)))" "$want" "sha256 read back after a restart"
rm -f "$back"

# --- CRC32C header digests (QEMU's header-digest option)
opts="driver=iscsi,transport=tcp,portal=127.0.0.1:$CTGT_PORT,target=$CTGT_IQN,lun=0,header-digest=crc32c"
run qemu-io --image-opts "$opts" -c 'read 0 4k'
if [ "$RUN_RC" != 0 ] && grep -qiE "invalid parameter|header-digest" <<<"$RUN_OUT" &&
	! grep -qiE "login|iscsi:" <<<"$RUN_OUT"; then
	ctgt_skip "header-digest part: this qemu-io has no header-digest option: $RUN_OUT"
else
	expect_ok qemu-io --image-opts "$opts" -c 'write -P 0xab 0 1M' -c 'read -P 0xab 0 1M' \
		-c 'write -P 0x5c 3M 64k' -c 'read -P 0x5c 3M 64k'
	assert_not_contains "$RUN_OUT" "verification failed" "qemu-io with header digests"
	assert_match "$RUN_OUT" '^read 1048576/1048576 bytes at offset 0$' "qemu-io with header digests"
	# and the data really is there, as a digest-less client sees it
	expect_ok qemu-io -r -c 'read -P 0xab 0 1M' -c 'read -P 0x5c 3M 64k' \
		"iscsi://127.0.0.1:$CTGT_PORT/$CTGT_IQN/0"
	assert_not_contains "$RUN_OUT" "verification failed" "qemu-io read without digests"
	log "ok: header digest CRC32C"
fi
ctgt_stop

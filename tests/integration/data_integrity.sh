#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# End-to-end data integrity across the WHOLE LU, on every kind of store:
# a file (thick), a file with thin provisioning, a RAM disk (mem:), a block
# device (a loop device; only as root, else SKIP), files through io_uring
# (io=uring, and io=uring,direct), a second loop device through io_uring
# with O_DIRECT, and an application's callbacks (examples/callback_disk). Each LU gets a pattern that differs in
# every 32-byte unit of every 512-byte block ("LBA:SEED:UNIT:..."), with a
# seed of its own so no LU can pass with another LU's data; the whole LU is
# written through iSCSI (qemu-img), read back whole and compared byte for
# byte, and the backing file or device is compared directly, so a read path
# and a write path that are wrong in the same way cannot hide each other.
# Fresh LUs must read as zeros; after a restart the file and device LUs
# must read back the same data again. The io_uring LUs' refusals (direct on
# a 4 KiB-sector device with 512-byte blocks, direct without io=uring,
# io=uring on mem:, a bandwidth cap) are checked at start-up.
set -euo pipefail
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

MiB=1048576
SIZE=$((16 * MiB))
BS=512

# pattern SEED: the LU image with that seed (SIZE bytes, BS/32 units a block).
pattern() {
	awk -v n=$((SIZE / BS)) -v per=$((BS / 32)) -v seed="$1" 'BEGIN {
		for (l = 0; l < n; l++)
			for (i = 0; i < per; i++)
				printf "%010d:%08x:%03d:%07d\n", l, seed, i, (l * per + i) % 10000000
	}'
}

# same FILE WANT WHAT: FILE (or device) holds exactly the SIZE bytes of WANT;
# the message names the first differing LBA.
same() {
	local first
	[ "$(stat -L -c %s "$1" 2>/dev/null || echo 0)" -ge "$SIZE" ] || [ -b "$1" ] ||
		fail "$3: $1 is shorter than $SIZE bytes"
	first=$(cmp -n "$SIZE" "$1" "$2" 2>&1 | head -n 1) || true
	[ -z "$first" ] && return 0
	local byte
	byte=$(sed -n 's/.* byte \([0-9]*\),.*/\1/p' <<<"$first")
	fail "$3: differs from the expected image${byte:+ at LBA $(((byte - 1) / BS)) (byte $((byte - 1)))}: $first"
}

zeros=$CTGT_TMP/zeros.raw
truncate -s "$SIZE" "$zeros"
back=$CTGT_TMP/back.raw

# read_lu URL: the whole LU into $back.
read_lu() {
	rm -f "$back"
	expect_ok qemu-img convert -f raw -O raw "$1" "$back"
}
# write_lu FILE URL: FILE over the whole LU.
write_lu() {
	expect_ok qemu-img convert -n -f raw -O raw "$1" "$2"
}

# --- the LUs of the daemon: name, --lun spec, backing file or device ("" = none)
names=(thick thin mem uring urdirect)
declare -A SPEC=([thick]="$CTGT_TMP/thick.img,size=16M" [thin]="$CTGT_TMP/thin.img,size=16M,thin"
	[mem]="mem:,size=16M" [uring]="$CTGT_TMP/uring.img,size=16M,thin,io=uring"
	[urdirect]="$CTGT_TMP/urdirect.img,size=16M,io=uring,direct")
declare -A STORE=([thick]=$CTGT_TMP/thick.img [thin]=$CTGT_TMP/thin.img [mem]=""
	[uring]=$CTGT_TMP/uring.img [urdirect]=$CTGT_TMP/urdirect.img)

loopdev=
loopdev2=
loopimg=$CTGT_TMP/loop.img
loopimg2=$CTGT_TMP/loop2.img
if [ "$(id -u)" != 0 ]; then
	ctgt_skip "block-device LU: a loop device needs root"
elif need_cmd losetup; then
	truncate -s "$SIZE" "$loopimg" "$loopimg2"
	if loopdev=$(losetup -f --show "$loopimg" 2>"$CTGT_TMP/losetup.err") &&
		loopdev2=$(losetup -f --show "$loopimg2" 2>"$CTGT_TMP/losetup.err"); then
		trap 'rc=$?; for d in "$loopdev" "$loopdev2"; do [ -z "$d" ] || losetup -d "$d" 2>/dev/null || true; done; (exit $rc); ctgt__cleanup' EXIT
		names+=(block urblock)
		SPEC[block]=$loopdev
		STORE[block]=$loopdev
		SPEC[urblock]="$loopdev2,io=uring,direct"
		STORE[urblock]=$loopdev2
	else
		[ -z "$loopdev" ] || losetup -d "$loopdev"
		loopdev=
		ctgt_skip "block-device LU: losetup failed: $(cat "$CTGT_TMP/losetup.err")"
	fi
fi

lun_args() {
	local i
	for i in "${!names[@]}"; do
		printf -- '--lun\0%s\0' "$i=${SPEC[${names[$i]}]}"
	done
}
mapfile -d '' args < <(lun_args)

declare -A SEED
for i in "${!names[@]}"; do
	SEED[${names[$i]}]=$((0x5eed0000 + i))
	pattern "${SEED[${names[$i]}]}" >"$CTGT_TMP/${names[$i]}.want"
done
assert_eq "$(stat -c %s "$CTGT_TMP/thick.want")" "$SIZE" "size of a pattern image"

ctgt_start "${args[@]}"
url() { echo "iscsi://127.0.0.1:$CTGT_PORT/$CTGT_IQN/$1"; }

for i in "${!names[@]}"; do
	n=${names[$i]}
	read_lu "$(url "$i")"
	same "$back" "$zeros" "$n LU before any write"
	write_lu "$CTGT_TMP/$n.want" "$(url "$i")"
done
# Only once every LU is written: a LU that served another's blocks fails.
for i in "${!names[@]}"; do
	n=${names[$i]}
	read_lu "$(url "$i")"
	same "$back" "$CTGT_TMP/$n.want" "$n LU read back through iSCSI"
	[ -z "${STORE[$n]}" ] || same "${STORE[$n]}" "$CTGT_TMP/$n.want" "$n LU's backing store"
	log "ok: $n: $((SIZE / BS)) blocks written and read back${STORE[$n]:+, its store holds them}"
done
ctgt_stop

# --- after a restart, the stores still hold it; a new RAM disk is zeros
ctgt_start "${args[@]}"
for i in "${!names[@]}"; do
	n=${names[$i]}
	read_lu "$(url "$i")"
	if [ -n "${STORE[$n]}" ]; then
		same "$back" "$CTGT_TMP/$n.want" "$n LU read back after a restart"
	else
		same "$back" "$zeros" "a new $n LU"
	fi
done
log "ok: after a restart the stored LUs read back the same; a new RAM disk reads zeros"
ctgt_stop
if [ -n "$loopdev" ]; then
	losetup -d "$loopdev"
	loopdev=
	same "$loopimg" "$CTGT_TMP/block.want" "the loop device's backing file"
	losetup -d "$loopdev2"
	loopdev2=
	same "$loopimg2" "$CTGT_TMP/urblock.want" "the io_uring loop device's backing file"
fi

# --- direct I/O on a device with 4 KiB sectors cannot serve 512-byte blocks
if [ -n "${STORE[urblock]:-}" ]; then
	truncate -s "$SIZE" "$CTGT_TMP/loop4k.img"
	if loopdev=$(losetup -f --show --sector-size 4096 "$CTGT_TMP/loop4k.img" 2>"$CTGT_TMP/losetup.err"); then
		ctgt_expect_startup_fail "block size 512 is smaller than the 4096 bytes direct I/O" \
			--portal 127.0.0.1:0 --lun "0=$loopdev,io=uring,direct"
		losetup -d "$loopdev"
		loopdev=
	else
		loopdev=
		ctgt_skip "4 KiB-sector loop device: $(cat "$CTGT_TMP/losetup.err")"
	fi
fi
ctgt_expect_startup_fail "direct needs io=uring" --portal 127.0.0.1:0 --lun "0=$CTGT_TMP/thick.img,direct"
ctgt_expect_startup_fail "io=uring needs a file or block device" \
	--portal 127.0.0.1:0 --lun "0=mem:,size=1M,io=uring"
ctgt_expect_startup_fail "bandwidth limit" --portal 127.0.0.1:0 \
	--lun "0=$CTGT_TMP/thick.img,io=uring,max_bandwidth=1M"

# --- an application's callbacks (examples/callback_disk), 512 and 4096-byte blocks
for bs in 512 4096; do
	CTGT_BIN=$CTGT_BUILD/examples/callback_disk CTGT_SUBCMD="" \
		ctgt_start --size 16M --block-size "$bs" --threads 4
	write_lu "$CTGT_TMP/thick.want" "$CTGT_URL"
	read_lu "$CTGT_URL"
	same "$back" "$CTGT_TMP/thick.want" "callback LU ($bs-byte blocks) read back through iSCSI"
	ctgt_stop
	log "ok: callback LU, $bs-byte blocks: whole LU written and read back"
done

#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# ctgt as a library: examples/callback_disk serves a LU whose blocks come
# from application callbacks (never-written blocks read "lba=NNNNNNNNNNN\n"
# repeated, writes go to an in-memory map). Through QEMU's iSCSI driver: the
# pattern reads back, written data reads back (sha256) and really went
# through the write callback, a read callback's error fails the read; then a
# few iscsi-test-cu suites must pass against it.
set -euo pipefail
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

CTGT_BIN=$CTGT_BUILD/examples/callback_disk
CTGT_SUBCMD=
export CTGT_BIN CTGT_SUBCMD

MiB=1048576
SIZE=$((16 * MiB))
BS=512

# pattern FIRST-LBA COUNT: what COUNT never-written blocks from FIRST-LBA hold.
pattern() {
	awk -v first="$1" -v n="$2" -v per=$((BS / 16)) 'BEGIN {
		for (l = first; l < first + n; l++)
			for (i = 0; i < per; i++)
				printf "lba=%011d\n", l
	}'
}

sha() { sha256sum <"$1" | cut -d' ' -f1; }

# --- on the free port it is given, announced like the daemon
port=$(free_tcp_port)
ctgt_start --portal "127.0.0.1:$port" --size 16M --threads 4
assert_eq "$CTGT_PORT" "$port" "announced port"
assert_eq "$CTGT_URL" "iscsi://127.0.0.1:$port/iqn.2026-11.io.ctgt:callback-disk/0" "announced url"
url=$CTGT_URL

expect_ok qemu-img info --output=json "$url"
assert_match "$RUN_OUT" "\"virtual-size\": $SIZE," "qemu-img info $url"

# --- a fresh disk reads as the pattern, from the read callback
want=$CTGT_TMP/want.raw
back=$CTGT_TMP/back.raw
pattern 0 $((SIZE / BS)) >"$want"
assert_eq "$(stat -c %s "$want")" "$SIZE" "size of the expected image"
expect_ok qemu-img convert -f raw -O raw "$url" "$back"
assert_files_equal "$back" "$want" "fresh disk vs the LBA pattern"
log "ok: 16 MiB of never-written blocks read as the LBA pattern"

# --- small writes land where they belong; the blocks around keep the pattern
expect_ok qemu-io -c 'write -P 0x5a 1M 64k' -c 'write -P 0xc3 3073k 4k' "$url"
head -c $((64 * 1024)) /dev/zero | tr '\0' '\132' |
	dd of="$want" bs=1024 seek=1024 conv=notrunc status=none
head -c 4096 /dev/zero | tr '\0' '\303' |
	dd of="$want" bs=1024 seek=3073 conv=notrunc status=none
expect_ok qemu-img convert -f raw -O raw "$url" "$back"
assert_files_equal "$back" "$want" "disk after two writes vs the expected image"
log "ok: written blocks read back, the others still read as the pattern"

# --- 16 MiB of random data round trip
data=$CTGT_TMP/data.bin
head -c "$SIZE" /dev/urandom >"$data"
expect_ok qemu-img convert -n -f raw -O raw "$data" "$url"
rm -f "$back"
expect_ok qemu-img convert -f raw -O raw "$url" "$back"
assert_eq "$(sha "$back")" "$(sha "$data")" "sha256 of 16 MiB written and read back"
log "ok: 16 MiB random data round trip (sha256)"

# Every block went through the write callback, and release ran at the end.
ctgt_stop
assert_contains "$(cat "$CTGT_LOG")" "callback_disk: $((SIZE / BS)) blocks were written" \
	"the example's report on release"
log "ok: release callback ran after the server stopped; every block was written"

# --- a failing read callback fails that read, and only that one
ctgt_start --size 1M --fail-lba 100
expect_ok qemu-io -r -c "read $((99 * BS)) $BS" -c "read $((101 * BS)) $BS" "$CTGT_URL"
expect_fail qemu-io -r -c "read $((100 * BS)) $BS" "$CTGT_URL"
# qemu-io shows the sense: MEDIUM ERROR (3), UNRECOVERED READ ERROR (11/00)
assert_match "$RUN_OUT" "SENSE KEY:.*\\(3\\) ASCQ:.*\\(0x1100\\)" "qemu-io reading the failing LBA"
ctgt_alive
ctgt_stop
log "ok: an error from the read callback fails the read of its LBA only"

# --- conformance suites against the callback LU
ctgt_start --size 64M
suites=(Inquiry TestUnitReady ReadCapacity10 ReadCapacity16 Read10 Read16 Write10 Write16)
results=$CTGT_TMP/cu.txt
: >"$results"
for s in "${suites[@]}"; do
	log_file=$CTGT_TMP/cu.$s.log
	rc=0
	timeout -k 5 300 iscsi-test-cu --dataloss -V --test="ALL.$s" "$CTGT_URL" \
		>"$log_file" 2>&1 || rc=$?
	awk -v family=ALL -f "$CTGT_ROOT/tests/conformance/parse-cu.awk" "$log_file" >>"$results"
	case $rc in 0 | 1) ;; *) fail "iscsi-test-cu ALL.$s: exit status $rc
$(tail -n 20 "$log_file")" ;; esac
done
ran=$(wc -l <"$results")
[ "$ran" -ge 30 ] || fail "only $ran iscsi-test-cu tests ran:
$(cat "$results")"
# A LU that is not thin has no Block Limits VPD UNMAP fields to test.
bad=$(grep -v -e ' PASS' -e '^ALL.Inquiry.BlockLimits SKIP' "$results" || true)
[ -z "$bad" ] || fail "iscsi-test-cu tests that did not pass:
$bad"
ctgt_alive
ctgt_stop
log "ok: $ran iscsi-test-cu tests of ${suites[*]} passed"

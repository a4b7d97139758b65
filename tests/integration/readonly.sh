#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# A ",readonly" LUN serves its file's data but refuses writes: QEMU sees the
# write-protect bit (MODE SENSE) and refuses to open it read-write, and the
# backing file is unchanged. The daemon opens the file O_RDONLY, so a file
# nobody may write (mode 0444, or immutable, which even root cannot open
# for writing) can be exported.
set -euo pipefail
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

img=$CTGT_TMP/ro.img
head -c 4194304 /dev/urandom >"$img"
chmod 0444 "$img"
want=$(sha256sum <"$img" | cut -d' ' -f1)

# Access mode (0 read-only, 2 read-write) of daemon $1's descriptor for
# file $2, from /proc/PID/fdinfo.
fd_access_mode() {
	local fd flags
	for fd in /proc/"$1"/fd/*; do
		[ "$(readlink "$fd")" = "$2" ] || continue
		flags=$(awk '/^flags:/ { print $2 }' "/proc/$1/fdinfo/${fd##*/}")
		echo $((8#$flags & 3))
		return 0
	done
	fail "daemon $1 has no descriptor open on $2"
}

ctgt_start --lun "0=$img,readonly"
url=iscsi://127.0.0.1:$CTGT_PORT/$CTGT_IQN/0
assert_eq "$(fd_access_mode "$CTGT_PID" "$img")" 0 "access mode of the readonly LUN's file"

expect_ok iscsi-readcapacity16 "$url"
assert_match "$RUN_OUT" '^Total size:4194304$' "READ CAPACITY(16) of a LUN sized by its file"

back=$CTGT_TMP/back.raw
expect_ok qemu-img convert -f raw -O raw "$url" "$back"
assert_eq "$(sha256sum <"$back" | cut -d' ' -f1)" "$want" "data read from the readonly LUN"

expect_fail qemu-io -c 'write -P 0xab 0 4k' "$url"
assert_contains "$RUN_OUT" "write protected" "qemu-io write to a readonly LUN"
expect_fail qemu-img convert -n -f raw -O raw "$back" "$url"

ctgt_stop
assert_eq "$(sha256sum <"$img" | cut -d' ' -f1)" "$want" "readonly backing file after the run"

# The same file without ",readonly" is opened read-write (root may).
ctgt_start --lun "0=$img"
assert_eq "$(fd_access_mode "$CTGT_PID" "$img")" 2 "access mode of a writable LUN's file"
ctgt_stop

# An immutable file cannot be opened for writing even by root: only the
# readonly LUN starts. (Skipped where the file system has no such flag.)
if chattr +i "$img" 2>/dev/null; then
	trap 'rc=$?; chattr -i "$img" 2>/dev/null || true; (exit $rc); ctgt__cleanup' EXIT
	ctgt_expect_startup_fail "not permitted" --portal 127.0.0.1:0 --lun "0=$img"
	ctgt_start --lun "0=$img,readonly"
	url=iscsi://127.0.0.1:$CTGT_PORT/$CTGT_IQN/0
	expect_ok qemu-img convert -f raw -O raw "$url" "$back"
	assert_eq "$(sha256sum <"$back" | cut -d' ' -f1)" "$want" "data read from an immutable file"
	ctgt_stop
	chattr -i "$img"
else
	ctgt_skip "immutable-file case: chattr +i failed here (not root, or no such flag on this file system)"
fi

#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Third-party copy across LUs: tests/wire/xcopy_wire_test.c writes a
# pattern to LUN 0, copies it to LUN 1 with EXTENDED COPY (the LUs named by
# the NAA designators INQUIRY reports), reads it back from LUN 1 and checks
# RECEIVE COPY RESULTS; a designator of no LU is COPY ABORTED; a copy to a
# LUN another session has reserved gets RESERVATION CONFLICT. Then the
# backing files show the copy: LUN 1's blocks 100..115 hold LUN 0's 10..25.
set -euo pipefail
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

src=$CTGT_TMP/src.img dst=$CTGT_TMP/dst.img
ctgt_start --lun "0=$src,size=4M" --lun "1=$dst,size=4M"
"$CTGT_BUILD"/tests/xcopy_wire_test "$CTGT_PORT" "$CTGT_IQN"
ctgt_stop

a=$(dd if="$src" bs=512 skip=10 count=16 status=none | sha256sum)
b=$(dd if="$dst" bs=512 skip=100 count=16 status=none | sha256sum)
assert_eq "$b" "$a" "LUN 1 blocks 100..115 after the copy"
z=$(head -c 8192 /dev/zero | sha256sum)
[ "$a" != "$z" ] || fail "the copied blocks are zeros"
log "EXTENDED COPY between two LUs: ok"

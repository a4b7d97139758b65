#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# A ",readonly" LUN serves its file's data but refuses writes: QEMU sees the
# write-protect bit (MODE SENSE) and refuses to open it read-write, and the
# backing file is unchanged.
set -euo pipefail
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

img=$CTGT_TMP/ro.img
head -c 4194304 /dev/urandom >"$img"
want=$(sha256sum <"$img" | cut -d' ' -f1)

ctgt_start --lun "0=$img,readonly"
url=iscsi://127.0.0.1:$CTGT_PORT/$CTGT_IQN/0

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

#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# MODE SELECT from a real initiator: libiscsi's iscsi-swp reads the control
# mode page and writes it back with SWP (software write protect) changed.
# While SWP is on, QEMU sees the write-protect bit and writes are refused;
# reads go on. Mode parameters are not saved: a new daemon starts with SWP
# off.
set -euo pipefail
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

img=$CTGT_TMP/disk.img
ctgt_start --lun "0=$img,size=4M"
url=iscsi://127.0.0.1:$CTGT_PORT/$CTGT_IQN/0

expect_ok qemu-io -c 'write -P 0x5a 0 4k' "$url"
expect_ok iscsi-swp -s on "$url"
expect_fail qemu-io -c 'write -P 0xab 0 4k' "$url"
assert_contains "$RUN_OUT" "write protected" "qemu-io write while SWP is on"
expect_ok qemu-io -r -c 'read -P 0x5a 0 4k' "$url"
expect_ok iscsi-swp -s off "$url"
expect_ok qemu-io -c 'write -P 0xab 0 4k' "$url"
expect_ok iscsi-swp -s on "$url"
ctgt_stop

ctgt_start --lun "0=$img"
url=iscsi://127.0.0.1:$CTGT_PORT/$CTGT_IQN/0
expect_ok qemu-io -c 'read -P 0xab 0 4k' -c 'write -P 0x11 0 4k' "$url"
ctgt_stop

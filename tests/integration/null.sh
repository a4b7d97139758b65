#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# The null store (null:, no storage): size= is required on the command line
# and in a JSON configuration; tests/wire/null_test.c checks READ CAPACITY,
# writes that read back as zeros, SYNCHRONIZE CACHE, UNMAP, WRITE SAME and
# GET LBA STATUS on a thick and a thin null: LU; libiscsi and QEMU's iSCSI
# driver see the size, and their writes, discards and flushes succeed while
# every read gives zeros. (data_integrity.sh and the conformance matrix
# check data, which a null store does not keep, so they leave it out.)
set -euo pipefail
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

# --- size= is required
ctgt_expect_startup_fail 'null: needs a size' --portal 127.0.0.1:0 --lun 0=null:
cat >"$CTGT_TMP/nosize.json" <<'EOF'
{ "storages": [ { "deviceID": 1, "path": "null:", "online": true } ],
  "iscsiportals": [ { "id": 0, "portal": "127.0.0.1:0" } ],
  "iscsitargets": { "iqn.2026-12.io.ctgt.test:null": { "tpgts": { "1": [0] }, "luns": { "0": 1 } } } }
EOF
ctgt_expect_startup_fail 'null: needs a size' --config "$CTGT_TMP/nosize.json"

# --- the wire-level checks, a thick and a thin LU of 64 MiB
ctgt_start --lun 0=null:,size=64M --lun 1=null:,size=64M,thin
"$CTGT_BUILD"/tests/null_test "$CTGT_PORT" "$CTGT_IQN" $((64 * 1024 * 1024))

# --- libiscsi and QEMU
url=iscsi://127.0.0.1:$CTGT_PORT/$CTGT_IQN
expect_ok iscsi-readcapacity16 -s "$url/0"
assert_eq "$RUN_OUT" $((64 * 1024 * 1024)) "iscsi-readcapacity16 of the null: LU"
expect_ok iscsi-inq "$url/1"
need_cmd qemu-io || exit 0
expect_ok qemu-io -f raw -c 'write -P 0xab 1M 1M' -c 'read -P 0 1M 1M' -c 'flush' "$url/0"
assert_not_contains "$RUN_OUT" "verification failed" "zeros after a write to the null: LU"
expect_ok qemu-io -f raw -c 'write -P 0xcd 0 4M' -c 'discard 0 2M' -c 'write -z -u 2M 2M' \
	-c 'read -P 0 0 4M' "$url/1"
assert_not_contains "$RUN_OUT" "verification failed" "zeros after writes and discards on the thin null: LU"
ctgt_stop

# --- the JSON configuration's equivalent
cat >"$CTGT_TMP/null.json" <<'EOF'
{ "storages": [ { "deviceID": 1, "path": "null:", "size": "1G", "online": true,
                  "thinProvisioning": true } ],
  "iscsiportals": [ { "id": 0, "portal": "127.0.0.1:0" } ],
  "iscsitargets": { "iqn.2026-12.io.ctgt.test:null": { "tpgts": { "1": [0] }, "luns": { "0": 1 } } } }
EOF
ctgt_start --config "$CTGT_TMP/null.json"
url=iscsi://127.0.0.1:$CTGT_PORT/iqn.2026-12.io.ctgt.test:null/0
expect_ok iscsi-readcapacity16 -s "$url"
assert_eq "$RUN_OUT" $((1024 * 1024 * 1024)) "iscsi-readcapacity16 of the JSON null: LU"
expect_ok qemu-io -f raw -c 'write -P 0x42 1020M 4M' -c 'read -P 0 1020M 4M' "$url"
assert_not_contains "$RUN_OUT" "verification failed" "zeros from the JSON null: LU"
ctgt_stop
log "ok: null: store"

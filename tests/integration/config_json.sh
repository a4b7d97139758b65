#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# JSON configuration: a gotgt config.json loads unchanged (storages,
# iscsiportals, iscsitargets with tpgts and luns; the portal in the file is
# served), and ctgt's storage extensions "size", "readonly" and "removable"
# plus blockShift 12 and several targets work.
set -euo pipefail
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

# --- gotgt's own example, with a temporary disk and a free port. The file
# exists beforehand (gotgt does not create it), so no "size" is needed.
disk=$CTGT_TMP/disk.img
truncate -s 64M "$disk"
port=$(free_tcp_port)
gotgt_iqn=iqn.2016-09.com.gotgt.gostor:02:example-tgt-0
cat >"$CTGT_TMP/config.json" <<JSON
{
  "storages": [
    {
      "deviceID": 1000,
      "path": "file:$disk",
      "online": true,
      "thinProvisioning": false,
      "blockShift": 9
    }
  ],
  "iscsiportals": [
    {
      "id": 0,
      "portal": "127.0.0.1:$port"
    }
  ],
  "iscsitargets": {
    "$gotgt_iqn": {
      "tpgts": {
        "1": [
          0
        ]
      },
      "luns": {
        "0": 1000
      }
    }
  }
}
JSON
ctgt_start --config "$CTGT_TMP/config.json" --portal 127.0.0.1:0
assert_contains " $CTGT_LISTEN " " 127.0.0.1:$port " "listening addresses (the JSON portal)"
assert_contains "$CTGT_URLS" "/$gotgt_iqn/0" "url lines"

expect_ok iscsi-ls -s "iscsi://127.0.0.1:$port"
assert_match "$RUN_OUT" "^Target:$gotgt_iqn Portal:127\.0\.0\.1:$port,1\$" "iscsi-ls -s on the JSON portal"
assert_match "$RUN_OUT" '^Lun:0 +Type:DIRECT_ACCESS' "iscsi-ls -s on the JSON portal"
# (iscsi-ls -s lists the LUNs once per portal of the target)
assert_not_contains "$(grep '^Lun:' <<<"$RUN_OUT" | grep -v '^Lun:0 ')" "Lun:" "LUNs other than 0"
u=iscsi://127.0.0.1:$port/$gotgt_iqn/0
expect_ok iscsi-inq "$u"
assert_contains "$RUN_OUT" "Peripheral Device Type:DIRECT_ACCESS" "iscsi-inq"
assert_match "$RUN_OUT" '^Removable:0$' "iscsi-inq"
expect_ok iscsi-readcapacity16 "$u"
assert_match "$RUN_OUT" '^RETURNED LOGICAL BLOCK ADDRESS:131071$' "READ CAPACITY(16) of the 64 MiB file"
assert_match "$RUN_OUT" '^LOGICAL BLOCK LENGTH IN BYTES:512$' "READ CAPACITY(16)"
# it is the file of the config: data written appears in it
expect_ok qemu-io -c 'write -P 0x3c 1M 64k' "$u"
ctgt_stop
cmp -s <(tail -c +$((1048576 + 1)) "$disk" | head -c 65536) <(head -c 65536 /dev/zero | tr '\0' '\074') ||
	fail "data written through the JSON-configured LUN is not in $disk"

# --- ctgt's extensions: size (string or bytes), readonly, removable;
# blockShift 12; two targets on one portal group.
port=$(free_tcp_port)
iqn_a=iqn.2026-11.io.ctgt.test:json-a
iqn_b=iqn.2026-11.io.ctgt.test:json-b
cat >"$CTGT_TMP/ext.json" <<JSON
{
  "storages": [
    { "deviceID": 1, "path": "file:$CTGT_TMP/new.img", "online": true,
      "thinProvisioning": true, "blockShift": 12, "size": "32M" },
    { "deviceID": 2, "path": "mem:", "online": true, "size": 16777216,
      "removable": true },
    { "deviceID": 3, "path": "file:$disk", "online": true, "readonly": true }
  ],
  "iscsiportals": [ { "id": 0, "portal": "127.0.0.1:$port" } ],
  "iscsitargets": {
    "$iqn_a": { "tpgts": { "1": [0] }, "luns": { "0": 1, "1": 2 } },
    "$iqn_b": { "tpgts": { "1": [0] }, "luns": { "0": 3 } }
  }
}
JSON
ctgt_start --config "$CTGT_TMP/ext.json" --portal 127.0.0.1:0
expect_ok iscsi-ls "iscsi://127.0.0.1:$port"
assert_match "$RUN_OUT" "^Target:$iqn_a Portal:127\.0\.0\.1:$port,1\$" "iscsi-ls"
assert_match "$RUN_OUT" "^Target:$iqn_b Portal:127\.0\.0\.1:$port,1\$" "iscsi-ls"

ua=iscsi://127.0.0.1:$port/$iqn_a
expect_ok iscsi-readcapacity16 "$ua/0"
assert_match "$RUN_OUT" '^LOGICAL BLOCK LENGTH IN BYTES:4096$' "blockShift 12"
assert_match "$RUN_OUT" '^RETURNED LOGICAL BLOCK ADDRESS:8191$' "32M of 4096-byte blocks"
[ -f "$CTGT_TMP/new.img" ] || fail "file storage with \"size\" was not created"
expect_ok iscsi-readcapacity16 "$ua/1"
assert_match "$RUN_OUT" '^Total size:16777216$' "mem: storage with a numeric size"
expect_ok iscsi-inq "$ua/1"
assert_match "$RUN_OUT" '^Removable:1$' "\"removable\": true"
expect_ok iscsi-inq "$ua/0"
assert_match "$RUN_OUT" '^Removable:0$' "storage without \"removable\""

ub=iscsi://127.0.0.1:$port/$iqn_b/0
expect_ok iscsi-readcapacity16 "$ub"
assert_match "$RUN_OUT" '^Total size:67108864$' "file storage sized by its file"
expect_fail qemu-io -c 'write -P 0x11 0 4k' "$ub"
assert_contains "$RUN_OUT" "write protected" "\"readonly\": true"
# a LUN of target A is not reachable through target B
expect_fail iscsi-inq "iscsi://127.0.0.1:$port/$iqn_b/1"
ctgt_stop

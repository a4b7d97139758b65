#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Per-initiator settings from the JSON config ("initiators" of a target):
# the LUNs an initiator sees under its own numbers (REPORT LUNS through
# iscsi-ls -s, data through qemu-io landing on the right LU), a read-only
# mapping refusing writes, an initiator with CHAP credentials of its own,
# discovery CHAP and "allow" from JSON, and a gotgt file still loading.
set -euo pipefail
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

iqn=iqn.2026-11.io.ctgt.test:mapped
alice=iqn.2026-11.io.ctgt.test:alice
bob=iqn.2026-11.io.ctgt.test:bob
carol=iqn.2026-11.io.ctgt.test:carol
mallory=iqn.2026-11.io.ctgt.test:mallory
cfg=$CTGT_TMP/acl.json
cat >"$cfg" <<JSON
{
  "storages": [
    { "deviceID": 1, "path": "mem:", "online": true, "size": "4M" },
    { "deviceID": 2, "path": "mem:", "online": true, "size": "4M" },
    { "deviceID": 3, "path": "mem:", "online": true, "size": "4M" }
  ],
  "discoveryChap": { "user": "disc", "secret": "discoverysecret" },
  "iscsitargets": {
    "$iqn": {
      "luns": { "0": 1, "1": 2, "2": 3 },
      "allow": [ "$alice", "$bob", "$carol" ],
      "initiators": {
        "$alice": { "luns": [ { "lun": 0, "targetLun": 2, "readonly": true },
                              { "lun": 5, "targetLun": 0 } ] },
        "$bob": { "chap": { "user": "bob", "secret": "bobsecret1234" },
                  "luns": [ { "lun": 1 } ] }
      }
    }
  }
}
JSON
ctgt_start --config "$cfg"
hp=127.0.0.1:$CTGT_PORT

# --- REPORT LUNS: each initiator its own view
expect_ok iscsi-ls -s -i "$alice" "iscsi://disc%discoverysecret@$hp"
assert_eq "$(grep -cE '^Lun:' <<<"$RUN_OUT")" 2 "LUNs alice sees"
assert_match "$RUN_OUT" '^Lun:0 ' "alice's LUN 0"
assert_match "$RUN_OUT" '^Lun:5 ' "alice's LUN 5"
expect_ok iscsi-ls -s -i "$carol" "iscsi://disc%discoverysecret@$hp"
assert_eq "$(grep -cE '^Lun:' <<<"$RUN_OUT")" 3 "LUNs carol (no map) sees"
expect_fail iscsi-ls -i "$carol" "iscsi://$hp"
assert_contains "$RUN_OUT" "Authentication failure(513)" "discovery CHAP from JSON"
# "allow" from JSON
expect_fail iscsi-inq -i "$mallory" "iscsi://$hp/$iqn/0"
assert_contains "$RUN_OUT" "Authorization failure(514)" "mallory"

# --- data: alice's LUN 5 is the LU carol sees as 0; alice's LUN 0 is LU 2, read-only
q() { # INITIATOR LUN qemu-io-args...
	local who=$1 lun=$2
	shift 2
	run qemu-io --image-opts \
		"driver=iscsi,transport=tcp,portal=$hp,target=$iqn,lun=$lun,initiator-name=$who" "$@"
}
q "$alice" 5 -c 'write -P 0xa5 0 64k'
[ "$RUN_RC" = 0 ] || fail "alice writes her LUN 5: $RUN_OUT"
q "$carol" 0 -c 'read -P 0xa5 0 64k'
[ "$RUN_RC" = 0 ] && ! grep -q "verification failed" <<<"$RUN_OUT" ||
	fail "carol reads alice's write on LU 0: $RUN_OUT"
q "$carol" 2 -c 'write -P 0x3c 0 64k'
[ "$RUN_RC" = 0 ] || fail "carol writes LU 2: $RUN_OUT"
q "$alice" 0 -r -c 'read -P 0x3c 0 64k'
[ "$RUN_RC" = 0 ] && ! grep -q "verification failed" <<<"$RUN_OUT" ||
	fail "alice reads LU 2 as her LUN 0: $RUN_OUT"
# QEMU sees the WP bit and will not even open it for writing ...
q "$alice" 0 -c 'write -P 0x11 0 4k'
assert_contains "$RUN_OUT" "write protected" "qemu-io on alice's read-only LUN 0"
# ... and the writes sent anyway get DATA PROTECT (libiscsi's ReadOnlySBC:
# WRITE, WRITE SAME, ... on a write-protected LU; it skips on a writable one).
expect_ok iscsi-test-cu --dataloss -i "$alice" --test=ALL.ReadOnly "iscsi://$hp/$iqn/0"
assert_not_contains "$RUN_OUT" "not write-protected" "ReadOnlySBC as alice"
assert_not_contains "$RUN_OUT" "FAILED" "ReadOnlySBC as alice"
assert_match "$RUN_OUT" 'passed$' "ReadOnlySBC as alice"
expect_ok iscsi-test-cu --dataloss -i "$carol" --test=ALL.ReadOnly "iscsi://$hp/$iqn/2"
assert_contains "$RUN_OUT" "not write-protected" "ReadOnlySBC as carol (writable)"
q "$carol" 2 -c 'read -P 0x3c 0 64k'
[ "$RUN_RC" = 0 ] && ! grep -q "verification failed" <<<"$RUN_OUT" ||
	fail "LU 2 changed after the refused write: $RUN_OUT"
# A LUN alice has no mapping for is not there for her, even LU 1's own number.
expect_fail iscsi-inq -i "$alice" -e 1 -c 0x80 "iscsi://$hp/$iqn/1"

# --- bob: his own CHAP credentials, LUN 1 only
expect_fail iscsi-inq -i "$bob" "iscsi://$hp/$iqn/1"
assert_contains "$RUN_OUT" "Authentication failure(513)" "bob without CHAP"
expect_ok iscsi-inq -i "$bob" "iscsi://bob%bobsecret1234@$hp/$iqn/1"
assert_contains "$RUN_OUT" "Peripheral Device Type:DIRECT_ACCESS" "bob with his CHAP"
ctgt_stop

# --- bad per-initiator settings stop the daemon at start-up
sed 's/"targetLun": 0 }/"targetLun": 0 }, { "lun": 5 }/' "$cfg" >"$CTGT_TMP/dup.json"
ctgt_expect_startup_fail 'mapped twice' --config "$CTGT_TMP/dup.json"
sed 's/bobsecret1234/short/' "$cfg" >"$CTGT_TMP/short.json"
ctgt_expect_startup_fail 'shorter than 12 bytes' --config "$CTGT_TMP/short.json"


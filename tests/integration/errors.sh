#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Failure paths: bad command lines and config files are refused at start-up
# with a one-line message and status 1 or 2; a port in use is reported; a
# login to an unknown target, a command to a LUN that does not exist, and
# junk on the socket fail cleanly while the daemon keeps serving.
set -euo pipefail
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

P=(--portal 127.0.0.1:0)
M=(--lun "0=mem:,size=1M")

# --- command line. Each pattern is a word of the error message that the
# offending argument itself does not contain (stderr echoes it).
SZ='(bad|invalid|malformed|missing|empty)[a-z ]*size|size[a-z ]*(must|invalid|want|missing)'
ctgt_expect_startup_fail 'unknown|unrecognized|invalid option' "${P[@]}" "${M[@]}" --no-such-flag
ctgt_expect_startup_fail 'missing|path|empty' "${P[@]}" --lun 0=
ctgt_expect_startup_fail 'missing|path|empty' "${P[@]}" --lun 0=,size=1M
ctgt_expect_startup_fail "$SZ" "${P[@]}" --lun 0=mem:,size=12Q
ctgt_expect_startup_fail 'bad|invalid|unknown|missing|empty|want' "${P[@]}" --lun 0=mem:,size=
ctgt_expect_startup_fail 'multiple|align|block' "${P[@]}" --lun 0=mem:,size=1000
ctgt_expect_startup_fail 'size' "${P[@]}" --lun 0=mem:
ctgt_expect_startup_fail 'unknown|option|invalid' "${P[@]}" --lun 0=mem:,size=1M,bogus
ctgt_expect_startup_fail 'number|expected|invalid|bad' "${P[@]}" --lun x=mem:,size=1M
ctgt_expect_startup_fail 'bad|invalid|range|must' --portal 127.0.0.1:99999 "${M[@]}"
ctgt_expect_startup_fail 'bad|invalid|address|host' --portal 999.0.0.1:3260 "${M[@]}"
ctgt_expect_startup_fail 'bracket|ipv6|bad|invalid' --portal ::1:3260 "${M[@]}"
ctgt_expect_startup_fail 'missing|bad|invalid|empty' --portal 127.0.0.1: "${M[@]}"
ctgt_expect_startup_fail 'iqn|invalid|bad|expected|allowed' "${P[@]}" "${M[@]}" --target 'not a name'
ctgt_expect_startup_fail 'expected|invalid|unknown|bad' "${P[@]}" "${M[@]}" --log-level loud
ctgt_expect_startup_fail 'missing|value|requires|argument' --portal
# a file LUN in a directory that does not exist
ctgt_expect_startup_fail 'no such|not found' "${P[@]}" --lun "0=$CTGT_TMP/no-such-dir/d.img,size=1M"

# --- config files
ctgt_expect_startup_fail 'no such|not found|cannot|can.t' "${P[@]}" --config "$CTGT_TMP/missing.json"
mkdir "$CTGT_TMP/adir.json"
ctgt_expect_startup_fail 'directory|read|open|expected' "${P[@]}" --config "$CTGT_TMP/adir.json"
printf '{ "storages": [ { "deviceID": 1000, ' >"$CTGT_TMP/truncated.json"
ctgt_expect_startup_fail ':[0-9]+(:[0-9]+)?:|parse|syntax|premature|unexpected|expected|invalid' \
	"${P[@]}" --config "$CTGT_TMP/truncated.json"
printf '[1, 2, 3]\n' >"$CTGT_TMP/array.json"
ctgt_expect_startup_fail 'object|top.level|expected|must' "${P[@]}" --config "$CTGT_TMP/array.json"
cat >"$CTGT_TMP/badref.json" <<JSON
{
  "storages": [ { "deviceID": 1000, "path": "mem:", "size": "1M", "online": true } ],
  "iscsiportals": [ { "id": 0, "portal": "127.0.0.1:0" } ],
  "iscsitargets": { "iqn.2026-11.io.ctgt.test:badref": { "tpgts": { "1": [0] }, "luns": { "0": 1001 } } }
}
JSON
ctgt_expect_startup_fail 'unknown|1001|refer|missing' "${P[@]}" --config "$CTGT_TMP/badref.json"

# --- port already in use
ctgt_start "${M[@]}"
first=$CTGT_PID
ctgt_expect_startup_fail 'in use|busy' --portal "127.0.0.1:$CTGT_PORT" "${M[@]}"
ctgt_alive "$first"

url=iscsi://127.0.0.1:$CTGT_PORT/$CTGT_IQN/0

# --- login to a target that does not exist: "Not Found"
expect_fail iscsi-inq "iscsi://127.0.0.1:$CTGT_PORT/iqn.2026-11.io.ctgt.test:wrong/0"
assert_contains "$RUN_OUT" "Target not found" "login to an unknown target"
ctgt_alive
expect_ok iscsi-inq "$url"

# --- a LUN that does not exist: LOGICAL UNIT NOT SUPPORTED
expect_fail iscsi-inq "iscsi://127.0.0.1:$CTGT_PORT/$CTGT_IQN/7"
assert_contains "$RUN_OUT" "LOGICAL_UNIT_NOT_SUPPORTED" "INQUIRY to LUN 7"
expect_fail iscsi-readcapacity16 "iscsi://127.0.0.1:$CTGT_PORT/$CTGT_IQN/7"
assert_contains "$RUN_OUT" "LOGICAL_UNIT_NOT_SUPPORTED" "READ CAPACITY(16) to LUN 7"
ctgt_alive
expect_ok iscsi-inq "$url"

# --- junk on the socket: a connection that closes at once, one that sends
# garbage, one that sends a truncated header, and one left idle and open.
exec {idle}<>"/dev/tcp/127.0.0.1/$CTGT_PORT"
exec {c}<>"/dev/tcp/127.0.0.1/$CTGT_PORT"
exec {c}>&-
exec {c}<>"/dev/tcp/127.0.0.1/$CTGT_PORT"
head -c 4096 /dev/urandom >&"$c" || true
exec {c}>&-
exec {c}<>"/dev/tcp/127.0.0.1/$CTGT_PORT"
printf '\x03\x87\x00\x00' >&"$c" || true
exec {c}>&-
sleep 0.5
ctgt_alive
expect_ok iscsi-inq "$url"
expect_ok iscsi-ls -s "iscsi://127.0.0.1:$CTGT_PORT"
assert_match "$RUN_OUT" '^Lun:0 +Type:DIRECT_ACCESS' "iscsi-ls -s after junk"

# SIGTERM with a connection still open must still exit 0
ctgt_stop "$first"
exec {idle}>&-

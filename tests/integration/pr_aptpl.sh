#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# APTPL: persistent reservations made with APTPL=1 survive a daemon restart
# on the same --state-dir; made with APTPL=0 they are gone after it. The
# state file is replaced atomically and a corrupt one stops the daemon.
# Client: tests/wire/pr_client.c (one initiator port, one action per run).
set -euo pipefail
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

client=$CTGT_BUILD/tests/pr_client
[ -x "$client" ] || fail "$client is missing (run make)"
state=$CTGT_TMP/state
mkdir -p "$state"
disk=$CTGT_TMP/disk0.img
pr_file=$state/iqn.2026-11.io.ctgt_disk0-lun0.pr

start() {
	ctgt_start --lun "0=$disk,size=4M" --state-dir "$state"
}

show() {
	expect_ok "$client" "$CTGT_PORT" "$CTGT_IQN" show
	SHOW=$(grep -E '^(keys|reservation) ' <<<"$RUN_OUT")
}

# 1. APTPL=1: register, reserve (Write Exclusive), restart, still there.
start
expect_ok "$client" "$CTGT_PORT" "$CTGT_IQN" register abc123 1
expect_ok "$client" "$CTGT_PORT" "$CTGT_IQN" reserve abc123 1
show
assert_match "$SHOW" '^keys [0-9]+ abc123$' "READ KEYS before the restart"
assert_match "$SHOW" '^reservation abc123 1$' "READ RESERVATION before the restart"
[ -f "$pr_file" ] || fail "no state file $pr_file after REGISTER with APTPL=1"
[ ! -e "$pr_file.tmp" ] || fail "temporary state file left behind"
ctgt_stop
start
show
assert_match "$SHOW" '^keys [0-9]+ abc123$' "READ KEYS after the restart"
assert_match "$SHOW" '^reservation abc123 1$' "READ RESERVATION after the restart"
log "ok: registration and reservation survived the restart"

# 2. REGISTER with APTPL=0 (a new key): the file goes, and after a restart
# nothing is left.
expect_ok "$client" "$CTGT_PORT" "$CTGT_IQN" register def456 0
show
assert_match "$SHOW" '^keys [0-9]+ def456$' "READ KEYS after re-registering"
[ ! -e "$pr_file" ] || fail "state file still there after REGISTER with APTPL=0"
ctgt_stop
start
show
assert_match "$SHOW" '^keys 0$' "READ KEYS after a restart without APTPL"
assert_match "$SHOW" '^reservation none$' "READ RESERVATION after a restart without APTPL"
log "ok: without APTPL nothing survived the restart"
ctgt_stop

# 3. A corrupt state file is refused at startup, not silently dropped.
# (The SCSI layer logs the bad line before the daemon's own error line.)
echo "not a reservation file" >"$pr_file"
st=0
timeout -k 2 10 "$CTGT_BIN" serve --portal 127.0.0.1:0 --lun "0=$disk,size=4M" \
	--state-dir "$state" >"$CTGT_TMP/bad.out" 2>"$CTGT_TMP/bad.err" </dev/null || st=$?
assert_eq "$st" 1 "exit status with a corrupt state file"
! grep -qx ready "$CTGT_TMP/bad.out" || fail "daemon got ready with a corrupt state file"
assert_contains "$(cat "$CTGT_TMP/bad.err")" "$pr_file:1: not a reservation state line" \
	"stderr with a corrupt state file"
log "ok: corrupt state file refused"
ctgt_expect_startup_fail 'state-dir' --portal 127.0.0.1:0 \
	--lun "0=$disk,size=4M" --state-dir "$CTGT_TMP/missing"

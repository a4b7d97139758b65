#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Targets added and removed on a running daemon (ctgtadm target add,
# target remove) while verified I/O runs on another target, which sees no
# error, no unit attention and no pause. An added target is discovered
# and served at once (a LU added to it live); a removed one is no longer
# discovered nor logged in to, its session is asked to log out (an Async
# Message, as the probe reads it) and the remove completes once it has;
# a session that ignores the request is dropped after its wait; the LUs'
# files are closed; the name can be used again. Refusals: a target that
# exists, a name that is not an iSCSI name, an unknown target.
set -euo pipefail
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/probe.sh
. "$(dirname "$0")/../probe.sh"
# shellcheck source=tests/load.sh
. "$(dirname "$0")/../load.sh"
need_cmd jq || exit 77
need_cmd iscsi-ls || exit 77

ADM=$CTGT_BUILD/ctgtadm
A=iqn.2026-12.io.ctgt.test:stays
B=iqn.2026-12.io.ctgt.test:comes-and-goes
C=iqn.2026-12.io.ctgt.test:ignored
sock=$CTGT_TMP/ctl.sock
adm=("$ADM" --socket "$sock")

ctgt_start --threads 2 --control "$sock" --log-level info --target "$A" --lun 0=$CTGT_TMP/a.img,size=32M

load_start "iscsi://127.0.0.1:$CTGT_PORT/$A/0"

discovered() {
	expect_ok iscsi-ls "iscsi://127.0.0.1:$CTGT_PORT"
	sed -n 's/^Target:\([^ ]*\) .*/\1/p' <<<"$RUN_OUT" | sort | tr '\n' ' '
}

# --- add B, give it a LU, use it
expect_ok "${adm[@]}" target add "$B"
assert_contains "$RUN_OUT" "target $B added" "target add's answer"
grep -q "target $B added (thread" "$CTGT_LOG" || fail "no log line for the add"
expect_ok "${adm[@]}" lun add "$B" 0 "$CTGT_TMP/b.img,size=4M"
assert_eq "$(discovered)" "$B $A " "discovery lists the new target"
expect_ok "${adm[@]}" --json target list
assert_eq "$(jq -r 'map(.name + "=" + (.luns | map(tostring) | join(","))) | join(" ")' <<<"$RUN_OUT")" \
	"$A=0 $B=0" "target list"
expect_ok qemu-io -f raw -c "write -P 0x5a 0 64k" -c "read -P 0x5a 0 64k" \
	"iscsi://127.0.0.1:$CTGT_PORT/$B/0"

# --- remove B while a session is logged in: it is asked, logs out, B goes
probe_start "$B"
expect "tur 0" "check 6/2900" "B's LU 0 POWER ON"
"${adm[@]}" target remove "$B" >"$CTGT_TMP/rm.out" 2>&1 &
rm_pid=$!
expect async "async 1 2" "asked to log out within 2 s"
expect logout "logout 0" "logged out"
wait "$rm_pid" || fail "target remove failed: $(cat "$CTGT_TMP/rm.out")"
assert_contains "$(cat "$CTGT_TMP/rm.out")" "target $B removed" "target remove's answer"
probe_end
grep -q "target $B removed" "$CTGT_LOG" || fail "no log line for the remove"
assert_eq "$(discovered)" "$A " "discovery no longer lists it"
expect_fail iscsi-inq "iscsi://127.0.0.1:$CTGT_PORT/$B/0"
log "a login to the removed target fails: $(tail -1 <<<"$RUN_OUT")"
ls -l /proc/"$CTGT_PID"/fd 2>/dev/null | grep -q "$CTGT_TMP/b.img" && fail "b.img is still open"
expect_ok "${adm[@]}" --json target list
assert_eq "$(jq -r 'map(.name) | join(" ")' <<<"$RUN_OUT")" "$A" "target list after the remove"

# --- a session that ignores the request is dropped after its wait
expect_ok "${adm[@]}" target add "$C"
expect_ok "${adm[@]}" lun add "$C" 0 mem:,size=1M
probe_start "$C"
start=$(date +%s%N)
"${adm[@]}" target remove "$C" >"$CTGT_TMP/rm.out" 2>&1 &
rm_pid=$!
expect async "async 1 2" "C's session asked"
expect closed closed "and dropped"
wait "$rm_pid" || fail "target remove failed: $(cat "$CTGT_TMP/rm.out")"
ms=$((($(date +%s%N) - start) / 1000000))
log "C removed in $ms ms"
[ "$ms" -ge 1900 ] && [ "$ms" -lt 8000 ] || fail "C's removal took $ms ms"
probe_end

# --- the name again, and refusals
expect_ok "${adm[@]}" target add "$B"
expect_ok "${adm[@]}" lun add "$B" 0 "$CTGT_TMP/b.img"
expect_ok qemu-io -f raw -c "read -P 0x5a 0 64k" "iscsi://127.0.0.1:$CTGT_PORT/$B/0"
log "the name serves again, over the same file"
expect_fail "${adm[@]}" target add "$A"
assert_contains "$RUN_OUT" "exists already" "a target that exists"
expect_fail "${adm[@]}" target add not-an-iqn
assert_contains "$RUN_OUT" "target name" "a bad name"
expect_fail "${adm[@]}" target remove iqn.2026-12.io.ctgt.test:none
assert_contains "$RUN_OUT" "no such target" "an unknown target"

# --- the other target's load was not touched
load_end "A's load"
ctgt_stop
log "ok"

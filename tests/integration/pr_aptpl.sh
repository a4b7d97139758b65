#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# APTPL: persistent reservations made with APTPL=1 survive a daemon restart
# on the same --state-dir; made with APTPL=0 they are gone after it. The
# state file is replaced atomically; a corrupt or truncated one is kept
# aside and logged, and the daemon serves every LU. --pr-max-registrations
# bounds the registrations of a LU.
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

# 3. A damaged state file never stops the daemon: it is kept aside as
# FILE.damaged-<time>, one warning names it and why, that LU starts with no
# reservations, and the other LUs (here LUN 1, with a good state file of its
# own) are served with theirs. Once with garbage, once with a file cut in
# the middle of a line (a disk that lost its tail).
disk1=$CTGT_TMP/disk1.img
pr_file1=$state/iqn.2026-11.io.ctgt_disk0-lun1.pr
start2() {
	ctgt_start --lun "0=$disk,size=4M" --lun "1=$disk1,size=4M" --state-dir "$state"
}
start2
expect_ok "$client" "$CTGT_PORT" "$CTGT_IQN" lun 1 register 777 1
expect_ok "$client" "$CTGT_PORT" "$CTGT_IQN" lun 1 reserve 777 1
expect_ok "$client" "$CTGT_PORT" "$CTGT_IQN" register abc 1
ctgt_stop
good=$(cat "$pr_file")
for kind in corrupt truncated; do
	rm -f "$state"/*.damaged-*
	if [ $kind = corrupt ]; then
		printf 'not a reservation file\n\001\002' >"$pr_file"
	else
		printf '%s' "$good" | head -c $(($(printf '%s' "$good" | wc -c) - 20)) >"$pr_file"
	fi
	cp "$pr_file" "$CTGT_TMP/damaged.want"
	start2
	show
	assert_match "$SHOW" '^keys [0-9]+$' "READ KEYS of LUN 0 after a $kind state file"
	assert_match "$SHOW" '^reservation none$' "READ RESERVATION of LUN 0 after a $kind state file"
	expect_ok "$client" "$CTGT_PORT" "$CTGT_IQN" lun 1 show
	assert_match "$RUN_OUT" '^keys [0-9]+ 777$' "READ KEYS of LUN 1 next to a $kind file"
	assert_match "$RUN_OUT" '^reservation 777 1$' "READ RESERVATION of LUN 1 next to a $kind file"
	set -- "$state"/iqn.2026-11.io.ctgt_disk0-lun0.pr.damaged-*
	[ $# -eq 1 ] && [ -f "$1" ] || fail "$kind state file not kept aside: $(ls "$state")"
	cmp -s "$1" "$CTGT_TMP/damaged.want" || fail "the kept $kind state file changed"
	[ ! -e "$pr_file" ] || fail "$kind state file still in place"
	n=$(grep -c "reservation state file $pr_file is damaged" "$CTGT_LOG" || true)
	assert_eq "$n" 1 "warnings about the $kind state file"
	assert_contains "$(cat "$CTGT_LOG")" "kept as $1; the LU starts with no reservations" \
		"warning about the $kind state file"
	# APTPL works again on that LU, into a new file.
	expect_ok "$client" "$CTGT_PORT" "$CTGT_IQN" register abc 1
	[ -f "$pr_file" ] || fail "no new state file after the $kind one"
	ctgt_stop
	log "ok: $kind state file kept aside, logged, the other LU served"
done
ctgt_expect_startup_fail 'state-dir' --portal 127.0.0.1:0 \
	--lun "0=$disk,size=4M" --state-dir "$CTGT_TMP/missing"

# 4. --pr-max-registrations: a REGISTER beyond the limit is refused
# (INSUFFICIENT REGISTRATION RESOURCES) and logged; the registered port
# may still change its key.
ctgt_start --lun "0=mem:,size=4M" --pr-max-registrations 2
expect_ok "$client" "$CTGT_PORT" "$CTGT_IQN" isid 0x42 register a1 0
expect_ok "$client" "$CTGT_PORT" "$CTGT_IQN" isid 0x43 register a2 0
expect_fail "$client" "$CTGT_PORT" "$CTGT_IQN" isid 0x44 register a3 0
expect_ok "$client" "$CTGT_PORT" "$CTGT_IQN" isid 0x42 register b1 0
show
assert_match "$SHOW" '^keys [0-9]+ b1 a2$' "READ KEYS at the registration limit"
assert_contains "$(cat "$CTGT_LOG")" "2 persistent reservation registrations, the limit: 1 REGISTER refused" \
	"log line at the registration limit"
ctgt_stop
ctgt_expect_startup_fail 'pr-max-registrations' --lun "0=mem:,size=4M" --pr-max-registrations 0
log "ok: the registration limit holds and is logged"

#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Network threads (--threads): a daemon with two threads and two targets,
# the second target's home being thread 1 (homes are given round-robin), so
# its logins start on thread 0 and migrate (iscsi/migrate.c). Sessions to
# both targets do verified I/O at the same time (loadgen --verify); MC/S
# (tests/wire/mcs_test.c: joining, reinstatement, CmdSN order across
# connections, resets) and task management (tests/wire/tmf_test.c: ABORT
# TASK, LUN RESET, warm and cold target resets) run against the target of
# thread 1; SIGTERM with sessions on both threads busy exits 0 promptly.
# With --threads 1 nothing migrates.
set -euo pipefail
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

LOADGEN=$CTGT_BUILD/bench/loadgen
[ -x "$LOADGEN" ] || fail "build the benchmark tools first (make)"
need_cmd jq ss || exit 77
A=iqn.2026-11.io.ctgt.threads:a
B=iqn.2026-11.io.ctgt.threads:b

start_two() { # extra daemon flags
	ctgt_start --log-level debug "$@" \
		--target "$A" --lun "0=$CTGT_TMP/a.img,size=16M" \
		--target "$B" --lun "0=$CTGT_TMP/b.img,size=16M" --allow-target-reset
}

# loadgen_bg NAME IQN SECONDS: verified mixed I/O in the background.
loadgen_bg() {
	"$LOADGEN" --verify --sessions 2 --depth 8 --read-pct 50 --span 4M --duration "$3" \
		"iscsi://127.0.0.1:$CTGT_PORT/$2/0" >"$CTGT_TMP/$1.json" 2>"$CTGT_TMP/$1.err" &
}

check_loadgen() { # NAME
	local j
	j=$(cat "$CTGT_TMP/$1.json")
	[ "$(jq -r '.ios > 0 and .errors == 0 and .verify.mismatches == 0' <<<"$j")" = true ] ||
		fail "loadgen $1: $j $(cat "$CTGT_TMP/$1.err")"
}

start_two --threads 2
assert_match "$(cat "$CTGT_LOG")" "server: 2 network threads" "the thread count in the log"

# Both targets at once, data intact.
loadgen_bg la "$A" 2
pa=$!
loadgen_bg lb "$B" 2
pb=$!
wait "$pa" || fail "loadgen on $A failed: $(cat "$CTGT_TMP/la.err")"
wait "$pb" || fail "loadgen on $B failed: $(cat "$CTGT_TMP/lb.err")"
check_loadgen la
check_loadgen lb
# B's logins went to thread 1 (loadgen --verify: at least its two
# sessions), A's stayed on thread 0.
migrated() { grep -c "login to $1 continues on thread" "$CTGT_LOG" || true; }
[ "$(migrated "$B")" -ge 2 ] || fail "$(migrated "$B") logins to $B migrated, want 2 or more"
assert_eq "$(migrated "$A")" 0 "logins to $A (thread 0's) migrated"
grep -q "login to $B continues on thread 1" "$CTGT_LOG" || fail "logins to $B not on thread 1"

# MC/S and task management on thread 1's target.
"$CTGT_BUILD"/tests/mcs_test "$CTGT_PORT" "$B"
"$CTGT_BUILD"/tests/tmf_test "$CTGT_PORT" "$B"
# Two sessions of B (xthread_test.c): reservations, unit attentions, LUN
# RESET and ABORT TASK between them, COMPARE AND WRITE. (Both are on B's
# home while sessions are not spread over threads: iscsi/migrate.c.)
"$CTGT_BUILD"/tests/xthread_test "$CTGT_PORT" "$B"
ctgt_alive

# Shutdown with busy sessions on both threads: exits 0 within 10 s.
established() { ss -Htn state established "( sport = :$CTGT_PORT )" | wc -l; }
nb=$(migrated "$B")
loadgen_bg sa "$A" 30
sa=$!
loadgen_bg sb "$B" 30
sb=$!
for _ in $(seq 100); do
	[ "$(migrated "$B")" -ge $((nb + 2)) ] && [ "$(established)" -ge 4 ] && break
	sleep 0.1
done
[ "$(migrated "$B")" -ge $((nb + 2)) ] && [ "$(established)" -ge 4 ] ||
	fail "the loadgen sessions did not log in within 10 s"
sleep 0.5
start=$SECONDS
ctgt_stop
[ $((SECONDS - start)) -le 5 ] || fail "shutdown took $((SECONDS - start)) s"
# libiscsi would try to reconnect until loadgen's end: stop them now.
kill -TERM "$sa" "$sb" 2>/dev/null || true
wait "$sa" 2>/dev/null || true
wait "$sb" 2>/dev/null || true
grep -q "target shutting down" "$CTGT_LOG" || fail "no connection was closed by the shutdown"

# One thread: nothing migrates.
start_two --threads 1
loadgen_bg one "$B" 0.5
wait $! || fail "loadgen with one thread failed: $(cat "$CTGT_TMP/one.err")"
check_loadgen one
! grep -q "login continues on thread" "$CTGT_LOG" || fail "a login migrated with one thread"
assert_not_contains "$(cat "$CTGT_LOG")" "network threads" "the log of a one-thread daemon"
ctgt_stop

# The flag's range.
ctgt_expect_startup_fail "--threads 0: expected a number from 1 to 64" --threads 0 \
	--portal 127.0.0.1:0 --lun 0=mem:,size=1M
ctgt_expect_startup_fail "--threads 65: expected a number from 1 to 64" --threads 65 \
	--portal 127.0.0.1:0 --lun 0=mem:,size=1M

#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Network threads (--threads): a daemon with two threads and two targets,
# the second target's home being thread 1 (homes are given round-robin).
# Logins start on thread 0; a target's first session goes to its home, the
# next ones round-robin over the threads (iscsi/migrate.c), and a session
# off its target's home hands its SCSI work there (iscsi/handoff.c); the
# daemon logs each session's thread. Sessions to both targets do verified
# I/O at the same time (loadgen --verify), two sessions of one target on
# two threads as well as four; tests/wire/xthread_test.c runs reservations,
# unit attentions, LUN RESET and ABORT TASK across two threads' sessions
# and COMPARE AND WRITE, and on B's LUN 1 (thin, capped at 1 MB/s, so that
# I/O and jobs stay in flight) SANITIZE and FORMAT UNIT from a remote
# session, ABORT TASK, LUN RESET and a close while its READ is in the
# store; A's sessions on both threads are refused target resets; MC/S (tests/wire/mcs_test.c: joining,
# reinstatement, CmdSN order across connections, resets) and task
# management (tests/wire/tmf_test.c: ABORT TASK, LUN RESET, warm and cold
# target resets) run against the target of thread 1, alone and with a
# session held on its home (so their sessions are remote in turn); SIGTERM
# with sessions on both threads busy exits 0 within 5 s. With --threads 1
# nothing migrates.
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
		--target "$B" --lun "0=$CTGT_TMP/b.img,size=16M" \
		--lun "1=$CTGT_TMP/b1.img,size=1M,thin,max_bandwidth=1M" --allow-target-reset
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
# B's first session (loadgen --verify: two at once) went to its home,
# thread 1, the other one to thread 0; A's first stayed on thread 0.
migrated() { grep -c "login to $1 continues on thread" "$CTGT_LOG" || true; }
[ "$(migrated "$B")" -ge 1 ] || fail "$(migrated "$B") logins to $B migrated, want 1 or more"
grep -q "login to $B continues on thread 1" "$CTGT_LOG" || fail "no login to $B on thread 1"
on_thread() { # TARGET THREAD: sessions of TARGET the log places on THREAD
	grep -c "tsih [0-9]* of $1 on thread $2 " "$CTGT_LOG" || true
}
for t in "$A" "$B"; do
	for i in 0 1; do
		[ "$(on_thread "$t" "$i")" -ge 1 ] || fail "no session of $t on thread $i"
	done
done
grep -q "of $B on thread 0 (handing its commands to the target's thread)" "$CTGT_LOG" ||
	fail "the session of $B on thread 0 is not a remote one"
grep -q "of $B on thread 1 (the target's)" "$CTGT_LOG" ||
	fail "the session of $B on thread 1 is not its home's"

# Two sessions of B on its two threads (xthread_test.c): reservations, unit
# attentions, LUN RESET and ABORT TASK across them, COMPARE AND WRITE.
n0=$(on_thread "$B" 0)
n1=$(on_thread "$B" 1)
"$CTGT_BUILD"/tests/xthread_test "$CTGT_PORT" "$B"
[ "$(on_thread "$B" 0)" -ge $((n0 + 11)) ] && [ "$(on_thread "$B" 1)" -ge $((n1 + 11)) ] ||
	fail "xthread_test's sessions were not on both threads: $(grep "tsih .* of $B" "$CTGT_LOG")"
ctgt_alive
# A refuses target resets: its sessions on both threads are refused in
# turn (the per-target count of refusals is shared by the threads).
a0=$(on_thread "$A" 1)
"$CTGT_BUILD"/tests/xthread_test "$CTGT_PORT" "$A" refusing
[ "$(on_thread "$A" 1)" -gt "$a0" ] || fail "no session of $A on thread 1 for the refused resets"
# 40 refusals, one warning line (the first; the next is 10 s away).
assert_eq "$(grep -c "RESET from .* refused on $A (.*; 1 refused since" "$CTGT_LOG" || true)" 1 \
	"warning lines for the refused resets of $A"
ctgt_alive

# Four sessions to one target: two on each thread, verified at once.
loadgen4() { # NAME IQN SECONDS
	"$LOADGEN" --verify --sessions 4 --depth 8 --read-pct 50 --span 4M --duration "$3" \
		"iscsi://127.0.0.1:$CTGT_PORT/$2/0" >"$CTGT_TMP/$1.json" 2>"$CTGT_TMP/$1.err"
}
loadgen4 four "$A" 2 || fail "loadgen with 4 sessions failed: $(cat "$CTGT_TMP/four.err")"
check_loadgen four

# MC/S and task management on thread 1's target; then again with a session
# of B held open on its home by loadgen, so that those tests' sessions go
# to both threads in turn (remote ones hand their work to thread 1).
"$CTGT_BUILD"/tests/mcs_test "$CTGT_PORT" "$B"
"$CTGT_BUILD"/tests/tmf_test "$CTGT_PORT" "$B"
ctgt_alive
r0=$(grep -c "of $B on thread 0 (handing" "$CTGT_LOG" || true)
"$LOADGEN" --depth 4 --read-pct 100 --span 4M --duration 30 \
	"iscsi://127.0.0.1:$CTGT_PORT/$B/0" >"$CTGT_TMP/hold.json" 2>"$CTGT_TMP/hold.err" &
hold=$!
for _ in $(seq 50); do
	[ "$(on_thread "$B" 1)" -gt "$n1" ] && break
	sleep 0.1
done
"$CTGT_BUILD"/tests/mcs_test "$CTGT_PORT" "$B"
"$CTGT_BUILD"/tests/tmf_test "$CTGT_PORT" "$B"
kill -TERM "$hold" 2>/dev/null || true
wait "$hold" 2>/dev/null || true
[ "$(grep -c "of $B on thread 0 (handing" "$CTGT_LOG")" -gt "$r0" ] ||
	fail "no remote session of $B during mcs_test and tmf_test"
ctgt_alive

# Shutdown with busy sessions on both threads: exits 0 within 5 s. A fresh
# daemon: the log's "closing" lines are rate-limited, and the tests above
# used them up.
ctgt_stop
start_two --threads 2
established() { ss -Htn state established "( sport = :$CTGT_PORT )" | wc -l; }
nb=$(migrated "$B")
loadgen_bg sa "$A" 30
sa=$!
loadgen_bg sb "$B" 30
sb=$!
for _ in $(seq 100); do
	[ "$(migrated "$B")" -ge $((nb + 1)) ] && [ "$(established)" -ge 4 ] && break
	sleep 0.1
done
[ "$(migrated "$B")" -ge $((nb + 1)) ] && [ "$(established)" -ge 4 ] ||
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

# --session-threads target: every session of a target on its home thread,
# none handing its commands over (B's two loadgen sessions both on thread 1).
start_two --threads 2 --session-threads target
loadgen_bg keep "$B" 0.5
wait $! || fail "loadgen with --session-threads target failed: $(cat "$CTGT_TMP/keep.err")"
check_loadgen keep
assert_eq "$(grep -c "of $B on thread 1 (the target's)" "$CTGT_LOG" || true)" 2 \
	"sessions of $B on its thread with --session-threads target"
! grep -q "handing its commands" "$CTGT_LOG" || fail "a session was spread with --session-threads target"
ctgt_stop
ctgt_expect_startup_fail "--session-threads all: expected spread or target" \
	--session-threads all --portal 127.0.0.1:0 --lun 0=mem:,size=1M

# The flag's range.
ctgt_expect_startup_fail "--threads 0: expected a number from 1 to 64" --threads 0 \
	--portal 127.0.0.1:0 --lun 0=mem:,size=1M
ctgt_expect_startup_fail "--threads 65: expected a number from 1 to 64" --threads 65 \
	--portal 127.0.0.1:0 --lun 0=mem:,size=1M

#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Idle logged-in connections (build/bench/idleconn, the figure make bench
# prints for 1,000): 100 sessions against a daemon whose limits let them
# in all log in and stay (the daemon has them all established); the
# per-connection VmRSS figure is printed and below 1 MiB (a buffer of that
# size per connection, say, would trip it); while they are held, a new
# session does verified I/O; at SIGTERM idleconn finds every session still
# logged in and logs them all out. Not timed.
set -euo pipefail
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

IDLECONN=$CTGT_BUILD/bench/idleconn
LOADGEN=$CTGT_BUILD/bench/loadgen
[ -x "$IDLECONN" ] && [ -x "$LOADGEN" ] || fail "build the benchmark tools first (make)"
need_cmd jq ss || exit 77
N=100
WARMUP=4

IDLE_PID=
# idleconn ends its hold by itself (60 s); on a failure it is stopped first.
stop_idle() {
	local rc=$?
	[ -z "$IDLE_PID" ] || kill -TERM "$IDLE_PID" 2>/dev/null || true
	(exit "$rc")
	ctgt__cleanup
}
trap stop_idle EXIT

ctgt_start --lun "0=$CTGT_TMP/disk0.img,size=64M" --connection-limit 1024 \
	--connection-limit-per-address 1024 --session-limit 1024
url=iscsi://127.0.0.1:$CTGT_PORT/$CTGT_IQN/0

timeout -k 5 90 "$IDLECONN" --count "$N" --warmup "$WARMUP" --hold 60 --server-pid "$CTGT_PID" \
	"$url" >"$CTGT_TMP/idle.json" 2>"$CTGT_TMP/idle.err" &
IDLE_PID=$!
for _ in $(seq 300); do
	[ -s "$CTGT_TMP/idle.json" ] && break
	kill -0 "$IDLE_PID" 2>/dev/null || break
	sleep 0.1
done
j=$(cat "$CTGT_TMP/idle.json")
[ -n "$j" ] || fail "idleconn printed nothing within 30 s: $(cat "$CTGT_TMP/idle.err")"
log "idle: $j"
[ "$(jq -r ".connections == $N and .warmup == $WARMUP" <<<"$j")" = true ] ||
	fail "idleconn's counts: $j"
[ "$(jq -r '.bytes_per_connection | type == "number" and . > 0 and . < 1048576' <<<"$j")" = true ] ||
	fail "bytes per idle connection not in (0, 1 MiB): $j"
est=$(ss -Htn state established "( sport = :$CTGT_PORT )" | wc -l)
[ "$est" -ge $((N + WARMUP)) ] || fail "the daemon has $est connections established, want $((N + WARMUP))"

expect_ok "$LOADGEN" --verify --sessions 1 --depth 4 --read-pct 50 --span 1M --duration 0.5 "$url"
[ "$(jq -r '.ios > 0 and .errors == 0 and .verify.mismatches == 0' <<<"$RUN_OUT")" = true ] ||
	fail "a new session's I/O beside the idle ones: $RUN_OUT"

kill -TERM "$IDLE_PID"
rc=0
wait "$IDLE_PID" || rc=$?
IDLE_PID=
assert_eq "$rc" 0 "idleconn's exit status ($(cat "$CTGT_TMP/idle.err"))"
assert_contains "$(cat "$CTGT_TMP/idle.err")" "$((N + WARMUP)) sessions stayed logged in, all logged out" \
	"idleconn"
ctgt_alive
ctgt_stop
log "ok: $(jq -r .bytes_per_connection <<<"$j") bytes of VmRSS per idle connection"

#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Resource limits (tests/wire/limits_test.c, limits_wait_test.c), each against its own daemon:
# connections in total and per source address, sessions per target, the
# login timeout (silent connection, slowloris), keep-alive idleness from the
# last PDU, the CmdSN window held until a response is on the wire,
# immediate commands and ping data bounded, the memory never-read READs and
# unanswered WRITEs can make the daemon hold (VmRSS), a reset while a
# command waits for buffers (no busy loop), keep-alive while a command waits
# for buffers, the log lines any peer can cause (rate-limited, every one
# counted), and accept() running out of descriptors. Each limit must log
# when it is hit, rate-limited.
set -euo pipefail
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

lt="$CTGT_BUILD"/tests/limits_test
lwt="$CTGT_BUILD"/tests/limits_wait_test

ctgt_start --lun 0=mem:,size=1M --connection-limit 4 --connection-limit-per-address 2
expect_ok "$lt" "$CTGT_PORT" "$CTGT_IQN" conns
assert_match "$(cat "$CTGT_LOG")" 'from this address already \(limit\)' "daemon log"
assert_match "$(cat "$CTGT_LOG")" '4 connections already \(limit\)' "daemon log"
ctgt_stop

ctgt_start --lun 0=mem:,size=1M --session-limit 2
expect_ok "$lt" "$CTGT_PORT" "$CTGT_IQN" sessions
assert_match "$(cat "$CTGT_LOG")" 'has 2 sessions \(limit\)' "daemon log"
ctgt_stop

ctgt_start --lun 0=mem:,size=1M --login-timeout 2
expect_ok "$lt" "$CTGT_PORT" "$CTGT_IQN" login-timeout
assert_match "$(cat "$CTGT_LOG")" 'login not done within 2 s' "daemon log"
ctgt_stop

ctgt_start --lun 0=mem:,size=1M --nop-interval 2
expect_ok "$lt" "$CTGT_PORT" "$CTGT_IQN" keepalive
ctgt_stop

# Nothing but the CmdSN window holds back a client that does not read.
ctgt_start --lun 0=mem:,size=16M --connection-buffer 2G --tx-backlog 1G --nop-interval 0
expect_ok "$lt" "$CTGT_PORT" "$CTGT_IQN" window
log "$(grep '^window:' <<<"$RUN_OUT")"
ctgt_stop

# A LU at 1 MiB/s: immediate READs stay in flight long enough to count.
ctgt_start --lun "0=$CTGT_TMP/slow.img,size=4M,max_bandwidth=1M"
expect_ok "$lt" "$CTGT_PORT" "$CTGT_IQN" immediate
log "$(grep '^immediate:' <<<"$RUN_OUT")"
assert_match "$(cat "$CTGT_LOG")" 'immediate commands in flight: rejected' "daemon log"
ctgt_stop

ctgt_start --lun 0=mem:,size=16M --connection-buffer 8M --tx-backlog 1M --nop-interval 0
expect_ok "$lt" "$CTGT_PORT" "$CTGT_IQN" memory "$CTGT_PID"
log "$(grep '^memory:' <<<"$RUN_OUT" | tr '\n' ' ')"
assert_match "$(cat "$CTGT_LOG")" 'TASK SET FULL' "daemon log"
assert_match "$(cat "$CTGT_LOG")" 'not reading until the initiator reads' "daemon log"
# Rate-limited: a hundred TASK SET FULLs, one line (per 10 s).
n=$(grep -c 'TASK SET FULL' "$CTGT_LOG" || true)
[ "$n" -le 2 ] || fail "TASK SET FULL logged $n times, want one rate-limited line"
ctgt_stop

# A connection reset while its command waits for buffers (a 4 MiB READ at
# 1 MiB/s holds them) and nothing is queued for transmit: closed at once, no
# busy loop on the hang-up.
ctgt_start --lun "0=$CTGT_TMP/slow16.img,size=16M,max_bandwidth=1M" --connection-buffer 1M \
	--nop-interval 0
expect_ok "$lwt" "$CTGT_PORT" "$CTGT_IQN" hangup "$CTGT_PID"
log "$(grep '^hangup:' <<<"$RUN_OUT")"
assert_match "$(cat "$CTGT_LOG")" 'closing: Connection reset by peer' "daemon log"
ctgt_stop

# Keep-alive while a command waits for buffers (the connection is not read):
# no ping whose answer could not be read, and one already sent has its whole
# timeout again once reading resumes. The timeout is the interval.
ctgt_start --lun "0=$CTGT_TMP/slow16.img,size=16M,max_bandwidth=1M" --connection-buffer 1M \
	--nop-interval 1
expect_ok "$lwt" "$CTGT_PORT" "$CTGT_IQN" deferred
log "$(grep '^deferred:' <<<"$RUN_OUT")"
ctgt_stop
ctgt_start --lun "0=$CTGT_TMP/slow16.img,size=16M,max_bandwidth=1M" --connection-buffer 1M \
	--nop-interval 2
expect_ok "$lwt" "$CTGT_PORT" "$CTGT_IQN" deferred-ping
log "$(grep '^deferred-ping:' <<<"$RUN_OUT")"
ctgt_stop

# What any peer can make the daemon log (100 connections, 30 failed logins,
# 31 sessions, 50 commands outside the CmdSN window): the first lines of each
# kind, then one line saying how many were suppressed; every hit is
# accounted for.
# rl_lines LOG REGEX WHAT: "LOGGED SUPPRESSED" for the lines matching REGEX,
# SUPPRESSED from their " (N similar suppressed)" and from the summary lines
# "N similar lines suppressed (WHAT)".
rl_lines() {
	local logged supp
	logged=$(grep -cE "$2" "$1" || true)
	supp=$({
		grep -E "$2" "$1" | sed -n 's/.* (\([0-9]*\) similar suppressed)$/\1/p'
		sed -n "s/.* \([0-9]*\) similar lines suppressed ($3)\$/\1/p" "$1"
	} | awk '{ s += $1 } END { print s + 0 }')
	echo "$logged $supp"
}
# assert_rl LOG REGEX WHAT HITS: at least the first 10 lines and at most 21
# (10 per 10 s), LOGGED + SUPPRESSED = HITS.
assert_rl() {
	local logged supp
	read -r logged supp <<<"$(rl_lines "$1" "$2" "$3")"
	log "$3: $logged lines logged, $supp suppressed"
	[ "$logged" -ge 10 ] && [ "$logged" -le 21 ] ||
		fail "$3: $logged lines logged, want 10 to 21 (rate-limited)"
	assert_eq "$((logged + supp))" "$4" "$3: lines logged + suppressed"
}
ctgt_start --lun 0=mem:,size=1M
expect_ok "$lt" "$CTGT_PORT" "$CTGT_IQN" logflood
ctgt_stop
assert_rl "$CTGT_LOG" 'conn: [^ ]+: connected( \(|$)' connected 161
assert_rl "$CTGT_LOG" 'conn: [^ ]+: closing: ' closing 161
assert_rl "$CTGT_LOG" 'login: [^ ]+: login failed ' 'login failed' 30
assert_rl "$CTGT_LOG" 'login: [^ ]+: normal session ' 'session' 31
assert_rl "$CTGT_LOG" 'CmdSN [0-9]+ outside window \[' 'CmdSN outside window' 50

# Few descriptors: accept() fails with EMFILE; the daemon pauses accepting,
# logs once, does not spin, and accepts again once descriptors are free.
CTGT_BIN_SAVED=$CTGT_BIN
cat >"$CTGT_TMP/few-fds" <<SH
#!/bin/sh
exec prlimit --nofile=32 "$CTGT_BIN_SAVED" "\$@"
SH
chmod +x "$CTGT_TMP/few-fds"
CTGT_BIN=$CTGT_TMP/few-fds ctgt_start --lun 0=mem:,size=1M
# ctgt_start's pid is the wrapper's, which exec'd the daemon.
expect_ok "$lt" "$CTGT_PORT" "$CTGT_IQN" fds "$CTGT_PID"
log "$(grep '^fds:' <<<"$RUN_OUT")"
n=$(grep -c 'not accepting for' "$CTGT_LOG" || true)
[ "$n" -ge 1 ] || fail "no log line for accept() failing"
[ "$n" -le 2 ] || fail "accept() failure logged $n times, want one rate-limited line"
ctgt_stop

#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Daemon life cycle: the stdout protocol (listening..., url..., ready; logs
# only on stderr), binding only the address asked for, port 0, clean exit 0
# on SIGTERM and on SIGINT (also with clients connected), and the port
# released afterwards.
set -euo pipefail
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

listeners_of() { # PID -> "addr:port" of each TCP listener of that process
	ss -Htlnp 2>/dev/null | awk -v p="pid=$1," 'index($0, p) { print $4 }' | sort -u
}

# --- stdout protocol
ctgt_start --lun 0=mem:,size=8M --lun 1=mem:,size=8M --log-level debug
out=$(cat "$CTGT_OUT")
bad=$(grep -vE '^(listening (127\.0\.0\.1|\[::1\]):[0-9]+|url iscsi://[^ ]+|ready)$' <<<"$out" || true)
[ -z "$bad" ] || fail "unexpected lines on stdout (logs belong on stderr): $bad"
expected_shape="listening url url ready"
shape=$(awk '{ print $1 }' <<<"$out" | tr '\n' ' ' | sed 's/ $//')
assert_eq "$shape" "$expected_shape" "order of stdout lines"
assert_contains "$CTGT_URLS" "iscsi://127.0.0.1:$CTGT_PORT/$CTGT_IQN/1" "url lines"

# --- it listens exactly where asked, nowhere else
[ "$CTGT_PORT" -ne 0 ] || fail "port 0 was not replaced by the bound port"
assert_eq "$(listeners_of "$CTGT_PID")" "127.0.0.1:$CTGT_PORT" "listening sockets of the daemon"

# --- SIGTERM with a logged-in session and an idle TCP connection open
exec {idle}<>"/dev/tcp/127.0.0.1/$CTGT_PORT"
# (qemu-io must not inherit the idle connection, or it would own that too)
qemu-io -r -c 'sleep 60000' "iscsi://127.0.0.1:$CTGT_PORT/$CTGT_IQN/0" >/dev/null 2>&1 {idle}>&- &
qpid=$!
# The session must really be logged in: find qemu-io's connection (its
# local port) and the daemon's login line for that very connection.
login=
for ((i = 0; i < 100; i++)); do
	kill -0 "$qpid" 2>/dev/null || fail "qemu-io exited instead of holding its session"
	cport=$(ss -Htnp "( dport = :$CTGT_PORT )" 2>/dev/null |
		awk -v p="pid=$qpid," 'index($0, p) { n = split($4, a, ":"); print a[n] }')
	[ "$(wc -w <<<"$cport")" -le 1 ] || fail "qemu-io has several connections: $cport"
	if [ -n "$cport" ]; then
		login=$(grep -F "login: 127.0.0.1:$cport: normal session" "$CTGT_LOG" || true)
		[ -z "$login" ] || break
	fi
	sleep 0.1
done
[ -n "$login" ] || fail "qemu-io (pid $qpid, port ${cport:-none}) did not log in within 10 s"
sleep 0.5
kill -0 "$qpid" 2>/dev/null || fail "qemu-io session did not stay up"
log "ok: qemu-io logged in: ${login#*login: }"
port=$CTGT_PORT
ctgt_stop "$CTGT_PID" TERM
exec {idle}>&-
kill "$qpid" 2>/dev/null || true
wait "$qpid" 2>/dev/null || true
[ -z "$(ss -Htln "( sport = :$port )")" ] || fail "port $port still listening after exit"

# --- the same port can be bound again at once (connections the daemon
# closed first are in TIME_WAIT), and SIGINT also exits 0
ctgt_start --portal "127.0.0.1:$port" --lun 0=mem:,size=8M
assert_eq "$CTGT_PORT" "$port" "port of the restarted daemon"
expect_ok iscsi-inq "$CTGT_URL"
ctgt_stop "$CTGT_PID" INT

#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# The control socket (daemon/control.c) and ctgtadm: version, target list
# and session list against a daemon with two network threads while a load
# runs (the sessions, their threads, connections and command counts agree
# with what the load and the daemon's log say); malformed, unknown,
# wrong-version and over-long requests get an error reply and leave the
# daemon serving; a peer outside root and the socket's group is refused
# (as root: a test client running as nobody), and a member by a
# supplementary group is admitted whatever the length of its group list;
# peers that do not read their replies, or read them slowly, hold neither
# another client nor a stop; out of descriptors, the control thread does
# not spin on its listener; the socket goes away at
# shutdown, a second daemon cannot take a socket in use, and a stale one
# left by kill -9 is replaced.
set -euo pipefail
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
need_cmd jq

ADM=$CTGT_BUILD/ctgtadm
A=iqn.2026-12.io.ctgt.test:ctl-a
B=iqn.2026-12.io.ctgt.test:ctl-b
sock=$CTGT_TMP/ctl.sock
adm=("$ADM" --socket "$sock")

ctgt_start --threads 2 --control "$sock" --log-level info \
	--target "$A" --lun 0=mem:,size=4M --target "$B" --lun 0=mem:,size=4M --lun 3=null:,size=1G
[ -S "$sock" ] || fail "no socket at $sock"
assert_eq "$(stat -c %a "$sock")" 660 "socket mode"

# --- usage: exit status 2, help 0
expect_ok "${adm[@]}" --help
assert_contains "$RUN_OUT" "session list" "usage lists commands"
expect_ok "${adm[@]}" session list --help
st=0; "${adm[@]}" no such command >/dev/null 2>&1 || st=$?
assert_eq "$st" 2 "unknown command's status"

# --- version and target list
expect_ok "${adm[@]}" version
assert_contains "$RUN_OUT" "control protocol 1" "version"
expect_ok "${adm[@]}" --json target list
tl=$RUN_OUT
assert_eq "$(jq -r 'map(.name) | join(" ")' <<<"$tl")" "$A $B" "targets"
assert_eq "$(jq -r --arg b "$B" '.[] | select(.name == $b) | .luns | join(",")' <<<"$tl")" "0,3" "B's LUNs"
home=$(sed -n "s/.*target $B: thread //p" "$CTGT_LOG")
assert_eq "$(jq -r --arg b "$B" '.[] | select(.name == $b) | .thread' <<<"$tl")" "$home" "B's thread"
expect_ok "${adm[@]}" target list
assert_match "$RUN_OUT" "^$B +$home +0 +0,3$" "target table"

# --- lun list: the LUs as configured, their size from the running LU
expect_ok "${adm[@]}" --json lun list "$B"
ll=$RUN_OUT
assert_eq "$(jq -r 'map(.flag) | join(" ")' <<<"$ll")" "0=mem:,size=4M 3=null:,size=1G" "B's --lun specs"
assert_eq "$(jq '.[1].blocks * .[1].block_size' <<<"$ll")" $((1 << 30)) "B/3's size"
assert_eq "$(jq -c '.[0].config' <<<"$ll")" '{"path":"mem:","size":"4M"}' "B/0 as JSON"
expect_ok "${adm[@]}" lun list "$B"
assert_match "$RUN_OUT" "^ +3 +1073741824 +512 +- +3=null:,size=1G$" "lun table"
expect_fail "${adm[@]}" lun list iqn.2026-12.io.ctgt.test:none
assert_contains "$RUN_OUT" "no such target" "lun list of an unknown target"
expect_fail "${adm[@]}" lun list
assert_eq "$RUN_RC" 2 "lun list without a target: usage"
assert_contains "$RUN_OUT" "usage: ctgtadm lun list IQN" "lun list without a target"
expect_fail "${adm[@]}" --raw '{"version":1,"command":"lun list","args":{}}'
assert_contains "$RUN_OUT" '"target\" (a string) is needed' "the daemon's check of it"
expect_fail "${adm[@]}" lun remove "$B" x
assert_eq "$RUN_RC" 2 "a LUN that is not a number: usage"

# --- session list under load: three sessions of B, spread over both threads
"$CTGT_BUILD"/bench/loadgen --sessions 3 --depth 2 --read-pct 70 --duration 4 \
	"iscsi://127.0.0.1:$CTGT_PORT/$B/0" >"$CTGT_TMP/load.json" 2>"$CTGT_TMP/load.err" &
load=$!
for _ in $(seq 50); do
	[ "$(grep -c "normal session .* to $B" "$CTGT_LOG" || true)" -ge 3 ] && break
	sleep 0.1
done
sleep 0.5
expect_ok "${adm[@]}" --json session list
sl=$RUN_OUT
assert_eq "$(jq --arg b "$B" '[.[] | select(.target == $b)] | length' <<<"$sl")" 3 "sessions of B"
assert_eq "$(jq '[.[].thread] | unique | length' <<<"$sl")" 2 "threads serving them"
assert_eq "$(jq -r '[.[].connections[0].logged_in] | all' <<<"$sl")" true "logged in"
assert_eq "$(jq -r '[.[] | .commands > 0] | all' <<<"$sl")" true "commands counted"
peer=$(jq -r '.[0].connections[0].peer' <<<"$sl")
grep -q "$peer: connected" "$CTGT_LOG" || fail "peer $peer not in the log"
tsih=$(jq -r '.[0].tsih' <<<"$sl")
grep -q "normal session $tsih " "$CTGT_LOG" || fail "TSIH $tsih not in the log"
expect_ok "${adm[@]}" target list
assert_match "$RUN_OUT" "^$B +$home +3 +0,3$" "session count in the target table"
expect_ok "${adm[@]}" session list
assert_contains "$RUN_OUT" "$peer" "session table"
# stats while the load runs: B's LUN 0 moves, its LUN 3 and A do not
expect_ok "${adm[@]}" --json stats --once --interval 0.5
st=$RUN_OUT
assert_eq "$(jq --arg b "$B" '.[] | select(.target == $b and .lun == 0) | .reads_per_s > 100 and .writes_per_s > 10' <<<"$st")" true "B/0 rates"
assert_eq "$(jq --arg b "$B" '.[] | select(.target == $b and .lun == 3) | .reads_per_s' <<<"$st")" 0 "B/3 idle"
assert_eq "$(jq --arg a "$A" '[.[] | select(.target == $a)] | length' <<<"$st")" 1 "A's row"
expect_ok "${adm[@]}" stats --once --interval 0.2 "$B"
assert_match "$RUN_OUT" "^$B +0 " "stats table"
wait "$load" || fail "load failed: $(cat "$CTGT_TMP/load.err")"
# The counters against the load's own: every command it counted, and at
# most the 3 x 2 in flight when it stopped counting.
expect_ok "${adm[@]}" --json lun stats "$B"
ls=$RUN_OUT
for kind in reads writes; do
	got=$(jq --arg k "$kind" '.[] | select(.lun == 0) | .[$k]' <<<"$ls")
	want=$(jq ".$kind" "$CTGT_TMP/load.json")
	[ "$got" -ge "$want" ] && [ "$got" -le $((want + 6)) ] ||
		fail "lun stats $kind: $got, the load counted $want"
done
assert_eq "$(jq '.[] | select(.lun == 0) | .read_bytes == .reads * 4096 and .write_bytes == .writes * 4096' <<<"$ls")" true "bytes"
assert_eq "$(jq '.[] | select(.lun == 0) | (.read_hist | add) == .reads and .errors == 0' <<<"$ls")" true "histogram, errors"
expect_fail "${adm[@]}" lun stats iqn.2026-12.io.ctgt.test:none
assert_contains "$RUN_OUT" "no such target" "lun stats of an unknown target"
expect_ok "${adm[@]}" --json session list
assert_eq "$RUN_OUT" "[]" "no session after the load"

# --- bad requests: an error reply each, the daemon still answers
raw_err() { # REQUEST EXPECTED-ERROR-PART
	local what=${1:0:60}
	expect_fail "${adm[@]}" --raw "$1"
	assert_eq "$(jq -r .ok <<<"$RUN_OUT")" false "ok of $what"
	assert_contains "$(jq -r .error <<<"$RUN_OUT")" "$2" "error of $what"
}
raw_err 'not json' "not JSON"
# An error that quotes bytes that are not UTF-8 still gets its reply (fuzz_control).
raw_err $'{"lun \\\xdd\x8b\x94rget":1}' "not JSON"
raw_err '[1,2]' "JSON object"
raw_err '{"version":2,"command":"version"}' "unsupported protocol version"
raw_err '{"version":1}' "must be a string"
raw_err '{"version":1,"command":"version","args":[]}' "must be an object"
raw_err '{"version":1,"command":"format everything"}' "unknown command"
raw_err '{"version":1,"command":"version","command":"x"}' "not JSON"
raw_err "{\"version\":1,\"command\":\"$(head -c 70000 /dev/zero | tr '\0' x)\"}" "too long"
grep -q "longer than 65536 bytes" "$CTGT_LOG" || fail "no log line for the long request"
expect_ok "${adm[@]}" --raw '{"version":1,"command":"version"}'
assert_eq "$(jq -r .result.protocol <<<"$RUN_OUT")" 1 "raw version"
ctgt_alive

# --- credentials: as root, a client running as nobody
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups)
	cp "$ADM" "$CTGT_TMP/ctgtadm" && chmod 755 "$CTGT_TMP" "$CTGT_TMP/ctgtadm"
	# Mode 0660: the file system keeps it out.
	expect_fail "${nobody[@]}" "$CTGT_TMP/ctgtadm" --socket "$sock" version
	assert_contains "$RUN_OUT" "Permission denied" "nobody, mode 0660"
	# Opened up by mistake: the daemon still refuses by its credentials.
	chmod 666 "$sock"
	expect_fail "${nobody[@]}" "$CTGT_TMP/ctgtadm" --socket "$sock" version
	assert_contains "$RUN_OUT" "permission denied" "nobody, mode 0666"
	assert_match "$(cat "$CTGT_LOG")" "refused pid [0-9]+ uid 65534 gid 65534" "refusal logged"
	chmod 660 "$sock"
	expect_ok "${adm[@]}" version
else
	log "not root: the credential check is not exercised"
fi

# --- a peer that pipelines requests and never reads: the others are still
# answered, it is closed, and it cannot hold up a stop
"$CTGT_BUILD"/tests/unix_flood "$sock" 20000 8 &
flood=$!
sleep 1
t0=$(date +%s%N)
expect_ok "${adm[@]}" version
[ $(( ($(date +%s%N) - t0) / 1000000 )) -lt 3000 ] || fail "version took over 3 s beside a flood"
for _ in $(seq 50); do
	grep -q "does not read its replies" "$CTGT_LOG" && break
	sleep 0.1
done
grep -q "does not read its replies" "$CTGT_LOG" || fail "the flooding client was not closed"
"$CTGT_BUILD"/tests/unix_flood "$sock" 20000 8 &
flood2=$!
sleep 0.5
t0=$(date +%s%N)
ctgt_stop
[ $(( ($(date +%s%N) - t0) / 1000000 )) -lt 5000 ] || fail "stop took over 5 s with a flooding client"
kill "$flood" "$flood2" 2>/dev/null || true
wait "$flood" "$flood2" 2>/dev/null || true

# --- peers that read their (long) replies, but slowly: 20 KB every 0.7 s.
# Each takes a little now and then, so a daemon that waits while a send
# makes progress is held for seconds per reply by each of them; here they
# hold neither another client nor a stop (and are closed when a reply is
# not taken within 1 s).
luns=(); for l in $(seq 0 199); do luns+=(--lun "$l=null:,size=1M"); done
ctgt_start --control "$sock" "${luns[@]}"
slow=()
for _ in 1 2 3 4 5 6; do
	"$CTGT_BUILD"/tests/unix_flood --slow "$sock" 20000 700 10 "lun stats" &
	slow+=($!)
done
sleep 2
t0=$(date +%s%N)
expect_ok "${adm[@]}" version
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
[ "$ms" -lt 2000 ] || fail "version took $ms ms beside slow readers"
t0=$(date +%s%N)
ctgt_stop
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
[ "$ms" -lt 2000 ] || fail "stop took $ms ms with slow readers"
# (Whether one was closed depends on the machine's speed: not checked.)
log "slow readers closed: $(grep -c "does not read its replies" "$CTGT_LOG" || true)"
kill "${slow[@]}" 2>/dev/null || true
wait "${slow[@]}" 2>/dev/null || true
ctgt_start --lun 0=mem:,size=1M --control "$sock"

# --- out of descriptors: a control connection waits in the backlog, and
# accept4() fails with EMFILE each time the listener is seen readable; the
# control thread must rest the listener, not spin on it
ctgt_stop
soft=$(ulimit -S -n)
ulimit -S -n 64
ctgt_start --threads 1 --lun 0=mem:,size=1M --control "$sock"
ulimit -S -n "$soft"
used=$(ls "/proc/$CTGT_PID/fd" | wc -l)
conns=()
for _ in $(seq $((64 - used + 4))); do
	exec {c}<>"/dev/tcp/127.0.0.1/$CTGT_PORT"
	conns+=("$c")
done
# The network thread accepts those in its own time: only once it has every
# descriptor can the control socket's accept fail.
fds_full() { [ "$(ls "/proc/$CTGT_PID/fd" | wc -l)" -ge 64 ]; }
wait_until 10 fds_full || fail "the daemon holds $(ls "/proc/$CTGT_PID/fd" | wc -l) descriptors, want 64"
"$CTGT_BUILD"/tests/unix_flood "$sock" 0 10 &
queued=$!
paused() { grep -q "control: accept: .*: not accepting for 200 ms" "$CTGT_LOG"; }
wait_until 5 paused || fail "the control socket logged no accept pause"
ticks() { awk '{ print $14 + $15 }' "/proc/$CTGT_PID/stat"; }
t0=$(ticks)
sleep 2
t=$(( $(ticks) - t0 ))
log "daemon CPU over 2 s with a control connection it cannot accept: $t ticks"
[ "$t" -lt 20 ] || fail "the daemon used $t ticks of CPU in 2 s while out of descriptors"
for c in "${conns[@]}"; do exec {c}>&-; done
kill "$queued" 2>/dev/null || true
wait "$queued" 2>/dev/null || true
# Descriptors again: it serves
expect_ok "${adm[@]}" version

# --- supplementary groups, as root: a daemon whose socket has group 1234;
# a peer with 1234 among its groups is admitted, one with 1234567 placed so
# that a 4096-byte read of /proc/PID/status "Groups:" cuts it to "1234" is
# not (the check reads the groups the peer connected with, all of them)
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	ctgt_stop
	printf '#!/bin/sh\nexec setpriv --regid=1234 --keep-groups %q "$@"\n' "$CTGT_BIN" >"$CTGT_TMP/ctgt-gid"
	chmod 755 "$CTGT_TMP/ctgt-gid"
	CTGT_BIN=$CTGT_TMP/ctgt-gid ctgt_start --lun 0=mem:,size=1M --control "$sock"
	assert_eq "$(stat -c %g "$sock")" 1234 "the socket's group"
	chmod 666 "$sock"
	cp "$ADM" "$CTGT_TMP/ctgtadm" && chmod 755 "$CTGT_TMP" "$CTGT_TMP/ctgtadm"
	expect_ok setpriv --reuid=65534 --regid=65534 --groups=7,1234,99999 \
		"$CTGT_TMP/ctgtadm" --socket "$sock" version
	# "Groups:\t" (8) + "10 " (3) + 510 x "NNNNNNN " = 4091 characters:
	# 1234567 starts where fgets(line, 4096) stops after four digits.
	groups=10,$(seq -s, 1000000 1000509),1234567
	expect_fail setpriv --reuid=65534 --regid=65534 --groups="$groups" \
		"$CTGT_TMP/ctgtadm" --socket "$sock" version
	assert_contains "$RUN_OUT" "permission denied" "a gid that starts with the socket's"
	ctgt_stop
	ctgt_start --lun 0=mem:,size=1M --control "$sock"
fi

# --- one daemon per socket; the socket goes at shutdown
ctgt_expect_startup_fail "another daemon uses it" --portal 127.0.0.1:0 --lun 0=mem:,size=1M --control "$sock"
ctgt_stop
[ ! -e "$sock" ] || fail "socket left after a clean stop"

# --- a stale socket (kill -9) is replaced; a file that is not a socket is not
ctgt_start --lun 0=mem:,size=1M --control "$sock"
kill -9 "$CTGT_PID"
wait "$CTGT_PID" 2>/dev/null || true
[ -S "$sock" ] || fail "kill -9 should leave the socket"
[ -f "$sock.lock" ] || fail "no lock file beside the socket"
ctgt_start --lun 0=mem:,size=1M --control "$sock"
expect_ok "${adm[@]}" version
ctgt_stop
# The lock decides, not the socket: held by another process, the path is
# taken even with no socket there (as while a daemon is still starting).
if command -v flock >/dev/null; then
	flock "$sock.lock" sleep 5 &
	holder=$!
	sleep 0.3
	ctgt_expect_startup_fail "another daemon uses it" --portal 127.0.0.1:0 --lun 0=mem:,size=1M --control "$sock"
	kill "$holder" 2>/dev/null || true
	wait "$holder" 2>/dev/null || true
fi
echo x >"$CTGT_TMP/plain"
ctgt_expect_startup_fail "not a socket" --portal 127.0.0.1:0 --lun 0=mem:,size=1M --control "$CTGT_TMP/plain"
ctgt_expect_startup_fail "path too long" --portal 127.0.0.1:0 --lun 0=mem:,size=1M \
	--control "$CTGT_TMP/$(head -c 120 /dev/zero | tr '\0' s)"

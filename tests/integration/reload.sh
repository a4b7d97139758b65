#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# ctgtadm reload and SIGHUP: a daemon started with --config FILE (one
# target, LUN 0 and LUN 1 on files) applies an edited FILE while verified
# I/O runs on LUN 0, which sees no error and no mismatch: LUN 2 added,
# LUN 1 removed, LUN 0 grown (lun list, READ CAPACITY(16) and the log
# show each), reported as {"added", "removed", "resized"}; the same file
# again changes nothing. SIGHUP after another edit applies it too, and a
# NOTIFY_SOCKET listener sees RELOADING=1 then READY=1 around it (and
# around every reload, refused ones included). Refused with the reason,
# and nothing changed (lun list as before): a syntax error, a setting a
# reload cannot change (maxConnections), a shrink, an option change,
# another setting (threads); an addition that fails (the LU added before
# it in the same file is taken back), and a new target whose LU fails
# (the target taken back). reload_live.sh: targets, access settings,
# portals, limits.
# What save writes over the file reloads as nothing changed. A daemon
# without --config refuses reload.
set -euo pipefail
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
need_cmd jq || exit 77
need_cmd iscsi-readcapacity16 || exit 77

ADM=$CTGT_BUILD/ctgtadm
LISTEN=$CTGT_BUILD/tests/notify_listen
[ -x "$LISTEN" ] || fail "$LISTEN is missing (run make)"
T=iqn.2026-12.io.ctgt.test:reload
sock=$CTGT_TMP/reload.sock
adm=("$ADM" --socket "$sock")
conf=$CTGT_TMP/ctgt.json
d0=$CTGT_TMP/d0.img d1=$CTGT_TMP/d1.img d2=$CTGT_TMP/d2.img
port=$(free_tcp_port)

# write_conf LUNS [TARGET-EXTRA] [TOP-EXTRA]: FILE with target T serving
# LUNS, a JSON object {"N": {storage}}; TARGET-EXTRA and TOP-EXTRA are
# merged into the target and into the top level.
write_conf() {
	jq -n --argjson luns "$1" --argjson tx "${2:-{\}}" --argjson top "${3:-{\}}" \
		--arg t "$T" --arg portal "127.0.0.1:$port" '
	($luns | to_entries) as $l |
	{ storages: [ $l | to_entries[] | {deviceID: (.key + 1)} + .value.value ],
	  iscsiportals: [ {id: 0, portal: $portal} ],
	  iscsitargets: { ($t): ({ tpgts: {"1": [0]}, allow: ["127.0.0.0/8"],
	    luns: ([ $l | to_entries[] | {key: .value.key, value: (.key + 1)} ] | from_entries)
	  } + $tx) } } + $top' >"$conf.tmp"
	mv "$conf.tmp" "$conf"
}
# luns: lun list as "N:BYTES:PATH ..." in LUN order.
luns() {
	expect_ok "${adm[@]}" --json lun list "$T"
	jq -r 'sort_by(.lun) | map("\(.lun):\(.blocks * .block_size):\(.config.path)") | join(" ")' \
		<<<"$RUN_OUT"
}
# refused WHY: reload is refused, saying WHY, and lun list is unchanged.
refused() {
	local before
	before=$(luns)
	expect_fail "${adm[@]}" reload
	assert_contains "$RUN_OUT" "reload refused, nothing changed" "refusal"
	assert_contains "$RUN_OUT" "$1" "the reason"
	assert_eq "$(luns)" "$before" "lun list after a refused reload"
	log "refused: ${RUN_OUT##*nothing changed: }"
}

# The manager: it hears READY=1 at start-up, then around each reload.
naddr=$CTGT_TMP/notify.sock
"$LISTEN" "$naddr" 120 >"$CTGT_TMP/notify.out" 2>&1 &
lpid=$!
for ((i = 0; i < 50; i++)); do
	grep -qx listening "$CTGT_TMP/notify.out" && break
	sleep 0.1
done
write_conf "{\"0\": {\"path\": \"$d0\", \"size\": \"16M\"},
	     \"1\": {\"path\": \"$d1\", \"size\": \"4M\"}}"
NOTIFY_SOCKET=$naddr ctgt_start --config "$conf" --portal "127.0.0.1:$port" \
	--control "$sock" --log-level info
assert_eq "$(luns)" "0:16777216:$d0 1:4194304:$d1" "lun list at start"

# The load on LUN 0, for as long as the reloads take (stopped below).
"$CTGT_BUILD"/bench/loadgen --verify --sessions 2 --depth 4 --read-pct 70 --duration 60 \
	"iscsi://127.0.0.1:$port/$T/0" >"$CTGT_TMP/load0.json" 2>"$CTGT_TMP/load0.err" &
load0=$!
sleep 0.5

# --- the file as it was: nothing to do
expect_ok "${adm[@]}" reload
assert_contains "$RUN_OUT" "reload: nothing changed ($conf)" "reload of the same file"

# --- add LUN 2, remove LUN 1, grow LUN 0
write_conf "{\"0\": {\"path\": \"$d0\", \"size\": \"32M\"},
	     \"2\": {\"path\": \"$d2\", \"size\": \"2M\"}}"
expect_ok "${adm[@]}" --json reload
r=$RUN_OUT
log "reload: $(jq -c . <<<"$r")"
assert_eq "$(jq -r .summary <<<"$r")" "reload: 1 LU added, 1 removed, 1 resized" "summary"
assert_eq "$(jq -c '[.added, .removed, .resized]' <<<"$r")" \
	"[[{\"target\":\"$T\",\"lun\":2}],[{\"target\":\"$T\",\"lun\":1}],[{\"target\":\"$T\",\"lun\":0,\"from\":16777216,\"to\":33554432}]]" \
	"the changes"
assert_eq "$(luns)" "0:33554432:$d0 2:2097152:$d2" "lun list after the reload"
expect_ok iscsi-readcapacity16 "iscsi://127.0.0.1:$port/$T/0"
assert_contains "$RUN_OUT" "RETURNED LOGICAL BLOCK ADDRESS:65535" "LUN 0's new size"
expect_ok iscsi-readcapacity16 "iscsi://127.0.0.1:$port/$T/2"
assert_contains "$RUN_OUT" "RETURNED LOGICAL BLOCK ADDRESS:4095" "LUN 2's size"
assert_eq "$(stat -c %s "$d0")" 33554432 "LUN 0's file grown"
for l in "target $T: LUN 2 added" "target $T: LUN 1 removed" \
	"target $T: LUN 0 grown from 16777216 to 33554432 bytes" \
	"reload of $conf (ctgtadm)" "reload: 1 LU added, 1 removed, 1 resized"; do
	grep -qF "$l" "$CTGT_LOG" || fail "no log line '$l'"
done
ls -l /proc/"$CTGT_PID"/fd 2>/dev/null | grep -q "$d1" && fail "$d1 is still open"
expect_ok "${adm[@]}" reload
assert_contains "$RUN_OUT" "reload: nothing changed" "the same file again"

# --- refused, nothing changed
good=$(cat "$conf")
l02="{\"0\": {\"path\": \"$d0\", \"size\": \"32M\"}, \"2\": {\"path\": \"$d2\", \"size\": \"2M\"}"
printf '{ "storages": [ bogus\n' >"$conf"
refused "$conf"
write_conf "$l02}" '{}' '{"maxConnections": 2}'
refused "maxConnections differs; changing the daemon's settings needs a restart (not yet live)"
write_conf "{\"0\": {\"path\": \"$d0\", \"size\": \"16M\"}, \"2\": {\"path\": \"$d2\", \"size\": \"2M\"}}"
refused "target $T LUN 0: size 16777216 is smaller than its 33554432 bytes now"
write_conf "{\"0\": {\"path\": \"$d0\", \"size\": \"32M\", \"readonly\": true}, \"2\": {\"path\": \"$d2\", \"size\": \"2M\"}}"
refused "target $T LUN 0: readonly differs"
write_conf "$l02}" '{}' '{"threads": 3}'
refused "threads differs; changing the daemon's settings needs a restart"
# A new target whose LU cannot be made: it is taken back, nothing changed.
jq --arg t "$T.new" --arg p "$CTGT_TMP/no/such/dir/new.img" '.iscsitargets[$t] =
	{tpgts: {"1": [0]}, luns: {"0": 9}} | .storages += [{deviceID: 9, path: $p, size: "1M"}]' \
	<<<"$good" >"$conf"
expect_fail "${adm[@]}" reload
assert_contains "$RUN_OUT" "LUN 0 cannot be added" "a new target's LU that fails"
assert_contains "$RUN_OUT" "taken back: 0 LU(s), 0 access change(s), 1 target(s), 0 portal(s); nothing changed" "taken back"
expect_ok "${adm[@]}" --json target list
assert_eq "$(jq -r 'map(.name) | join(" ")' <<<"$RUN_OUT")" "$T" "targets after the failed addition"
# An addition that fails takes back the one made before it.
write_conf "$l02, \"3\": {\"path\": \"$CTGT_TMP/d3.img\", \"size\": \"1M\"},
	\"4\": {\"path\": \"$CTGT_TMP/no/such/dir/d4.img\", \"size\": \"1M\"}}"
before=$(luns)
expect_fail "${adm[@]}" reload
assert_contains "$RUN_OUT" "LUN 4 cannot be added" "a failed addition"
assert_contains "$RUN_OUT" "the 1 LU(s) added before it were removed again" "taken back"
assert_eq "$(luns)" "$before" "lun list after a failed addition"
grep -qF "target $T: LUN 3 removed" "$CTGT_LOG" || fail "LUN 3 was not taken back"

# --- SIGHUP: LUN 1 back, LUN 2 grown; RELOADING=1 then READY=1
write_conf "{\"0\": {\"path\": \"$d0\", \"size\": \"32M\"},
	     \"1\": {\"path\": \"$d1\", \"size\": \"4M\"},
	     \"2\": {\"path\": \"$d2\", \"size\": \"4M\"}}"
nmsg=$(grep -c . "$CTGT_TMP/notify.out")
kill -HUP "$CTGT_PID"
for ((i = 0; i < 100; i++)); do
	grep -qF "reload: 1 LU added, 0 removed, 1 resized" "$CTGT_LOG" && break
	ctgt_alive
	sleep 0.1
done
grep -qF "reload of $conf (SIGHUP)" "$CTGT_LOG" || fail "no log line for the SIGHUP reload"
grep -qF "reload: 1 LU added, 0 removed, 1 resized" "$CTGT_LOG" || fail "SIGHUP: no summary"
assert_eq "$(luns)" "0:33554432:$d0 1:4194304:$d1 2:4194304:$d2" "lun list after SIGHUP"
for ((i = 0; i < 50; i++)); do
	[ "$(grep -c . "$CTGT_TMP/notify.out")" -ge $((nmsg + 2)) ] && break
	sleep 0.1
done
after=$(tail -n +$((nmsg + 1)) "$CTGT_TMP/notify.out")
assert_match "$(sed -n 1p <<<"$after")" '^RELOADING=1 MONOTONIC_USEC=[0-9]+ STATUS=' "RELOADING=1 first"
assert_match "$(sed -n 2p <<<"$after")" "^READY=1 STATUS=serving 1 target\(s\) on 1 portal\(s\) MAINPID=$CTGT_PID$" \
	"then READY=1"
nrel=$(grep -c '^RELOADING=1 ' "$CTGT_TMP/notify.out")
nready=$(grep -c '^READY=1 ' "$CTGT_TMP/notify.out")
assert_eq "$nready" $((nrel + 1)) "READY=1 after every RELOADING=1 ($nrel reloads)"
[ "$nrel" -ge 11 ] || fail "only $nrel RELOADING=1 for 11 reloads"
# SIGHUP with a refused file: logged, nothing changed.
cp "$conf" "$conf.good"
printf '{' >"$conf"
kill -HUP "$CTGT_PID"
for ((i = 0; i < 100; i++)); do
	[ "$(grep -c 'reload of .* (SIGHUP)' "$CTGT_LOG")" -ge 2 ] &&
		grep -q 'reload refused, nothing changed' <(tail -n 1 "$CTGT_LOG") && break
	sleep 0.1
done
assert_match "$(tail -n 1 "$CTGT_LOG")" "reload refused, nothing changed: $conf" "SIGHUP refusal logged"
assert_eq "$(luns)" "0:33554432:$d0 1:4194304:$d1 2:4194304:$d2" "lun list after a refused SIGHUP"
# What save writes over the file reloads as it is.
expect_ok "${adm[@]}" save
expect_ok "${adm[@]}" reload
assert_contains "$RUN_OUT" "reload: nothing changed" "reload of the saved file"

# --- the untouched load: no error, no mismatch
kill -INT "$load0" 2>/dev/null || true
wait "$load0" || true
jq -e . "$CTGT_TMP/load0.json" >/dev/null 2>&1 ||
	fail "LUN 0's load wrote no result: $(cat "$CTGT_TMP/load0.err")"
r=$(cat "$CTGT_TMP/load0.json")
log "LUN 0 load: $(jq -c '{ios, errors, unit_attentions, verify}' <<<"$r")"
assert_eq "$(jq '.errors' <<<"$r")" 0 "errors on LUN 0"
assert_eq "$(jq '.verify.mismatches' <<<"$r")" 0 "mismatches on LUN 0"
[ "$(jq '.ios > 100 and .verify.checked > 10' <<<"$r")" = true ] || fail "LUN 0's load hardly ran: $r"
ctgt_stop
kill "$lpid" 2>/dev/null || true
wait "$lpid" 2>/dev/null || true

# --- no --config: nothing to reload
ctgt_start --lun 0=mem:,size=1M --control "$sock"
expect_fail "${adm[@]}" reload
assert_contains "$RUN_OUT" "not started with --config" "reload without --config"
ctgt_stop
log "ok"

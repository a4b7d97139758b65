#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# ctgtadm reload with targets and access settings: a daemon started with
# --config FILE (targets A, B and G) applies an edited FILE while verified
# I/O runs on A, which sees no error and no unit attention: target B
# removed (its logged-in session asked to log out, as the probe reads
# it), target C added with its CHAP, access rule and LU (CHAP required
# from the first login: there is no moment when C admits everyone with a
# LU), G's access rule changed (the probe's session on it, no longer
# admitted, closed), discovery CHAP set; a portal added and removed (a
# change of its group refused). The reply and the log say what
# changed. A file whose access settings the server refuses (a new
# target's mutual secret equal to one of its initiators' own) is refused
# whole: nothing changed. Flags next to --config are read again, as a
# restart would. What save writes reloads as nothing changed. A new
# logLevel, limit (sessionLimit) or keep-alive is applied at once.
set -euo pipefail
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/probe.sh
. "$(dirname "$0")/../probe.sh"
# shellcheck source=tests/load.sh
. "$(dirname "$0")/../load.sh"
need_cmd jq || exit 77
need_cmd iscsi-inq || exit 77

ADM=$CTGT_BUILD/ctgtadm
A=iqn.2026-12.io.ctgt.test:stays
B=iqn.2026-12.io.ctgt.test:goes
C=iqn.2026-12.io.ctgt.test:comes
G=iqn.2026-12.io.ctgt.test:guarded
ALICE=iqn.2026-12.io.ctgt.test:alice
sock=$CTGT_TMP/ctl.sock
adm=("$ADM" --socket "$sock")
conf=$CTGT_TMP/ctgt.json
port=$(free_tcp_port)
hp=127.0.0.1:$port

# write_conf FILTER: the base file (A, B, G; G open to 127.0.0.0/8), then
# the jq FILTER applied to it.
write_conf() {
	jq -n --arg portal "$hp" --arg a "$A" --arg b "$B" --arg g "$G" \
		--arg da "$CTGT_TMP/a.img" --arg db "$CTGT_TMP/b.img" '
	{ storages: [ {deviceID: 1, path: $da, size: "32M"}, {deviceID: 2, path: $db, size: "4M"},
		      {deviceID: 3, path: "mem:", size: "1M"} ],
	  iscsiportals: [ {id: 0, portal: $portal} ],
	  iscsitargets: { ($a): {tpgts: {"1": [0]}, luns: {"0": 1}},
			  ($b): {tpgts: {"1": [0]}, luns: {"0": 2}},
			  ($g): {tpgts: {"1": [0]}, luns: {"0": 3}, allow: ["127.0.0.0/8"]} } }' |
		jq --arg c "$C" --arg g "$G" --arg b "$B" --arg alice "$ALICE" \
			--arg dc "$CTGT_TMP/c.img" "$1" >"$conf.tmp"
	mv "$conf.tmp" "$conf"
}
targets() {
	expect_ok "${adm[@]}" --json target list
	jq -r 'map(.name) | sort | join(" ")' <<<"$RUN_OUT"
}

write_conf .
# Flags next to --config (a setting, a LU for one of the file's targets)
# are part of what a reload reads again, as a restart would.
ctgt_start --config "$conf" --portal "$hp" --control "$sock" --log-level info \
	--threads 2 --target "$A" --lun 1=mem:,size=1M
load_start "iscsi://$hp/$A/0"

expect_ok "${adm[@]}" reload
assert_contains "$RUN_OUT" "reload: nothing changed" "the file as it is, with the flags"
expect_ok "${adm[@]}" --json lun list "$A"
assert_eq "$(jq -c 'map(.lun)' <<<"$RUN_OUT")" "[0,1]" "A's LUs, the flag's kept"

# --- refused whole: C's mutual secret is alice's own (only the server sees it)
write_conf '.storages += [{deviceID: 4, path: $dc, size: "2M"}] |
	.iscsitargets[$c] = {tpgts: {"1": [0]}, luns: {"0": 4},
		chap: {user: "cuser", secret: "c-target-secret"},
		mutualChap: {user: "ctgt", secret: "alice-secret-1"},
		initiators: {($alice): {chap: {user: "alice", secret: "alice-secret-1"}}}} |
	del(.iscsitargets[$b])'
before=$(targets)
expect_fail "${adm[@]}" reload
assert_contains "$RUN_OUT" "reload refused, nothing changed" "a bad mutual secret"
assert_contains "$RUN_OUT" "equals the secret of initiator $ALICE" "the reason"
assert_eq "$(targets)" "$before" "targets after the refusal"
[ ! -e "$CTGT_TMP/c.img" ] || fail "the refused reload created C's file"

# --- B goes (its session asked), C comes, G's rule changes, discovery CHAP
probe_start "$B"
# A second probe, on G, through FIFOs (probe.sh drives one coprocess).
mkfifo "$CTGT_TMP/g.in" "$CTGT_TMP/g.out"
"$CTGT_BUILD"/tests/probe "$port" "$G" <"$CTGT_TMP/g.in" >"$CTGT_TMP/g.out" 2>&1 &
gpid=$!
exec {gin}>"$CTGT_TMP/g.in" {gout}<"$CTGT_TMP/g.out"
g_answer() {
	while read -r -t 15 line <&"$gout"; do
		[[ $line == \[* ]] || return 0
	done
	return 1
}
g_answer && assert_eq "$line" ready "the probe logged in to G"
write_conf '.storages += [{deviceID: 4, path: $dc, size: "2M"}] |
	.iscsitargets[$c] = {tpgts: {"1": [0]}, luns: {"0": 4}, allow: [$alice],
		chap: {user: "cuser", secret: "c-target-secret"}} |
	.iscsitargets[$g].allow = ["10.0.0.0/8"] |
	.discoveryChap = {user: "disc", secret: "discovery-secret"} |
	del(.iscsitargets[$b])'
"${adm[@]}" --json reload >"$CTGT_TMP/reload.out" 2>&1 &
rl=$!
expect async "async 1 2" "B's session asked to log out"
expect logout "logout 0" "and it logs out"
wait "$rl" || fail "reload failed: $(cat "$CTGT_TMP/reload.out")"
probe_end
r=$(cat "$CTGT_TMP/reload.out")
log "reload: $(jq -c . <<<"$r")"
assert_eq "$(jq -c '[.targets_added, .targets_removed, .access, .added]' <<<"$r")" \
	"[[\"$C\"],[\"$B\"],[\"$G\",\"discovery\"],[{\"target\":\"$C\",\"lun\":0}]]" "the changes"
assert_eq "$(jq -r .summary <<<"$r")" \
	"reload: 1 target added, 1 removed, access settings of 2 changed; 1 LU added, 0 removed, 0 resized" \
	"summary"
grep -qF "$(jq -r .summary <<<"$r")" "$CTGT_LOG" || fail "no summary in the log"
# G's probe, from 127.0.0.1, is outside 10.0.0.0/8 now: closed at once.
echo closed >&"$gin"
g_answer || fail "G's probe gave no answer"
assert_eq "$line" closed "G's session closed"
echo quit >&"$gin"
wait "$gpid" || fail "G's probe failed"
exec {gin}>&- {gout}<&-
assert_eq "$(targets)" "$(printf '%s\n' "$A" "$C" "$G" | sort | tr '\n' ' ' | sed 's/ $//')" \
	"targets after the reload"
assert_eq "$(stat -c %s "$CTGT_TMP/c.img")" 2097152 "C's file"

run iscsi-inq -i "$ALICE" "iscsi://$hp/$C/0"
[ "$RUN_RC" != 0 ] || fail "C admitted alice without CHAP"
assert_contains "$RUN_OUT" "Authentication failure(513)" "C without CHAP"
expect_ok iscsi-inq -i "$ALICE" "iscsi://cuser%c-target-secret@$hp/$C/0"
run iscsi-inq -i iqn.2026-12.io.ctgt.test:bob "iscsi://cuser%c-target-secret@$hp/$C/0"
assert_contains "$RUN_OUT" "Authorization failure(514)" "bob on C"
run iscsi-inq -i "$ALICE" "iscsi://$hp/$B/0"
[ "$RUN_RC" != 0 ] || fail "B is still served"
run iscsi-ls "iscsi://$hp"
[ "$RUN_RC" != 0 ] || fail "discovery without CHAP after the reload"
expect_ok iscsi-ls -i "$ALICE" "iscsi://disc%discovery-secret@$hp"
assert_contains "$RUN_OUT" "$A" "discovery lists A"
assert_not_contains "$RUN_OUT" "$B" "discovery lists B no more"

# --- portals: one added, then its group changed (refused), then removed
port2=$(free_tcp_port)
cp "$conf" "$conf.before-portal"
jq --arg p2 "127.0.0.1:$port2" '.iscsiportals += [{id: 1, portal: $p2}] |
	.iscsitargets[] |= (.tpgts = {"1": [0, 1]})' "$conf.before-portal" >"$conf"
expect_ok "${adm[@]}" --json reload
assert_eq "$(jq -c '[.portals_added, .portals_removed]' <<<"$RUN_OUT")" \
	"[[\"127.0.0.1:$port2\"],[]]" "a portal added"
assert_match "$(jq -r .summary <<<"$RUN_OUT")" '^reload: 1 portal added, 0 removed; ' "summary"
expect_ok iscsi-inq -i "$ALICE" "iscsi://cuser%c-target-secret@127.0.0.1:$port2/$C/0"
jq --arg p2 "127.0.0.1:$port2" '.iscsiportals += [{id: 1, portal: $p2}] |
	.iscsitargets[] |= (.tpgts = {"1": [0], "2": [1]})' "$conf.before-portal" >"$conf"
expect_fail "${adm[@]}" reload
assert_contains "$RUN_OUT" "portal 127.0.0.1:$port2: its portal group differs" "a group change"
cp "$conf.before-portal" "$conf"
expect_ok "${adm[@]}" --json reload
assert_eq "$(jq -c '.portals_removed' <<<"$RUN_OUT")" "[\"127.0.0.1:$port2\"]" "the portal removed"
run iscsi-inq -i "$ALICE" "iscsi://cuser%c-target-secret@127.0.0.1:$port2/$C/0"
[ "$RUN_RC" != 0 ] || fail "the removed portal still answers"
expect_ok iscsi-inq -i "$ALICE" "iscsi://cuser%c-target-secret@$hp/$C/0"

# --- access changed before a LU that fails: the access is put back
cp "$conf" "$conf.good"
jq --arg g "$G" --arg bad "$CTGT_TMP/no/such/dir/g1.img" '.iscsitargets[$g].allow = ["127.0.0.0/8"] |
	.storages += [{deviceID: 9, path: $bad, size: "1M"}] | .iscsitargets[$g].luns["1"] = 9' \
	"$conf.good" >"$conf"
expect_fail "${adm[@]}" reload
assert_contains "$RUN_OUT" "taken back: 0 LU(s), 1 access change(s), 0 target(s), 0 portal(s); nothing changed" \
	"a failed LU after an access change"
expect_ok "${adm[@]}" --json acl list "$G"
assert_eq "$(jq -c .allow <<<"$RUN_OUT")" '["10.0.0.0/8"]' "G's rule put back"
cp "$conf.good" "$conf"

# --- what save writes reloads as nothing changed
expect_ok "${adm[@]}" save
expect_ok "${adm[@]}" reload
assert_contains "$RUN_OUT" "reload: nothing changed" "reload of the saved file"

load_end "A's load"

# --- limits and the keep-alive change live: one session per target
probe_start "$A" 0
jq '.sessionLimit = 1 | .nopInterval = 5' "$conf" >"$conf.tmp" && mv "$conf.tmp" "$conf"
expect_ok "${adm[@]}" reload
assert_contains "$RUN_OUT" "reload: limits and keep-alive changed" "summary"
grep -q "reload: limits and keep-alive (5 s) changed" "$CTGT_LOG" || fail "no log line"
run iscsi-inq -i "$ALICE" "iscsi://$hp/$A/0"
[ "$RUN_RC" != 0 ] || fail "a second session to A under sessionLimit 1"
grep -q "login refused: target $A has 1 sessions (limit)" "$CTGT_LOG" ||
	fail "no log line for the session limit"
expect "tur 0" "good" "the session already there stays"
probe_end
expect_ok iscsi-inq -i "$ALICE" "iscsi://$hp/$A/0"
ctgt_stop

# --- logLevel is applied at once (no --log-level flag to win over it)
ctgt_start --config "$conf" --portal "$hp" --control "$sock"
jq '.logLevel = "debug"' "$conf" >"$conf.tmp" && mv "$conf.tmp" "$conf"
expect_ok "${adm[@]}" reload
assert_contains "$RUN_OUT" "reload: nothing changed" "a log level is no LU, target or access change"
grep -q "reload: log level debug" "$CTGT_LOG" || fail "no log line for the new level"
expect_ok iscsi-inq -i "$ALICE" "iscsi://cuser%c-target-secret@$hp/$C/0"
grep -q "ctgt debug " "$CTGT_LOG" || fail "no debug line after logLevel debug"
ctgt_stop
log "ok"

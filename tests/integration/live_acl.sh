#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Access settings changed on a running daemon (ctgtadm acl add, acl
# remove, acl list, chap set) while verified I/O runs on another target,
# which sees no error: a name rule shuts out other initiators at once and
# closes their sessions; a network rule does the same by source address;
# an initiator's LUN map and write protection take effect at its next
# login, and a session whose view shrank is closed at once (one whose
# view grew is asked to log out, an Async Message as the probe reads it);
# CHAP required of an initiator closes its session that proved none;
# CHAP credentials changed live are required from the next login while a
# session that proved the old ones stays; discovery CHAP too. Refusals
# change nothing: bad rules, settings on a network, short secrets, a
# mutual secret equal to the initiators', the last rule without --open,
# unknown targets. `save` and a restart with the saved file give the same
# settings.
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
T=iqn.2026-12.io.ctgt.test:guarded
PRB=iqn.2026-12.io.ctgt.test:probe
ALICE=iqn.2026-12.io.ctgt.test:alice
sock=$CTGT_TMP/ctl.sock
adm=("$ADM" --socket "$sock")
cfg=$CTGT_TMP/saved.json

ctgt_start --threads 2 --control "$sock" --log-level info \
	--target "$A" --lun 0=$CTGT_TMP/a.img,size=32M \
	--target "$T" --lun 0=mem:,size=1M --lun 1=mem:,size=2M
hp=127.0.0.1:$CTGT_PORT

load_start "iscsi://$hp/$A/0"

inq() { run iscsi-inq -i "$1" "iscsi://${3:-}$hp/$T/${2:-0}"; }
inq_ok() { inq "$@"; [ "$RUN_RC" = 0 ] || fail "$1 cannot reach $T: $RUN_OUT"; }
inq_refused() { # WHO STATUS-TEXT
	inq "$1"
	[ "$RUN_RC" != 0 ] || fail "$1 logged in to $T, want it refused"
	assert_contains "$RUN_OUT" "$2" "$1's login"
}
listing() { expect_ok "${adm[@]}" --json acl list "$T"; }

# --- no rules: everyone
expect_ok "${adm[@]}" acl list "$T"
assert_contains "$RUN_OUT" "every initiator may log in" "acl list of an open target"
inq_ok "$ALICE"

# --- a name rule: the probe shut out, its session closed at once
probe_start "$T"
expect_ok "${adm[@]}" acl add "$T" "$ALICE"
assert_contains "$RUN_OUT" "1 access rules now; 1 sessions closed, 0 asked to log out" "acl add's answer"
expect closed closed "the probe's session closed"
probe_end
grep -q "on $T: no longer admitted by the access rules; closing it" "$CTGT_LOG" ||
	fail "no log line for the session closed"
inq_refused "$PRB" "Authorization failure(514)"
inq_ok "$ALICE"
listing
assert_eq "$(jq -r '.allow | join(" ")' <<<"$RUN_OUT")" "$ALICE" "rules after acl add"

# --- the probe with a LUN map: LU 1 as its LUN 0, read-only
expect_ok "${adm[@]}" acl add "$T" "$PRB" luns=0=1:ro
probe_start "$T" 0
expect luns "luns 0" "the probe sees one LUN"
expect "cap 0" "cap 4096 512" "its LUN 0 is the 2 MiB LU 1"
# A wider view asks it to log out (it may log in again to see more) ...
expect_ok "${adm[@]}" acl add "$T" "$PRB" luns=0=1:ro,1=0
assert_contains "$RUN_OUT" "0 sessions closed, 1 asked to log out" "a wider view"
expect async "async 1 2" "asked after its view grew"
expect logout "logout 0" "logged out"
probe_end
probe_start "$T" 0 1
expect luns "luns 0 1" "the new view at the next login"
# ... a narrower one closes it at once.
expect_ok "${adm[@]}" acl add "$T" "$PRB" luns=1=0
assert_contains "$RUN_OUT" "1 sessions closed, 0 asked to log out" "a narrower view"
expect closed closed "the probe, whose LUN 0 went, closed"
probe_end
grep -q "a LU it saw is gone, renumbered or write-protected now; closing it" "$CTGT_LOG" ||
	fail "no log line for the narrower view"
probe_start "$T" 1
expect luns "luns 1" "the narrower view at the next login"

# --- a network rule: names and networks must both hold
expect_ok "${adm[@]}" acl add "$T" 127.0.0.0/8
expect "tur 1" "good" "127.0.0.1 is inside 127.0.0.0/8"
expect_ok "${adm[@]}" acl add "$T" 10.0.0.0/8
expect_ok "${adm[@]}" acl remove "$T" 127.0.0.0/8
assert_contains "$RUN_OUT" "1 sessions closed, 0 asked to log out" "the source network removed"
expect closed closed "the probe, now outside every network, closed"
probe_end
inq_refused "$ALICE" "Authorization failure(514)"
expect_ok "${adm[@]}" acl remove "$T" 10.0.0.0/8
inq_ok "$ALICE"

# --- CHAP required of an initiator whose session proved none: closed
probe_start "$T" 1
expect_ok "${adm[@]}" acl add "$T" "$PRB" luns=0=1:ro,1=0 "chap=probe:probe-secret-1"
assert_contains "$RUN_OUT" "1 sessions closed, 0 asked to log out" "CHAP now required of the probe"
expect closed closed "the probe, logged in without CHAP, closed"
probe_end
grep -q "logged in without CHAP, which is required now; closing it" "$CTGT_LOG" ||
	fail "no log line for the session without CHAP"
inq_refused "$PRB" "Authentication failure(513)"
listing
assert_eq "$(jq -r '.initiators[] | .name + " " + .chap_user + " " + (.luns | map("\(.lun)=\(.targetLun):\(.readonly)") | join(","))' <<<"$RUN_OUT")" \
	"$PRB probe 0=1:true,1=0:false" "the probe's settings"
assert_not_contains "$RUN_OUT" "probe-secret-1" "acl list"

# --- refusals change nothing
listing
before=$RUN_OUT
expect_fail "${adm[@]}" acl add "$T" "not a rule"
assert_contains "$RUN_OUT" "rule:" "a bad rule"
expect_fail "${adm[@]}" acl add "$T" 10.1.0.0/16 luns=0
assert_contains "$RUN_OUT" "not of a network" "settings on a network"
expect_fail "${adm[@]}" acl add "$T" "$ALICE"
assert_contains "$RUN_OUT" "there already" "a rule twice"
expect_fail "${adm[@]}" acl add "$T" "$ALICE" luns=0,0=1
assert_contains "$RUN_OUT" "mapped twice" "a LUN mapped twice"
expect_fail "${adm[@]}" acl add "$T" "$ALICE" luns=300
expect_fail "${adm[@]}" acl add "$T" "$ALICE" chap=alice:short
assert_contains "$RUN_OUT" "shorter than 12" "a short secret"
expect_fail "${adm[@]}" acl add "$T" "$ALICE" colour=blue
expect_fail "${adm[@]}" acl remove "$T" 192.168.0.0/16
assert_contains "$RUN_OUT" "no such rule" "an unknown rule"
expect_fail "${adm[@]}" acl list iqn.2026-12.io.ctgt.test:none
expect_fail "${adm[@]}" chap set "$T" user:target-secret-1 mutual=me:target-secret-1
assert_contains "$RUN_OUT" "must differ" "a mutual secret equal to the initiators'"
expect_fail "${adm[@]}" chap set "$T" user:target-secret-1 mutual=me:probe-secret-1
assert_contains "$RUN_OUT" "secret of initiator $PRB" "a mutual secret equal to an initiator's"
listing
assert_eq "$RUN_OUT" "$before" "the settings after the refusals"
run "${adm[@]}" acl add "$T"
assert_eq "$RUN_RC" 2 "exit status of a usage error"

# --- the last rule goes only with --open
expect_ok "${adm[@]}" acl remove "$T" "$PRB"
expect_ok "${adm[@]}" --json acl list "$T"
assert_eq "$(jq -c '[.allow, .initiators]' <<<"$RUN_OUT")" "[[\"$ALICE\"],[]]" "the probe's rule and settings gone"
expect_fail "${adm[@]}" acl remove "$T" "$ALICE"
assert_contains "$RUN_OUT" "last access rule" "removing the last rule"
inq_refused "$PRB" "Authorization failure(514)"

# --- CHAP set live: required from the next login; a session that proved
# the old credentials stays, one that proved none is closed
expect_ok "${adm[@]}" acl remove "$T" "$ALICE" --open
assert_contains "$RUN_OUT" "(every initiator may log in)" "the target open again"
expect_ok "${adm[@]}" chap set "$T" tuser:target-secret-1
"$CTGT_BUILD"/bench/loadgen --verify --sessions 1 --depth 2 --duration 4 \
	"iscsi://tuser%target-secret-1@$hp/$T/0" >"$CTGT_TMP/chap-load.json" 2>&1 &
chap_load=$!
wait_until 10 grep -q "CHAP authenticated as tuser" "$CTGT_LOG" || fail "the CHAP load did not log in"
expect_ok "${adm[@]}" --json chap set "$T" tuser:target-secret-2 mutual=tgt:mutual-secret-1
assert_eq "$(jq -c '[.chap, .mutual, .closed, .asked]' <<<"$RUN_OUT")" "[true,true,0,0]" \
	"new credentials: the session that proved the old ones stays"
wait "$chap_load" || fail "the CHAP session's load failed: $(cat "$CTGT_TMP/chap-load.json")"
assert_eq "$(jq '.errors' "$CTGT_TMP/chap-load.json")" 0 "errors of the CHAP session"
inq_refused "$ALICE" "Authentication failure(513)"
run iscsi-inq -i "$ALICE" "iscsi://tuser%target-secret-1@$hp/$T/0"
[ "$RUN_RC" != 0 ] || fail "the old secret still logs in"
inq_ok "$ALICE" 0 "tuser%target-secret-2@"
expect_ok "${adm[@]}" chap set discovery disc:discovery-secret
run iscsi-ls "iscsi://$hp"
[ "$RUN_RC" != 0 ] || fail "discovery without CHAP after chap set discovery"
expect_ok iscsi-ls "iscsi://disc%discovery-secret@$hp"
assert_contains "$RUN_OUT" "$T" "discovery with the new credentials"
grep -q "target $T: access settings replaced (CHAP mutual" "$CTGT_LOG" || fail "no log line"

# --- save, restart with the saved file: the same settings
expect_ok "${adm[@]}" acl add "$T" "$ALICE" luns=0:ro
listing
want=$RUN_OUT
expect_ok "${adm[@]}" save "$cfg"
jq -e ".iscsitargets[\"$T\"].chap.secret == \"target-secret-2\"" "$cfg" >/dev/null ||
	fail "the saved file lacks the CHAP set live: $(cat "$cfg")"

load_end "A's load"

ctgt_stop
ctgt_start --control "$sock" --config "$cfg"
hp=127.0.0.1:$CTGT_PORT
listing
assert_eq "$RUN_OUT" "$want" "acl list after a restart with the saved file"
inq_ok "$ALICE" 0 "tuser%target-secret-2@"
inq_refused "$PRB" "Authorization failure(514)"
ctgt_stop

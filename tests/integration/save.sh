#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# ctgtadm save and check-config: a daemon configured by flags alone
# (targets, LUs with options, one added live and one grown live, access
# rules, CHAP and mutual CHAP, discovery CHAP, two portals, the state
# directory, threads and limits, the log level, keep-alive interval and
# registration limit) is saved (a relative FILE, from another directory:
# ctgtadm sends it absolute), stopped, and started again with --config of
# the saved file: the same targets, LUs (each one's --lun flag and size),
# portals, access rules and CHAP logins, and the log at debug level. The
# keep-alive interval and the registration limit, saved and started from
# the file alone, hold (a NOP-In ping, a REGISTER refused). The file is mode 0600
# and its secrets never reach the log; check-config accepts it and refuses
# a broken file (a syntax error, a short secret, a mutual secret equal to
# the initiators') with the reason; save without FILE refuses when the
# daemon has no --config, and writes back to it when it has.
set -euo pipefail
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
need_cmd jq || exit 77
need_cmd iscsi-inq iscsi-ls || exit 77

ADM=$CTGT_BUILD/ctgtadm
A=iqn.2026-12.io.ctgt.test:save-a
B=iqn.2026-12.io.ctgt.test:save-b
sock=$CTGT_TMP/save.sock
adm=("$ADM" --socket "$sock")
ini_secret=alicesecret12
tgt_secret=targetsecret99
disc_secret=discoverysecret1
conf=$CTGT_TMP/conf
mkdir -p "$conf" "$CTGT_TMP/state"
p1=$(free_tcp_port)
p2=$(free_tcp_port)
[ "$p1" != "$p2" ] || p2=$((p1 + 1))

ctgt_start --portal "127.0.0.1:$p1" --portal "127.0.0.1:$p2" --control "$sock" \
	--log-level debug --nop-interval 7 --pr-max-registrations 77 --state-dir "$CTGT_TMP/state" --threads 2 --max-connections 4 \
	--connection-limit 50 --tx-backlog 1M --discovery-chap "disc:$disc_secret" \
	--target "$A" --chap "alice:$ini_secret" --mutual-chap "tgt:$tgt_secret" \
	--allow 127.0.0.0/8 --allow-target-reset \
	--lun "0=$CTGT_TMP/a0.img,size=8M,thin" --lun 2=mem:,size=4M,removable \
	--lun 5=null:,size=1G,readonly \
	--target "$B" --allow iqn.1994-05.com.redhat:nobody \
	--lun "1=$CTGT_TMP/b1.img,size=4M,physical_block_size=4096"
hp=127.0.0.1:$p1

# Live changes first: the running configuration is what is saved.
expect_ok "${adm[@]}" lun add "$A" 7 "$CTGT_TMP/a7.img,size=2M"
expect_ok "${adm[@]}" lun resize "$A" 0 16M

# snapshot: what a client sees of the targets and their LUs.
snapshot() {
	local t out
	expect_ok "${adm[@]}" --json target list
	out=$(jq -c 'map({name, luns})' <<<"$RUN_OUT")
	for t in "$A" "$B"; do
		expect_ok "${adm[@]}" --json lun list "$t"
		out+=$'\n'$(jq -c 'map({lun, flag, config, bytes: (.blocks * .block_size)})' <<<"$RUN_OUT")
	done
	printf '%s\n' "$out"
}
# logins: CHAP, mutual CHAP, discovery CHAP and the access rules, each as
# it must go.
logins() {
	expect_ok iscsi-inq "iscsi://alice%$ini_secret@$hp/$A/0"
	assert_contains "$RUN_OUT" "Peripheral Device Type:DIRECT_ACCESS" "CHAP login to A"
	expect_fail iscsi-inq "iscsi://alice%wrongsecret12@$hp/$A/0"
	assert_contains "$RUN_OUT" "Authentication failure(513)" "A with a wrong secret"
	expect_fail iscsi-inq "iscsi://$hp/$A/0"
	assert_contains "$RUN_OUT" "Authentication failure(513)" "A without credentials"
	LIBISCSI_CHAP_TARGET_USERNAME=tgt LIBISCSI_CHAP_TARGET_PASSWORD=$tgt_secret \
		expect_ok iscsi-inq "iscsi://alice%$ini_secret@$hp/$A/0"
	LIBISCSI_CHAP_TARGET_USERNAME=tgt LIBISCSI_CHAP_TARGET_PASSWORD=notthesecret12 \
		expect_fail iscsi-inq "iscsi://alice%$ini_secret@$hp/$A/0"
	expect_fail iscsi-inq "iscsi://$hp/$B/1"
	assert_contains "$RUN_OUT" "Authorization failure(514)" "B's access rule"
	expect_fail iscsi-ls "iscsi://$hp"
	assert_contains "$RUN_OUT" "Authentication failure(513)" "discovery without credentials"
	expect_ok iscsi-ls "iscsi://disc%$disc_secret@$hp"
	assert_match "$RUN_OUT" "^Target:$A Portal:$hp,1\$" "discovery with CHAP"
	log "logins as configured"
}

before=$(snapshot)
logins

# --- save without FILE: no --config to write back to
expect_fail "${adm[@]}" save
assert_contains "$RUN_OUT" "not started with --config" "save without a file"

# --- save FILE, relative, from another directory
cd "$conf"
expect_ok "${adm[@]}" --json save saved.json
cd "$CTGT_ROOT"
saved=$conf/saved.json
assert_eq "$(jq -r .file <<<"$RUN_OUT")" "$saved" "the file saved (absolute)"
assert_eq "$(stat -c %a "$saved")" 600 "the saved file's mode"
grep -q "configuration saved to $saved" "$CTGT_LOG" || fail "no log line for the save"
for s in "$ini_secret" "$tgt_secret" "$disc_secret"; do
	assert_not_contains "$(cat "$CTGT_LOG" "$CTGT_OUT")" "$s" "daemon log"
	grep -qF "$s" "$saved" || fail "the saved file lacks a secret"
done
assert_eq "$(jq -c '[.stateDir, .threads, .maxConnections, .connectionLimit, .txBacklog]' "$saved")" \
	"[\"$CTGT_TMP/state\",2,4,50,1048576]" "saved settings"
assert_eq "$(jq -c '[.logLevel, .nopInterval, .prMaxRegistrations]' "$saved")" \
	'["debug",7,77]' "saved log level, keep-alive interval, registration limit"
assert_eq "$(jq -r '.iscsiportals | map(.portal) | join(" ")' "$saved")" \
	"127.0.0.1:$p1 127.0.0.1:$p2" "saved portals"
expect_fail "${adm[@]}" --raw '{"version":1,"command":"save","args":{"file":"saved.json"}}'
assert_contains "$RUN_OUT" "must be an absolute path" "a relative path sent as it is"
expect_fail "${adm[@]}" save "$CTGT_TMP/no/such/dir/x.json"
assert_contains "$RUN_OUT" "cannot create a temporary file" "save into a missing directory"

# --- check-config: the saved file passes, broken ones are refused with why
expect_ok "${adm[@]}" check-config "$saved"
assert_contains "$RUN_OUT" "$saved: ok (2 target(s), 5 LUN(s), 2 portal(s))" "check-config"
printf '{"storages": [' >"$conf/syntax.json"
expect_fail "${adm[@]}" check-config "$conf/syntax.json"
assert_eq "$RUN_RC" 1 "check-config status of a bad file"
assert_contains "$RUN_OUT" "$conf/syntax.json:1:" "syntax error with its place"
jq --arg t "$A" '.iscsitargets[$t].chap.secret = "short"' "$saved" >"$conf/short.json"
expect_fail "${adm[@]}" check-config "$conf/short.json"
assert_contains "$RUN_OUT" "shorter than 12 bytes" "a short secret"
jq --arg t "$A" '.iscsitargets[$t].mutualChap.secret = .iscsitargets[$t].chap.secret' \
	"$saved" >"$conf/same.json"
expect_fail "${adm[@]}" check-config "$conf/same.json"
assert_contains "$RUN_OUT" "must differ from the initiators' secret" "mutual = initiators' secret"
assert_not_contains "$RUN_OUT" "$ini_secret" "check-config's message"
expect_fail "${adm[@]}" check-config
assert_eq "$RUN_RC" 2 "check-config without a file: usage"
# Nothing changed meanwhile.
assert_eq "$(snapshot)" "$before" "the running configuration after check-config"
ctgt_stop

# --- start from the saved file: the same targets, LUs, portals, logins.
# (tests/lib.sh adds a portal unless one is given: the file's first one is,
# and merges with it; the second portal comes from the file alone. No
# --log-level: the file's "logLevel" is the one.)
ctgt_start --config "$saved" --portal "127.0.0.1:$p1" --control "$sock"
assert_eq "$CTGT_LISTEN" "127.0.0.1:$p1 127.0.0.1:$p2" "portals from the file"
after=$(snapshot)
assert_eq "$after" "$before" "targets and LUs after the restart"
log "same targets and LUs: $(tr '\n' ' ' <<<"$after" | head -c 300)"
logins
grep -q '^ctgt debug ' "$CTGT_LOG" || fail "no debug lines: \"logLevel\": \"debug\" not applied"
assert_not_contains "$(cat "$CTGT_LOG")" "unknown key" "the log of the start from the saved file"
# Everything the file carries (settings, credentials, rules) is back: saved
# again, it is the same file.
expect_ok "${adm[@]}" save "$conf/again.json"
assert_files_equal "$conf/again.json" "$saved" "the configuration saved after the restart"

# --- save without FILE writes back to --config
expect_ok "${adm[@]}" lun add "$B" 9 mem:,size=1M
expect_ok "${adm[@]}" --json save
assert_eq "$(jq -r .file <<<"$RUN_OUT")" "$saved" "save without FILE"
assert_eq "$(jq -r --arg t "$B" '.iscsitargets[$t].luns | keys | join(",")' "$saved")" "1,9" \
	"the LU added since, saved"
assert_eq "$(stat -c %a "$saved")" 600 "the mode after a rewrite"
[ -z "$(find "$conf" -name '*.tmp.*')" ] || fail "temporary files left: $(ls "$conf")"
expect_ok "${adm[@]}" check-config "$saved"
# check-config validates the keys of the flags, naming them.
jq '.nopInterval = 3601' "$saved" >"$conf/nop.json"
expect_fail "${adm[@]}" check-config "$conf/nop.json"
assert_contains "$RUN_OUT" '"nopInterval" must be a number of seconds from 0 (off) to 3600' \
	"check-config: nopInterval out of range"
jq '.prMaxRegistrations = 0' "$saved" >"$conf/pr.json"
expect_fail "${adm[@]}" check-config "$conf/pr.json"
assert_contains "$RUN_OUT" '"prMaxRegistrations" must be a number from 1 to 65536' \
	"check-config: prMaxRegistrations out of range"
jq '.logLevel = "loud"' "$saved" >"$conf/log.json"
expect_fail "${adm[@]}" check-config "$conf/log.json"
assert_contains "$RUN_OUT" '"logLevel" must be "error", "warn", "info" or "debug"' \
	"check-config: a bad logLevel"
ctgt_stop

# --- the keep-alive interval and the registration limit, saved and
# started from the file alone, take effect (as in tests/integration/wire.sh
# and pr_aptpl.sh); given as their defaults, they are left out.
ctgt_start --control "$sock" --lun 0=mem:,size=4M --nop-interval 1 --pr-max-registrations 2
expect_ok "${adm[@]}" save "$conf/small.json"
assert_eq "$(jq -c '[.logLevel, .nopInterval, .prMaxRegistrations]' "$conf/small.json")" \
	'[null,1,2]' "saved keep-alive interval and registration limit"
ctgt_stop
ctgt_start --config "$conf/small.json" --portal 127.0.0.1:0
"$CTGT_BUILD"/tests/wire_test "$CTGT_PORT" "$CTGT_IQN" keepalive
pr=$CTGT_BUILD/tests/pr_client
expect_ok "$pr" "$CTGT_PORT" "$CTGT_IQN" isid 0x42 register a1 0
expect_ok "$pr" "$CTGT_PORT" "$CTGT_IQN" isid 0x43 register a2 0
expect_fail "$pr" "$CTGT_PORT" "$CTGT_IQN" isid 0x44 register a3 0
assert_contains "$(cat "$CTGT_LOG")" "2 persistent reservation registrations, the limit" \
	"the registration limit from the file"
ctgt_stop
ctgt_start --control "$sock" --lun 0=mem:,size=4M --log-level info --nop-interval 30 \
	--pr-max-registrations 1024
expect_ok "${adm[@]}" save "$conf/defaults.json"
assert_eq "$(jq -c '[.logLevel, .nopInterval, .prMaxRegistrations]' "$conf/defaults.json")" \
	'[null,null,null]' "the defaults are left out"
ctgt_stop

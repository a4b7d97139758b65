#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Portals added and removed on a running daemon (ctgtadm portal add,
# portal remove, portal list) while verified I/O runs through the first
# portal, which sees no error and no pause. An added portal accepts
# logins at once (iscsi-inq through it) and SendTargets lists it; port 0
# gets a port of the kernel's, which the answer gives. Removing the first
# portal while sessions logged in through it do I/O: they carry on (the
# load, and a probe session's commands), new connections to it are
# refused, discovery no longer lists it. Refusals: a portal we have, an
# address in use by another socket, a bad address, an unknown portal, the
# last portal. `save` writes the portals listening now (the one the
# kernel chose with its port), and a daemon started from that file
# listens on them.
set -euo pipefail
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/probe.sh
. "$(dirname "$0")/../probe.sh"
# shellcheck source=tests/load.sh
. "$(dirname "$0")/../load.sh"
need_cmd jq || exit 77
need_cmd iscsi-ls || exit 77
need_cmd iscsi-inq || exit 77

ADM=$CTGT_BUILD/ctgtadm
A=iqn.2026-12.io.ctgt.test:portals
sock=$CTGT_TMP/ctl.sock
adm=("$ADM" --socket "$sock")
p1=$(free_tcp_port)
pm=$(free_tcp_port)
[ "$pm" != "$p1" ] || pm=$(free_tcp_port)

ctgt_start --threads 2 --portal "127.0.0.1:$p1" --metrics "127.0.0.1:$pm" --control "$sock" \
	--log-level info --target "$A" --lun 0=mem:,size=32M
assert_eq "$CTGT_PORT" "$p1" "the first portal"

load_start "iscsi://127.0.0.1:$p1/$A/0"

# The TargetAddress lines of a SendTargets through HOST:PORT, sorted.
addresses() {
	expect_ok iscsi-ls "iscsi://$1"
	sed -n 's/^Target:[^ ]* Portal:\(.*\)$/\1/p' <<<"$RUN_OUT" | sort | tr '\n' ' '
}
listed() {
	expect_ok "${adm[@]}" --json portal list
	jq -r 'map(.portal + "," + (.tpgt | tostring)) | sort | join(" ")' <<<"$RUN_OUT"
}
sorted() { tr ' ' '\n' <<<"$*" | sort | tr '\n' ' '; }

# --- a second portal: logins through it, discovery lists both
p2=$(free_tcp_port)
while [ "$p2" = "$p1" ] || [ "$p2" = "$pm" ]; do p2=$(free_tcp_port); done
expect_ok "${adm[@]}" portal add "127.0.0.1:$p2"
assert_contains "$RUN_OUT" "portal 127.0.0.1:$p2 added (tpgt 1)" "portal add's answer"
grep -q "portal 127.0.0.1:$p2 added" "$CTGT_LOG" || fail "no log line for the add"
expect_ok iscsi-inq "iscsi://127.0.0.1:$p2/$A/0"
assert_contains "$RUN_OUT" "Peripheral Device Type:DIRECT_ACCESS" "iscsi-inq through the new portal"
expect_ok iscsi-ls -s "iscsi://127.0.0.1:$p2"
assert_match "$RUN_OUT" '^Lun:0 +Type:DIRECT_ACCESS' "iscsi-ls -s through the new portal"
both=$(sorted "127.0.0.1:$p1,1" "127.0.0.1:$p2,1")
assert_eq "$(addresses "127.0.0.1:$p1")" "$both" "SendTargets through the first portal"
assert_eq "$(addresses "127.0.0.1:$p2")" "$both" "SendTargets through the new portal"
assert_eq "$(listed) " "$both" "portal list"

# --- port 0: the kernel picks, the answer says which
expect_ok "${adm[@]}" --json portal add 127.0.0.1:0
p3=$(jq -r .port <<<"$RUN_OUT")
[[ $p3 =~ ^[1-9][0-9]*$ ]] || fail "portal add 127.0.0.1:0 answered $RUN_OUT"
assert_eq "$(jq -r .portal <<<"$RUN_OUT")" "127.0.0.1:$p3" "the bound port's portal"
expect_ok iscsi-inq "iscsi://127.0.0.1:$p3/$A/0"
log "port 0 became $p3"

# --- refusals: nothing changes
expect_fail "${adm[@]}" portal add "127.0.0.1:$p2"
assert_eq "$RUN_RC" 1 "status of adding a portal we have"
assert_contains "$RUN_OUT" "already a portal" "a portal we have"
expect_fail "${adm[@]}" portal add "127.0.0.1:$pm"
assert_eq "$RUN_RC" 1 "status of adding an address in use"
assert_contains "$RUN_OUT" "Address already in use" "the metrics port"
expect_fail "${adm[@]}" portal add 300.1.1.1:3260
assert_eq "$RUN_RC" 1 "status of a bad address"
assert_contains "$RUN_OUT" "bad host address" "a bad address"
expect_fail "${adm[@]}" portal add 127.0.0.1:70000
assert_contains "$RUN_OUT" "bad port" "a bad port"
expect_fail "${adm[@]}" portal add
assert_eq "$RUN_RC" 2 "portal add without an address: usage"
expect_fail "${adm[@]}" portal remove 127.0.0.1:1
assert_eq "$RUN_RC" 1 "status of removing an unknown portal"
assert_contains "$RUN_OUT" "no such portal" "an unknown portal"
three=$(sorted "127.0.0.1:$p1,1" "127.0.0.1:$p2,1" "127.0.0.1:$p3,1")
assert_eq "$(listed) " "$three" "portal list after the refusals"

# --- IPv6 loopback, when there is one
if have_ipv6_lo; then
	expect_ok "${adm[@]}" --json portal add '[::1]:0'
	p6=$(jq -r .port <<<"$RUN_OUT")
	expect_ok iscsi-inq "iscsi://[::1]:$p6/$A/0"
	assert_contains "$(addresses "127.0.0.1:$p2")" "[::1]:$p6,1" "SendTargets lists [::1]"
	expect_ok "${adm[@]}" portal remove "[::1]:$p6"
	assert_contains "$RUN_OUT" "portal [::1]:$p6 removed" "removing [::1]"
	expect_fail iscsi-inq "iscsi://[::1]:$p6/$A/0"
else
	log "no ::1 on lo: IPv6 part left out"
fi

# --- remove the first portal under its sessions: they carry on
probe_start "$A" 0
expect "tur 0" good "a probe session through the first portal"
expect_ok "${adm[@]}" --json lun stats "$A"
before=$(jq '.[0].reads + .[0].writes' <<<"$RUN_OUT")
expect_ok "${adm[@]}" portal remove "127.0.0.1:$p1"
assert_contains "$RUN_OUT" "portal 127.0.0.1:$p1 removed" "portal remove's answer"
grep -q "portal 127.0.0.1:$p1 removed" "$CTGT_LOG" || fail "no log line for the remove"
if (exec 3<>"/dev/tcp/127.0.0.1/$p1") 2>/dev/null; then
	fail "a connection to the removed portal was accepted"
fi
expect_fail iscsi-inq "iscsi://127.0.0.1:$p1/$A/0"
log "a login through the removed portal fails: $(tail -1 <<<"$RUN_OUT")"
rest=$(sorted "127.0.0.1:$p2,1" "127.0.0.1:$p3,1")
assert_eq "$(addresses "127.0.0.1:$p2")" "$rest" "SendTargets after the remove"
assert_eq "$(listed) " "$rest" "portal list after the remove"
expect "tur 0" good "the probe session after the remove"
expect "cap 0" "cap 65536 512" "READ CAPACITY after the remove"
probe_end
sleep 1
expect_ok "${adm[@]}" --json lun stats "$A"
after=$(jq '.[0].reads + .[0].writes' <<<"$RUN_OUT")
[ "$after" -gt $((before + 100)) ] || fail "the load stopped: $before then $after commands"
log "the load went on: $before then $after commands"
expect_ok "${adm[@]}" --json session list
assert_eq "$(jq --arg t "$A" 'map(select(.target == $t)) | length' <<<"$RUN_OUT")" 2 \
	"the load's sessions are still logged in"

# --- the last portal stays
expect_ok "${adm[@]}" portal remove "127.0.0.1:$p3"
expect_fail "${adm[@]}" portal remove "127.0.0.1:$p2"
assert_eq "$RUN_RC" 1 "status of removing the last portal"
assert_contains "$RUN_OUT" "the last portal" "removing the last portal"
expect_ok iscsi-inq "iscsi://127.0.0.1:$p2/$A/0"
expect_ok "${adm[@]}" --json portal add 127.0.0.1:0
p4=$(jq -r .port <<<"$RUN_OUT")

# --- the load through the removed portal saw nothing
load_end "the load"

# --- save, and a daemon started from the file listens on the same portals
expect_ok "${adm[@]}" save "$CTGT_TMP/saved.json"
assert_eq "$(jq -r '.iscsiportals | map(.portal) | join(" ")' "$CTGT_TMP/saved.json")" \
	"127.0.0.1:$p2 127.0.0.1:$p4" "saved portals"
ctgt_stop
# (tests/lib.sh adds a portal unless one is given: the file's first is.)
ctgt_start --config "$CTGT_TMP/saved.json" --portal "127.0.0.1:$p2" --control "$sock"
assert_eq "$CTGT_LISTEN" "127.0.0.1:$p2 127.0.0.1:$p4" "portals from the saved file"
assert_eq "$(addresses "127.0.0.1:$p4")" "$(sorted "127.0.0.1:$p2,1" "127.0.0.1:$p4,1")" \
	"SendTargets after the restart"
expect_ok iscsi-inq "iscsi://127.0.0.1:$p4/$A/0"
ctgt_stop
log "ok"

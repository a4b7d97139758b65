#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Hand-built PDUs. tests/wire/wire_test.c: every login failure gets its
# status class and detail, malformed PDUs get a Reject or a closed
# connection, CmdSN outside the window is ignored, header digests work, and
# the daemon keeps serving new sessions after each.
# tests/wire/dataflow_test.c: immediate, unsolicited and solicited (R2T)
# data, Data-In framing, residuals, Data-Out errors, SendTargets answers
# continued over several Text Responses (against a second daemon serving
# many targets from a JSON configuration), a login split over two PDUs,
# NOP-Out pings, the MaxCmdSN of a response that fills the CmdSN window, and
# Logout.
# tests/wire/rx_test.c: the receive path with both digests: PDUs cut into
# small pieces, data of odd lengths landing in place, a bad data digest on
# data received straight into a task's buffer, many PDUs in one send.
# rx_test runs once more against the second target of a daemon with two
# network threads: each of its logins moves to thread 1 (iscsi/migrate.c),
# one with PDUs pipelined behind its Login Request in the read-ahead buffer.
# tests/wire/mcs_test.c: multiple connections per session (CmdSN order across
# connections, allegiance, Logout reasons, reinstatement, TMF across
# connections, MaxConnections, keep-alive of a connection waiting for a CmdSN).
# tests/wire/auth_test.c: CHAP by hand and each of its refusals (status 0201),
# the slow-down of repeated failures.
set -euo pipefail
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

ctgt_start --lun 0=mem:,size=16M
"$CTGT_BUILD"/tests/wire_test "$CTGT_PORT" "$CTGT_IQN"
"$CTGT_BUILD"/tests/rx_test "$CTGT_PORT" "$CTGT_IQN"
main_pid=$CTGT_PID main_port=$CTGT_PORT main_iqn=$CTGT_IQN

rx_a=iqn.2026-11.io.ctgt.wire:rx-a rx_b=iqn.2026-11.io.ctgt.wire:rx-b
ctgt_start --log-level debug --threads 2 --target "$rx_a" --lun 0=mem:,size=1M \
	--target "$rx_b" --lun 0=mem:,size=16M
"$CTGT_BUILD"/tests/rx_test "$CTGT_PORT" "$rx_b"
grep -q "login to $rx_b continues on thread 1" "$CTGT_LOG" || fail "rx_test's logins did not migrate"
ctgt_stop

# Twelve targets: their SendTargets answer is well over 512 bytes.
iqns=()
storages=
targets=
for i in $(seq 1 12); do
	iqn=$(printf 'iqn.2026-11.io.ctgt.wire:discovery-target-with-a-longish-name-%02d' "$i")
	iqns+=("$iqn")
	storages+="${storages:+,}{ \"deviceID\": $i, \"path\": \"mem:\", \"online\": true, \"size\": \"1M\" }"
	targets+="${targets:+,}\"$iqn\": { \"luns\": { \"0\": $i } }"
done
printf '{ "storages": [ %s ],\n  "iscsitargets": { %s } }\n' "$storages" "$targets" \
	>"$CTGT_TMP/many.json"
ctgt_start --config "$CTGT_TMP/many.json"
disc_pid=$CTGT_PID disc_port=$CTGT_PORT

"$CTGT_BUILD"/tests/dataflow_test "$main_port" "$main_iqn" "$disc_port" "${iqns[@]}"
ctgt_stop "$disc_pid"
ctgt_stop "$main_pid"

# MC/S: tests/wire/mcs_test.c, against the default MaxConnections (4) and a
# daemon started with --max-connections 1.
ctgt_start --lun 0=mem:,size=16M
mcs_pid=$CTGT_PID mcs_port=$CTGT_PORT mcs_iqn=$CTGT_IQN
ctgt_start --lun 0=mem:,size=1M --max-connections 1
"$CTGT_BUILD"/tests/mcs_test "$mcs_port" "$mcs_iqn" "$CTGT_PORT"
ctgt_stop "$CTGT_PID"
ctgt_stop "$mcs_pid"
# Two portal groups of one target: a session does not span them.
cat >"$CTGT_TMP/tpgs.json" <<'EOF'
{ "storages": [ { "deviceID": 1, "path": "mem:", "online": true, "size": "1M" } ],
  "iscsiportals": [ { "id": 0, "portal": "127.0.0.1:0" }, { "id": 1, "portal": "127.0.0.1:0" } ],
  "iscsitargets": { "iqn.2026-11.io.ctgt.wire:tpgs": { "tpgts": { "1": [0], "2": [1] },
                                                       "luns": { "0": 1 } } } }
EOF
ctgt_start --config "$CTGT_TMP/tpgs.json"
# ctgt_start's own --portal (default group) comes first, then the file's two.
read -r _ tpg_a tpg_b <<<"$CTGT_LISTEN"
[ -n "$tpg_b" ] || fail "the daemon does not listen on three portals: $CTGT_LISTEN"
"$CTGT_BUILD"/tests/mcs_test tpgt "${tpg_a##*:}" "${tpg_b##*:}" iqn.2026-11.io.ctgt.wire:tpgs
ctgt_stop

# Keep-alive: NOP-In pings after 1 s idle, a silent initiator is dropped.
ctgt_start --lun 0=mem:,size=1M --nop-interval 1
"$CTGT_BUILD"/tests/wire_test "$CTGT_PORT" "$CTGT_IQN" keepalive
ctgt_stop
# Keep-alive of an MC/S connection waiting for a CmdSN (mcs_test.c).
ctgt_start --lun 0=mem:,size=1M --nop-interval 2
"$CTGT_BUILD"/tests/mcs_test keepalive "$CTGT_PORT" "$CTGT_IQN"
ctgt_stop

# CHAP (tests/wire/auth_test.c): the exchange by hand, every refusal (status
# 0201) and the slow-down of repeated failures, next to an open target.
chap_iqn=iqn.2026-11.io.ctgt.wire:chap
open_iqn=iqn.2026-11.io.ctgt.wire:open
acl_iqn=iqn.2026-11.io.ctgt.wire:acl
ctgt_start --target "$chap_iqn" --chap alice:alicesecret12 --mutual-chap tgt:targetsecret99 \
	--lun 0=mem:,size=1M --target "$open_iqn" --lun 0=mem:,size=1M \
	--target "$acl_iqn" --allow 127.0.0.13 --lun 0=mem:,size=1M
"$CTGT_BUILD"/tests/auth_test "$CTGT_PORT" "$chap_iqn" "$open_iqn" "$acl_iqn"
ctgt_stop
# The bad names reach the log escaped: no control byte, no non-ASCII byte.
# On a daemon of their own: "login failed" is rate-limited (ten lines in
# 10 s), and the run above fails more logins than that.
ctgt_start --target "$chap_iqn" --chap alice:alicesecret12 --mutual-chap tgt:targetsecret99 \
	--lun 0=mem:,size=1M --target "$open_iqn" --lun 0=mem:,size=1M \
	--target "$acl_iqn" --allow 127.0.0.13 --lun 0=mem:,size=1M
"$CTGT_BUILD"/tests/auth_test "$CTGT_PORT" "$chap_iqn" "$open_iqn" "$acl_iqn" test_bad_names
ctgt_stop
assert_contains "$(cat "$CTGT_LOG")" 'InitiatorName "iqn.2026-11.io.ctgt:bad\x01\x1b[31mname\xc3\xa9"' \
	"escaped name in the log"
if LC_ALL=C grep -qP '[^\x09\x0a\x20-\x7e]' "$CTGT_LOG"; then
	fail "the daemon log holds a raw control or non-ASCII byte"
fi

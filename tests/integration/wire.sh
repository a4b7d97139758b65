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
# NOP-Out pings and Logout.
set -euo pipefail
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

ctgt_start --lun 0=mem:,size=16M
"$CTGT_BUILD"/tests/wire_test "$CTGT_PORT" "$CTGT_IQN"
main_pid=$CTGT_PID main_port=$CTGT_PORT main_iqn=$CTGT_IQN

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

# Keep-alive: NOP-In pings after 1 s idle, a silent initiator is dropped.
ctgt_start --lun 0=mem:,size=1M --nop-interval 1
"$CTGT_BUILD"/tests/wire_test "$CTGT_PORT" "$CTGT_IQN" keepalive
ctgt_stop

#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# ctgtadm session logout TSIH: the session gets an Async Message asking it
# to log out (AsyncEvent 1, Parameter3 = the wait, its StatSN in order, on
# the wire as tests/wire/probe reads it). An initiator that logs out is
# gone from session list; one that ignores the request is dropped once
# the wait is over. Other sessions (a verified load) are not touched. An
# unknown TSIH is refused; a TSIH that is not a number is bad usage.
set -euo pipefail
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/probe.sh
. "$(dirname "$0")/../probe.sh"
need_cmd jq || exit 77

ADM=$CTGT_BUILD/ctgtadm
T=iqn.2026-12.io.ctgt.test:logout
PROBE_IQN=iqn.2026-12.io.ctgt.test:probe
sock=$CTGT_TMP/ctl.sock
adm=("$ADM" --socket "$sock")

ctgt_start --threads 2 --control "$sock" --log-level info --target "$T" --lun 0=mem:,size=8M

"$CTGT_BUILD"/bench/loadgen --verify --sessions 2 --depth 2 --read-pct 50 --duration 60 \
	"iscsi://127.0.0.1:$CTGT_PORT/$T/0" >"$CTGT_TMP/load.json" 2>"$CTGT_TMP/load.err" &
load=$!

# probe_tsih: the TSIH of the probe's session.
probe_tsih() {
	expect_ok "${adm[@]}" --json session list
	TSIH=$(jq -r --arg i "$PROBE_IQN" '.[] | select(.initiator == $i) | .tsih' <<<"$RUN_OUT")
	[[ $TSIH =~ ^[0-9]+$ ]] || fail "no probe session in: $RUN_OUT"
}

# --- an initiator that logs out when asked
probe_start "$T" 0
probe_tsih
expect_ok "${adm[@]}" session logout "$TSIH"
assert_contains "$RUN_OUT" "session $TSIH asked to log out within 2 s" "ctgtadm's answer"
expect async "async 1 2" "the Async Message: logout requested within 2 s"
expect "tur 0" "good" "commands still answered meanwhile"
expect logout "logout 0" "its logout accepted"
expect closed closed "and the connection closed"
probe_end
expect_ok "${adm[@]}" --json session list
assert_eq "$(jq --arg i "$PROBE_IQN" '[.[] | select(.initiator == $i)] | length' <<<"$RUN_OUT")" 0 \
	"the session is gone"
grep -q "asking the initiator to log out within 2 s" "$CTGT_LOG" || fail "no log line"

# --- one that ignores the request: dropped after the wait
probe_start "$T" 0
probe_tsih
start=$(date +%s%N)
expect_ok "${adm[@]}" --json session logout "$TSIH"
assert_eq "$(jq '.wait_s' <<<"$RUN_OUT")" 2 "the wait"
expect async "async 1 2" "asked again"
expect closed closed "dropped"
ms=$((($(date +%s%N) - start) / 1000000))
log "dropped after $ms ms"
[ "$ms" -ge 1900 ] || fail "dropped before the wait was over ($ms ms)"
probe_end
grep -q "closing: no logout after the target's request" "$CTGT_LOG" || fail "no log line for the drop"

# --- refused
expect_fail "${adm[@]}" session logout 65000
assert_contains "$RUN_OUT" "no such session" "an unknown TSIH"
expect_fail "${adm[@]}" session logout abc
assert_eq "$RUN_RC" 2 "a TSIH that is not a number"
expect_fail "${adm[@]}" --raw '{"version":1,"command":"session logout","args":{"tsih":0}}'
assert_contains "$RUN_OUT" "is needed" "TSIH 0"

# --- the load's sessions were not touched
kill -INT "$load" 2>/dev/null || true
wait "$load" || true
r=$(cat "$CTGT_TMP/load.json")
log "load: $(jq -c '{ios, errors, verify}' <<<"$r")"
assert_eq "$(jq '.errors' <<<"$r")" 0 "errors in the other sessions"
assert_eq "$(jq '.verify.mismatches' <<<"$r")" 0 "mismatches in the other sessions"
ctgt_stop
log "ok"

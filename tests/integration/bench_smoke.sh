#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# The benchmark's tools work (not how fast anything is: nothing here is
# timed). build/bench/loadgen against ctgt for about a second each:
#  - verify mode, 2 sessions, random 50/50 on a small span: I/Os complete,
#    no error, reads of written chunks compared, and every written chunk
#    read back, with no mismatch; the JSON carries the server's CPU per I/O;
#  - 1 MiB sequential writes then reads, verified;
#  - writes to a read-only LU: errors counted, the first one named, exit 1;
#  - a bad option: exit 2;
#  - the widest point of the scale series, 64 sessions x depth 16, against a
#    daemon with the benchmark's limits (tools/bench/run.sh CTGT_LIMITS):
#    every session logs in and does I/O.
# And build/bench/tcpbw measures some loopback bandwidth.
set -euo pipefail
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

LOADGEN=$CTGT_BUILD/bench/loadgen
TCPBW=$CTGT_BUILD/bench/tcpbw
[ -x "$LOADGEN" ] && [ -x "$TCPBW" ] || fail "build the benchmark tools first (make)"
need_cmd jq || exit 77

truncate -s 8M "$CTGT_TMP/ro.img"
ctgt_start --lun "0=$CTGT_TMP/disk0.img,size=64M" --lun "1=$CTGT_TMP/ro.img,readonly"
u0=iscsi://127.0.0.1:$CTGT_PORT/$CTGT_IQN/0
u1=iscsi://127.0.0.1:$CTGT_PORT/$CTGT_IQN/1

# jq_is JSON FILTER WHAT: the filter is true of the JSON.
jq_is() {
	[ "$(jq -r "$2" <<<"$1")" = true ] || fail "$3: want $2 in $1"
}

expect_ok "$LOADGEN" --verify --sessions 2 --depth 8 --read-pct 50 --span 4M \
	--duration 1 --server-pid "$CTGT_PID" --label smoke "$u0"
j=$RUN_OUT
jq_is "$j" '.ios > 100 and .reads > 0 and .writes > 0 and .errors == 0' "random verify"
jq_is "$j" '.verify.checked > 0 and .verify.mismatches == 0' "random verify"
jq_is "$j" '.server_cpu_us_per_io > 0 and .client_cpu_us_per_io > 0' "CPU per I/O"
jq_is "$j" '.lat_us.p50 > 0 and .lat_us.p99 >= .lat_us.p50 and .label == "smoke"' "latency"
log "random verify: $(jq -c '{ios, verify}' <<<"$j")"

expect_ok "$LOADGEN" --verify --bs 1M --depth 4 --pattern sequential --read-pct 0 \
	--span 16M --duration 0.5 "$u0"
# Every chunk written is read back once: as many as were written, at most 16.
jq_is "$RUN_OUT" '.writes > 0 and .verify.mismatches == 0 and .verify.checked <= 16
	and .verify.checked >= ([.writes, 16] | min)' "1 MiB sequential write, read back"

expect_fail "$LOADGEN" --read-pct 0 --duration 0.3 "$u1"
assert_eq "$RUN_RC" 1 "writes to a read-only LU"
jq_is "$(grep '^{' <<<"$RUN_OUT")" '.errors > 0 and (.first_error | test("failed"))' "read-only LU"

expect_fail "$LOADGEN" --depth 0 "$u0"
assert_eq "$RUN_RC" 2 "bad --depth"

ctgt_stop
limits=$(sed -n 's/^CTGT_LIMITS=(\(.*\))$/\1/p' "$CTGT_ROOT/tools/bench/run.sh")
[ -n "$limits" ] || fail "no CTGT_LIMITS in tools/bench/run.sh"
# shellcheck disable=SC2086 # the flags, one word each
ctgt_start --lun "0=$CTGT_TMP/disk0.img,size=64M" $limits
expect_ok "$LOADGEN" --sessions 64 --depth 16 --span 4M --duration 0.5 \
	"iscsi://127.0.0.1:$CTGT_PORT/$CTGT_IQN/0"
jq_is "$RUN_OUT" '.config.sessions == 64 and .config.depth == 16 and .ios > 64
	and .errors == 0' "64 sessions x depth 16"
ctgt_stop

expect_ok "$TCPBW" 0.2
jq_is "$RUN_OUT" '.bytes > 0 and .mb_s > 0' "loopback bandwidth"
log "ok"

#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# The metrics endpoint (--metrics, daemon/metrics.c): off by default; a
# bad address or a port in use stops the start-up; after known I/O
# (qemu-io: N reads and writes of K blocks) the LU counters, bytes and
# latency histograms moved by exactly that; sessions and connections per
# target while a load runs; a failed CHAP login and an unknown target
# count as login failures by reason; 404, 405, 400, 505 and HEAD; an
# oversized request head gets 431; a client sending one byte a second is
# closed after METRICS_REQUEST_S and does not hold up a second client;
# a 17th client is refused while 16 hold every slot, and the endpoint
# serves again once they go; every sample line of the exposition parses;
# the JSON config's "metrics" key; [::1].
set -euo pipefail
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
need_cmd curl qemu-io iscsi-inq || exit 0

A=iqn.2026-12.io.ctgt.test:met-a
B=iqn.2026-12.io.ctgt.test:met-b
secret=metrics-secret-1

# The port of the daemon's "metrics on HOST:PORT" line.
metrics_port() {
	local p
	for _ in $(seq 50); do
		p=$(sed -n 's/.*metrics on .*:\([0-9]*\)$/\1/p' "$CTGT_LOG" | head -n1)
		[ -n "$p" ] && { echo "$p"; return 0; }
		sleep 0.1
	done
	fail "no 'metrics on' line in the log"
}

scrape() {
	curl -sS --max-time 20 "http://127.0.0.1:$MPORT/metrics" || fail "scrape failed"
}

# value TEXT NAME{LABELS}: the sample's value ("" if absent).
value() {
	awk -v k="$2" '$1 == k { print $2 }' <<<"$1"
}

# delta BEFORE AFTER NAME{LABELS}
delta() {
	local a b
	a=$(value "$1" "$3")
	b=$(value "$2" "$3")
	[ -n "$a" ] && [ -n "$b" ] || fail "no sample $3"
	echo $((b - a))
}

# http REQUEST: send REQUEST as it is on a fresh connection, print the reply.
http() {
	local fd
	exec {fd}<>"/dev/tcp/127.0.0.1/$MPORT"
	(trap '' PIPE; printf '%b' "$1" >&"$fd") 2>/dev/null || true
	timeout 20 cat <&"$fd" || true
	exec {fd}>&-
}

status_of() {
	head -n1 <<<"$1" | tr -d '\r' | awk '{ print $2 }'
}

# --- off by default; bad values and a port in use stop the start-up
ctgt_start --control none --lun 0=mem:,size=1M
grep -q "metrics on" "$CTGT_LOG" && fail "metrics served without --metrics"
ctgt_stop
ctgt_expect_startup_fail 'metrics abc: missing port' --portal 127.0.0.1:0 --control none --metrics abc
ctgt_expect_startup_fail 'metrics 70000: bad port' --portal 127.0.0.1:0 --control none --metrics 70000
ctgt_expect_startup_fail 'metrics.*missing port' --portal 127.0.0.1:0 --control none --metrics '[::1]'
ctgt_expect_startup_fail 'metrics.*missing port' --portal 127.0.0.1:0 --control none --metrics 127.0.0.1

ctgt_start --threads 2 --control none --metrics 127.0.0.1:0 \
	--target "$A" --lun 0=mem:,size=4M --target "$B" --lun 0=mem:,size=1M --chap "alice:$secret"
MPORT=$(metrics_port)
log "metrics on port $MPORT"
ctgt_expect_startup_fail "metrics 127.0.0.1:$MPORT: address already in use" \
	--portal 127.0.0.1:0 --control none --metrics "$MPORT" --lun 0=mem:,size=1M
ctgt_alive

# --- the reply and the exposition's syntax
hdr=$(curl -sS -D - -o /dev/null --max-time 20 "http://127.0.0.1:$MPORT/metrics")
assert_match "$hdr" '^HTTP/1.1 200 OK' "status line"
assert_match "$hdr" '^Content-Type: text/plain; version=0\.0\.4' "content type"
m0=$(scrape)
bad=$(grep -v '^#' <<<"$m0" | grep -vE '^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*"(,[a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*")*\})? (-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?|\+Inf|NaN)$' || true)
[ -z "$bad" ] || fail "sample lines that do not parse:
$bad"
# Every family: one TYPE line, before its samples, which come together.
awk '/^# TYPE / { if (seen[$3]++) { print "TYPE twice: " $3; exit 1 } fam = $3; next }
     /^#/ { next }
     { n = $1; sub(/\{.*/, "", n); b = n; sub(/_(bucket|sum|count)$/, "", b)
       if (n != fam && b != fam) { print "sample outside its family: " $0; exit 1 } }' \
	<<<"$m0" || fail "exposition out of order"
for f in ctgt_lu_reads_total ctgt_lu_writes_total ctgt_lu_other_commands_total \
	ctgt_lu_read_bytes_total ctgt_lu_write_bytes_total ctgt_lu_errors_total \
	ctgt_lu_aborted_total ctgt_lu_read_latency_seconds ctgt_lu_write_latency_seconds \
	ctgt_lu_capacity_bytes ctgt_target_sessions ctgt_target_connections \
	ctgt_logins_total ctgt_login_failures_total ctgt_chap_failures_total \
	ctgt_connections_refused_total ctgt_login_timeouts_total ctgt_tx_backpressure_total; do
	grep -q "^# TYPE $f " <<<"$m0" || fail "no family $f"
done
la="target=\"$A\",lun=\"0\""
assert_eq "$(value "$m0" "ctgt_lu_capacity_bytes{$la}")" 4194304 "A/0 capacity"
assert_eq "$(value "$m0" "ctgt_lu_capacity_bytes{target=\"$B\",lun=\"0\"}")" 1048576 "B/0 capacity"

# --- known I/O: 5 reads and 3 writes of 8 blocks (4 KiB), one login
url=iscsi://127.0.0.1:$CTGT_PORT/$A/0
expect_ok qemu-io -f raw -c "read 0 4k" -c "read 4k 4k" -c "read 8k 4k" -c "read 12k 4k" \
	-c "read 1M 4k" -c "write -P 0x5a 0 4k" -c "write -P 0x5a 64k 4k" -c "write -P 0x5a 2M 4k" "$url"
m1=$(scrape)
assert_eq "$(delta "$m0" "$m1" "ctgt_lu_reads_total{$la}")" 5 "reads"
assert_eq "$(delta "$m0" "$m1" "ctgt_lu_writes_total{$la}")" 3 "writes"
assert_eq "$(delta "$m0" "$m1" "ctgt_lu_read_bytes_total{$la}")" $((5 * 8 * 512)) "read bytes"
assert_eq "$(delta "$m0" "$m1" "ctgt_lu_write_bytes_total{$la}")" $((3 * 8 * 512)) "write bytes"
assert_eq "$(delta "$m0" "$m1" "ctgt_lu_read_latency_seconds_count{$la}")" 5 "read latency count"
assert_eq "$(delta "$m0" "$m1" "ctgt_lu_write_latency_seconds_count{$la}")" 3 "write latency count"
assert_eq "$(value "$m1" "ctgt_lu_read_latency_seconds_bucket{$la,le=\"+Inf\"}")" \
	"$(value "$m1" "ctgt_lu_read_latency_seconds_count{$la}")" "+Inf bucket = count"
assert_eq "$(value "$m1" "ctgt_lu_reads_total{target=\"$B\",lun=\"0\"}")" 0 "B/0 untouched"
# Cumulative buckets never decrease, and the sum is positive.
grep -F "ctgt_lu_read_latency_seconds_bucket{$la," <<<"$m1" | awk '
	{ if ($2 < last) { print "bucket decreases: " $0; exit 1 } last = $2 }' ||
	fail "histogram not cumulative"
awk -v k="ctgt_lu_write_latency_seconds_sum{$la}" '$1 == k { exit !($2 > 0) }' <<<"$m1" ||
	fail "write latency sum is not positive"
assert_eq "$(delta "$m0" "$m1" 'ctgt_logins_total{type="normal"}')" 1 "normal logins"

# --- login failures by reason: a wrong CHAP secret, an unknown target
expect_fail iscsi-inq "iscsi://127.0.0.1:$CTGT_PORT/$A-nope/0"
expect_fail iscsi-inq "iscsi://alice%wrong-secret-99@127.0.0.1:$CTGT_PORT/$B/0"
m2=$(scrape)
assert_eq "$(delta "$m1" "$m2" ctgt_chap_failures_total)" 1 "CHAP failures"
assert_eq "$(delta "$m1" "$m2" 'ctgt_login_failures_total{reason="authentication_failed",status="0201"}')" \
	1 "authentication failures"
assert_eq "$(delta "$m1" "$m2" 'ctgt_login_failures_total{reason="target_not_found",status="0203"}')" \
	1 "target not found"
assert_eq "$(delta "$m1" "$m2" 'ctgt_logins_total{type="normal"}')" 0 "no login"

# --- sessions and connections per target while a load runs
"$CTGT_BUILD"/bench/loadgen --sessions 3 --depth 2 --duration 3 "$url" \
	>"$CTGT_TMP/load.json" 2>"$CTGT_TMP/load.err" &
load=$!
got=
for _ in $(seq 50); do
	m=$(scrape)
	got=$(value "$m" "ctgt_target_sessions{target=\"$A\"}")
	[ "$got" = 3 ] && break
	sleep 0.1
done
assert_eq "$got" 3 "sessions of A under load"
assert_eq "$(value "$m" "ctgt_target_connections{target=\"$A\"}")" 3 "connections of A"
assert_eq "$(value "$m" "ctgt_target_sessions{target=\"$B\"}")" 0 "sessions of B"
wait "$load" || fail "loadgen failed: $(cat "$CTGT_TMP/load.err")"

# --- other paths, methods, versions and garbage
code() { curl -s -o /dev/null -w '%{http_code}' --max-time 20 "$@"; }
assert_eq "$(code "http://127.0.0.1:$MPORT/")" 404 "GET /"
assert_eq "$(code "http://127.0.0.1:$MPORT/metricsx")" 404 "GET /metricsx"
assert_eq "$(code -X POST "http://127.0.0.1:$MPORT/metrics")" 405 "POST"
assert_eq "$(code "http://127.0.0.1:$MPORT/metrics?x=1")" 200 "a query is ignored"
r=$(http 'GET /metrics HTTP/1.0\r\n\r\n')
assert_eq "$(status_of "$r")" 200 "HTTP/1.0"
assert_contains "$r" "ctgt_lu_reads_total{$la}" "HTTP/1.0 body"
r=$(http 'HEAD /metrics HTTP/1.1\r\nHost: x\r\n\r\n')
assert_eq "$(status_of "$r")" 200 "HEAD"
assert_not_contains "$r" "ctgt_lu_reads_total" "HEAD body"
assert_eq "$(status_of "$(http '\x01\x02garbage\r\n\r\n')")" 400 "garbage"
assert_eq "$(status_of "$(http 'GET /metrics\r\n\r\n')")" 400 "no version"
assert_eq "$(status_of "$(http 'GET /metrics HTTP/1.1\r\nno colon\r\n\r\n')")" 400 "bad header"
assert_eq "$(status_of "$(http 'GET /metrics HTTP/2.0\r\n\r\n')")" 505 "HTTP/2.0"

# --- an oversized request head: 431, and nothing else breaks
big=$(head -c 9000 /dev/zero | tr '\0' a)
r=$(http "GET /metrics HTTP/1.1\r\nX-Big: $big\r\n\r\n")
assert_eq "$(status_of "$r")" 431 "oversized head"
r=$(http "GET /metrics HTTP/1.1\r\nX-Big: ${big:0:7000}\r\n\r\n")
assert_eq "$(status_of "$r")" 200 "a large head within the bound"

# --- a client sending one byte a second is closed after a few seconds,
# and a second client is served meanwhile
exec {slow}<>"/dev/tcp/127.0.0.1/$MPORT"
start=$SECONDS
req='GET /metrics HTTP/1.1\r\nHost: slow\r\n\r\n'
closed=
(trap '' PIPE; printf 'G' >&"$slow") 2>/dev/null || true
# Served while the slow one is still connected: a thread that waited for
# the slow client would answer only once it had closed it.
scrape >/dev/null
rc=0
read -r -t 0.2 -u "$slow" line || rc=$?
[ "$rc" -gt 128 ] || fail "the slow client was closed before a second client was served"
for ((i = 1; i < 20; i++)); do
	(trap '' PIPE; printf '%s' "${req:i:1}" >&"$slow") 2>/dev/null || true
	rc=0
	read -r -t 1 -u "$slow" line || rc=$?
	if [ "$rc" = 1 ]; then	# EOF: closed by the daemon
		closed=$((SECONDS - start))
		break
	fi
done
exec {slow}>&-
[ -n "$closed" ] || fail "a client sending one byte a second was not closed"
# METRICS_REQUEST_S is 5; a loaded machine may take longer to say so.
[ "$closed" -ge 4 ] && [ "$closed" -le 15 ] || fail "slow client closed after $closed s, want about 5"
log "slow client closed after $closed s"

# --- 16 clients hold every slot: a 17th is refused, and once they go the
# endpoint serves again
fds=()
for ((i = 0; i < 16; i++)); do
	exec {fd}<>"/dev/tcp/127.0.0.1/$MPORT"
	fds+=("$fd")
done
sleep 0.3
r=$(http 'GET /metrics HTTP/1.1\r\n\r\n')
assert_eq "$(status_of "$r")" 503 "a 17th client"
for fd in "${fds[@]}"; do exec {fd}>&-; done
m3=
for _ in $(seq 20); do
	m3=$(curl -s --max-time 20 "http://127.0.0.1:$MPORT/metrics" || true)
	grep -q '^ctgt_metrics_clients_refused_total' <<<"$m3" && break
	sleep 0.1
done
[ "$(value "$m3" ctgt_metrics_clients_refused_total)" -ge 1 ] || fail "refused client not counted"
grep -q "more than 16 clients: one refused" "$CTGT_LOG" || fail "no log line for a refused client"
ctgt_alive
ctgt_stop

# --- the JSON config's "metrics", and [::1]
cat >"$CTGT_TMP/cfg.json" <<EOF
{ "metrics": "127.0.0.1:0",
  "storages": [ { "deviceID": 1, "path": "mem:", "size": "1M" } ],
  "iscsiportals": [ { "id": 0, "portal": "127.0.0.1:0" } ],
  "iscsitargets": { "$A": { "tpgts": { "1": [0] }, "luns": { "0": 1 } } } }
EOF
ctgt_start --control none --config "$CTGT_TMP/cfg.json"
MPORT=$(metrics_port)
assert_eq "$(value "$(scrape)" "ctgt_lu_capacity_bytes{$la}")" 1048576 "JSON config's endpoint"
ctgt_stop
if have_ipv6_lo; then
	ctgt_start --control none --metrics '[::1]:0' --lun 0=mem:,size=1M
	p=$(sed -n 's/.*metrics on \[::1\]:\([0-9]*\)$/\1/p' "$CTGT_LOG")
	[ -n "$p" ] || fail "no 'metrics on [::1]:PORT' line"
	assert_eq "$(curl -s -o /dev/null -w '%{http_code}' --max-time 20 "http://[::1]:$p/metrics")" \
		200 "[::1]"
	ctgt_stop
else
	ctgt_skip "no IPv6 on loopback"
fi
log "metrics: all checks passed"

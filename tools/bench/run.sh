#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# make bench: ctgt against Debian's tgt on this machine, in one run.
#
#   tools/bench/run.sh [--quick] [--backend NAME] [--rounds N] [--duration S]
#                      [--size SIZE] [--idle N] [--out DIR] [--report-only]
#
# Both targets serve the same backing file (SIZE, default 1G, filled once
# with random data and reused by later runs) from their own free port on
# 127.0.0.1; tgtd gets its own control port too, so a system tgt is left
# alone. Every workload runs on ctgt, then on tgt, and the whole list again
# for each round, with build/bench/loadgen (libiscsi) as the initiator and
# the target's process id, so each run also reports the server's CPU time
# per I/O. Then each target is started afresh and build/bench/idleconn logs
# in N idle sessions (--idle, default 1000; 0 skips it) and reads the
# daemon's VmRSS before and after: the memory an idle connection costs; and
# again, on fresh daemons, with sessions that each wrote 256 KiB once before
# going idle (what a connection keeps of its I/O). build/bench/tcpbw measures the loopback TCP bandwidth at the
# start and at the end, the ceiling of the 1 MiB transfers. With --backend
# null neither target has a store: both serve a 1 TiB LU that reads zeros
# and drops writes (tgt's null store has that size, always), which measures
# the targets alone; the backing file is then only tgt's unused -b path.
#
# Output: a table of ctgt/tgt ratios with the absolute figures beside them
# on stdout; in DIR (default $CTGT_BUILD/bench): runs.jsonl (every run, as
# loadgen printed it plus target, workload, round), idle.jsonl (idleconn's
# result per target), results.json and
# results.md (the aggregate), and iops.png, latency.png, cpu.png,
# throughput.png (gnuplot). Exit status 1 if a run failed (an I/O error, a
# target that did not start), 2 on bad usage.
#
# --report-only makes the results, table and charts again from DIR's
# runs.jsonl, tcp.jsonl and idle.jsonl (after a change to the report, say) without
# running anything. Only ever 127.0.0.1. Both daemons are stopped on exit (trap).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${CTGT_BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
OUT=$BUILD/bench
QUICK=0
REPORT_ONLY=0
BACKEND="file"
ROUNDS=2
DURATION=5
RAMP=1
SIZE=1G
TCP_SECONDS=3
CTGT_IQN=iqn.2026-12.io.ctgt.bench:ctgt
TGT_IQN=iqn.2026-12.io.ctgt.bench:tgt

# The workloads: name|title|block size|depth|sessions|pattern|read percentage
WORKLOADS=(
	"rr4k_qd1|4 KiB random read, depth 1|4K|1|1|random|100"
	"rr4k_qd32|4 KiB random read, depth 32|4K|32|1|random|100"
	"rw4k_qd32|4 KiB random write, depth 32|4K|32|1|random|0"
	"mix4k_qd32|4 KiB 70/30 read/write, depth 32|4K|32|1|random|70"
	"rr4k_4x16|4 KiB random read, 4 sessions x depth 16|4K|16|4|random|100"
	"rr4k_1x16|4 KiB random read, 1 session x depth 16|4K|16|1|random|100"
	"rr4k_16x16|4 KiB random read, 16 sessions x depth 16|4K|16|16|random|100"
	"rr4k_64x16|4 KiB random read, 64 sessions x depth 16|4K|16|64|random|100"
	"sr1m_qd8|1 MiB sequential read, depth 8|1M|8|1|sequential|100"
	"sw1m_qd8|1 MiB sequential write, depth 8|1M|8|1|sequential|0"
)
# The scale series: the workloads above that differ only in their number of
# sessions, in the order of the IOPS-by-sessions table and chart.
SCALE=(rr4k_1x16 rr4k_4x16 rr4k_16x16 rr4k_64x16)
# ctgt's limits, raised so the widest point of the series fits (defaults: 64
# sessions per target, 128 connections per address) with room for sessions
# of the previous run still being torn down.
CTGT_LIMITS=(--session-limit 256 --connection-limit-per-address 256)
# The idle-connection step: that many sessions, and ctgt's limits raised
# for them (defaults: 1024 connections, 128 per address, 64 sessions per
# target).
IDLE=1000
IDLE_LIMITS=(--connection-limit 4096 --connection-limit-per-address 4096 --session-limit 4096)

usage() {
	sed -n '6,7p' "$0" | sed 's/^# \{0,1\}//'
	echo "backends: $(backend_names)"
}

die() {
	echo "bench: $*" >&2
	exit 1
}

# ------------------------------------------------------------- backends
# One entry per backend: how ctgt exports the LU, which tgt backing store
# type serves the same thing. Adding one is one more case
# in each function and its name in backend_names.

backend_names() {
	echo "file null uring"
}

# The --lun argument of ctgt for backend $1 on image $2.
backend_ctgt_lun() {
	case $1 in
	file) echo "0=$2" ;;
	null) echo "0=null:,size=1T" ;;	# tgt's null store is always 1 TiB
	uring) echo "0=$2,io=uring" ;;	# against tgt's Linux AIO store
	esac
}

# The tgtadm --bstype for backend $1.
backend_tgt_bstype() {
	case $1 in
	file) echo rdwr ;;
	null) echo null ;;
	uring) echo aio ;;
	esac
}

# ------------------------------------------------------------- options

parse_args() {
	while [ $# -gt 0 ]; do
		case $1 in
		--quick) QUICK=1; DURATION=1; RAMP=0; TCP_SECONDS=1 ;;
		--backend) BACKEND=${2:?}; shift ;;
		--rounds) ROUNDS=${2:?}; shift ;;
		--duration) DURATION=${2:?}; shift ;;
		--size) SIZE=${2:?}; shift ;;
		--idle) IDLE=${2:?}; shift ;;
		--out) OUT=${2:?}; shift ;;
		--report-only) REPORT_ONLY=1 ;;
		-h|--help) usage; exit 0 ;;
		*) usage >&2; exit 2 ;;
		esac
		shift
	done
	[[ " $(backend_names) " == *" $BACKEND "* ]] ||
		{ echo "bench: unknown backend $BACKEND" >&2; usage >&2; exit 2; }
	[[ $ROUNDS =~ ^[1-9][0-9]?$ ]] || { echo "bench: --rounds 1-99" >&2; exit 2; }
	[[ $SIZE =~ ^[1-9][0-9]*[MG]$ ]] || { echo "bench: --size like 256M or 1G" >&2; exit 2; }
	[[ $IDLE =~ ^[0-9]{1,4}$ ]] || { echo "bench: --idle 0-9999" >&2; exit 2; }
}

# ------------------------------------------------------------- daemons

CTGT_PID=
TGT_PID=
TGT_CTL=

stop_pid() {
	local pid=$1
	kill -TERM "$pid" 2>/dev/null || return 0
	for _ in $(seq 50); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

# tgtd leaves on SIGTERM once its targets are gone.
stop_tgt() {
	tgtadm --lld iscsi -C "$TGT_CTL" --op delete --mode target --tid 1 --force \
		>/dev/null 2>&1 || true
	tgtadm -C "$TGT_CTL" --op delete --mode system >/dev/null 2>&1 || true
	stop_pid "$TGT_PID"
}

cleanup() {
	[ -z "$CTGT_PID" ] || stop_pid "$CTGT_PID"
	[ -z "$TGT_PID" ] || stop_tgt
	CTGT_PID="" TGT_PID=""
}

# A TCP port of 127.0.0.1 nothing listens on (tgtd cannot take port 0).
free_port() {
	local p
	while :; do
		p=$((20000 + RANDOM % 40000))
		[ -z "$(ss -Htln "sport = :$p")" ] && { echo "$p"; return; }
	done
}

# start_ctgt IMAGE [NAME]: sets CTGT_PID and CTGT_URL; its output goes to
# NAME.stdout and NAME.log (default ctgt).
start_ctgt() {
	local out=$OUT/${2:-ctgt}.stdout log=$OUT/${2:-ctgt}.log port
	"$BUILD/ctgt" serve --portal 127.0.0.1:0 --log-level warn "${CTGT_LIMITS[@]}" \
		--target "$CTGT_IQN" --lun "$(backend_ctgt_lun "$BACKEND" "$1")" >"$out" 2>"$log" &
	CTGT_PID=$!
	for _ in $(seq 100); do
		grep -qs '^ready' "$out" && break
		kill -0 "$CTGT_PID" 2>/dev/null || die "ctgt did not start: $(tail -3 "$log")"
		sleep 0.1
	done
	port=$(sed -n 's/^listening 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$out")
	[ -n "$port" ] || die "ctgt did not say where it listens"
	CTGT_URL=iscsi://127.0.0.1:$port/$CTGT_IQN/0
}

tgtadm_c() {
	tgtadm --lld iscsi -C "$TGT_CTL" "$@" >>"$OUT/tgt.log" 2>&1
}

# try_tgtd PORT: start tgtd on PORT with a random control port; false if it
# exited (the control port was taken, say) before it answered.
try_tgtd() {
	TGT_CTL=$((1000 + RANDOM % 30000))
	tgtd -f --iscsi "portal=127.0.0.1:$1" -C "$TGT_CTL" >"$OUT/tgt.log" 2>&1 &
	TGT_PID=$!
	for _ in $(seq 100); do
		[ -n "$(ss -Htln "sport = :$1")" ] && tgtadm_c --op show --mode sys && return 0
		kill -0 "$TGT_PID" 2>/dev/null || break
		sleep 0.1
	done
	stop_pid "$TGT_PID"
	TGT_PID=
	return 1
}

# start_tgt IMAGE: sets TGT_PID, TGT_CTL and TGT_URL. LUN 0 of a tgt target
# is its controller; the disk is LUN 1.
start_tgt() {
	local port
	for _ in 1 2 3 4 5; do
		port=$(free_port)
		try_tgtd "$port" && break
	done
	[ -n "$TGT_PID" ] || die "tgtd did not start: $(tail -3 "$OUT/tgt.log")"
	tgtadm_c --op new --mode target --tid 1 -T "$TGT_IQN" &&
		tgtadm_c --op new --mode logicalunit --tid 1 --lun 1 -b "$1" \
			--bstype "$(backend_tgt_bstype "$BACKEND")" &&
		tgtadm_c --op bind --mode target --tid 1 -I ALL ||
		die "cannot configure tgtd: $(tail -3 "$OUT/tgt.log")"
	TGT_URL=iscsi://127.0.0.1:$port/$TGT_IQN/1
}

# ------------------------------------------------------------- data

# The backing file: SIZE of random data, made once (the .ok stamp says it
# was finished) and read once per run so both targets start from the page
# cache.
backing_file() {
	local img=$OUT/disk-$SIZE.img
	if [ ! -f "$img.ok" ]; then
		echo "bench: writing $img ($SIZE of random data, once)" >&2
		rm -f "$img.ok"
		head -c "$SIZE" /dev/urandom >"$img.tmp"
		mv "$img.tmp" "$img"
		touch "$img.ok"
	fi
	cat "$img" >/dev/null
	echo "$img"
}

# ------------------------------------------------------------- runs

FAILED=0

# run_one TARGET URL PID ROUND WORKLOAD-LINE: one loadgen run, appended to
# runs.jsonl with the target, workload and round.
run_one() {
	local target=$1 url=$2 pid=$3 round=$4 name title bs depth sess pat rpct line rc=0
	IFS='|' read -r name title bs depth sess pat rpct <<<"$5"
	line=$("$BUILD/bench/loadgen" --label "$target $name" --server-pid "$pid" \
		--bs "$bs" --depth "$depth" --sessions "$sess" --pattern "$pat" \
		--read-pct "$rpct" --duration "$DURATION" --ramp "$RAMP" \
		"$url" 2>>"$OUT/loadgen.log") || rc=$?
	[ "$rc" -eq 0 ] || { FAILED=1; echo "bench: $target $name failed (see $OUT/loadgen.log)" >&2; }
	[ -n "$line" ] || line='{"failed":true}'
	jq -c --arg t "$target" --arg w "$name" --arg title "$title" --argjson r "$round" \
		--argjson rc "$rc" '. + {target: $t, workload: $w, title: $title, round: $r, exit: $rc}' \
		<<<"$line" >>"$OUT/runs.jsonl"
	printf '  round %d %-10s %-5s %s\n' "$round" "$name" "$target" \
		"$(jq -r '"\(.iops // 0 | floor) IOPS  \(.mb_s // 0 | floor) MB/s"' <<<"$line")" >&2
}

# idle_one TARGET URL PID VARIANT [--write SIZE]: idleconn's figure for one
# target, appended to idle.jsonl with the target's name and the variant
# (idle: sessions that did nothing; written: each wrote once).
idle_one() {
	local line rc=0
	line=$("$BUILD/bench/idleconn" --count "$IDLE" --server-pid "$3" "${@:5}" "$2" \
		2>>"$OUT/idleconn.log") || rc=$?
	[ "$rc" -eq 0 ] || { FAILED=1; echo "bench: idle connections on $1 failed (see $OUT/idleconn.log)" >&2; }
	[ -n "$line" ] || line='{"failed":true}'
	jq -c --arg t "$1" --arg v "$4" --argjson rc "$rc" '. + {target: $t, variant: $v, exit: $rc}' \
		<<<"$line" >>"$OUT/idle.jsonl"
	printf '  idle %-5s %s\n' "$1" \
		"$(jq -r '"\(.connections // 0) connections, written \(.write // 0) bytes, \(.bytes_per_connection // "?") bytes each"' <<<"$line")" >&2
}

# The idle step: both targets afresh (a heap the workloads grew would hide
# the cost), ctgt with limits that let IDLE sessions in.
idle_all() {
	: >"$OUT/idle.jsonl"
	[ "$IDLE" -gt 0 ] || return 0
	CTGT_LIMITS=("${IDLE_LIMITS[@]}")
	local v w
	for v in idle written; do
		w=()
		[ "$v" = idle ] || w=(--write 256K)
		start_ctgt "$1" "ctgt-$v"
		start_tgt "$1"
		idle_one ctgt "$CTGT_URL" "$CTGT_PID" "$v" "${w[@]}"
		idle_one tgt "$TGT_URL" "$TGT_PID" "$v" "${w[@]}"
		cleanup
	done
}

tcp_bandwidth() {
	"$BUILD/bench/tcpbw" "$TCP_SECONDS" >>"$OUT/tcp.jsonl" || die "tcpbw failed"
}

run_all() {
	local round w start
	start=$(date -u +%Y-%m-%dT%H:%M:%SZ)
	: >"$OUT/runs.jsonl"
	: >"$OUT/tcp.jsonl"
	: >"$OUT/loadgen.log"
	tcp_bandwidth
	for round in $(seq "$ROUNDS"); do
		for w in "${WORKLOADS[@]}"; do
			run_one ctgt "$CTGT_URL" "$CTGT_PID" "$round" "$w"
			run_one tgt "$TGT_URL" "$TGT_PID" "$round" "$w"
		done
	done
	tcp_bandwidth
	write_meta "$start"
}

# ------------------------------------------------------------- report

# meta.json: what ran, where and when, how long the whole run took so far
# (read again by --report-only).
write_meta() {
	jq -n --arg date "$1" --arg backend "$BACKEND" --argjson quick "$QUICK" \
		--argjson rounds "$ROUNDS" --argjson duration "$DURATION" --argjson ramp "$RAMP" \
		--arg size "$SIZE" --arg command "$COMMAND" --argjson elapsed "$SECONDS" \
		--arg load "$(cut -d' ' -f1-3 /proc/loadavg)" --argjson cores "$(nproc)" \
		--arg ctgt "$(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo unknown)" \
		--arg tgt "$(dpkg-query -W -f '${Version}' tgt 2>/dev/null || echo unknown)" \
		'{date: $date, command: $command, elapsed_s: $elapsed, backend: $backend, quick: ($quick == 1),
		  rounds: $rounds, duration_s: $duration, ramp_s: $ramp, size: $size,
		  machine: {cores: $cores, loadavg_at_end: $load},
		  versions: {ctgt: $ctgt, tgt: $tgt}}' >"$OUT/meta.json"
}

# results.json: per workload and target the mean of the rounds, per round
# the ctgt/tgt ratios (tools/bench/aggregate.jq).
aggregate() {
	local order scale
	order=$(printf '%s\n' "${WORKLOADS[@]}" |
		jq -R 'split("|") | {name: .[0], title: .[1], sessions: (.[4] | tonumber)}' | jq -sc .)
	scale=$(printf '%s\n' "${SCALE[@]}" | jq -R . | jq -sc .)
	[ -f "$OUT/idle.jsonl" ] || : >"$OUT/idle.jsonl"
	jq -n --slurpfile runs "$OUT/runs.jsonl" --slurpfile tcp "$OUT/tcp.jsonl" \
		--slurpfile idle "$OUT/idle.jsonl" \
		--slurpfile meta "$OUT/meta.json" --argjson order "$order" --argjson scale "$scale" \
		-f "$ROOT/tools/bench/aggregate.jq" >"$OUT/results.json"
}

report_jq() {
	jq -r -L "$ROOT/tools/bench" "$@"
}

report() {
	local res=$OUT/results.json tcp
	report_jq -f "$ROOT/tools/bench/table.jq" "$res"
	report_jq -f "$ROOT/tools/bench/markdown.jq" "$res" >"$OUT/results.md"
	report_jq --arg large 0 -f "$ROOT/tools/bench/plotdata.jq" "$res" >"$OUT/plot-small.dat"
	report_jq --arg large 1 -f "$ROOT/tools/bench/plotdata.jq" "$res" >"$OUT/plot-large.dat"
	report_jq '.scale[] | [.sessions, .ctgt.iops, .tgt.iops] | map(. // "?" | tostring) | join(" ")' \
		"$res" >"$OUT/plot-scale.dat"
	tcp=$(jq '.loopback_tcp_mb_s // 0' "$res")
	# A benchmark run checked for gnuplot before it started; --report-only
	# (and its test) can do without the charts.
	if ! command -v gnuplot >/dev/null; then
		echo "bench: no gnuplot, no charts" >&2
		return
	fi
	gnuplot -e "small='$OUT/plot-small.dat'; large='$OUT/plot-large.dat'; scale='$OUT/plot-scale.dat'; tcp=$tcp; out='$OUT'" \
		"$ROOT/tools/bench/charts.gp" 2>"$OUT/gnuplot.log" ||
		{ echo "bench: gnuplot failed, see $OUT/gnuplot.log" >&2; FAILED=1; }
	echo
	echo "results: $OUT/results.json $OUT/results.md, charts: $OUT/*.png"
}

main() {
	COMMAND="tools/bench/run.sh${*:+ $*}"
	parse_args "$@"
	local t
	command -v jq >/dev/null || die "jq is missing: run tools/install-deps.sh bench"
	if [ "$REPORT_ONLY" = 1 ]; then
		aggregate
		report
		return "$FAILED"
	fi
	for t in gnuplot tgtd tgtadm ss; do
		command -v "$t" >/dev/null || die "$t is missing: run tools/install-deps.sh bench"
	done
	[ -x "$BUILD/bench/loadgen" ] && [ -x "$BUILD/bench/idleconn" ] && [ -x "$BUILD/ctgt" ] ||
		die "build first: make bench"
	# A descriptor per idle connection in each daemon: the soft limit as
	# high as the hard one (idleconn raises its own).
	ulimit -Sn "$(ulimit -Hn)" 2>/dev/null || true
	mkdir -p "$OUT"
	trap cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	local img
	img=$(backing_file)
	start_ctgt "$img"
	start_tgt "$img"
	echo "bench: ctgt pid $CTGT_PID $CTGT_URL, tgt pid $TGT_PID $TGT_URL," \
		"backend $BACKEND, $ROUNDS rounds of ${DURATION}s" >&2
	run_all
	cleanup
	idle_all "$img"
	aggregate
	report
	return "$FAILED"
}

# One line, read whole before it runs: editing this file during a run cannot
# make bash run what it would read after main returns.
main "$@"; exit

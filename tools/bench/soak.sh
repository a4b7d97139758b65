#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# make soak: ctgt under mixed, verified I/O while other connections come and
# go, for a while, watching its memory.
#
#   tools/bench/soak.sh [--duration S] [--interval S] [--warmup S] [--out DIR]
#   tools/bench/soak.sh --check-only DIR
#
# It starts build/ctgt (CTGT_BUILD, default build/) on a free port of
# 127.0.0.1 with three LUs, files in DIR, and runs for --duration seconds
# (default 600, 10 minutes):
#  - build/bench/loadgen --verify on LUN 0: 4 sessions x depth 8, 4 KiB
#    random, 70% reads; and on LUN 1: 2 sessions x depth 4, 64 KiB random,
#    50% reads (every read of a written chunk compared, all read back at
#    the end);
#  - connections coming and going: build/bench/idleconn over and over on
#    LUN 2, 4 sessions logged in, held a second and logged out, every other
#    round each writing 64 KiB first;
#  - the daemon's VmRSS sampled every --interval seconds (default 5).
# Then the daemon is stopped (SIGTERM, it must exit 0) and the run checked:
# it fails on any I/O error or data mismatch, a failed login or logout, a
# daemon line at warn or error level (it runs at info), a daemon that died,
# or an RSS sample after the warm-up (--warmup, default a sixth of the run,
# 5 to 60 s) above the first sample after it by more than 10% or 16 MiB,
# whichever is larger (a daemon built with ASan or TSan: not bounded, see
# sanitized()). --check-only checks DIR again without running
# anything (tests/integration/soak.sh feeds it made-up runs).
#
# Output in DIR (default $CTGT_BUILD/soak): rss.tsv (seconds, KiB),
# load0.json and load1.json (loadgen's results), churn.jsonl (idleconn's),
# churn.failed (one line per failed round), ctgt.log, soak.json (the
# verdict) and the summary on stdout: "soak: ok ..." or "soak: FAIL ...".
# Exit status 0 when it passed, 1 when it failed, 2 on bad usage. Only
# 127.0.0.1; every process it started is stopped on exit.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${CTGT_BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
OUT=$BUILD/soak
DURATION=600
INTERVAL=5
WARMUP=
CHECK_ONLY=0
IQN=iqn.2026-12.io.ctgt.soak:disk
# The RSS bound after the warm-up: the larger of these over the baseline.
RSS_PCT=10
RSS_MIN_KB=$((16 * 1024))
# Every wait is bounded: the loads get this long after the run's end.
GRACE=120

usage() {
	sed -n '7,8p' "$0" | sed 's/^# \{0,1\}//'
}

die() {
	echo "soak: $*" >&2
	exit 1
}

parse_args() {
	while [ $# -gt 0 ]; do
		case $1 in
		--duration) DURATION=${2:?}; shift ;;
		--interval) INTERVAL=${2:?}; shift ;;
		--warmup) WARMUP=${2:?}; shift ;;
		--out) OUT=${2:?}; shift ;;
		--check-only) CHECK_ONLY=1; OUT=${2:?}; shift ;;
		-h|--help) usage; exit 0 ;;
		*) usage >&2; exit 2 ;;
		esac
		shift
	done
	[[ $DURATION =~ ^[0-9]+$ ]] && [ "$DURATION" -ge 10 ] && [ "$DURATION" -le 86400 ] ||
		{ echo "soak: --duration 10-86400 (seconds)" >&2; exit 2; }
	[[ $INTERVAL =~ ^[0-9]+$ ]] && [ "$INTERVAL" -ge 1 ] && [ "$INTERVAL" -le 60 ] ||
		{ echo "soak: --interval 1-60 (seconds)" >&2; exit 2; }
	if [ -z "$WARMUP" ]; then
		WARMUP=$((DURATION / 6))
		[ "$WARMUP" -ge 5 ] || WARMUP=5
		[ "$WARMUP" -le 60 ] || WARMUP=60
	fi
	[[ $WARMUP =~ ^[0-9]+$ ]] && [ "$WARMUP" -lt "$DURATION" ] ||
		{ echo "soak: --warmup below --duration (seconds)" >&2; exit 2; }
}

# ------------------------------------------------------------- processes

DAEMON_PID=
BG_PIDS=()

stop_pid() {
	local pid=$1
	kill -TERM "$pid" 2>/dev/null || return 0
	for _ in $(seq 100); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

cleanup() {
	local p
	for p in "${BG_PIDS[@]}"; do
		stop_pid "$p"
	done
	BG_PIDS=()
	[ -z "$DAEMON_PID" ] || stop_pid "$DAEMON_PID"
	DAEMON_PID=
}

# A daemon built with ASan (make asan) or TSan has an RSS of its allocator's
# (with ASan some 350 MiB here within seconds, then up and down by 20%:
# quarantine, shadow memory, per-thread caches), which says nothing about
# ctgt's own. Its RSS is sampled and shown but not bounded; every other
# check holds.
sanitized() {
	# grep reads all (no -q): nm must not die of SIGPIPE under pipefail.
	nm "$BUILD/ctgt" 2>/dev/null | grep -E '__(asan|tsan)_init' >/dev/null
}

# start_daemon: sets DAEMON_PID and PORT.
start_daemon() {
	local i
	for i in 0 1 2; do
		truncate -s 64M "$OUT/lun$i.img"
	done
	"$BUILD/ctgt" serve --portal 127.0.0.1:0 --log-level info --target "$IQN" \
		--session-limit 256 --connection-limit-per-address 256 \
		--lun "0=$OUT/lun0.img" --lun "1=$OUT/lun1.img" --lun "2=$OUT/lun2.img" \
		>"$OUT/ctgt.stdout" 2>"$OUT/ctgt.log" </dev/null &
	DAEMON_PID=$!
	for _ in $(seq 100); do
		grep -qsx ready "$OUT/ctgt.stdout" && break
		kill -0 "$DAEMON_PID" 2>/dev/null || die "ctgt did not start: $(tail -3 "$OUT/ctgt.log")"
		sleep 0.1
	done
	grep -qx ready "$OUT/ctgt.stdout" || die "ctgt not ready within 10 s"
	PORT=$(sed -n 's/^listening 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$OUT/ctgt.stdout")
	[ -n "$PORT" ] || die "ctgt did not say where it listens"
}

url() {
	echo "iscsi://127.0.0.1:$PORT/$IQN/$1"
}

# load LUN OUTFILE LOADGEN-ARGS...: a verified load for the whole run.
load() {
	local lun=$1 out=$2
	shift 2
	timeout -k 5 $((DURATION + GRACE)) "$BUILD/bench/loadgen" --verify --span 32M \
		--duration "$DURATION" --server-pid "$DAEMON_PID" --label "soak lun$lun" "$@" \
		"$(url "$lun")" >"$out" 2>>"$OUT/loadgen.log" &
	BG_PIDS+=($!)
}

# Connections that come and go until END (seconds since the script
# started), one idleconn round at a time; at most one round a second.
churn() {
	local end=$1 n=0 w
	while [ "$SECONDS" -lt "$end" ] && [ "$n" -lt 100000 ]; do
		w=()
		[ $((n % 2)) = 0 ] || w=(--write 64K)
		timeout -k 5 60 "$BUILD/bench/idleconn" --count 4 --warmup 0 --hold 1 \
			--server-pid "$DAEMON_PID" "${w[@]}" "$(url 2)" >>"$OUT/churn.jsonl" \
			2>>"$OUT/churn.log" </dev/null ||
			echo "round $n: exit $?" >>"$OUT/churn.failed"
		n=$((n + 1))
	done
}

# Sample the daemon's VmRSS every INTERVAL until END, or until it died.
sample() {
	local end=$1 rss start=$SECONDS
	while [ "$SECONDS" -lt "$end" ] && kill -0 "$DAEMON_PID" 2>/dev/null; do
		rss=$(sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB$/\1/p' "/proc/$DAEMON_PID/status" 2>/dev/null || true)
		[ -z "$rss" ] || printf '%d\t%s\n' $((SECONDS - start)) "$rss" >>"$OUT/rss.tsv"
		sleep "$INTERVAL"
	done
}

# Wait for the loads (each bounded by its timeout) and the churn.
wait_all() {
	local p
	for p in "${BG_PIDS[@]}"; do
		wait "$p" || echo "background job $p: exit $?" >>"$OUT/jobs.failed"
	done
	BG_PIDS=()
}

stop_daemon() {
	local rc=0
	kill -TERM "$DAEMON_PID" 2>/dev/null || true
	for _ in $(seq 100); do
		kill -0 "$DAEMON_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$DAEMON_PID" 2>/dev/null || true
	wait "$DAEMON_PID" || rc=$?
	DAEMON_PID=
	echo "$rc" >"$OUT/ctgt.exit"
}

run() {
	rm -f "$OUT"/rss.tsv "$OUT"/load*.json "$OUT"/churn.* "$OUT"/*.failed "$OUT"/ctgt.* \
		"$OUT"/loadgen.log "$OUT"/soak.json
	start_daemon
	echo "soak: ctgt pid $DAEMON_PID on 127.0.0.1:$PORT, ${DURATION}s, RSS every ${INTERVAL}s," \
		"warm-up ${WARMUP}s" >&2
	local end=$((SECONDS + DURATION))
	load 0 "$OUT/load0.json" --sessions 4 --depth 8 --bs 4K --read-pct 70
	load 1 "$OUT/load1.json" --sessions 2 --depth 4 --bs 64K --read-pct 50
	churn "$end" &
	BG_PIDS+=($!)
	sample "$end"
	wait_all
	stop_daemon
	echo "$WARMUP" >"$OUT/warmup"
	if sanitized; then echo 1; else echo 0; fi >"$OUT/sanitized"
}

# ------------------------------------------------------------- checks

PROBLEMS=()

problem() {
	PROBLEMS+=("$*")
}

check_load() {
	local f=$OUT/$1 ok
	[ -s "$f" ] || { problem "$1: no result (see loadgen.log)"; return; }
	ok=$(jq -r '.errors == 0 and .ios > 0 and .verify.mismatches == 0 and .verify.checked > 0' "$f" 2>/dev/null) ||
		ok=false
	[ "$ok" = true ] || problem "$1: $(jq -c '{ios, errors, verify, first_error}' "$f" 2>/dev/null || cat "$f")"
}

check_log() {
	local bad
	# Anything but an info line: warn, error, or what no log call wrote.
	bad=$(grep -vE '^ctgt (info|debug) ' "$OUT/ctgt.log" 2>/dev/null | head -5 || true)
	[ -z "$bad" ] || problem "daemon log: $bad"
	[ "$(cat "$OUT/ctgt.exit" 2>/dev/null)" = 0 ] ||
		problem "daemon exit status $(cat "$OUT/ctgt.exit" 2>/dev/null || echo unknown), want 0"
}

check_churn() {
	local rounds
	[ ! -s "$OUT/churn.failed" ] || problem "churn: $(head -3 "$OUT/churn.failed" | tr '\n' ' ')"
	[ ! -s "$OUT/jobs.failed" ] || problem "$(head -3 "$OUT/jobs.failed" | tr '\n' ' ')"
	rounds=$(grep -c '^{' "$OUT/churn.jsonl" 2>/dev/null || true)
	[ "${rounds:-0}" -gt 0 ] || problem "churn: no idleconn round completed"
}

# The RSS verdict, as JSON: the baseline (first sample at or after the
# warm-up), the bound, the highest sample after it, and whether it held
# (bounded: false for a sanitized daemon, which passes).
rss_verdict() {
	jq -Rn --argjson warmup "$(cat "$OUT/warmup" 2>/dev/null || echo 0)" \
		--argjson sanitized "$(cat "$OUT/sanitized" 2>/dev/null || echo 0)" \
		--argjson pct "$RSS_PCT" --argjson min "$RSS_MIN_KB" '
		[inputs | split("\t") | map(tonumber) | {t: .[0], kb: .[1]}] as $s
		| ($s | map(select(.t >= $warmup))) as $after
		| if ($after | length) < 2 then {samples: ($s | length), ok: false, why: "fewer than 2 samples after the warm-up"}
		  else ($after[0].kb) as $base
		  | ([$base * $pct / 100, $min] | max | floor) as $slack
		  | ($after | map(.kb) | max) as $max
		  | {samples: ($s | length), baseline_kb: $base, bound_kb: ($base + $slack), max_kb: $max,
		     first_kb: $s[0].kb, last_kb: $s[-1].kb, bounded: ($sanitized == 0),
		     ok: ($max <= $base + $slack or $sanitized == 1)}
		  end' "$OUT/rss.tsv" 2>/dev/null || echo '{"ok": false, "why": "no rss.tsv"}'
}

check() {
	local rss
	check_load load0.json
	check_load load1.json
	check_churn
	check_log
	rss=$(rss_verdict)
	[ "$(jq -r .ok <<<"$rss")" = true ] || problem "RSS: $(jq -c . <<<"$rss")"
	jq -n --argjson rss "$rss" --argjson n "${#PROBLEMS[@]}" \
		--arg problems "$(printf '%s\n' "${PROBLEMS[@]}")" \
		--slurpfile l0 <(cat "$OUT/load0.json" 2>/dev/null || true) \
		--slurpfile l1 <(cat "$OUT/load1.json" 2>/dev/null || true) \
		--arg rounds "$(grep -c '^{' "$OUT/churn.jsonl" 2>/dev/null || echo 0)" '
		{ok: ($n == 0), problems: ($problems | split("\n") | map(select(. != ""))), rss: $rss,
		 churn_rounds: ($rounds | tonumber),
		 ios: ([$l0[0].ios, $l1[0].ios] | map(. // 0) | add),
		 verified: ([$l0[0].verify.checked, $l1[0].verify.checked] | map(. // 0) | add)}' \
		>"$OUT/soak.json"
	summary
	[ "${#PROBLEMS[@]}" = 0 ]
}

summary() {
	local s
	s=$(jq -r '"\(.ios) I/Os, \(.verified) reads verified, \(.churn_rounds) login/logout rounds, RSS \(.rss.first_kb // "?") KiB at the start, \(.rss.baseline_kb // "?") after the warm-up, at most \(.rss.max_kb // "?") (bound \(.rss.bound_kb // "?")\(if .rss.bounded == false then ", not applied: sanitized build" else "" end)), \(.rss.last_kb // "?") at the end"' "$OUT/soak.json")
	if [ "${#PROBLEMS[@]}" = 0 ]; then
		echo "soak: ok: $s"
	else
		echo "soak: FAIL: $s"
		printf '  %s\n' "${PROBLEMS[@]}"
	fi
}

main() {
	parse_args "$@"
	command -v jq >/dev/null || die "jq is missing: run tools/install-deps.sh"
	if [ "$CHECK_ONLY" = 1 ]; then
		check
		return
	fi
	for p in ctgt bench/loadgen bench/idleconn; do
		[ -x "$BUILD/$p" ] || die "build first: make (no $BUILD/$p)"
	done
	mkdir -p "$OUT"
	trap cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	run
	check
}

# One line, read whole before it runs (as in run.sh).
main "$@"; exit

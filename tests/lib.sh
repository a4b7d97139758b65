#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Shared helpers for the integration and conformance scripts. Source it:
#
#   . "$(dirname "$0")/../lib.sh"
#
# It gives every script a private temporary directory ($CTGT_TMP), starts and
# stops daemons (ctgt_start / ctgt_stop), runs clients under a timeout, and
# provides assertions. An EXIT trap kills any daemon still running and removes
# $CTGT_TMP, so no daemon outlives its script whatever happens. All traffic
# stays on 127.0.0.1 / [::1].
#
# Environment:
#   CTGT_BUILD           build directory whose programs the tests run (default:
#                        build/ of this checkout; build/asan for the sanitized
#                        build); a relative path is taken from the checkout
#   CTGT_BIN             daemon binary (default: $CTGT_BUILD/ctgt)
#   CTGT_SUBCMD          word ctgt_start puts before the flags (default "serve";
#                        empty for a program without subcommands, e.g. an example)
#   CTGT_CLIENT_TIMEOUT  seconds a client command may take (default 120)
#   CTGT_KEEP_TMP=1      keep $CTGT_TMP (daemon logs, images) after exit
#   CI=true              a part that cannot run (ctgt_skip, need_cmd) fails
#                        the script instead of skipping: CI has every tool
#
# Exit status: 0 passed, 77 passed but skipped a part (ctgt_skip), anything
# else failed. tests/run-integration.sh shows 77 as SKIP.
set -euo pipefail

CTGT_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CTGT_BUILD=${CTGT_BUILD:-build}
case $CTGT_BUILD in /*) ;; *) CTGT_BUILD=$CTGT_ROOT/$CTGT_BUILD ;; esac
CTGT_BIN=${CTGT_BIN:-$CTGT_BUILD/ctgt}
CTGT_CLIENT_TIMEOUT=${CTGT_CLIENT_TIMEOUT:-120}
CTGT_TEST_NAME=${CTGT_TEST_NAME:-$(basename "$0" .sh)}
CTGT_DEFAULT_IQN=iqn.2026-11.io.ctgt:disk0
CTGT_TMP=$(mktemp -d "${TMPDIR:-/tmp}/ctgt-$CTGT_TEST_NAME.XXXXXX")
export CTGT_ROOT CTGT_BUILD CTGT_BIN CTGT_TMP CTGT_DEFAULT_IQN

# The parts skipped (ctgt_skip), one reason each.
CTGT__SKIPS=()
# Every daemon started by ctgt_start, and the ones still to be reaped.
CTGT__PIDS=()
CTGT__SEQ=0

# ---------------------------------------------------------------- messages

log() {
	printf '  [%s] %s\n' "$CTGT_TEST_NAME" "$*"
}

# Print the end of every daemon log of this script (stderr), for diagnosis.
ctgt_dump_logs() {
	local f
	for f in "$CTGT_TMP"/daemon.*/stdout "$CTGT_TMP"/daemon.*/stderr; do
		[ -f "$f" ] || continue
		printf '  ---- %s (last 40 lines) ----\n' "${f#"$CTGT_TMP"/}" >&2
		tail -n 40 "$f" | sed 's/^/  | /' >&2
	done
}

fail() {
	printf '  [%s] FAIL: %s\n' "$CTGT_TEST_NAME" "$*" >&2
	ctgt_dump_logs
	exit 1
}

# ctgt_skip REASON: this part of the script cannot run here (a tool, IPv6, a
# file system feature is missing). The caller then skips the part (or exits
# 0); the script ends with status 77, shown as SKIP. Under CI=true, where
# everything must be there, it fails the script instead.
ctgt_skip() {
	[ "${CI:-}" != true ] || fail "cannot run under CI=true, where nothing may skip: $*"
	CTGT__SKIPS+=("$*")
	printf '  [%s] SKIP: %s\n' "$CTGT_TEST_NAME" "$*"
}

# need_cmd CMD...: true when every CMD is installed; otherwise ctgt_skip
# (naming the missing ones) and false.
need_cmd() {
	local c missing=()
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || missing+=("$c")
	done
	[ "${#missing[@]}" = 0 ] && return 0
	ctgt_skip "not installed: ${missing[*]} (run tools/install-deps.sh)"
	return 1
}

# ---------------------------------------------------------------- cleanup

# True when process $1 is gone or a zombie (exited, not yet reaped).
ctgt__exited() {
	local state
	[ -r "/proc/$1/stat" ] || return 0
	state=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1) || return 0
	[ -z "$state" ] || [ "$state" = Z ] || [ "$state" = X ]
}

# Wait up to $2 seconds for process $1 to exit. Returns 1 on timeout.
ctgt__wait_exit() {
	local pid=$1 tenths=$(($2 * 10))
	while [ "$tenths" -gt 0 ]; do
		ctgt__exited "$pid" && return 0
		sleep 0.1
		tenths=$((tenths - 1))
	done
	ctgt__exited "$pid"
}

ctgt__forget() {
	local p keep=()
	for p in "${CTGT__PIDS[@]}"; do
		[ "$p" = "$1" ] || keep+=("$p")
	done
	CTGT__PIDS=("${keep[@]}")
}

ctgt__cleanup() {
	local rc=$? pid
	trap - EXIT INT TERM
	for pid in "${CTGT__PIDS[@]}"; do
		if ! ctgt__exited "$pid"; then
			kill -TERM "$pid" 2>/dev/null || true
			ctgt__wait_exit "$pid" 5 || kill -KILL "$pid" 2>/dev/null || true
		fi
		wait "$pid" 2>/dev/null || true
	done
	CTGT__PIDS=()
	# Clients the script started in the background and did not get to
	# stop (a load whose test failed first) go too, or they would keep
	# spinning against a daemon that is gone.
	for pid in $(jobs -p); do
		kill -KILL "$pid" 2>/dev/null || true
	done
	if [ "${CTGT_KEEP_TMP:-0}" = 1 ]; then
		echo "  [$CTGT_TEST_NAME] kept $CTGT_TMP" >&2
	else
		rm -rf "$CTGT_TMP"
	fi
	if [ "$rc" = 0 ] && [ "${#CTGT__SKIPS[@]}" -gt 0 ]; then
		printf '  [%s] skipped %d part(s)\n' "$CTGT_TEST_NAME" "${#CTGT__SKIPS[@]}"
		rc=77
	fi
	exit "$rc"
}
trap ctgt__cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------- daemon

# ctgt_start ARGS...
#   Start "$CTGT_BIN serve ARGS..." (adding --portal 127.0.0.1:0 unless ARGS
#   has a --portal) and wait up to 10 s for its "ready" line. Exports:
#     CTGT_PID      its pid
#     CTGT_PORT     port of the first "listening" line
#     CTGT_LISTEN   every listening address, space separated ("127.0.0.1:40123 [::1]:40124")
#     CTGT_URL      the first "url" line
#     CTGT_URLS     every url, space separated
#     CTGT_IQN      the target name in CTGT_URL
#     CTGT_OUT, CTGT_LOG   files holding its stdout and stderr
#   Fails the script, showing the log, if the daemon exits or is not ready in time.
ctgt_start() {
	local args=("$@") a have_portal=0 dir pid i sub=()
	[ -z "${CTGT_SUBCMD-serve}" ] || sub=("${CTGT_SUBCMD-serve}")
	[ -x "$CTGT_BIN" ] || fail "daemon binary $CTGT_BIN is missing (run make)"
	for a in "${args[@]}"; do
		case $a in --portal | --portal=*) have_portal=1 ;; esac
	done
	[ "$have_portal" = 1 ] || args=(--portal 127.0.0.1:0 "${args[@]}")

	CTGT__SEQ=$((CTGT__SEQ + 1))
	dir=$CTGT_TMP/daemon.$CTGT__SEQ
	mkdir -p "$dir"
	printf '%q ' "$CTGT_BIN" "${sub[@]}" "${args[@]}" >"$dir/cmdline"
	# A background job of a non-interactive shell has SIGINT ignored; give
	# the daemon default dispositions so SIGINT can be tested.
	env --default-signal=INT,QUIT "$CTGT_BIN" "${sub[@]}" "${args[@]}" \
		>"$dir/stdout" 2>"$dir/stderr" </dev/null &
	pid=$!
	CTGT__PIDS+=("$pid")

	for ((i = 0; i < 100; i++)); do
		grep -qx 'ready' "$dir/stdout" 2>/dev/null && break
		if ctgt__exited "$pid"; then
			local st=0
			wait "$pid" || st=$?
			ctgt__forget "$pid"
			fail "daemon exited with status $st before ready: $(cat "$dir/cmdline")"
		fi
		sleep 0.1
	done
	grep -qx 'ready' "$dir/stdout" ||
		fail "daemon not ready within 10 s: $(cat "$dir/cmdline")"

	CTGT_PID=$pid
	CTGT_OUT=$dir/stdout
	CTGT_LOG=$dir/stderr
	CTGT_LISTEN=$(sed -n 's/^listening //p' "$dir/stdout" | tr '\n' ' ' | sed 's/ $//')
	CTGT_URLS=$(sed -n 's/^url //p' "$dir/stdout" | tr '\n' ' ' | sed 's/ $//')
	[ -n "$CTGT_LISTEN" ] || fail "daemon printed no 'listening' line"
	CTGT_PORT=${CTGT_LISTEN%% *}
	CTGT_PORT=${CTGT_PORT##*:}
	[[ $CTGT_PORT =~ ^[1-9][0-9]*$ ]] ||
		fail "bad port in 'listening' line: $CTGT_LISTEN"
	CTGT_URL=${CTGT_URLS%% *}
	CTGT_IQN=
	if [ -n "$CTGT_URL" ]; then
		[[ $CTGT_URL =~ ^iscsi://[^/]+/([^/]+)/[0-9]+$ ]] ||
			fail "malformed 'url' line: $CTGT_URL"
		CTGT_IQN=${BASH_REMATCH[1]}
	fi
	export CTGT_PID CTGT_PORT CTGT_LISTEN CTGT_URL CTGT_URLS CTGT_IQN CTGT_OUT CTGT_LOG
	log "daemon $CTGT_PID ready on $CTGT_LISTEN"
}

# ctgt_try_stop [PID] [SIGNAL]
#   Send SIGTERM (or SIGNAL) to the daemon (default $CTGT_PID) and wait up to
#   10 s for it. Returns 0 if it exited with status 0; otherwise returns 1
#   with the reason in CTGT_STOP_ERR (it is killed if it did not exit).
ctgt_try_stop() {
	local pid=${1:-${CTGT_PID:-}} sig=${2:-TERM} st=0
	CTGT_STOP_ERR=
	if [ -z "$pid" ]; then
		CTGT_STOP_ERR="no daemon to stop"
		return 1
	fi
	if ctgt__exited "$pid"; then
		wait "$pid" || st=$?
		ctgt__forget "$pid"
		CTGT_STOP_ERR="daemon $pid had already exited (status $st) before it was stopped"
		return 1
	fi
	kill -"$sig" "$pid" 2>/dev/null || true
	if ! ctgt__wait_exit "$pid" 10; then
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		ctgt__forget "$pid"
		CTGT_STOP_ERR="daemon $pid did not exit within 10 s of SIG$sig"
		return 1
	fi
	wait "$pid" || st=$?
	ctgt__forget "$pid"
	if [ "$st" != 0 ]; then
		CTGT_STOP_ERR="daemon $pid exited with status $st after SIG$sig (want 0)"
		return 1
	fi
	return 0
}

# ctgt_stop [PID] [SIGNAL]
#   ctgt_try_stop, failing the script unless the daemon exited with status 0:
#   a crash, a hang or a nonzero status fails the test.
ctgt_stop() {
	local pid=${1:-${CTGT_PID:-}}
	ctgt_try_stop "$@" || fail "$CTGT_STOP_ERR"
	log "daemon $pid stopped cleanly (SIG${2:-TERM})"
}

# ctgt_alive [PID]: fail unless the daemon is still running.
ctgt_alive() {
	local pid=${1:-$CTGT_PID} st=0
	if ctgt__exited "$pid"; then
		wait "$pid" || st=$?
		ctgt__forget "$pid"
		fail "daemon $pid died (status $st)"
	fi
}

# ctgt_expect_startup_fail REGEX ARGS...
#   Run "$CTGT_BIN serve ARGS..." (no portal is added) and require that it
#   exits by itself within 10 s with status 1 or 2, without printing "ready",
#   with a one-line error on stderr whose text matches REGEX (extended,
#   case-insensitive). With status 2 (a usage error) a usage text may follow
#   the error line. Sets RUN_ERR to its stderr, info and debug log lines left out.
ctgt_expect_startup_fail() {
	local re=$1 st=0 first rest
	shift
	CTGT__SEQ=$((CTGT__SEQ + 1))
	local dir=$CTGT_TMP/fail.$CTGT__SEQ
	mkdir -p "$dir"
	timeout -k 2 10 "$CTGT_BIN" serve "$@" >"$dir/stdout" 2>"$dir/stderr" </dev/null || st=$?
	# Informational log lines (such as "no control socket" when another
	# daemon has the default one) are not part of the error.
	RUN_ERR=$(grep -vE '^ctgt (info|debug) ' "$dir/stderr" || true)
	local what="ctgt serve $*"
	case $st in
	0) fail "$what: exited 0, want failure" ;;
	124 | 137) fail "$what: still running after 10 s, want an immediate failure" ;;
	1 | 2) ;;
	*) fail "$what: exit status $st (crash?), want 1 or 2; stderr: $RUN_ERR" ;;
	esac
	! grep -qx ready "$dir/stdout" || fail "$what: printed 'ready' yet failed"
	first=$(grep -m1 '[^[:space:]]' <<<"$RUN_ERR" || true)
	rest=$(grep '[^[:space:]]' <<<"$RUN_ERR" | tail -n +2)
	[ -n "$first" ] || fail "$what: failed silently (no message on stderr)"
	if [ -n "$rest" ]; then
		if [ "$st" != 2 ] || grep -qvE '^(usage:|[[:space:]])' <<<"$rest"; then
			fail "$what: want a one-line error on stderr (status $st), got:
$RUN_ERR"
		fi
	fi
	grep -qiE -- "$re" <<<"$first" ||
		fail "$what: error line does not match /$re/: $first"
	log "ok: rejected ($st): $what -> $first"
}

# ---------------------------------------------------------------- clients

# run CMD...: run a command under the client timeout; sets RUN_OUT (stdout
# and stderr together) and RUN_RC, never fails by itself.
run() {
	RUN_RC=0
	RUN_OUT=$(timeout -k 5 "$CTGT_CLIENT_TIMEOUT" "$@" 2>&1) || RUN_RC=$?
}

# expect_ok CMD...: run, fail unless status 0. Output is in RUN_OUT.
expect_ok() {
	run "$@"
	[ "$RUN_RC" = 0 ] || fail "command failed (status $RUN_RC): $*
$RUN_OUT"
}

# expect_fail CMD...: run, fail unless it exits nonzero by itself (a timeout
# or a client killed by a signal does not count as a clean failure).
expect_fail() {
	run "$@"
	case $RUN_RC in
	0) fail "command succeeded, want failure: $*
$RUN_OUT" ;;
	124 | 137) fail "command hung (killed after ${CTGT_CLIENT_TIMEOUT}s), want a clean failure: $*
$RUN_OUT" ;;
	13[0-9] | 14[0-9]) fail "command died of a signal (status $RUN_RC): $*
$RUN_OUT" ;;
	esac
}

# ---------------------------------------------------------------- assertions

assert_eq() { # ACTUAL EXPECTED WHAT
	[ "$1" = "$2" ] || fail "${3:-value}: got '$1', want '$2'"
}

assert_contains() { # HAYSTACK NEEDLE WHAT
	grep -qF -- "$2" <<<"$1" || fail "${3:-output} lacks '$2':
$1"
}

assert_not_contains() { # HAYSTACK NEEDLE WHAT
	! grep -qF -- "$2" <<<"$1" || fail "${3:-output} unexpectedly contains '$2':
$1"
}

assert_match() { # HAYSTACK EXTENDED-REGEX WHAT (some line must match)
	grep -qE -- "$2" <<<"$1" || fail "${3:-output} has no line matching /$2/:
$1"
}

assert_files_equal() { # FILE1 FILE2 WHAT
	cmp -s "$1" "$2" || fail "${3:-files} differ: $1 vs $2 ($(cmp "$1" "$2" 2>&1 | head -n 1))"
}

# ---------------------------------------------------------------- misc

# wait_until SECONDS CMD...: run CMD every 0.1 s until it succeeds (status 0)
# or SECONDS have passed; the status is CMD's last. Bounded, so a condition
# that never comes true ends in the caller's fail, not a hang.
wait_until() {
	local end=$((SECONDS + $1))
	shift
	until "$@"; do
		[ "$SECONDS" -lt "$end" ] || return 1
		sleep 0.1
	done
}

# True when loopback has ::1 (IPv6 enabled).
have_ipv6_lo() {
	ip -6 addr show dev lo 2>/dev/null | grep -q 'inet6 ::1/128'
}

# free_tcp_port: print a TCP port nobody listens on, chosen below the
# kernel's ephemeral range so that no port-0 bind or outgoing connection can
# take it meanwhile. A caller should still retry if the bind fails.
free_tcp_port() {
	local lo hi p tries
	read -r lo hi </proc/sys/net/ipv4/ip_local_port_range
	if [ "$lo" -gt 11024 ]; then
		hi=$((lo - 1))
		lo=$((lo - 10000))
	fi
	for ((tries = 0; tries < 100; tries++)); do
		p=$((lo + (RANDOM * 32768 + RANDOM) % (hi - lo + 1)))
		if [ -z "$(ss -Htln "( sport = :$p )" 2>/dev/null)" ]; then
			echo "$p"
			return 0
		fi
	done
	fail "no free TCP port found"
}

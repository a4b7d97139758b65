#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# The data path allocates nothing per command: the daemon runs with
# build/tests/malloc_count.so preloaded (it counts every malloc, calloc,
# realloc and aligned allocation, of every thread, and writes the total
# at exit), serves verified mixed I/O from build/bench/loadgen for 0.2 s
# and, on a fresh daemon, for 3 s: the second run's extra commands may cost
# at most one allocation per 100 (and 50 for noise) over the first's, whose
# start-up, login and logout cost the same (about 100 allocations): task data buffers, tasks and PDUs come from
# the network threads' caches (util/bufpool.c). Checked on the null: store
# (inline completions; unverified, it keeps no data), a file (worker pool, inline page-cache reads) and
# the io_uring store, at 4 KiB (70/30, depth 32) and 1 MiB (50/50, depth 8,
# through R2Ts and several Data-In PDUs). Plain build only: a sanitizer's
# runtime owns malloc (the Makefile leaves this script out of the
# sanitized runs).
set -euo pipefail
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
need_cmd jq || exit 77

SO=$CTGT_BUILD/tests/malloc_count.so
LOADGEN=$CTGT_BUILD/bench/loadgen
[ -f "$SO" ] || fail "$SO is missing (run make)"

# measure NAME LUN-SPEC SECONDS LOADGEN-ARGS...: one daemon, one run
# (verified, but on null:, which keeps no data); sets M_ALLOCS, M_IOS.
measure() {
	local name=$1 spec=$2 secs=$3 out j verify=--verify
	shift 3
	[ "${spec#null:}" = "$spec" ] || verify=
	out=$CTGT_TMP/allocs.$name.$secs
	export LD_PRELOAD=$SO MALLOC_COUNT_OUT=$out
	ctgt_start --lun "0=$spec"
	unset LD_PRELOAD MALLOC_COUNT_OUT
	# shellcheck disable=SC2086 # $verify: no word or one
	j=$("$LOADGEN" $verify --duration "$secs" "$@" "$CTGT_URL") ||
		fail "$name: loadgen failed: $j"
	[ "$(jq -r '.errors' <<<"$j")" = 0 ] || fail "$name: I/O errors: $j"
	ctgt_stop
	[ -s "$out" ] || fail "$name: the daemon wrote no allocation count"
	M_ALLOCS=$(sed -n 's/^allocs //p' "$out")
	M_IOS=$(jq -r '.ios' <<<"$j")
}

# check NAME LUN-SPEC LOADGEN-ARGS...: a short and a long run on fresh
# daemons; start-up, login and logout cost both the same, so the long run's
# extra commands must have cost (almost) no extra allocation.
check() {
	local name=$1 spec=$2 a1 n1 a2 n2
	shift 2
	measure "$name" "$spec" 0.2 "$@"
	a1=$M_ALLOCS n1=$M_IOS
	measure "$name" "$spec" 3 "$@"
	a2=$M_ALLOCS n2=$M_IOS
	log "$name: $a1 allocations for $n1 commands, $a2 for $n2"
	[ "$((n2 - n1))" -ge 200 ] || fail "$name: only $((n2 - n1)) more commands in the long run"
	[ "$((a2 - a1))" -le "$((50 + (n2 - n1) / 100))" ] ||
		fail "$name: $((a2 - a1)) more allocations for $((n2 - n1)) more commands (50 + one per 100 at most)"
}

truncate -s 256M "$CTGT_TMP/disk.img"
for spec in null:,size=256M "$CTGT_TMP/disk.img" "$CTGT_TMP/disk.img,io=uring"; do
	tag=${spec%%,*}
	tag=${tag##*/}
	[ "$spec" = "${spec%io=uring}" ] || tag=$tag-uring
	check "$tag-4k" "$spec" --bs 4K --depth 32 --read-pct 70
	check "$tag-1m" "$spec" --bs 1M --depth 8 --read-pct 50 --pattern sequential
done
log "ok: no allocation per command"

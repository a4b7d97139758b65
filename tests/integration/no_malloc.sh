#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# The data path allocates nothing per command: the daemon runs with
# build/tests/malloc_count.so preloaded (it counts every malloc, calloc,
# realloc and aligned allocation, of every thread, and writes the total
# at exit), serves verified mixed I/O from build/bench/loadgen, and must
# have made at most one allocation per 100 commands over the whole run,
# beyond 500 for start-up, the login and the logout (about 100): task data buffers, tasks and PDUs come from
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

# check NAME LUN-SPEC LOADGEN-ARGS...: one daemon, one run (verified but
# on null:, which keeps no data).
check() {
	local name=$1 spec=$2 out j ios allocs verify=--verify
	shift 2
	[ "${spec#null:}" = "$spec" ] || verify=
	out=$CTGT_TMP/allocs.$name
	export LD_PRELOAD=$SO MALLOC_COUNT_OUT=$out
	ctgt_start --lun "0=$spec"
	unset LD_PRELOAD MALLOC_COUNT_OUT
	# shellcheck disable=SC2086 # $verify: no word or one
	j=$("$LOADGEN" $verify "$@" "$CTGT_URL") || fail "$name: loadgen failed: $j"
	[ "$(jq -r '.errors' <<<"$j")" = 0 ] || fail "$name: I/O errors: $j"
	ios=$(jq -r '.ios' <<<"$j")
	ctgt_stop
	[ -s "$out" ] || fail "$name: the daemon wrote no allocation count"
	allocs=$(sed -n 's/^allocs //p' "$out")
	log "$name: $allocs allocations for $ios commands"
	[ "$ios" -ge 1000 ] || fail "$name: only $ios commands"
	[ "$allocs" -le "$((500 + ios / 100))" ] ||
		fail "$name: $allocs allocations for $ios commands (500 + one per 100 at most)"
}

truncate -s 256M "$CTGT_TMP/disk.img"
for spec in null:,size=256M "$CTGT_TMP/disk.img" "$CTGT_TMP/disk.img,io=uring"; do
	tag=${spec%%,*}
	tag=${tag##*/}
	[ "$spec" = "${spec%io=uring}" ] || tag=$tag-uring
	check "$tag-4k" "$spec" --bs 4K --depth 32 --read-pct 70 --duration 2
	check "$tag-1m" "$spec" --bs 1M --depth 8 --read-pct 50 --pattern sequential --duration 3
done
log "ok: no allocation per command"

#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# ",max_bandwidth=SIZE" caps a LUN's reads and writes together at SIZE bytes
# per second, like a medium of that speed: 8 MiB through a 4 MiB/s LUN takes
# seconds each way (a lower bound only: a slow machine cannot make it
# fail), while the data arrives intact and an uncapped LUN of the same
# daemon is not held back: while a capped transfer runs, 8 MiB reach the
# uncapped LUN at more than twice the cap's rate. A daemon stopped in the middle of a long capped
# transfer exits at once instead of serving out the queue at the cap, and a
# memory store, whose I/O runs on the network thread, refuses a cap.
set -euo pipefail
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

src=$CTGT_TMP/src.raw
head -c 8388608 /dev/urandom >"$src"
want=$(sha256sum <"$src" | cut -d' ' -f1)

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# timed CMD...: expect_ok, and the milliseconds it took in ELAPSED.
timed() {
	local t0
	t0=$(now_ms)
	expect_ok "$@"
	ELAPSED=$(($(now_ms) - t0))
}

ctgt_start --lun "0=$CTGT_TMP/capped.img,size=8M,max_bandwidth=4M" \
	--lun "1=$CTGT_TMP/free.img,size=8M"
capped=iscsi://127.0.0.1:$CTGT_PORT/$CTGT_IQN/0
free=iscsi://127.0.0.1:$CTGT_PORT/$CTGT_IQN/1

# 8 MiB at 4 MiB/s is 2 s; the first request of each transfer starts at once.
timed qemu-img convert -n -f raw -O raw "$src" "$capped"
[ "$ELAPSED" -ge 1000 ] || fail "8 MiB written to a 4 MiB/s LUN in ${ELAPSED} ms"
log "ok: 8 MiB written through the 4 MiB/s cap in ${ELAPSED} ms"
timed qemu-img convert -f raw -O raw "$capped" "$CTGT_TMP/back.raw"
[ "$ELAPSED" -ge 1000 ] || fail "8 MiB read from a 4 MiB/s LUN in ${ELAPSED} ms"
log "ok: 8 MiB read through the 4 MiB/s cap in ${ELAPSED} ms"
assert_eq "$(sha256sum <"$CTGT_TMP/back.raw" | cut -d' ' -f1)" "$want" "data read back from the capped LUN"

# The uncapped LUN, while the capped one is busy (8 MiB there take >= 1.75 s).
qemu-img convert -n -f raw -O raw "$src" "$capped" >"$CTGT_TMP/capped.out" 2>&1 &
bg=$!
sleep 0.2
timed qemu-img convert -n -f raw -O raw "$src" "$free"
! ctgt__exited "$bg" ||
	fail "the capped transfer was over before the uncapped one: nothing ran side by side"
[ "$ELAPSED" -lt 1000 ] ||
	fail "8 MiB to the uncapped LUN took ${ELAPSED} ms while a capped transfer ran (want < 1000 ms, twice the 4 MiB/s cap)"
log "ok: the uncapped LUN took ${ELAPSED} ms while the capped one was busy"
wait "$bg" || fail "the capped transfer beside it failed: $(cat "$CTGT_TMP/capped.out")"
timed qemu-img convert -f raw -O raw "$free" "$CTGT_TMP/back.raw"
assert_eq "$(sha256sum <"$CTGT_TMP/back.raw" | cut -d' ' -f1)" "$want" "data read back from the uncapped LUN"
ctgt_stop

# 32 MiB at 1 MiB/s would take half a minute: SIGTERM while it runs.
head -c 33554432 /dev/urandom >"$src"
ctgt_start --lun "0=$CTGT_TMP/slow.img,size=32M,max_bandwidth=1M"
slow=iscsi://127.0.0.1:$CTGT_PORT/$CTGT_IQN/0
timeout 60 qemu-img convert -n -f raw -O raw "$src" "$slow" >/dev/null 2>&1 &
writer=$!
sleep 1
t0=$(now_ms)
ctgt_stop
stopped=$(($(now_ms) - t0))
# (the client would go on trying to reconnect until its timeout)
kill "$writer" 2>/dev/null || true
wait "$writer" || true
[ "$stopped" -lt 5000 ] || fail "a daemon stopped during a capped transfer took ${stopped} ms to exit"
log "ok: stopped during a capped transfer in ${stopped} ms"

ctgt_expect_startup_fail "bandwidth limit" --portal 127.0.0.1:0 --lun "0=mem:,size=1M,max_bandwidth=1M"

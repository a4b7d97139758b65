#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# LUs changed on a running daemon (ctgtadm lun add, resize, remove) while
# verified I/O runs on a LU the changes do not touch (LUN 0): that load
# sees no error, no mismatch and no pause (its slowest command stays under
# 2 s), and its sessions stay logged in. A probe session logged in before
# the changes sees each one as an initiator should: REPORTED LUNS DATA HAS
# CHANGED (6/3f0e) on LUN 0 after an add and a remove, POWER ON (6/2900) on
# the new LU, CAPACITY DATA HAS CHANGED (6/2a09) and the new size (READ
# CAPACITY) after a resize, LOGICAL UNIT NOT SUPPORTED (5/2500) once
# removed, REPORT LUNS listing what is there. The added LU serves its
# file's data (qemu-io); a resize grows the file, or follows a file grown
# by hand; a shrink, a LUN in use, a bad spec, an unknown target and a
# mem: resize are refused with the reason and change nothing; a LU removed
# under its own load goes (its commands finish or are aborted) and its
# file is closed. A SANITIZE in progress shows in lun list (kind and
# fraction done) and holds off a remove and a resize (the file untouched)
# until it ends.
set -euo pipefail
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/probe.sh
. "$(dirname "$0")/../probe.sh"
need_cmd jq || exit 77
need_cmd qemu-io || exit 77

ADM=$CTGT_BUILD/ctgtadm
T=iqn.2026-12.io.ctgt.test:live
sock=$CTGT_TMP/live.sock
adm=("$ADM" --socket "$sock")
d0=$CTGT_TMP/d0.img d1=$CTGT_TMP/d1.img d2=$CTGT_TMP/d2.img

ctgt_start --threads 2 --control "$sock" --log-level info --metrics 127.0.0.1:0 \
	--target "$T" --lun 0=$d0,size=64M --lun 5=mem:,size=1M
for _ in $(seq 50); do
	metrics_port=$(sed -n 's/.*metrics on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$CTGT_LOG" | head -1)
	[ -n "$metrics_port" ] && break
	sleep 0.1
done
[ -n "$metrics_port" ] || fail "no metrics port in the log"

# The load on LUN 0, for as long as the changes take (stopped below).
"$CTGT_BUILD"/bench/loadgen --verify --sessions 2 --depth 4 --read-pct 70 --duration 60 \
	"iscsi://127.0.0.1:$CTGT_PORT/$T/0" >"$CTGT_TMP/load0.json" 2>"$CTGT_TMP/load0.err" &
load0=$!

# The probe: one session kept open through every change.
probe_start "$T" 0 5
expect "luns" "luns 0 5" "REPORT LUNS before"

# --- add LUN 1 over a file full of 0xab
head -c $((4 << 20)) /dev/zero | tr '\0' '\253' >"$d1"
expect_ok "${adm[@]}" --json lun add "$T" 1 "$d1,thin"
assert_eq "$(jq -r '.flag' <<<"$RUN_OUT")" "1=$d1,thin" "the added LU's --lun"
assert_eq "$(jq '.blocks * .block_size' <<<"$RUN_OUT")" $((4 << 20)) "the added LU's size"
grep -q "target $T: LUN 1 added" "$CTGT_LOG" || fail "no log line for the add"
expect "tur 0" "check 6/3f0e" "LUN 0 tells of the new LU"
expect "tur 0" "good" "and only once"
expect "tur 5" "check 6/3f0e" "so does LUN 5"
expect "luns" "luns 0 1 5" "REPORT LUNS after the add"
expect "tur 1" "check 6/2900" "the new LU's POWER ON"
expect "cap 1" "cap 8192 512" "the new LU's capacity"
expect_ok qemu-io -f raw -c "read -P 0xab 0 4M" "iscsi://127.0.0.1:$CTGT_PORT/$T/1"
expect_ok "${adm[@]}" --json lun list "$T"
assert_eq "$(jq -r 'map(.lun) | join(",")' <<<"$RUN_OUT")" "0,5,1" "lun list after the add"
expect_ok "${adm[@]}" --json target list
assert_eq "$(jq -r '.[0].luns | join(",")' <<<"$RUN_OUT")" "0,5,1" "target list after the add"

# --- what is refused changes nothing
expect_fail "${adm[@]}" lun add "$T" 1 "$d2,size=1M"
assert_contains "$RUN_OUT" "has a LUN 1 already" "a LUN in use"
expect_fail "${adm[@]}" lun add "$T" 2 "$d2,size=1M,bogus"
assert_contains "$RUN_OUT" "bogus" "a bad option"
expect_fail "${adm[@]}" lun add "$T" 2 "$CTGT_TMP/no/such/dir/x.img"
assert_contains "$RUN_OUT" "no/such/dir" "a store that cannot be opened"
expect_fail "${adm[@]}" lun add iqn.2026-12.io.ctgt.test:none 2 "$d2,size=1M"
assert_contains "$RUN_OUT" "no such target" "an unknown target"
expect_fail "${adm[@]}" lun add "$T" 300 "$d2,size=1M"
expect_fail "${adm[@]}" lun resize "$T" 1 1M
assert_contains "$RUN_OUT" "never shrunk" "a shrink"
expect_fail "${adm[@]}" lun resize "$T" 5 2M
assert_contains "$RUN_OUT" "cannot change size" "a mem: resize"
expect_fail "${adm[@]}" lun remove "$T" 7
assert_contains "$RUN_OUT" "no LUN 7" "removing a LUN that is not there"
[ ! -e "$d2" ] || fail "a refused add left $d2 behind"
expect "luns" "luns 0 1 5" "REPORT LUNS after the refusals"
expect "tur 0" "good" "no unit attention from refusals"
expect "tur 1" "good" "none on LUN 1 either"

# --- resize: to a size, then to what the file holds
expect_ok "${adm[@]}" --json lun resize "$T" 1 8M
assert_eq "$(jq '.blocks' <<<"$RUN_OUT")" 16384 "resize's answer"
assert_eq "$(stat -c %s "$d1")" $((8 << 20)) "the file grown"
expect "tur 1" "check 6/2a09" "CAPACITY DATA HAS CHANGED"
expect "cap 1" "cap 16384 512" "the grown capacity"
expect "tur 0" "good" "LUN 0 is not told"
expect_ok iscsi-readcapacity16 "iscsi://127.0.0.1:$CTGT_PORT/$T/1"
assert_contains "$RUN_OUT" "RETURNED LOGICAL BLOCK ADDRESS:16383" "libiscsi sees the new size"
expect_ok qemu-io -f raw -c "read -P 0xab 0 4M" -c "read -P 0 4M 4M" -c "write -P 0xcd 6M 64k" \
	"iscsi://127.0.0.1:$CTGT_PORT/$T/1"
assert_eq "$(od -An -tx1 -j $((6 << 20)) -N 4 "$d1" | tr -d ' ')" cdcdcdcd "written beyond the old end"
truncate -s 12M "$d1"
expect_ok "${adm[@]}" --json lun resize "$T" 1
assert_eq "$(jq '.blocks' <<<"$RUN_OUT")" 24576 "resize to the file's size"
expect "tur 1" "check 6/2a09" "told again"
expect "cap 1" "cap 24576 512" "the file's size"
expect_ok "${adm[@]}" --json lun resize "$T" 1 12M
expect "tur 1" "good" "the same size again: nothing to tell"
grep -q "target $T: LUN 1 grown from 8388608 to 12582912 bytes" "$CTGT_LOG" ||
	fail "no log line for the resize"
expect_ok "${adm[@]}" --json lun list "$T"
assert_eq "$(jq -r '.[2].flag' <<<"$RUN_OUT")" "1=$d1,size=12M,thin" "the configuration follows"

# --- lun set: a bandwidth cap put on and taken off a running LU
expect_ok "${adm[@]}" --json lun set "$T" 1 max_bandwidth=2M
assert_eq "$(jq -r '.flag' <<<"$RUN_OUT")" "1=$d1,size=12M,max_bandwidth=2M,thin" "the cap in the configuration"
start=$(date +%s%N)
expect_ok qemu-io -f raw -c "write -P 0x77 0 4M" "iscsi://127.0.0.1:$CTGT_PORT/$T/1"
ms=$((($(date +%s%N) - start) / 1000000))
log "4 MiB at a 2 MiB/s cap: $ms ms"
[ "$ms" -ge 1500 ] || fail "the cap did not pace the write ($ms ms)"
expect_ok "${adm[@]}" lun set "$T" 1 max_bandwidth=0
start=$(date +%s%N)
expect_ok qemu-io -f raw -c "write -P 0x78 0 4M" "iscsi://127.0.0.1:$CTGT_PORT/$T/1"
ms=$((($(date +%s%N) - start) / 1000000))
log "4 MiB without the cap: $ms ms"
[ "$ms" -lt 1500 ] || fail "the cap was not taken off ($ms ms)"
expect_fail "${adm[@]}" lun set "$T" 1 readonly=1
assert_contains "$RUN_OUT" "cannot change on a running LU" "an option that cannot change live"
expect_fail "${adm[@]}" lun set "$T" 1 bogus=1
assert_contains "$RUN_OUT" "unknown option" "an unknown option"
expect_fail "${adm[@]}" lun set "$T" 5 max_bandwidth=1M
assert_contains "$RUN_OUT" "cannot be given a bandwidth limit" "a mem: LU"
expect "tur 1" "good" "no unit attention from lun set"

# --- remove LUN 1
expect_ok "${adm[@]}" lun remove "$T" 1
assert_contains "$RUN_OUT" "LUN 1 removed" "remove's answer"
expect "tur 1" "check 5/2500" "a removed LU is not there"
expect "tur 0" "check 6/3f0e" "LUN 0 tells of the removal"
expect "luns" "luns 0 5" "REPORT LUNS after the remove"
ls -l /proc/"$CTGT_PID"/fd 2>/dev/null | grep -q "$d1" && fail "$d1 is still open"
log "LUN 1's file is closed"
[ -f "$d1" ] || fail "removing a LU must not delete its file"

# --- a LU removed under its own load: slow (64 KiB/s), 4 sessions writing
# 64 KiB at depth 4: a second of its commands would take 16 s, but the cap
# is lifted for a LU being removed.
expect_ok "${adm[@]}" lun add "$T" 2 "$d2,size=16M,max_bandwidth=64K"
expect "tur 0" "check 6/3f0e" "LUN 0 tells of LUN 2"
"$CTGT_BUILD"/bench/loadgen --sessions 4 --depth 4 --bs 64K --read-pct 0 --duration 30 \
	"iscsi://127.0.0.1:$CTGT_PORT/$T/2" >"$CTGT_TMP/load2.json" 2>"$CTGT_TMP/load2.err" &
load2=$!
sleep 1
start=$(date +%s%N)
expect_ok "${adm[@]}" lun remove "$T" 2
ms=$((($(date +%s%N) - start) / 1000000))
log "LUN 2 removed under load in $ms ms"
[ "$ms" -lt 5000 ] || fail "the remove took $ms ms"
expect "tur 2" "check 5/2500" "LUN 2 is gone"
ls -l /proc/"$CTGT_PID"/fd 2>/dev/null | grep -q "$d2" && fail "$d2 is still open"
kill "$load2" 2>/dev/null || true
wait "$load2" 2>/dev/null || true

expect "tur 0" "check 6/3f0e" "LUN 0 tells of LUN 2's removal"

# --- a SANITIZE in progress (8 MiB at 1 MiB/s, in 1 MiB writes) shows in lun list,
# and holds off a remove or a resize until it ends
expect_ok "${adm[@]}" lun add "$T" 3 "$CTGT_TMP/d3.img,size=8M,max_bandwidth=1M"
expect "tur 0" "check 6/3f0e" "LUN 0 tells of LUN 3"
expect "tur 3" "check 6/2900" "LUN 3's POWER ON"
expect "sanitize 3" "good" "SANITIZE OVERWRITE with IMMED"
sleep 2.5
expect_ok "${adm[@]}" --json lun list "$T"
job=$(jq -c '.[] | select(.lun == 3) | .job' <<<"$RUN_OUT")
log "LUN 3's job: $job"
assert_eq "$(jq -r '.kind' <<<"$job")" sanitize "the job's kind"
[ "$(jq '.done > 0 and .done < 1 and (.failed | not)' <<<"$job")" = true ] ||
	fail "the job's progress: $job"
assert_eq "$(jq -c '.[] | select(.lun == 0) | .job' <<<"$RUN_OUT")" null "LUN 0 has no job"
expect_ok curl -sS "http://127.0.0.1:$metrics_port/metrics"
line=$(grep "^ctgt_lu_job_progress{" <<<"$RUN_OUT" || true)
log "metrics: $line"
[[ $line =~ ^ctgt_lu_job_progress\{target=\"$T\",lun=\"3\",kind=\"sanitize\",failed=\"0\"\}\ 0\.[0-9]+$ ]] ||
	fail "the job in the metrics: '$line'"
assert_contains "$RUN_OUT" "ctgt_lu_copies_running{target=\"$T\",lun=\"3\"} 0" "no copy running"
expect_ok "${adm[@]}" lun list "$T"
assert_match "$RUN_OUT" "^ +3 +8388608 +512 +sanitize [0-9]+% +3=" "the job in the table"
expect_fail "${adm[@]}" lun remove "$T" 3
assert_contains "$RUN_OUT" "SANITIZE or FORMAT UNIT is running" "remove during SANITIZE"
expect_fail "${adm[@]}" lun resize "$T" 3 16M
assert_contains "$RUN_OUT" "SANITIZE or FORMAT UNIT is running" "resize during SANITIZE"
assert_eq "$(stat -c %s "$CTGT_TMP/d3.img")" $((8 << 20)) "a refused resize leaves the file as it was"
expect "luns" "luns 0 3 5" "LUN 3 is still there"
# Once it has ended, the LU goes.
for _ in $(seq 200); do
	expect_ok "${adm[@]}" --json lun list "$T"
	[ "$(jq -c '.[] | select(.lun == 3) | .job' <<<"$RUN_OUT")" = null ] && break
	sleep 0.1
done
assert_eq "$(jq -c '.[] | select(.lun == 3) | .job' <<<"$RUN_OUT")" null "the SANITIZE has ended"
expect_ok "${adm[@]}" lun remove "$T" 3
expect "tur 0" "check 6/3f0e" "LUN 0 tells of LUN 3's removal"

# --- the untouched LU's load: no error, no mismatch, no pause
kill -INT "$load0" 2>/dev/null || true
wait "$load0" || true
jq -e . "$CTGT_TMP/load0.json" >/dev/null 2>&1 ||
	fail "LUN 0's load wrote no result: $(cat "$CTGT_TMP/load0.err")"
r=$(cat "$CTGT_TMP/load0.json")
log "LUN 0 load: $(jq -c '{ios, errors, unit_attentions, verify, max_ms: (.lat_us.max / 1000)}' <<<"$r")"
assert_eq "$(jq '.errors' <<<"$r")" 0 "errors on LUN 0"
# Each session heard of the six changes (two close together may come as
# one unit attention), and sent the command that heard it again.
[ "$(jq '.unit_attentions >= 2 and .unit_attentions <= 12' <<<"$r")" = true ] ||
	fail "unit attentions on LUN 0's load: $(jq .unit_attentions <<<"$r")"
assert_eq "$(jq '.verify.mismatches' <<<"$r")" 0 "mismatches on LUN 0"
[ "$(jq '.ios > 1000 and .verify.checked > 100' <<<"$r")" = true ] || fail "LUN 0's load hardly ran: $r"
[ "$(jq '.lat_us.max < 2000000' <<<"$r")" = true ] || fail "LUN 0's load paused: $r"
assert_eq "$(grep -c "normal session .* for iqn.2026-12.io.ctgt:loadgen to $T" "$CTGT_LOG" || true)" \
	6 "logins (2 for LUN 0, 4 for LUN 2: none again)"
probe_end
ctgt_stop
log "ok"

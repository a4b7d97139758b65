#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# The report of `make bench` (tools/bench/run.sh --report-only: aggregate.jq,
# table.jq, markdown.jq, charts.gp) computes what it says from a fixed set of
# runs, no target involved: the mean of the rounds, the ctgt/tgt ratio of
# the means and the range of the per-round ratios, latency and CPU ratios, a
# failed run left out of the means and counted, a workload with no run shown
# as "-", the share of the loopback TCP bandwidth (the best probe), and the
# scale series (IOPS by sessions: every point in order, each over the first,
# a point without runs shown as "-") as a table and a chart, and the idle
# connection lines, of sessions that did nothing and that wrote once (a
# target whose idleconn failed shown as "-").
set -euo pipefail
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
need_cmd jq || exit 77

out=$CTGT_TMP/bench
mkdir -p "$out"
# add_run TARGET WORKLOAD ROUND IOPS MB/S P50 SERVER-CPU [EXIT]
add_run() {
	jq -nc --arg t "$1" --arg w "$2" --argjson r "$3" --argjson iops "$4" --argjson mb "$5" \
		--argjson p50 "$6" --argjson cpu "$7" --argjson rc "${8:-0}" --argjson bs "${BS:-4096}" \
		'{target: $t, workload: $w, round: $r, exit: $rc, iops: $iops,
		  mb_s: $mb, lat_us: {p50: $p50, p99: ($p50 * 4)}, server_cpu_us_per_io: $cpu,
		  client_cpu_us_per_io: 5, config: {block_size: $bs}}' >>"$out/runs.jsonl"
}
add_run ctgt rr4k_qd32 1 200 0.8 50 10
add_run tgt rr4k_qd32 1 100 0.4 100 20
add_run ctgt rr4k_qd32 2 100 0.4 50 10
add_run tgt rr4k_qd32 2 100 0.4 100 20
add_run ctgt rw4k_qd32 1 999 9 1 1 1
add_run ctgt rw4k_qd32 2 100 0.4 10 10
add_run tgt rw4k_qd32 1 50 0.2 10 10
add_run tgt rw4k_qd32 2 50 0.2 10 10
BS=1048576 add_run ctgt sr1m_qd8 1 500 500 1000 100
BS=1048576 add_run tgt sr1m_qd8 1 250 250 2000 200
# The scale series: 1, 4 and 16 sessions ran, 64 did not.
add_run ctgt rr4k_1x16 1 1000 4 100 10
add_run tgt rr4k_1x16 1 500 2 200 20
add_run ctgt rr4k_4x16 1 2000 8 100 10
add_run tgt rr4k_4x16 1 500 2 200 20
add_run ctgt rr4k_16x16 1 3000 12 100 10
add_run tgt rr4k_16x16 1 250 1 400 20
printf '%s\n' '{"target": "ctgt", "variant": "idle", "exit": 0, "connections": 1000, "write": 0,
	"bytes_per_connection": 4321, "rss_before_kb": 4000, "rss_after_kb": 8220}' \
	'{"target": "tgt", "variant": "idle", "exit": 1, "failed": true}' \
	'{"target": "ctgt", "variant": "written", "exit": 0, "connections": 1000, "write": 262144,
	"bytes_per_connection": 9999, "rss_before_kb": 4000, "rss_after_kb": 13764}' \
	'{"target": "tgt", "variant": "written", "exit": 0, "connections": 1000, "write": 262144,
	"bytes_per_connection": 7777, "rss_before_kb": 4000, "rss_after_kb": 11595}' \
	>"$out/idle.jsonl"
printf '%s\n' '{"mb_s": 800}' '{"mb_s": 1000}' >"$out/tcp.jsonl"
jq -n '{date: "2026-01-01T00:00:00Z", command: "fixture", backend: "file", quick: true,
	rounds: 2, duration_s: 1, ramp_s: 0, size: "1G",
	machine: {cores: 2, loadavg_at_end: "0 0 0"}, versions: {ctgt: "x", tgt: "y"}}' \
	>"$out/meta.json"

expect_ok "$CTGT_ROOT/tools/bench/run.sh" --report-only --out "$out"
table=$RUN_OUT
res=$out/results.json
q() { jq -c "$1" "$res"; }
w='.workloads[] | select(.name == "rr4k_qd32")'
assert_eq "$(q "$w | [.ctgt.iops, .tgt.iops, .ratio.iops, .ratio.iops_min, .ratio.iops_max]")" \
	"[150,100,1.5,1,2]" "IOPS means and ratios"
assert_eq "$(q "$w | [.ratio.p50, .ratio.p99, .ratio.server_cpu]")" "[0.5,0.5,0.5]" \
	"latency and CPU ratios"
w='.workloads[] | select(.name == "rw4k_qd32")'
assert_eq "$(q "$w | [.failed_runs, .ctgt.rounds, .ctgt.iops, .ratio.iops_min]")" \
	"[1,1,100,2]" "a failed run is counted, not averaged"
assert_eq "$(q '.loopback_tcp_mb_s')" 1000 "best loopback probe"
assert_eq "$(q '.workloads[] | select(.name == "sr1m_qd8") | .of_loopback_tcp')" \
	'{"ctgt":0.5,"tgt":0.25}' "share of loopback TCP"
assert_eq "$(q '.workloads[] | select(.name == "rr4k_qd1") | .ratio.iops')" null \
	"a workload without runs"

assert_match "$table" '^4 KiB random read, depth 32 +1\.5x \(1-2\) +150 / 100 ' "table row"
assert_match "$table" '^4 KiB random read, depth 1 +- +- / - ' "table row without runs"
assert_contains "$table" "1 MiB sequential read, depth 8: ctgt 50%, tgt 25% of loopback TCP" \
	"loopback line"
assert_contains "$(cat "$out/results.md")" \
	"| 4 KiB random read, depth 32 | 1.5x (1-2) | 150 / 100 | 0.6 / 0.4 | 0.5x  50 / 100 |" "Markdown row"
assert_eq "$(q '[.scale[] | .sessions]')" "[1,4,16,64]" "scale series: its points in order"
assert_eq "$(q '[.scale[] | [.ctgt.iops, .tgt.iops, .ratio, .of_first.ctgt, .of_first.tgt]]')" \
	"[[1000,500,2,1,1],[2000,500,4,2,1],[3000,250,12,3,0.5],[null,null,null,null,null]]" \
	"scale series: IOPS, ratio and each point over the first"
assert_contains "$table" "Scale: 4 KiB random read, depth 16, IOPS by sessions" "scale title"
assert_match "$table" '^16 +3000 / 250 +12x +3 / 0\.5 +400 / 1600 *$' "scale table row"
assert_match "$table" '^64 +- / - +- +- / - +- / - *$' "scale row without runs"
assert_contains "$(cat "$out/results.md")" "| 4 | 2000 / 500 | 4x | 2 / 1 | 400 / 800 |" \
	"scale Markdown row"
assert_eq "$(cat "$out/plot-scale.dat")" "1 1000 500
4 2000 500
16 3000 250
64 ? ?" "scale chart data"
assert_eq "$(q '.idle.idle')" '{"ctgt":{"connections":1000,"write":0,"bytes_per_connection":4321,"rss_before_kb":4000,"rss_after_kb":8220},"tgt":null}' \
	"idle connections"
assert_eq "$(q '[.idle.written.ctgt.bytes_per_connection, .idle.written.tgt.bytes_per_connection]')" \
	"[9999,7777]" "idle connections that wrote once"
assert_contains "$table" "idle connection after one 256 KiB write: 9999 bytes RSS each on ctgt, 7777 on tgt" \
	"idle line, written"
assert_contains "$table" "idle connection: 4321 bytes RSS each on ctgt, - on tgt (1000 logged-in connections" \
	"idle line"
assert_contains "$(cat "$out/results.md")" "- idle connection: 4321 bytes RSS each on ctgt" "idle Markdown line"
if command -v gnuplot >/dev/null; then
	for c in iops latency cpu throughput scale; do
		[ -s "$out/$c.png" ] || fail "no chart $c.png"
	done
fi
log "ok"

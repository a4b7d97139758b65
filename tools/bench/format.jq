# SPDX-License-Identifier: Apache-2.0
# Number formatting shared by the report filters of tools/bench/run.sh
# (jq -L tools/bench, `include "format";`).
def num($d): if . == null then "-" else (. * pow(10; $d) | round) / pow(10; $d) | tostring end;
def big: if . == null then "-" elif . >= 100 then round | tostring else num(1) end;
def x: if . == null then "-" else num(2) + "x" end;
def range_x($lo; $hi): if $lo == null then "" elif ($lo | num(2)) == ($hi | num(2)) then ""
	else " (\($lo | num(2))-\($hi | num(2)))" end;
def pct: if . == null then "-" else (. * 100 | round | tostring) + "%" end;
# "RATIO  CTGT / TGT" for one figure; "CTGT / TGT" without the ratio.
def pair($c; $t; f): "\($c | f) / \($t | f)";
def rpair($r; $c; $t; f): "\($r | x)  " + pair($c; $t; f);
# The cells of one workload row: the ratio, then the absolute figures.
def cells: [
	.title,
	(.ratio.iops | x) + range_x(.ratio.iops_min; .ratio.iops_max),
	pair(.ctgt.iops; .tgt.iops; big),
	pair(.ctgt.mb_s; .tgt.mb_s; big),
	rpair(.ratio.p50; .ctgt.p50_us; .tgt.p50_us; big),
	rpair(.ratio.p99; .ctgt.p99_us; .tgt.p99_us; big),
	rpair(.ratio.server_cpu; .ctgt.server_cpu_us_per_io; .tgt.server_cpu_us_per_io; num(1)),
	rpair(.ratio.client_cpu; .ctgt.client_cpu_us_per_io; .tgt.client_cpu_us_per_io; num(1))
];
def header: [
	"workload", "IOPS ratio (rounds)", "IOPS ctgt / tgt", "MB/s ctgt / tgt",
	"p50 us ctgt / tgt", "p99 us ctgt / tgt", "server CPU us/IO", "client CPU us/IO"
];
def tcp_lines: [
	"loopback TCP (1 MiB send/recv, best of \(.loopback_tcp_runs | length)): \(.loopback_tcp_mb_s | big) MB/s",
	(.workloads[] | select(.of_loopback_tcp != null)
		| "\(.title): ctgt \(.of_loopback_tcp.ctgt | pct), tgt \(.of_loopback_tcp.tgt | pct) of loopback TCP")
];
# "idle connection: N bytes RSS each" (ctgt), tgt's figure beside it; then
# the same for connections that wrote once before going idle.
def idle_line($i; $what): select($i != null)
	| "\($what): \($i.ctgt.bytes_per_connection // "-") bytes RSS each on ctgt, "
	+ "\($i.tgt.bytes_per_connection // "-") on tgt (\($i.ctgt.connections // $i.tgt.connections // "-")"
	+ " logged-in connections, the daemon's VmRSS before and after)";
def idle_lines: select(.idle != null)
	| idle_line(.idle.idle; "idle connection"),
	  idle_line(.idle.written; "idle connection after one \((.idle.written.ctgt.write // .idle.written.tgt.write // 0) / 1024 | floor) KiB write");
def context: "\(.date), backend \(.backend), \(.rounds) rounds of \(.duration_s) s"
	+ (if .quick then " (--quick)" else "" end)
	+ ", \(.machine.cores) cores, load average \(.machine.loadavg_at_end) at the end"
	+ ", ctgt \(.versions.ctgt), tgt \(.versions.tgt)";
# The scale series (IOPS by sessions): a title line, a header and one row
# per point; "vs first" is the point's IOPS over the first point's.
def scale_title: "Scale: " + (.scale[0].title // "" | sub(", [0-9]+ sessions? x "; ", "))
	+ ", IOPS by sessions (ctgt / tgt; vs first: IOPS over the first point's)";
def scale_header: ["sessions", "IOPS ctgt / tgt", "IOPS ratio", "vs first ctgt / tgt", "p99 us ctgt / tgt"];
def scale_cells: [
	(.sessions | tostring),
	pair(.ctgt.iops; .tgt.iops; big),
	(.ratio | x),
	pair(.of_first.ctgt; .of_first.tgt; num(2)),
	pair(.ctgt.p99_us; .tgt.p99_us; big)
];

# SPDX-License-Identifier: Apache-2.0
# tools/bench/run.sh: runs.jsonl (slurped as $runs) and tcp.jsonl ($tcp) into
# results.json. Per workload and target: the mean over the rounds that
# succeeded; ctgt/tgt ratios of those means, and the lowest and highest IOPS
# ratio of one round; for 1 MiB workloads the fraction of the loopback TCP
# bandwidth (the best tcpbw run); $idle: idleconn's results (idle.jsonl),
# the bytes of VmRSS an idle connection costs, per target, for sessions that
# did nothing ("idle") and that wrote once ("written"). $meta: what ran (meta.json), copied;
# $order: the workloads ({name, title, sessions}) in the order of the report;
# $scale: the names of the workloads of the scale series (IOPS by sessions),
# in its order, each point also as a fraction of the series' first point.
def mean: map(select(. != null)) | if length == 0 then null else add / length end;
def ratio($a; $b): if $a == null or $b == null or $b == 0 then null else $a / $b end;
def stats: {
	iops: (map(.iops) | mean),
	mb_s: (map(.mb_s) | mean),
	p50_us: (map(.lat_us.p50) | mean),
	p99_us: (map(.lat_us.p99) | mean),
	server_cpu_us_per_io: (map(.server_cpu_us_per_io) | mean),
	client_cpu_us_per_io: (map(.client_cpu_us_per_io) | mean),
	rounds: length
};
def scale_point($first): {
	name, title, sessions, ctgt: {iops: .ctgt.iops, p99_us: .ctgt.p99_us},
	tgt: {iops: .tgt.iops, p99_us: .tgt.p99_us}, ratio: .ratio.iops,
	of_first: {ctgt: ratio(.ctgt.iops; $first.ctgt.iops), tgt: ratio(.tgt.iops; $first.tgt.iops)}
};
def scale_series($names):
	[.workloads[] | select(.name as $n | $names | index($n))]
	| sort_by(.name as $n | $names | index($n))
	| .[0] as $first | map(scale_point($first));
def iops_of($runs; $r): $runs | map(select(.round == $r)) | .[0].iops;
def round_ratios($c; $t):
	[range(1; $meta[0].rounds + 1) as $r | ratio(iops_of($c; $r); iops_of($t; $r))] | map(select(. != null));

($tcp | map(.mb_s) | max) as $tcpmax
| $meta[0] + {
	loopback_tcp_mb_s: $tcpmax, loopback_tcp_runs: ($tcp | map(.mb_s)),
	workloads: [
		$order[] as $o | $o.name as $w
		| ($runs | map(select(.workload == $w))) as $rw
		| ($rw | map(select(.target == "ctgt" and .exit == 0))) as $c
		| ($rw | map(select(.target == "tgt" and .exit == 0))) as $t
		| ($c | stats) as $cs | ($t | stats) as $ts
		| round_ratios($c; $t) as $rr
		| ($rw | map(.config.block_size // empty) | .[0]) as $bs
		| {
			name: $w, title: $o.title, block_size: $bs, sessions: $o.sessions,
			failed_runs: ($rw | map(select(.exit != 0)) | length),
			ctgt: $cs, tgt: $ts,
			ratio: {
				iops: ratio($cs.iops; $ts.iops),
				iops_min: ($rr | min), iops_max: ($rr | max),
				p50: ratio($cs.p50_us; $ts.p50_us),
				p99: ratio($cs.p99_us; $ts.p99_us),
				server_cpu: ratio($cs.server_cpu_us_per_io; $ts.server_cpu_us_per_io),
				client_cpu: ratio($cs.client_cpu_us_per_io; $ts.client_cpu_us_per_io)
			},
			of_loopback_tcp: (if ($bs // 0) >= 1048576 then
				{ ctgt: ratio($cs.mb_s; $tcpmax), tgt: ratio($ts.mb_s; $tcpmax) }
			else null end)
		}
	]
}
| . + {scale: scale_series($scale)}
| . + {idle: (if $idle | length == 0 then null else
	($idle | group_by(.variant // "idle")
	| map({key: (.[0].variant // "idle"), value: (map({key: .target, value: (if .exit == 0 then
		{connections, write, bytes_per_connection, rss_before_kb, rss_after_kb} else null end)})
		| from_entries)})
	| from_entries) end)}

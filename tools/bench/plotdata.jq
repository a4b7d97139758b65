# SPDX-License-Identifier: Apache-2.0
# Data for tools/bench/charts.gp: one line per workload of the size class
# $large ("1": 1 MiB and more, "0": the small-block ones), "?" for no value.
def v: if . == null then "?" else tostring end;
.workloads[]
| select(((.block_size // 0) >= 1048576) == ($large == "1"))
| [(.name | @json), (.ctgt.iops | v), (.tgt.iops | v), (.ctgt.mb_s | v), (.tgt.mb_s | v),
   (.ctgt.p50_us | v), (.tgt.p50_us | v), (.ctgt.p99_us | v), (.tgt.p99_us | v),
   (.ctgt.server_cpu_us_per_io | v), (.tgt.server_cpu_us_per_io | v),
   (.ctgt.client_cpu_us_per_io | v), (.tgt.client_cpu_us_per_io | v)]
| join(" ")

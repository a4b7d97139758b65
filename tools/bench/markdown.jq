# SPDX-License-Identifier: Apache-2.0
# results.json as Markdown (results.md of tools/bench/run.sh).
include "format";
def row: "| " + join(" | ") + " |";
"# ctgt vs tgt", "",
context + ".", "", "Command: `\(.command)`", "",
"Ratios are ctgt / tgt: above 1 is better for IOPS, below 1 is better for latency and CPU."
	+ " CPU us/IO is CPU microseconds per I/O of the target process (server) and of the load generator (client).", "",
(header | row),
(header | map("---") | row),
(.workloads[] | cells | row),
"", (tcp_lines[] | "- " + .), (idle_lines | "- " + .),
(select(.scale | length > 0) | "", "## " + scale_title, "",
	(scale_header | row), (scale_header | map("---") | row), (.scale[] | scale_cells | row))

# SPDX-License-Identifier: Apache-2.0
# results.json as the table tools/bench/run.sh prints: ratios first, the
# absolute figures of both targets beside them, columns padded; then the
# scale series (IOPS by sessions) as a second table.
include "format";
def widths($rows): [range(0; $rows[0] | length) as $i | $rows | map(.[$i] | length) | max];
def pad($w): . + (" " * ($w - length + 2) // "  ");
def table($rows): widths($rows) as $w
	| $rows[] | to_entries | map(. as $e | $e.value | pad($w[$e.key])) | join("");
context,
  table([header] + [.workloads[] | cells]),
  "", tcp_lines[], idle_lines,
  (select(.scale | length > 0) | "", scale_title, table([scale_header] + [.scale[] | scale_cells]))

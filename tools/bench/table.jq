# SPDX-License-Identifier: Apache-2.0
# results.json as the table tools/bench/run.sh prints: ratios first, the
# absolute figures of both targets beside them, columns padded.
include "format";
def widths($rows): [range(0; $rows[0] | length) as $i | $rows | map(.[$i] | length) | max];
def pad($w): . + (" " * ($w - length + 2) // "  ");
(. as $r | [header] + [.workloads[] | cells]) as $rows
| widths($rows) as $w
| context,
  ($rows[] | to_entries | map(. as $e | $e.value | pad($w[$e.key])) | join("")),
  "", tcp_lines[]

# SPDX-License-Identifier: Apache-2.0
# A verified load that runs beside a test's changes, on a LU the changes
# must not touch (build/bench/loadgen --verify). Source after tests/lib.sh.
#   load_start URL        2 sessions, depth 4, 70 % reads, at most 60 s
#   load_end WHAT         stop it; no error, no mismatch, no unit
#                         attention, more than 1000 I/Os, none over 2 s

load_start() {
	"$CTGT_BUILD"/bench/loadgen --verify --sessions 2 --depth 4 --read-pct 70 --duration 60 \
		"$1" >"$CTGT_TMP/load.json" 2>"$CTGT_TMP/load.err" &
	LOAD_PID=$!
}

load_end() {
	local r
	kill -INT "$LOAD_PID" 2>/dev/null || true
	wait "$LOAD_PID" || true
	r=$(cat "$CTGT_TMP/load.json")
	jq -e . >/dev/null 2>&1 <<<"$r" || fail "$1: the load wrote no result: $(cat "$CTGT_TMP/load.err")"
	log "$1: $(jq -c '{ios, errors, unit_attentions, verify, max_ms: (.lat_us.max / 1000)}' <<<"$r")"
	assert_eq "$(jq '.errors' <<<"$r")" 0 "errors on $1"
	assert_eq "$(jq '.verify.mismatches' <<<"$r")" 0 "mismatches on $1"
	assert_eq "$(jq '.unit_attentions' <<<"$r")" 0 "unit attentions on $1"
	[ "$(jq '.ios > 1000 and .lat_us.max < 2000000' <<<"$r")" = true ] || fail "$1: $r"
}

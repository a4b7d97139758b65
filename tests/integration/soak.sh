#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# The soak (tools/bench/soak.sh, `make soak` runs it for 10 minutes) for
# 30 s: verified mixed I/O on two LUs while connections log in and out, the
# daemon's RSS sampled; it must pass with every part having run (I/Os,
# verified reads, login/logout rounds, RSS samples; the RSS bound holds,
# unless the daemon is built with ASan, whose allocator's RSS says nothing
# of ctgt's and is not bounded). Then its checks alone
# (--check-only) on made-up runs: each kind of failure is caught, RSS
# growth within the bound after the warm-up is not one. Not timed.
set -euo pipefail
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
need_cmd jq || exit 77

SOAK=$CTGT_ROOT/tools/bench/soak.sh
out=$CTGT_TMP/soak
expect_ok "$SOAK" --duration 30 --interval 2 --warmup 10 --out "$out"
assert_match "$RUN_OUT" '^soak: ok: ' "soak summary"
log "$(grep '^soak: ok' <<<"$RUN_OUT")"
[ "$(jq -r '.ok and .ios > 1000 and .verified > 100 and .churn_rounds >= 3
	and .rss.samples >= 10 and (.rss.max_kb <= .rss.bound_kb or .rss.bounded == false)' \
	"$out/soak.json")" = true ] ||
	fail "soak.json: $(cat "$out/soak.json")"

# --check-only on a copy of that run, changed one way at a time.
fake=$CTGT_TMP/fake
# reset: the passing run again.
reset() {
	rm -rf "$fake"
	mkdir -p "$fake"
	cp "$out"/load0.json "$out"/load1.json "$out"/churn.jsonl "$out"/ctgt.log \
		"$out"/ctgt.exit "$out"/warmup "$fake"/
	echo 0 >"$fake/sanitized"
	printf '0\t4000\n10\t50000\n12\t60000\n14\t66000\n' >"$fake/rss.tsv"
}
# must_fail WHAT PATTERN: --check-only fails, naming the problem.
must_fail() {
	expect_fail "$SOAK" --check-only "$fake"
	assert_eq "$RUN_RC" 1 "$1: exit status"
	assert_match "$RUN_OUT" "$2" "$1"
	log "caught: $1"
}
reset
# Growth before the warm-up does not count; after it, 16 MiB (here more
# than 10%) is allowed.
expect_ok "$SOAK" --check-only "$fake"
printf '16\t66561\n' >>"$fake/rss.tsv"
must_fail "RSS above the bound" '^  RSS: .*"bound_kb":66384'
# The same run with a sanitized daemon passes, saying the bound was not applied.
echo 1 >"$fake/sanitized"
expect_ok "$SOAK" --check-only "$fake"
assert_contains "$RUN_OUT" "not applied: sanitized build" "a sanitized daemon's RSS"
reset
printf '0\t4000\n' >"$fake/rss.tsv"
must_fail "no samples" 'fewer than 2 samples'
reset
jq -c '.errors = 1 | .first_error = "command failed: x"' "$out/load0.json" >"$fake/load0.json"
must_fail "an I/O error" '^  load0.json: .*command failed'
reset
jq -c '.verify.mismatches = 2' "$out/load1.json" >"$fake/load1.json"
must_fail "a data mismatch" '^  load1.json: .*"mismatches":2'
reset
echo 'ctgt warn conn: 127.0.0.1:1: something' >>"$fake/ctgt.log"
must_fail "a warning" '^  daemon log: ctgt warn conn'
reset
echo 134 >"$fake/ctgt.exit"
must_fail "a daemon that did not exit 0" 'daemon exit status 134'
reset
echo 'round 3: exit 1' >"$fake/churn.failed"
must_fail "a failed login round" '^  churn: round 3'
log "ok"

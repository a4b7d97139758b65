# SPDX-License-Identifier: Apache-2.0
# Driving tests/wire/probe (one session kept open, one command per line)
# from an integration script, as a coprocess. Source after tests/lib.sh.
#   probe_start TARGET [LUN...]   log in (the LUNs' unit attentions cleared)
#   expect CMD ANSWER WHAT        send CMD, assert the answer line
#   probe_end                     quit, and the probe must have passed

# answer: the probe's next line that is not cmocka's ("[ RUN ] ...").
answer() {
	while read -r -t 15 ANSWER <&"$probe_out"; do
		[[ $ANSWER == \[* ]] || return 0
	done
	return 1
}

probe_start() {
	coproc PROBE { "$CTGT_BUILD"/tests/probe "$CTGT_PORT" "$@" 2>&1; }
	probe_in=${PROBE[1]} probe_out=${PROBE[0]} probe_pid=$PROBE_PID
	answer || fail "probe did not start"
	assert_eq "$ANSWER" ready "probe logged in to $1"
}

expect() { # CMD ANSWER WHAT
	echo "$1" >&"$probe_in"
	answer || fail "probe gave no answer to $1"
	assert_eq "$ANSWER" "$2" "$3"
	log "$1: $ANSWER ($3)"
}

probe_end() {
	echo quit >&"$probe_in"
	wait "$probe_pid" || fail "the probe failed"
}

# Every line has a priority.
bad=$(grep -vE '^<[3467]>[a-z]+: ' "$jdir/stderr" || true): >"$jdir/stderr"
#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# ctgt as a systemd service, without systemd running:
# - sd_notify: with NOTIFY_SOCKET set (a path, then an abstract "@name"),
#   tests/tools/notify_listen stands in for the manager: READY=1 (with
#   STATUS= and MAINPID=) arrives once the portal accepts a connection and
#   the control socket answers, SIGHUP does not stop the daemon (without
#   --config its reload is refused, between RELOADING=1 and READY=1:
#   reload.sh tests reloading), a live target add and portal add each
#   update STATUS=, and STOPPING=1 arrives after SIGTERM or
#   SIGINT;
# - logs: with JOURNAL_STREAM naming its stderr, every line has a <N>
#   priority prefix;
# - make install DESTDIR=... PREFIX=/usr puts exactly the expected files
#   there (binaries as built, the unit naming /usr/sbin/ctgt, man pages
#   that groff renders without a warning, the example configuration, which
#   the daemon loads), and make uninstall removes every one;
# - systemd-analyze verify accepts the installed unit, warnings included.
set -euo pipefail
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

LISTEN=$CTGT_BUILD/tests/notify_listen
[ -x "$LISTEN" ] || fail "$LISTEN is missing (run make)"

# wait_line FILE REGEX [PID]: up to 10 s for a line of FILE to match
# (failing at once if daemon PID dies).
wait_line() {
	local i
	for ((i = 0; i < 100; i++)); do
		grep -qE -- "$2" "$1" 2>/dev/null && return 0
		[ -z "${3:-}" ] || ctgt_alive "$3"
		sleep 0.1
	done
	fail "no line /$2/ in $1 within 10 s: $(cat "$1" 2>/dev/null)"
}

# notify_case ADDR SIGNAL: a daemon notifying ADDR, stopped by SIGNAL.
notify_case() {
	local addr=$1 sig=$2 port out st=0 lpid i sock=$CTGT_TMP/ctl.$2.sock
	out=$CTGT_TMP/notify.$sig.out
	port=$(free_tcp_port)
	"$LISTEN" "$addr" 30 "$port" >"$out" 2>&1 &
	lpid=$!
	wait_line "$out" '^listening$'
	NOTIFY_SOCKET=$addr ctgt_start --portal "127.0.0.1:$port" --lun 0=mem:,size=1M \
		--control "$sock"
	wait_line "$out" '^READY=1 '
	# The listener connected to the portal as soon as READY=1 came.
	assert_eq "$(sed -n 1,2p "$out" | tr '\n' '|')" "listening|portal: connected|" \
		"portal at READY=1 ($addr)"
	assert_match "$(cat "$out")" "^READY=1 STATUS=serving 1 target\(s\) on 1 portal\(s\) MAINPID=$CTGT_PID$" \
		"READY message"
	expect_ok "$CTGT_BUILD/ctgtadm" --socket "$sock" version
	# SIGHUP (systemctl reload) must not end it; with no --config file
	# the reload is refused, and the manager told it is over.
	kill -HUP "$CTGT_PID"
	wait_line "$CTGT_LOG" 'reload refused, nothing changed: the daemon was not started with --config' \
		"$CTGT_PID"
	wait_line "$out" '^RELOADING=1 ' "$CTGT_PID"
	for ((i = 0; i < 50; i++)); do
		[ "$(grep -c . "$out")" -ge 6 ] && break
		sleep 0.1
	done
	ctgt_alive
	# listening, the portal check and READY=1, RELOADING=1, the check and READY=1
	assert_eq "$(grep -c . "$out")" 6 "messages after SIGHUP ($addr)"
	assert_match "$(sed -n 4p "$out")" '^RELOADING=1 ' "RELOADING=1 at SIGHUP ($addr)"
	assert_match "$(sed -n 6p "$out")" '^READY=1 ' "READY=1 after the refused reload ($addr)"
	# A live change of the targets or portals updates the status line.
	expect_ok "$CTGT_BUILD/ctgtadm" --socket "$sock" target add iqn.2026-12.io.ctgt.test:svc
	expect_ok "$CTGT_BUILD/ctgtadm" --socket "$sock" portal add 127.0.0.1:0
	wait_until 5 grep -q 'on 2 portal' "$out" || fail "no STATUS after portal add ($addr)"
	assert_eq "$(sed -n 7,8p "$out" | tr '\n' '|')" \
		"STATUS=serving 2 target(s) on 1 portal(s)|STATUS=serving 2 target(s) on 2 portal(s)|" \
		"STATUS after target add and portal add ($addr)"
	ctgt_stop "$CTGT_PID" "$sig"
	# The daemon is gone: STOPPING=1 has come (the listener exits) or never will.
	for ((i = 0; i < 20; i++)); do
		ctgt__exited "$lpid" && break
		sleep 0.1
	done
	kill "$lpid" 2>/dev/null || true
	wait "$lpid" || st=$?
	assert_eq "$st" 0 "notify_listen's status (STOPPING=1 received, $addr)"
	assert_match "$(cat "$out")" '^STOPPING=1 STATUS=stopping \(signal [0-9]+\)$' "STOPPING message"
	assert_eq "$(grep -c . "$out")" 9 "messages in all ($addr)"
	log "ok: READY=1, SIGHUP's reload refused (no --config), STOPPING=1 on SIG$sig ($addr)"
}

notify_case "$CTGT_TMP/notify.sock" TERM
notify_case "@ctgt-service-test-$$-$RANDOM" INT

# --- journald: JOURNAL_STREAM names stderr, so lines carry priorities
jdir=$CTGT_TMP/journal
mkdir -p "$jdir"
: >"$jdir/stderr"
JOURNAL_STREAM=$(stat -c '%d:%i' "$jdir/stderr") \
	"$CTGT_BIN" serve --portal 127.0.0.1:0 --lun 0=mem:,size=1M --control none --threads 2 \
	>"$jdir/stdout" 2>>"$jdir/stderr" </dev/null &
jpid=$!
CTGT__PIDS+=("$jpid")
wait_line "$jdir/stdout" '^ready$'
kill -TERM "$jpid"
wait "$jpid" || fail "journal daemon exited with status $?"
ctgt__forget "$jpid"
assert_contains "$(cat "$jdir/stderr")" "<6>server: stopped" "journal log"
# Every line is a log line with a priority.
bad=$(grep -vE '^<[3467]>[a-z]+: ' "$jdir/stderr" || true)
[ -z "$bad" ] || fail "log lines without a priority prefix: $bad"
log "ok: journal log lines have priorities"

# --- make install / uninstall
dest=$CTGT_TMP/dest
mk=(env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory -C "$CTGT_ROOT"
	BUILD="$CTGT_BUILD" DESTDIR="$dest" PREFIX=/usr)
# install takes the programs as built: nothing to rebuild (so root builds nothing).
"${mk[@]}" -q "$CTGT_BUILD/ctgt" "$CTGT_BUILD/ctgtadm" ||
	fail "$CTGT_BUILD is not up to date (run make)"
expect_ok "${mk[@]}" install
want="/usr/lib/systemd/system/ctgt.service
/usr/sbin/ctgt
/usr/sbin/ctgtadm
/usr/share/doc/ctgt/ctgt.json.example
/usr/share/man/man5/ctgt.json.5
/usr/share/man/man8/ctgt.8
/usr/share/man/man8/ctgtadm.8"
assert_eq "$(cd "$dest" && find . -type f | sed 's/^\.//' | LC_ALL=C sort)" "$want" "installed files"
assert_files_equal "$dest/usr/sbin/ctgt" "$CTGT_BUILD/ctgt" "installed ctgt"
assert_files_equal "$dest/usr/sbin/ctgtadm" "$CTGT_BUILD/ctgtadm" "installed ctgtadm"
[ -x "$dest/usr/sbin/ctgt" ] && [ -x "$dest/usr/sbin/ctgtadm" ] || fail "programs not executable"
unit=$dest/usr/lib/systemd/system/ctgt.service
assert_match "$(cat "$unit")" '^ExecStart=/usr/sbin/ctgt serve --config /etc/ctgt/ctgt.json$' "unit's ExecStart"
assert_not_contains "$(cat "$unit")" "@" "unit (unreplaced @VARIABLE@)"

# Each man page renders, and groff has nothing to warn about (-ww: all
# warnings; groff exits 0 on warnings, so its stderr is what counts).
if need_cmd groff; then
	for page in "$dest"/usr/share/man/man*/*; do
		warn=$(groff -z -ww -man -Tutf8 "$page" 2>&1)
		[ -z "$warn" ] || fail "groff warns about ${page#"$dest"}: $warn"
		[ "$(groff -man -Tutf8 "$page" 2>/dev/null | grep -c .)" -gt 10 ] ||
			fail "${page#"$dest"} renders to almost nothing"
	done
	log "ok: man pages lint clean"
fi
# The flags the daemon knows are all in ctgt(8).
for flag in $("$CTGT_BIN" --help | grep -oE -- '--[a-z-]+' | sort -u); do
	grep -qF -- "${flag//-/\\-}" "$dest/usr/share/man/man8/ctgt.8" || fail "ctgt(8) lacks $flag"
done
# Every command ctgtadm --help lists is in ctgtadm(8), as the page spells it.
ncmds=0
while read -r cmd; do
	page=$(sed 's/\\f[BIRP]//g; s/^\.B[IR]* //; s/"//g; s/\\-/-/g' "$dest/usr/share/man/man8/ctgtadm.8")
	grep -qF -- "$cmd" <<<"$page" || fail "ctgtadm(8) lacks $cmd"
	ncmds=$((ncmds + 1))
done < <("$CTGT_BUILD/ctgtadm" --help | sed -n 's/^  \([a-z][a-z -]*[a-z]\)\( .*\)\{0,1\}$/\1/p' |
	sed 's/ [A-Z[].*//')
[ "$ncmds" -ge 9 ] || fail "found only $ncmds commands in ctgtadm --help"

# The example configuration loads (its paths moved into the test's directory).
sed "s#/var/lib/ctgt#$CTGT_TMP#g; s#127.0.0.1:3260#127.0.0.1:0#" \
	"$dest/usr/share/doc/ctgt/ctgt.json.example" >"$CTGT_TMP/example.json"
ctgt_start --config "$CTGT_TMP/example.json" --control none
ctgt_stop

# systemd-analyze verify, without a running systemd: it checks the
# unit's syntax and that ExecStart=/ExecReload= name executables and the
# Documentation= man pages are found (it runs man). The unit names
# /usr/sbin/ctgt, which this machine may lack, so a copy names the
# DESTDIR one (--root=DESTDIR would want a whole system there: units such
# as sysinit.target, /bin/kill), and MANPATH points man at DESTDIR's pages.
# It exits 0 on unknown keys and bad values, only warning: any output fails.
if need_cmd systemd-analyze man; then
	mkdir -p "$CTGT_TMP/unit"
	sed "s#^ExecStart=/usr/sbin/#ExecStart=$dest/usr/sbin/#" "$unit" >"$CTGT_TMP/unit/ctgt.service"
	run env MANPATH="$dest/usr/share/man" SYSTEMD_LOG_LEVEL=info \
		systemd-analyze verify "$CTGT_TMP/unit/ctgt.service"
	[ "$RUN_RC" = 0 ] && [ -z "$RUN_OUT" ] ||
		fail "systemd-analyze verify (status $RUN_RC): $RUN_OUT"
	log "ok: systemd-analyze verify"
fi

expect_ok "${mk[@]}" uninstall
left=$(cd "$dest" && find . -type f)
[ -z "$left" ] || fail "make uninstall left: $left"
[ ! -e "$dest/usr/share/doc/ctgt" ] || fail "make uninstall left the doc directory"
log "ok: make install / uninstall"

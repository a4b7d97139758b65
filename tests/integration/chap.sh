#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# CHAP with real initiators (libiscsi, QEMU): one-way and mutual CHAP on a
# target and in discovery sessions, a wrong secret or no credentials refused
# with status 0201 (libiscsi prints "Authentication failure(513)"), a target
# without --chap next to it still open, qemu-io through CHAP (URL and
# --image-opts password-secret) with data read back, iscsi-test-cu through
# a CHAP session, the slow-down after a failure, and weak secrets refused at
# start-up. The protocol corners libiscsi cannot produce (reflection, wrong
# CHAP_I, wrong lengths, the delay measured) are in tests/wire/auth_test.c.
set -euo pipefail
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

iqn=iqn.2026-11.io.ctgt.test:chap
open=iqn.2026-11.io.ctgt.test:open
ini_secret=alicesecret12
tgt_secret=targetsecret99

# --- start-up refuses weak or inconsistent secrets, never echoing them
ctgt_expect_startup_fail 'shorter than 12 bytes' --lun 0=mem:,size=1M --chap alice:elevenbytes
assert_not_contains "$RUN_ERR" elevenbytes "start-up error"
ctgt_expect_startup_fail 'must differ' --lun 0=mem:,size=1M \
	--chap alice:samesecret123 --mutual-chap tgt:samesecret123
ctgt_expect_startup_fail 'shorter than 12 bytes' --lun 0=mem:,size=1M --discovery-chap d:short
ctgt_expect_startup_fail 'needs CHAP credentials' --lun 0=mem:,size=1M \
	--mutual-chap tgt:targetsecret99

ctgt_start --target "$iqn" --chap "alice:$ini_secret" --mutual-chap "tgt:$tgt_secret" \
	--lun 0=mem:,size=16M --target "$open" --lun 0=mem:,size=8M --log-level info
hp=127.0.0.1:$CTGT_PORT

# --- one-way CHAP
expect_ok iscsi-inq "iscsi://alice%$ini_secret@$hp/$iqn/0"
assert_contains "$RUN_OUT" "Peripheral Device Type:DIRECT_ACCESS" "iscsi-inq with CHAP"
assert_contains "$(cat "$CTGT_LOG")" "CHAP authenticated as alice (algorithm 5)" "daemon log"
expect_fail iscsi-inq "iscsi://alice%wrongsecret12@$hp/$iqn/0"
assert_contains "$RUN_OUT" "Authentication failure(513)" "wrong secret"
assert_contains "$(cat "$CTGT_LOG")" \
	"wrong CHAP_N or CHAP_R (initiator iqn.2007-10.com.github:sahlberg:libiscsi:iscsi-inq)" \
	"daemon log of the failure"
expect_fail iscsi-inq "iscsi://bob%$ini_secret@$hp/$iqn/0"
assert_contains "$RUN_OUT" "Authentication failure(513)" "wrong user"
expect_fail iscsi-inq "iscsi://$hp/$iqn/0"
assert_contains "$RUN_OUT" "Authentication failure(513)" "no credentials"
# The failures above slow the next CHAP answer from this address down.
start=$(date +%s%N)
expect_ok iscsi-inq "iscsi://alice%$ini_secret@$hp/$iqn/0"
ms=$((($(date +%s%N) - start) / 1000000))
[ "$ms" -ge 900 ] || fail "CHAP answer after failures came in $ms ms, want a delay"
assert_contains "$(cat "$CTGT_LOG")" "earlier CHAP failures: answering in" "daemon log"
# ... and the success ended the slow-down.
start=$(date +%s%N)
expect_ok iscsi-inq "iscsi://alice%$ini_secret@$hp/$iqn/0"
ms=$((($(date +%s%N) - start) / 1000000))
[ "$ms" -lt 900 ] || fail "CHAP answer after a success took $ms ms"
# Once started, the daemon's command line no longer shows the secrets.
cmdline=$(tr '\0' ' ' <"/proc/$CTGT_PID/cmdline")
assert_not_contains "$cmdline" "$ini_secret" "/proc/PID/cmdline"
assert_not_contains "$cmdline" "$tgt_secret" "/proc/PID/cmdline"
assert_contains "$cmdline" "--chap alice:xxxxxxxxxxxxx" "/proc/PID/cmdline"
# The secret never reaches the log.
assert_not_contains "$(cat "$CTGT_LOG" "$CTGT_OUT")" "$ini_secret" "daemon log"
assert_not_contains "$(cat "$CTGT_LOG" "$CTGT_OUT")" "$tgt_secret" "daemon log"

# --- the target next to it needs nothing; credentials offered anyway are
# declined (AuthMethod=None) and the login goes on (libiscsi then repeats
# InitiatorName and SessionType, which must not fail it)
expect_ok iscsi-inq "iscsi://$hp/$open/0"
assert_contains "$RUN_OUT" "Peripheral Device Type:DIRECT_ACCESS" "open target"
expect_ok iscsi-inq "iscsi://alice%$ini_secret@$hp/$open/0"
assert_contains "$RUN_OUT" "Peripheral Device Type:DIRECT_ACCESS" "open target, CHAP offered"

# --- mutual CHAP
LIBISCSI_CHAP_TARGET_USERNAME=tgt LIBISCSI_CHAP_TARGET_PASSWORD=$tgt_secret \
	expect_ok iscsi-inq "iscsi://alice%$ini_secret@$hp/$iqn/0"
assert_contains "$(cat "$CTGT_LOG")" "CHAP authenticated as alice (algorithm 5), mutual" "daemon log"
# The initiator refuses a target that does not know the mutual secret.
LIBISCSI_CHAP_TARGET_USERNAME=tgt LIBISCSI_CHAP_TARGET_PASSWORD=notthesecret12 \
	expect_fail iscsi-inq "iscsi://alice%$ini_secret@$hp/$iqn/0"
assert_contains "$RUN_OUT" "Invalid CHAP_R response from the target" "mutual, wrong target secret"

# --- discovery without discovery CHAP lists both targets
expect_ok iscsi-ls "iscsi://$hp"
assert_match "$RUN_OUT" "^Target:$iqn " "iscsi-ls"
assert_match "$RUN_OUT" "^Target:$open " "iscsi-ls"

# --- qemu-io through CHAP: --image-opts with a secret object, then the URL
opts="driver=iscsi,transport=tcp,portal=$hp,target=$iqn,lun=0,user=alice,password-secret=sec0"
expect_ok qemu-io --object "secret,id=sec0,data=$ini_secret" --image-opts "$opts" \
	-c 'write -P 0x5a 0 1M' -c 'write -P 0xc3 15M 1M'
expect_ok qemu-io -f raw "iscsi://alice%$ini_secret@$hp/$iqn/0" \
	-c 'read -P 0x5a 0 1M' -c 'read -P 0xc3 15M 1M'
assert_not_contains "$RUN_OUT" "verification failed" "qemu-io read back through CHAP"
assert_match "$RUN_OUT" '^read 1048576/1048576 bytes at offset 15728640$' "qemu-io read"
expect_fail qemu-io -f raw "iscsi://alice%wrongsecret12@$hp/$iqn/0" -c 'read 0 4k'
assert_contains "$RUN_OUT" "Authentication failure" "qemu-io with a wrong secret"
# A success again, so the next part runs without the slow-down.
expect_ok iscsi-inq "iscsi://alice%$ini_secret@$hp/$iqn/0"

# --- iscsi-test-cu through a CHAP session
passed=0
for suite in SCSI.TestUnitReady SCSI.Read10 SCSI.Write10; do
	expect_ok iscsi-test-cu --dataloss --test="$suite" "iscsi://alice%$ini_secret@$hp/$iqn/0"
	assert_not_contains "$RUN_OUT" "FAILED" "iscsi-test-cu $suite through CHAP"
	n=$(grep -cE '\.\.\. *passed$' <<<"$RUN_OUT" || true)
	[ "$n" -ge 1 ] || fail "iscsi-test-cu $suite through CHAP: nothing passed:
$RUN_OUT"
	passed=$((passed + n))
done
[ "$passed" -ge 12 ] || fail "iscsi-test-cu through CHAP: only $passed tests passed"
log "iscsi-test-cu through CHAP: $passed passed"
ctgt_stop

# --- discovery CHAP
ctgt_start --discovery-chap "disc:discoverysecret" --target "$iqn" --lun 0=mem:,size=1M
hp=127.0.0.1:$CTGT_PORT
expect_fail iscsi-ls "iscsi://$hp"
assert_contains "$RUN_OUT" "Authentication failure(513)" "discovery without credentials"
expect_ok iscsi-ls "iscsi://disc%discoverysecret@$hp"
assert_match "$RUN_OUT" "^Target:$iqn Portal:$hp,1\$" "iscsi-ls with discovery CHAP"
# Discovery credentials are not a target's: the target itself is open here.
expect_ok iscsi-inq "iscsi://$hp/$iqn/0"
ctgt_stop

# --- mutual CHAP in discovery sessions: refused at start-up without
# --discovery-chap, with a weak secret or the initiators' secret ...
disc_secret=discoverysecret
disc_tgt_secret=disctargetsecret7
ctgt_expect_startup_fail 'needs CHAP credentials for the initiators too \(--discovery-chap\)' \
	--lun 0=mem:,size=1M --discovery-mutual-chap "dtgt:$disc_tgt_secret"
assert_not_contains "$RUN_ERR" "$disc_tgt_secret" "start-up error"
ctgt_expect_startup_fail 'discovery-mutual-chap dtgt:\.\.\.: the secret is shorter than 12 bytes' \
	--lun 0=mem:,size=1M --discovery-chap "disc:$disc_secret" --discovery-mutual-chap dtgt:short
ctgt_expect_startup_fail 'must differ' --lun 0=mem:,size=1M \
	--discovery-chap "disc:$disc_secret" --discovery-mutual-chap "dtgt:$disc_secret"
# ... then the target proves itself to an initiator that asks (libiscsi
# takes the target's credentials from the environment), which refuses a
# target that does not know the secret it expects
ctgt_start --discovery-chap "disc:$disc_secret" --discovery-mutual-chap "dtgt:$disc_tgt_secret" \
	--target "$iqn" --lun 0=mem:,size=1M --log-level info
hp=127.0.0.1:$CTGT_PORT
LIBISCSI_CHAP_TARGET_USERNAME=dtgt LIBISCSI_CHAP_TARGET_PASSWORD=$disc_tgt_secret \
	expect_ok iscsi-ls "iscsi://disc%$disc_secret@$hp"
assert_match "$RUN_OUT" "^Target:$iqn Portal:$hp,1\$" "iscsi-ls with mutual discovery CHAP"
assert_contains "$(cat "$CTGT_LOG")" "CHAP authenticated as disc (algorithm 5), mutual" "daemon log"
LIBISCSI_CHAP_TARGET_USERNAME=dtgt LIBISCSI_CHAP_TARGET_PASSWORD=notthesecret12 \
	expect_fail iscsi-ls "iscsi://disc%$disc_secret@$hp"
assert_contains "$RUN_OUT" "Invalid CHAP_R response from the target" "mutual, wrong target secret"
# One-way discovery CHAP still works (the initiator need not ask) ...
expect_ok iscsi-ls "iscsi://disc%$disc_secret@$hp"
assert_match "$RUN_OUT" "^Target:$iqn Portal:$hp,1\$" "iscsi-ls with one-way discovery CHAP"
# ... none does not.
expect_fail iscsi-ls "iscsi://$hp"
assert_contains "$RUN_OUT" "Authentication failure(513)" "discovery without credentials"
cmdline=$(tr '\0' ' ' <"/proc/$CTGT_PID/cmdline")
assert_not_contains "$cmdline" "$disc_tgt_secret" "/proc/PID/cmdline"
assert_contains "$cmdline" "--discovery-mutual-chap dtgt:xxxxxxxxxxxxxxxxx" "/proc/PID/cmdline"
assert_not_contains "$(cat "$CTGT_LOG" "$CTGT_OUT")" "$disc_tgt_secret" "daemon log"
ctgt_stop

# --- the slow-down never outlasts the login timeout: after failures whose
# delay (1, 2, 4, then 8 s) would pass a 4 s --login-timeout, the right secret
# still logs in (held only as long as the login time allows)
ctgt_start --login-timeout 4 --target "$iqn" --chap "alice:$ini_secret" --lun 0=mem:,size=1M
hp=127.0.0.1:$CTGT_PORT
for _ in 1 2 3 4; do
	expect_fail iscsi-inq "iscsi://alice%wrongsecret12@$hp/$iqn/0"
	assert_contains "$RUN_OUT" "Authentication failure(513)" "wrong secret"
done
expect_ok iscsi-inq "iscsi://alice%$ini_secret@$hp/$iqn/0"
assert_contains "$RUN_OUT" "Peripheral Device Type:DIRECT_ACCESS" "right secret after failures"
assert_not_contains "$(cat "$CTGT_LOG")" "login not done within" "daemon log"
ctgt_stop

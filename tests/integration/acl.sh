#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Access control with libiscsi clients: --allow by initiator name and by
# source network, each per --target; a refused login gets 0202
# ("Authorization failure"), discovery lists only the targets an initiator
# may log in to, a target without --allow stays open, names and networks
# combine (both must hold), and bad rules stop the daemon at start-up.
set -euo pipefail
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

alice=iqn.2026-11.io.ctgt.test:alice
bob=iqn.2026-11.io.ctgt.test:bob
by_name=iqn.2026-11.io.ctgt.test:acl-name
by_net=iqn.2026-11.io.ctgt.test:acl-net
elsewhere=iqn.2026-11.io.ctgt.test:acl-elsewhere
both=iqn.2026-11.io.ctgt.test:acl-both
open=iqn.2026-11.io.ctgt.test:acl-open

ctgt_expect_startup_fail 'prefix longer than 32' --lun 0=mem:,size=1M --allow 10.0.0.0/33
ctgt_expect_startup_fail 'not an iSCSI name, nor an IPv4/IPv6 address' --lun 0=mem:,size=1M \
	--allow host.example.com
ctgt_expect_startup_fail "only a-z" --lun 0=mem:,size=1M --allow 'iqn.2026-11.io.x:a_b'

ctgt_start --target "$by_name" --allow "$alice" --lun 0=mem:,size=1M \
	--target "$by_net" --allow 127.0.0.0/8 --lun 0=mem:,size=1M \
	--target "$elsewhere" --allow 192.0.2.0/24 --allow 2001:db8::/32 --lun 0=mem:,size=1M \
	--target "$both" --allow "$bob" --allow 127.0.0.1 --lun 0=mem:,size=1M \
	--target "$open" --lun 0=mem:,size=1M
hp=127.0.0.1:$CTGT_PORT

login_ok() { # INITIATOR TARGET
	expect_ok iscsi-inq -i "$1" "iscsi://$hp/$2/0"
	assert_contains "$RUN_OUT" "Peripheral Device Type:DIRECT_ACCESS" "$1 -> $2"
}
login_refused() { # INITIATOR TARGET
	expect_fail iscsi-inq -i "$1" "iscsi://$hp/$2/0"
	assert_contains "$RUN_OUT" "Authorization failure(514)" "$1 -> $2"
}

login_ok "$alice" "$by_name"
login_refused "$bob" "$by_name"
login_ok "$alice" "$by_net"
login_ok "$bob" "$by_net"
login_refused "$alice" "$elsewhere"
login_ok "$bob" "$both"
login_refused "$alice" "$both"
login_ok "$alice" "$open"
assert_contains "$(cat "$CTGT_LOG")" "$bob may not log in to $by_name (access rules)" "daemon log"

# Discovery: each initiator sees what it may log in to, and nothing else.
expect_ok iscsi-ls -i "$alice" "iscsi://$hp"
listed=$(grep '^Target:' <<<"$RUN_OUT" | sed 's/^Target:\([^ ]*\) .*/\1/' | sort | tr '\n' ' ')
assert_eq "$listed" "$(printf '%s\n' "$by_name" "$by_net" "$open" | sort | tr '\n' ' ')" \
	"targets discovered by alice"
expect_ok iscsi-ls -i "$bob" "iscsi://$hp"
listed=$(grep '^Target:' <<<"$RUN_OUT" | sed 's/^Target:\([^ ]*\) .*/\1/' | sort | tr '\n' ' ')
assert_eq "$listed" "$(printf '%s\n' "$by_net" "$both" "$open" | sort | tr '\n' ' ')" \
	"targets discovered by bob"
ctgt_stop

# IPv6: a network rule on [::1].
if have_ipv6_lo; then
	ctgt_start --portal '[::1]:0' --target "$by_net" --allow ::1/128 --lun 0=mem:,size=1M \
		--target "$elsewhere" --allow fd00::/8 --lun 0=mem:,size=1M
	expect_ok iscsi-inq -i "$alice" "iscsi://[::1]:$CTGT_PORT/$by_net/0"
	expect_fail iscsi-inq -i "$alice" "iscsi://[::1]:$CTGT_PORT/$elsewhere/0"
	assert_contains "$RUN_OUT" "Authorization failure(514)" "IPv6 network rule"
	ctgt_stop
else
	log "SKIP IPv6 part: no ::1 on lo"
fi

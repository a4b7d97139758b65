#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# tools/check-layers.sh: this checkout follows the layering, and a copy of
# it with one include pointing upward (or sideways) fails the check, naming
# the file and line. No daemon.
set -euo pipefail
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

check=$CTGT_ROOT/tools/check-layers.sh
"$check" "$CTGT_ROOT" >"$CTGT_TMP/ok.out" || { cat "$CTGT_TMP/ok.out"; fail "the checkout breaks the layering"; }
log "the checkout passes: $(cat "$CTGT_TMP/ok.out")"

tree=$CTGT_TMP/tree
copy_tree() {
	rm -rf "$tree"
	mkdir -p "$tree"
	(cd "$CTGT_ROOT" && tar -cf - util event backend scsi iscsi embed daemon include examples) |
		tar -xf - -C "$tree"
}

# expect_bad FILE INCLUDE: FILE including INCLUDE must fail the check.
expect_bad() {
	local file=$1 inc=$2 out=$CTGT_TMP/bad.out
	copy_tree
	printf '#include %s\n' "$inc" >>"$tree/$file"
	if "$check" "$tree" >"$out"; then
		cat "$out"
		fail "$file including $inc passed the layering check"
	fi
	grep -qF "$file:" "$out" || { cat "$out"; fail "the failure does not name $file"; }
	log "refused: $file includes $inc"
}

expect_bad iscsi/server.h '"daemon/config.h"'
expect_bad iscsi/pdu.c '"embed/x.h"'
expect_bad scsi/tgt.c '"iscsi/iscsi.h"'
expect_bad scsi/lu.c '<event/evloop.h>'
expect_bad backend/mem.c '"scsi/scsi.h"'
expect_bad event/evloop.c '"backend/backend.h"'
expect_bad util/log.c '"scsi/scsi.h"'
expect_bad include/ctgt/lu.h '"backend/backend.h"'
expect_bad examples/callback_disk.c '"scsi/scsi.h"'
expect_bad daemon/main.c '"tests/wire/client.h"'

# A new source directory needs a rule.
copy_tree
mkdir -p "$tree/newlayer"
echo 'int x;' >"$tree/newlayer/x.c"
if "$check" "$tree" >"$CTGT_TMP/new.out"; then
	fail "a directory without a rule passed the layering check"
fi
grep -q 'newlayer/: no layering rule' "$CTGT_TMP/new.out" || { cat "$CTGT_TMP/new.out"; fail "no message for newlayer/"; }
log "refused: a source directory without a rule"

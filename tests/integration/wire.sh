#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Hand-built PDUs (tests/wire/wire_test.c): every login failure gets its
# status class and detail, malformed PDUs get a Reject or a closed
# connection, CmdSN outside the window is ignored, header digests work, and
# the daemon keeps serving new sessions after each.
set -euo pipefail
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

ctgt_start --lun 0=mem:,size=16M
build/tests/wire_test "$CTGT_PORT" "$CTGT_IQN"
ctgt_stop

#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Task management on the wire (tests/wire/tmf_test.c): ABORT TASK of a WRITE
# waiting for Data-Out and of an unknown ITT, LUN RESET and its unit
# attention, warm and cold target resets, unsupported functions.
set -euo pipefail
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

ctgt_start --lun 0=mem:,size=16M
build/tests/tmf_test "$CTGT_PORT" "$CTGT_IQN"
ctgt_stop

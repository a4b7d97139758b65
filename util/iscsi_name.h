/* SPDX-License-Identifier: Apache-2.0 */
/*
 * iSCSI name syntax (RFC 7143 section 4.2.7, RFC 3720 section 3.2.6, RFC
 * 3722): "iqn.YYYY-MM.reversed.domain[:anything]", "eui." and 16 hex digits,
 * "naa." and 16 or 32 hex digits; at most 223 bytes. Pure functions, any
 * thread.
 *
 * Only the ASCII part of the stringprep output is accepted: a-z, 0-9, '-',
 * '.', ':' (and, when not @strict, A-Z, which stringprep would fold and
 * names compare case-insensitively anyway). No initiator in common use
 * sends other characters, and refusing them keeps every name safe to log
 * and to write into state files.
 */
#ifndef CTGT_UTIL_ISCSI_NAME_H
#define CTGT_UTIL_ISCSI_NAME_H

#include <stdbool.h>

#define ISCSI_NAME_MAX_LEN 223

/**
 * NULL when @name is a valid iSCSI name, else a short reason. @strict
 * refuses upper case (names we configure ourselves must be normalised).
 */
const char *iscsi_name_problem(const char *name, bool strict);

#endif

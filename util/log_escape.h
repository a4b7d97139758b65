/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Escaping for log lines: whatever a peer sent (names, keys, values) goes
 * through log_escape() before it reaches a format string's %s. Pure, any
 * thread.
 */
#ifndef CTGT_UTIL_LOG_ESCAPE_H
#define CTGT_UTIL_LOG_ESCAPE_H

#include <stddef.h>

/** A buffer size that holds any escaped iSCSI name or short value. */
#define LOG_ESC_LEN 256

/**
 * Copy @s into @buf (@cap bytes, at least 8) with every byte outside
 * printable ASCII (0x20..0x7e), and '\', written as \xNN; cut with "..."
 * when it does not fit. Returns @buf, so it can sit in an argument list.
 */
char *log_escape(char *buf, size_t cap, const char *s);

#endif

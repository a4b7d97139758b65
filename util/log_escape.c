/* SPDX-License-Identifier: Apache-2.0 */
#include "util/log_escape.h"

#include <stdio.h>
#include <stdbool.h>
#include <string.h>

char *log_escape(char *buf, size_t cap, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		bool plain = *p >= 0x20 && *p <= 0x7e && *p != '\\';
		size_t need = plain ? 1 : 4;

		/* Keep room for "..." and the NUL. */
		if (o + need + 4 > cap) {
			memcpy(buf + o, "...", 4);
			return buf;
		}
		if (plain) {
			buf[o++] = (char)*p;
		} else {
			buf[o++] = '\\';
			buf[o++] = 'x';
			buf[o++] = hex[*p >> 4];
			buf[o++] = hex[*p & 15];
		}
	}
	buf[o] = '\0';
	return buf;
}

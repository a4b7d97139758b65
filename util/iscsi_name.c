/* SPDX-License-Identifier: Apache-2.0 */
#include "util/iscsi_name.h"

#include <string.h>

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_hex(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (!is_digit(c) && !(c >= 'a' && c <= 'f') && !(c >= 'A' && c <= 'F'))
			return false;
	}
	return true;
}

/* "iqn.YYYY-MM.reversed.domain[:anything]" in the RFC 3720 character set. */
static const char *iqn_problem(const char *name, bool strict)
{
	const char *p = name + 4;

	if (!(is_digit(p[0]) && is_digit(p[1]) && is_digit(p[2]) && is_digit(p[3]) &&
	      p[4] == '-' && is_digit(p[5]) && is_digit(p[6]) && p[7] == '.' && p[8] != '\0'))
		return "expected iqn.YYYY-MM.reversed.domain[:name]";
	for (p = name; *p != '\0'; p++) {
		if (*p >= 'A' && *p <= 'Z') {
			if (strict)
				return "iSCSI names are lowercase";
			continue;
		}
		if (!((*p >= 'a' && *p <= 'z') || is_digit(*p) || *p == '.' || *p == '-' ||
		      *p == ':'))
			return "only a-z, 0-9, '.', '-' and ':' are allowed";
	}
	return NULL;
}

const char *iscsi_name_problem(const char *name, bool strict)
{
	size_t len = strlen(name);

	if (len > ISCSI_NAME_MAX_LEN)
		return "longer than 223 bytes";
	if (strncmp(name, "iqn.", 4) == 0 || (!strict && strncasecmp(name, "iqn.", 4) == 0))
		return iqn_problem(name, strict);
	if (strncmp(name, "eui.", 4) == 0 || (!strict && strncasecmp(name, "eui.", 4) == 0))
		return len == 20 && is_hex(name + 4, 16) ? NULL :
			"expected eui. and 16 hex digits";
	if (strncmp(name, "naa.", 4) == 0 || (!strict && strncasecmp(name, "naa.", 4) == 0))
		return (len == 20 || len == 36) && is_hex(name + 4, len - 4) ? NULL :
			"expected naa. and 16 or 32 hex digits";
	return "not an iqn./eui./naa. name";
}

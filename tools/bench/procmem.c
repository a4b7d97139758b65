// SPDX-License-Identifier: Apache-2.0
#include "tools/bench/procmem.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "VmRSS:\t   1234 kB": the key at the start of a line, spaces, digits, " kB". */
long rss_parse_kb(const char *status)
{
	const char *key = "VmRSS:";
	for (const char *p = status; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (strncmp(p, key, strlen(key)) != 0)
			continue;
		char *end;
		errno = 0;
		long kb = strtol(p + strlen(key), &end, 10);
		if (errno || end == p + strlen(key) || kb < 0 || strncmp(end, " kB", 3) != 0)
			return -1;
		return kb;
	}
	return -1;
}

long proc_rss_kb(long pid)
{
	char path[64], text[4096];
	snprintf(path, sizeof(path), "/proc/%ld/status", pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	size_t n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	return rss_parse_kb(text);
}

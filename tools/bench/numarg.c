/* SPDX-License-Identifier: Apache-2.0 */
/* Numeric command-line arguments (tools/bench/numarg.h). */
#include "tools/bench/numarg.h"

#include <errno.h>
#include <stdlib.h>

int parse_int(const char *s, int lo, int hi, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		return -1;
	*out = (int)v;
	return 0;
}

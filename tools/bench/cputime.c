// SPDX-License-Identifier: Apache-2.0
#include "tools/bench/cputime.h"

#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

uint64_t self_cpu_us(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000ULL +
	       (uint64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

/* utime + stime (fields 14 and 15) of /proc/PID/stat, all threads of the
 * process, in clock ticks; -1 if it cannot be read. The command name (field
 * 2) may hold spaces and parentheses, so fields are counted from its last ')'. */
long long proc_cpu_ticks(long pid)
{
	char path[64], line[1024];
	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	size_t n = fread(line, 1, sizeof(line) - 1, f);
	fclose(f);
	line[n] = '\0';
	char *p = strrchr(line, ')');
	unsigned long long ut, st;
	if (!p || sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
			 &ut, &st) != 2)
		return -1;
	return (long long)(ut + st);
}

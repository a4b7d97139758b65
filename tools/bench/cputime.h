/* SPDX-License-Identifier: Apache-2.0 */
/*
 * CPU time of the load generator itself and of the target it drives, for
 * the "CPU microseconds per I/O" figures. Any thread may call them.
 */
#ifndef CTGT_BENCH_CPUTIME_H
#define CTGT_BENCH_CPUTIME_H

#include <stdint.h>

/* User + system CPU time of this process (all threads), in microseconds. */
uint64_t self_cpu_us(void);

/* User + system CPU time of process pid (all its threads), in clock ticks
 * (sysconf(_SC_CLK_TCK) a second), from /proc/PID/stat; -1 if it cannot be
 * read. */
long long proc_cpu_ticks(long pid);

#endif

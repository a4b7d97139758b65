/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The resident memory of a process (the target's), for the idle-connection
 * figure (tools/bench/idleconn.c) and the soak (tools/bench/soak.sh reads
 * the same line with a shell). Any thread may call them.
 */
#ifndef CTGT_BENCH_PROCMEM_H
#define CTGT_BENCH_PROCMEM_H

/* The VmRSS figure, in KiB, of the text of a /proc/PID/status file; -1 when
 * it has no well-formed "VmRSS:" line. */
long rss_parse_kb(const char *status);

/* VmRSS of process pid, in KiB; -1 if it cannot be read. */
long proc_rss_kb(long pid);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The command line of the load generator (tools/bench/loadgen.c): what to
 * run, every value checked against its bounds. The strings point into argv.
 */
#ifndef CTGT_BENCH_OPTS_H
#define CTGT_BENCH_OPTS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define MAX_URLS 16
#define MAX_SESSIONS 256
#define MAX_DEPTH 256
#define MAX_BLOCK (16u << 20)
#define MAX_DURATION_S 3600.0

struct opts {
	const char *urls[MAX_URLS];
	int nurls;
	int sessions;
	int depth;
	uint32_t bs;
	bool random;
	int read_pct;
	double duration_s;
	double ramp_s;
	uint64_t span;
	uint64_t seed;
	bool verify;
	long server_pid;
	const char *label;
};

/* Fill o from the command line: 0 when it parsed, 1 for --help, -1 on bad
 * usage (a message is on stderr). */
int parse_args(int argc, char **argv, struct opts *o);

/* The usage text, to f. */
void usage(FILE *f);

#endif

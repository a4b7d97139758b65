// SPDX-License-Identifier: Apache-2.0
#include "tools/bench/opts.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "tools/bench/numarg.h"
#include "tools/bench/pattern.h"

void usage(FILE *f)
{
	fprintf(f,
		"usage: loadgen [options] URL...\n"
		"  URL                iscsi://HOST:PORT/IQN/LUN (sessions spread over them)\n"
		"  --sessions N       sessions, 1-%d (default 1)\n"
		"  --depth N          commands in flight per session, 1-%d (default 1)\n"
		"  --bs SIZE          bytes per command, K/M suffix (default 4K)\n"
		"  --pattern random|sequential   (default random)\n"
		"  --read-pct P       percentage of reads, 0-100 (default 100)\n"
		"  --duration S       measured seconds, 0.1-%.0f (default 5)\n"
		"  --ramp S           seconds of load before measuring (default 0)\n"
		"  --span SIZE        use only the first SIZE bytes of the LU\n"
		"  --seed N           random seed (default 1)\n"
		"  --verify           write a pattern, check every read of it, read all back\n"
		"  --server-pid PID   report that process's CPU time per I/O\n"
		"  --label TEXT       copied into the JSON result\n",
		MAX_SESSIONS, MAX_DEPTH, MAX_DURATION_S);
}

static int parse_size(const char *s, uint64_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s || s[0] == '-')
		return -1;
	unsigned shift = *end == 'K' || *end == 'k' ? 10 : *end == 'M' ? 20 : *end == 'G' ? 30 : 0;
	if (shift)
		end++;
	if (*end || v > (UINT64_MAX >> shift))
		return -1;
	*out = (uint64_t)v << shift;
	return 0;
}

static int parse_secs(const char *s, double lo, double *out)
{
	char *end;
	double v = strtod(s, &end);
	if (end == s || *end || !(v >= lo && v <= MAX_DURATION_S))
		return -1;
	*out = v;
	return 0;
}

enum { O_SESS = 256, O_DEPTH, O_BS, O_PAT, O_RPCT, O_DUR, O_RAMP, O_SPAN, O_SEED, O_VER,
       O_PID, O_LABEL, O_HELP };

static const struct option long_opts[] = {
	{ "sessions", 1, NULL, O_SESS }, { "depth", 1, NULL, O_DEPTH },
	{ "bs", 1, NULL, O_BS },	 { "pattern", 1, NULL, O_PAT },
	{ "read-pct", 1, NULL, O_RPCT }, { "duration", 1, NULL, O_DUR },
	{ "ramp", 1, NULL, O_RAMP },	 { "span", 1, NULL, O_SPAN },
	{ "seed", 1, NULL, O_SEED },	 { "verify", 0, NULL, O_VER },
	{ "server-pid", 1, NULL, O_PID }, { "label", 1, NULL, O_LABEL },
	{ "help", 0, NULL, O_HELP },	 { NULL, 0, NULL, 0 },
};

static int parse_bs(const char *arg, struct opts *o)
{
	uint64_t v;
	if (parse_size(arg, &v) != 0 || v == 0 || v > MAX_BLOCK || v % PATTERN_UNIT)
		return -1;
	o->bs = (uint32_t)v;
	return 0;
}

static int parse_pattern(const char *arg, struct opts *o)
{
	if (strcmp(arg, "random") == 0 || strcmp(arg, "sequential") == 0) {
		o->random = arg[0] == 'r';
		return 0;
	}
	return -1;
}

static int parse_one(int c, const char *arg, struct opts *o)
{
	int pid;
	switch (c) {
	case O_SESS: return parse_int(arg, 1, MAX_SESSIONS, &o->sessions);
	case O_DEPTH: return parse_int(arg, 1, MAX_DEPTH, &o->depth);
	case O_BS: return parse_bs(arg, o);
	case O_PAT: return parse_pattern(arg, o);
	case O_RPCT: return parse_int(arg, 0, 100, &o->read_pct);
	case O_DUR: return parse_secs(arg, 0.1, &o->duration_s);
	case O_RAMP: return parse_secs(arg, 0, &o->ramp_s);
	case O_SPAN: return parse_size(arg, &o->span);
	case O_SEED: return parse_size(arg, &o->seed);
	case O_VER: o->verify = true; return 0;
	case O_PID: if (parse_int(arg, 1, INT32_MAX, &pid) != 0) return -1;
		o->server_pid = pid;
		return 0;
	case O_LABEL: o->label = arg; return 0;
	default: return -1;
	}
}

static void set_defaults(struct opts *o)
{
	memset(o, 0, sizeof(*o));
	o->sessions = 1;
	o->depth = 1;
	o->bs = 4096;
	o->random = true;
	o->read_pct = 100;
	o->duration_s = 5;
	o->seed = 1;
}

/* 0: parsed; 1: --help; -1: bad usage (message printed). */
int parse_args(int argc, char **argv, struct opts *o)
{
	set_defaults(o);
	int c;
	while ((c = getopt_long(argc, argv, "", long_opts, NULL)) != -1) {
		if (c == O_HELP)
			return 1;
		if (c == '?' || parse_one(c, optarg, o) != 0) {
			if (c != '?')
				fprintf(stderr, "loadgen: bad value '%s'\n", optarg);
			return -1;
		}
	}
	for (; optind < argc && o->nurls < MAX_URLS; optind++)
		o->urls[o->nurls++] = argv[optind];
	if (o->nurls == 0 || optind < argc) {
		fprintf(stderr, "loadgen: give 1 to %d URLs\n", MAX_URLS);
		return -1;
	}
	if (o->verify && o->nurls != 1) {
		fprintf(stderr, "loadgen: --verify takes one URL (its sessions share the LU)\n");
		return -1;
	}
	return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ctgtadm stats: two "lun stats" snapshots an interval apart give each
 * LU's rates (IOPS, MB/s, mean latency, errors) over it, as iostat does.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tools/ctgtadm/ctgtadm.h"

struct stats_opts {
	double interval;	/* seconds */
	long count;		/* intervals; 0: until interrupted */
	const char *target;	/* NULL: every target */
};

static double field(json_t *o, const char *key)
{
	return (double)json_integer_value(json_object_get(o, key));
}

/* @now's counterpart of @l (same target and LUN) in @before, or NULL. */
static json_t *same_lu(json_t *before, json_t *l)
{
	size_t i;
	json_t *b;

	json_array_foreach(before, i, b) {
		if (field(b, "lun") == field(l, "lun") &&
		    json_equal(json_object_get(b, "target"), json_object_get(l, "target")))
			return b;
	}
	return NULL;
}

static double per(json_t *now, json_t *then, const char *key, double secs)
{
	return (field(now, key) - field(then, key)) / secs;
}

static double mean_us(json_t *now, json_t *then, const char *n_key, const char *us_key)
{
	double n = field(now, n_key) - field(then, n_key);

	return n > 0 ? (field(now, us_key) - field(then, us_key)) / n : 0;
}

static json_t *rates(json_t *now, json_t *then, double secs)
{
	return json_pack("{s:O, s:O, s:f, s:f, s:f, s:f, s:f, s:f, s:f}", "target",
			 json_object_get(now, "target"), "lun", json_object_get(now, "lun"),
			 "reads_per_s", per(now, then, "reads", secs), "writes_per_s",
			 per(now, then, "writes", secs), "read_mb_per_s",
			 per(now, then, "read_bytes", secs) / 1e6, "write_mb_per_s",
			 per(now, then, "write_bytes", secs) / 1e6, "read_latency_us",
			 mean_us(now, then, "reads", "read_us"), "write_latency_us",
			 mean_us(now, then, "writes", "write_us"), "errors_per_s",
			 per(now, then, "errors", secs));
}

static void print_rates(json_t *rows)
{
	size_t i;
	json_t *r;

	printf("%-40s %4s %9s %9s %9s %9s %9s %9s %7s\n", "TARGET", "LUN", "r/s", "w/s", "rMB/s",
	       "wMB/s", "r_us", "w_us", "err/s");
	json_array_foreach(rows, i, r) {
		printf("%-40s %4lld %9.0f %9.0f %9.1f %9.1f %9.0f %9.0f %7.0f\n",
		       json_string_value(json_object_get(r, "target")),
		       (long long)json_integer_value(json_object_get(r, "lun")),
		       json_real_value(json_object_get(r, "reads_per_s")),
		       json_real_value(json_object_get(r, "writes_per_s")),
		       json_real_value(json_object_get(r, "read_mb_per_s")),
		       json_real_value(json_object_get(r, "write_mb_per_s")),
		       json_real_value(json_object_get(r, "read_latency_us")),
		       json_real_value(json_object_get(r, "write_latency_us")),
		       json_real_value(json_object_get(r, "errors_per_s")));
	}
	fflush(stdout);
}

static json_t *snapshot(const char *path, const struct stats_opts *so, json_t **reply)
{
	json_t *args = so->target ? json_pack("{s:s}", "target", so->target) : NULL;

	*reply = adm_request(path, "lun stats", args);
	return adm_result(*reply, "stats");
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void pause_s(double s)
{
	struct timespec ts = { .tv_sec = (time_t)s, .tv_nsec = (long)((s - (double)(time_t)s) * 1e9) };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Print the rates between @then and @now over @secs. */
static void report(json_t *now, json_t *then, double secs, bool as_json)
{
	json_t *rows = json_array(), *l, *b;
	size_t i;

	json_array_foreach(now, i, l)
		if ((b = same_lu(then, l)) != NULL)
			json_array_append_new(rows, rates(l, b, secs));
	if (as_json) {
		json_dumpf(rows, stdout, JSON_COMPACT);
		fputc('\n', stdout);
		fflush(stdout);
	} else {
		print_rates(rows);
	}
	json_decref(rows);
}

static int loop(const char *path, const struct stats_opts *so, bool as_json)
{
	json_t *r0, *r1, *then = snapshot(path, so, &r0), *now;
	double t0 = now_s(), t1;
	int rc = then != NULL ? 0 : 1;

	for (long k = 0; rc == 0 && (so->count == 0 || k < so->count); k++) {
		pause_s(so->interval);
		now = snapshot(path, so, &r1);
		t1 = now_s();
		if (now == NULL) {
			json_decref(r1);
			rc = 1;
			break;
		}
		report(now, then, t1 - t0, as_json);
		json_decref(r0);
		r0 = r1;
		then = now;
		t0 = t1;
	}
	json_decref(r0);
	return rc;
}

static int parse(int argc, char **argv, struct stats_opts *so)
{
	char *end;

	for (int k = 0; k < argc; k++) {
		if (strcmp(argv[k], "--once") == 0) {
			so->count = 1;
		} else if (strcmp(argv[k], "--interval") == 0 && k + 1 < argc) {
			so->interval = strtod(argv[++k], &end);
			if (*end || !(so->interval >= 0.1 && so->interval <= 3600))
				return -1;
		} else if (strcmp(argv[k], "--count") == 0 && k + 1 < argc) {
			so->count = strtol(argv[++k], &end, 10);
			if (*end || so->count < 1)
				return -1;
		} else if (argv[k][0] != '-' && so->target == NULL) {
			so->target = argv[k];
		} else {
			return -1;
		}
	}
	return 0;
}

int adm_stats(const char *path, int argc, char **argv, bool as_json)
{
	struct stats_opts so = { .interval = 1.0 };

	if (parse(argc, argv, &so) < 0) {
		fprintf(stderr, "usage: ctgtadm stats [--once] [--interval S (0.1-3600)] "
				"[--count N] [IQN]\n");
		return 2;
	}
	return loop(path, &so, as_json);
}

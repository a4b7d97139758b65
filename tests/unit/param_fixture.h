/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Shared fixture of the negotiation tests (param_test.c, param_offers_test.c):
 * a target's limits, a negotiation in progress and its answer buffer, and
 * byte-exact answer checks. Requests and expected answers are byte strings
 * with their NULs ("Key=Value\0" pieces joined by C string concatenation).
 */
#ifndef CTGT_TESTS_PARAM_FIXTURE_H
#define CTGT_TESTS_PARAM_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "iscsi/param.h"

struct fx {
	struct iscsi_target_limits lim;
	struct iscsi_params p;
	struct iscsi_neg n;
	struct kvbuf out;
};

static void fx_reset(struct fx *f, bool leading, bool login)
{
	kv_free(&f->out);
	iscsi_params_init(&f->p, &f->lim);
	iscsi_neg_init(&f->n, &f->p, &f->lim, leading, login);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	iscsi_target_limits_default(&f->lim);
	fx_reset(f, true, true);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	kv_free(&f->out);
	free(f);
	return 0;
}

/* Print a key=value\0 list with '|' for each NUL. */
static void dump(const char *what, const char *d, size_t len)
{
	fprintf(stderr, "%s (%zu bytes): ", what, len);
	for (size_t i = 0; i < len; i++)
		fputc(d[i] ? d[i] : '|', stderr);
	fputc('\n', stderr);
}

static void expect_out_(const struct fx *f, const char *exp, size_t len)
{
	if (f->out.len != len || (len && memcmp(f->out.data, exp, len) != 0)) {
		dump("expected", exp, len);
		dump("got     ", f->out.data ? f->out.data : "", f->out.len);
		fail_msg("answer differs");
	}
}

#define NEG(f, lit) iscsi_param_negotiate(&(f)->n, lit, sizeof(lit) - 1, &(f)->out)
#define EXPECT_OUT(f, lit) expect_out_(f, lit, sizeof(lit) - 1)
#define EXPECT_NONE(f) assert_int_equal((f)->out.len, 0)

/* One request, one expected answer, on a fresh leading login. */
#define CHECK(f, req, ans) \
	do { \
		fx_reset(f, true, true); \
		assert_int_equal(NEG(f, req), NEG_OK); \
		EXPECT_OUT(f, ans); \
	} while (0)

#endif

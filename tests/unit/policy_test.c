/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for iscsi/policy.c: building a policy checks what start-up
 * checks (mutual secret unlike the initiators', discovery without rules),
 * a failed step leaves the policy as it was, view_change tells a wider
 * view from a narrower one and from a change of credentials alone, and
 * requires_chap follows the target's and the initiator's own.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "iscsi/policy.h"

#define TGT "iqn.2026-12.io.ctgt:t"
#define INI "iqn.2026-12.io.ctgt:ini"

static const struct scsi_lun_map_entry map01[] = { { 0, 1, false }, { 1, 0, true } };
static const struct scsi_lun_map_entry map10[] = { { 1, 0, true }, { 0, 1, false } };
static const struct scsi_lun_map_entry map01rw[] = { { 0, 1, false }, { 1, 0, false } };

static int add(struct iscsi_policy *p, const char *name, const char *user, const char *secret,
	       const struct scsi_lun_map_entry *m, size_t n, bool mapped)
{
	char err[256];

	return iscsi_policy_add_initiator(p, TGT, name, user, secret, m, n, mapped, err,
					  sizeof(err));
}

static void test_mutual_secret_unlike_initiators(void **state)
{
	struct iscsi_policy *p = iscsi_policy_new();
	char err[256] = "";

	(void)state;
	assert_int_equal(add(p, INI, "ini", "initiator-secret-1", NULL, 0, false), 0);
	/* The target's mutual secret equal to an initiator's own: refused. */
	assert_int_equal(iscsi_policy_set_chap(p, TGT, "u", "target-secret-12", "m",
					       "initiator-secret-1", err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, INI));
	assert_false(p->auth.chap);	/* unchanged */
	/* Equal to the initiators' shared secret: refused too. */
	assert_int_equal(iscsi_policy_set_chap(p, TGT, "u", "target-secret-12", "m",
					       "target-secret-12", err, sizeof(err)), -EINVAL);
	assert_int_equal(iscsi_policy_set_chap(p, TGT, "u", "target-secret-12", "m",
					       "mutual-secret-99", err, sizeof(err)), 0);
	assert_true(p->auth.chap && p->auth.mutual);
	/* ... and the other way round: an initiator secret equal to the mutual one. */
	assert_int_equal(add(p, "iqn.2026-12.io.ctgt:other", "o", "mutual-secret-99", NULL, 0,
			     false), -EINVAL);
	assert_int_equal(p->ninits, 1);
	iscsi_policy_put(p);
}

static void test_short_secret_and_bad_names(void **state)
{
	struct iscsi_policy *p = iscsi_policy_new();
	char err[256];

	(void)state;
	assert_int_equal(iscsi_policy_set_chap(p, TGT, "u", "short", NULL, NULL, err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(add(p, "not a name", NULL, NULL, NULL, 0, false), -EINVAL);
	assert_int_equal(add(p, INI, NULL, NULL, NULL, 0, false), 0);
	assert_int_equal(add(p, "IQN.2026-12.IO.CTGT:INI", NULL, NULL, NULL, 0, false), -EINVAL);
	assert_int_equal(iscsi_policy_allow(p, TGT, "10.0.0.0/33", err, sizeof(err)), -EINVAL);
	assert_int_equal(iscsi_policy_allow(p, TGT, "10.0.0.0/8", err, sizeof(err)), 0);
	assert_int_equal(p->acl.n, 1);
	iscsi_policy_put(p);
}

static void test_bounded(void **state)
{
	struct iscsi_policy *p = iscsi_policy_new();
	char err[256], rule[64];

	(void)state;
	for (unsigned i = 0; i < ISCSI_POLICY_MAX_RULES; i++) {
		snprintf(rule, sizeof(rule), "10.%u.%u.0/24", i / 256, i % 256);
		assert_int_equal(iscsi_policy_allow(p, TGT, rule, err, sizeof(err)), 0);
	}
	assert_int_equal(iscsi_policy_allow(p, TGT, "11.0.0.0/8", err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "more than 4096 access rules"));
	assert_int_equal(p->acl.n, ISCSI_POLICY_MAX_RULES);
	iscsi_policy_put(p);
}

static void test_discovery_has_no_rules(void **state)
{
	struct iscsi_policy *p = iscsi_policy_new();
	char err[256];

	(void)state;
	assert_int_equal(iscsi_policy_allow(p, NULL, "10.0.0.0/8", err, sizeof(err)), -EINVAL);
	assert_int_equal(iscsi_policy_add_initiator(p, NULL, INI, NULL, NULL, NULL, 0, false, err,
						    sizeof(err)), -EINVAL);
	assert_int_equal(iscsi_policy_set_chap(p, NULL, "u", "discovery-secret", NULL, NULL, err,
					       sizeof(err)), 0);
	iscsi_policy_put(p);
}

static void test_view_change(void **state)
{
	static const struct scsi_lun_map_entry ident[] = { { 0, 0, false }, { 1, 1, false } };
	struct iscsi_policy *a = iscsi_policy_new(), *b = iscsi_policy_new();
	struct iscsi_policy *c = iscsi_policy_new(), *d = iscsi_policy_new();
	struct iscsi_policy *e = iscsi_policy_new(), *none = iscsi_policy_new();

	(void)state;
	assert_int_equal(add(a, INI, NULL, NULL, map01, 2, true), 0);
	/* Same entries in another order, and other credentials: the same view. */
	assert_int_equal(add(b, INI, "ini", "initiator-secret-1", map10, 2, true), 0);
	assert_int_equal(add(c, INI, NULL, NULL, map01rw, 2, true), 0);	/* write protection off */
	assert_int_equal(add(d, INI, NULL, NULL, map01, 1, true), 0);	/* one LU fewer */
	assert_int_equal(add(e, INI, NULL, NULL, ident, 2, true), 0);
	assert_int_equal(iscsi_policy_view_change(a, b, INI), ISCSI_VIEW_SAME);
	assert_int_equal(iscsi_policy_view_change(a, b, "iqn.2026-12.io.ctgt:INI"), ISCSI_VIEW_SAME);
	assert_int_equal(iscsi_policy_view_change(a, c, INI), ISCSI_VIEW_OTHER);
	assert_int_equal(iscsi_policy_view_change(a, d, INI), ISCSI_VIEW_OTHER);
	assert_int_equal(iscsi_policy_view_change(d, a, INI), ISCSI_VIEW_WIDER);
	/* No map any more: wider only if each LU kept its number and write access. */
	assert_int_equal(iscsi_policy_view_change(a, none, INI), ISCSI_VIEW_OTHER);
	assert_int_equal(iscsi_policy_view_change(e, none, INI), ISCSI_VIEW_WIDER);
	assert_int_equal(iscsi_policy_view_change(none, e, INI), ISCSI_VIEW_OTHER);
	/* An initiator named in neither sees every LU under both. */
	assert_int_equal(iscsi_policy_view_change(a, none, "iqn.2026-12.io.ctgt:else"),
			 ISCSI_VIEW_SAME);
	iscsi_policy_put(a);
	iscsi_policy_put(b);
	iscsi_policy_put(c);
	iscsi_policy_put(d);
	iscsi_policy_put(e);
	iscsi_policy_put(none);
}

static void test_requires_chap(void **state)
{
	struct iscsi_policy *p = iscsi_policy_new();
	char err[256];

	(void)state;
	assert_false(iscsi_policy_requires_chap(p, INI));
	assert_int_equal(add(p, INI, "ini", "initiator-secret-1", NULL, 0, false), 0);
	assert_true(iscsi_policy_requires_chap(p, INI));	/* its own */
	assert_false(iscsi_policy_requires_chap(p, "iqn.2026-12.io.ctgt:other"));
	assert_int_equal(iscsi_policy_set_chap(p, TGT, "u", "target-secret-12", NULL, NULL, err,
					       sizeof(err)), 0);
	assert_true(iscsi_policy_requires_chap(p, "iqn.2026-12.io.ctgt:other"));
	iscsi_policy_put(p);
}

static void test_references(void **state)
{
	struct iscsi_policy *p = iscsi_policy_new();
	char err[256];

	(void)state;
	assert_int_equal(iscsi_policy_set_chap(p, TGT, "u", "target-secret-12", NULL, NULL, err,
					       sizeof(err)), 0);
	assert_ptr_equal(iscsi_policy_ref(p), p);
	iscsi_policy_put(p);
	assert_true(p->auth.chap);	/* still held: ASan would see a use after free */
	iscsi_policy_put(p);
	iscsi_policy_put(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mutual_secret_unlike_initiators),
		cmocka_unit_test(test_short_secret_and_bad_names),
		cmocka_unit_test(test_discovery_has_no_rules),
		cmocka_unit_test(test_bounded),
		cmocka_unit_test(test_view_change),
		cmocka_unit_test(test_requires_chap),
		cmocka_unit_test(test_references),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

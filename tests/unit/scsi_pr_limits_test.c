/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Persistent reservations with many registrants: the per-LU limit (REGISTER
 * beyond it gets INSUFFICIENT REGISTRATION RESOURCES and changes nothing),
 * the reservation check of READ/WRITE that does not walk the registrations
 * on every command, and READ KEYS / READ FULL STATUS that report every
 * registration in their length fields but build only what the ALLOCATION
 * LENGTH takes.
 */
#include "tests/unit/scsi_pr_fixture.h"

#include "scsi/pr.h"

#define MANY SCSI_PR_MAX_REGS_DEFAULT
#define NO_RESOURCES 0x5504

/* @n nexuses, "iqn.2026-01.test:host<i>,i,0x1", each with key i + 1. */
static struct scsi_itn *register_many(struct prt *p, unsigned n)
{
	struct scsi_itn *it = calloc(n, sizeof(*it));
	char port[96];

	assert_non_null(it);
	for (unsigned i = 0; i < n; i++) {
		snprintf(port, sizeof(port), "iqn.2026-01.test:host%u,i,0x1", i);
		add_nexus(p, &it[i], 100 + i, port);
		assert_int_equal(prout(p, &it[i], REGISTER, 0, 0, i + 1), 0);
	}
	return it;
}

static void drop_many(struct prt *p, struct scsi_itn *it, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		scsi_tgt_nexus_remove(p->f->tgt, &it[i]);
	free(it);
}

static void test_default_limit(void **state)
{
	struct prt *p = setup();
	struct scsi_itn *it;

	(void)state;
	assert_int_equal(p->f->lu->pr->max_regs, MANY);
	it = register_many(p, MANY);
	/* One more: refused, and nothing changed. */
	assert_int_equal(prout(p, &p->n2, REGISTER, 0, 0, K2), SCSI_STATUS_CHECK_CONDITION);
	assert_sense(&p->t, 0x5, NO_RESOURCES);
	assert_int_equal(p->f->lu->pr->nregs, MANY);
	/* A registrant may still change its key or leave, and then the
	 * newcomer fits. */
	assert_int_equal(prout(p, &it[0], REGISTER, 0, 1, 0x77), 0);
	assert_int_equal(prout(p, &it[1], REGISTER, 0, 2, 0), 0);
	assert_int_equal(prout(p, &p->n2, REGISTER, 0, 0, K2), 0);
	assert_int_equal(p->f->lu->pr->nregs, MANY);
	drop_many(p, it, MANY);
	teardown(p);
}

static void test_configured_limit_spec_i_pt(void **state)
{
	struct scsi_lu_config cfg = { .lun = 0, .pr_max_regs = 3 };
	struct prt *p = setup_cfg(&cfg);
	uint8_t cdb[SCSI_CDB_MAX] = { 0x5f, REGISTER }, d[128] = { 0 };
	uint32_t n = 28;

	(void)state;
	assert_int_equal(prout(p, &p->n2, REGISTER, 0, 0, K2), 0);
	/* This nexus and two TransportIDs: 4 registrations, one too many. */
	put_be64(&d[8], K1);
	d[20] = 0x08;				/* SPEC_I_PT */
	n += put_tid(&d[n], "iqn.2026-01.test:a,i,0x000000000001");
	n += put_tid(&d[n], "iqn.2026-01.test:b,i,0x000000000001");
	put_be32(&d[24], n - 28);
	put_be32(&cdb[5], n);
	assert_int_equal(run_as(p, &p->f->itn, cdb, SCSI_DIR_WRITE, n, d),
			 SCSI_STATUS_CHECK_CONDITION);
	assert_sense(&p->t, 0x5, NO_RESOURCES);
	assert_int_equal(p->f->lu->pr->nregs, 1);	/* all or nothing */
	/* With one TransportID they fit exactly. */
	n = 28 + put_tid(&d[28], "iqn.2026-01.test:a,i,0x000000000001");
	put_be32(&d[24], n - 28);
	put_be32(&cdb[5], n);
	assert_int_equal(run_as(p, &p->f->itn, cdb, SCSI_DIR_WRITE, n, d), 0);
	assert_int_equal(p->f->lu->pr->nregs, 3);
	teardown(p);
}

static void test_limit_out_of_range(void **state)
{
	struct scsi_lu_config cfg = { .lun = 0, .pr_max_regs = SCSI_PR_MAX_REGS_LIMIT + 1 };
	struct backend bs = { .size = 1 << 20 };

	(void)state;
	assert_null(scsi_lu_create(&cfg, &bs));
}

/* Under a reservation every READ and WRITE is checked against it: with
 * MANY registrants, commands from a nexus whose answer is cached do not
 * walk the registrations again. */
static void test_check_does_not_scan(void **state)
{
	struct prt *p = setup();
	struct scsi_itn *it = register_many(p, MANY);
	struct pr_state *pr = p->f->lu->pr;
	unsigned long before;

	(void)state;
	/* The last registrant holds WRITE EXCLUSIVE - REGISTRANTS ONLY. */
	assert_int_equal(prout(p, &it[MANY - 1], RESERVE, 5, MANY, 0), 0);
	assert_int_equal(rw10(p, &it[0], 0x2a), 0);	/* fills the cache */
	assert_int_equal(rw10(p, &p->n2, 0x2a), CONFLICT);
	before = pr->scans;
	for (unsigned i = 0; i < 1000; i++) {
		assert_int_equal(rw10(p, &it[0], 0x2a), 0);
		assert_int_equal(rw10(p, &it[MANY - 1], 0x28), 0);
		assert_int_equal(rw10(p, &p->n2, 0x2a), CONFLICT);
	}
	/* Only it[MANY - 1] was not in the cache yet. */
	assert_true(pr->scans - before <= 1);
	/* A change of the registrations is seen at once. */
	assert_int_equal(prout(p, &p->n2, REGISTER, 0, 0, K2), SCSI_STATUS_CHECK_CONDITION);
	assert_int_equal(prout(p, &it[0], REGISTER, 0, 1, 0), 0);
	assert_int_equal(rw10(p, &it[0], 0x2a), CONFLICT);
	assert_int_equal(prout(p, &p->n2, REGISTER, 0, 0, K2), 0);
	assert_int_equal(rw10(p, &p->n2, 0x2a), 0);
	drop_many(p, it, MANY);
	teardown(p);
}

static void test_prin_bounded_by_alloc(void **state)
{
	struct prt *p = setup();
	struct scsi_itn *it = register_many(p, MANY);
	uint32_t full = 0;

	(void)state;
	/* READ KEYS: ADDITIONAL LENGTH counts every key; 100 bytes come. */
	assert_int_equal(prin(p, &p->obs, 0, 100), 0);
	assert_int_equal(get_be32(&p->t.buf[4]), 8 * MANY);
	assert_int_equal(p->t.data_in_len, 100);
	for (unsigned i = 0; i < 11; i++)
		assert_true(get_be64(&p->t.buf[8 + 8 * i]) == i + 1);
	assert_true(p->t.buf_size < 4096 + 64);
	/* The largest allocation length still cannot hold them all. */
	assert_int_equal(prin(p, &p->obs, 0, 0xffff), 0);
	assert_int_equal(p->t.data_in_len, 8 + 8 * MANY);
	/* READ FULL STATUS: the whole length, whatever part is sent. */
	for (unsigned i = 0; i < MANY; i++) {
		uint32_t n = (uint32_t)strlen("iqn.2026-01.test:host0,i,0x1") + 1 + (i >= 10) +
			     (i >= 100) + (i >= 1000);

		full += 24 + 4 + (((n + 3) & ~3u) < 20 ? 20 : ((n + 3) & ~3u));
	}
	assert_int_equal(prin(p, &p->obs, 3, 300), 0);
	assert_int_equal(get_be32(&p->t.buf[4]), full);
	assert_int_equal(p->t.data_in_len, 300);
	assert_true(get_be64(&p->t.buf[8]) == 1);
	assert_int_equal(prin(p, &p->obs, 3, 0xffff), 0);
	assert_int_equal(get_be32(&p->t.buf[4]), full);
	assert_int_equal(p->t.data_in_len, full + 8 > 0xffff ? 0xffff : full + 8);
	drop_many(p, it, MANY);
	teardown(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_limit),
		cmocka_unit_test(test_configured_limit_spec_i_pt),
		cmocka_unit_test(test_limit_out_of_range),
		cmocka_unit_test(test_check_does_not_scan),
		cmocka_unit_test(test_prin_bounded_by_alloc),
	};

	log_set_level(LOG_LVL_ERROR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}

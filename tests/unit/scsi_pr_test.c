/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Persistent reservations, one initiator port per nexus: PERSISTENT
 * RESERVE IN, the field and length checks of PERSISTENT RESERVE OUT,
 * REGISTER, RESERVE, RELEASE, CLEAR, PREEMPT (AND ABORT), the conflict rules
 * of each reservation type and the unit attentions they establish.
 */
#include "tests/unit/scsi_pr_fixture.h"

/* ---- PERSISTENT RESERVE IN ---- */

static void test_prin_empty(void **state)
{
	struct prt *p = setup();
	uint8_t *b;

	(void)state;
	assert_keys(p, 0, NULL);
	assert_int_equal(get_be32(&p->t.buf[0]), 0);
	assert_resv(p, 0, 0);
	assert_int_equal(prin(p, &p->f->itn, 2, 4096), 0);		/* REPORT CAPABILITIES */
	b = p->t.buf;
	assert_int_equal(p->t.data_in_len, 8);
	assert_int_equal(get_be16(&b[0]), 8);
	assert_int_equal(b[2], 0x0c);		/* SIP_C, ATP_C; no PTPL_C without a file */
	assert_int_equal(b[3], 0x90);		/* TMV, ALLOW COMMANDS 1 */
	assert_int_equal(b[4], 0xea);
	assert_int_equal(b[5], 0x01);
	assert_int_equal(prin(p, &p->f->itn, 3, 4096), 0);		/* READ FULL STATUS */
	assert_int_equal(get_be32(&p->t.buf[4]), 0);
	assert_int_equal(p->t.data_in_len, 8);
	for (uint8_t sa = 4; sa < 0x20; sa++) {
		prin(p, &p->f->itn, sa, 4096);
		assert_sense(&p->t, 0x5, 0x2400);
		assert_field_ptr(&p->t, true, 1, 4);
	}
	teardown(p);
}

static void test_prin_truncation(void **state)
{
	struct prt *p = setup();

	(void)state;
	assert_int_equal(prout(p, &p->f->itn, REG_IGNORE, 0, 0, K1), 0);
	assert_int_equal(prout(p, &p->n2, REG_IGNORE, 0, 0, K2), 0);
	/* The ADDITIONAL LENGTH tells the whole list whatever fits. */
	assert_int_equal(prin(p, &p->f->itn, 0, 8), 0);
	assert_int_equal(p->t.data_in_len, 8);
	assert_int_equal(get_be32(&p->t.buf[4]), 16);
	assert_int_equal(prin(p, &p->f->itn, 0, 12), 0);
	assert_int_equal(p->t.data_in_len, 12);
	assert_int_equal(prin(p, &p->f->itn, 0, 0), 0);
	assert_int_equal(p->t.data_in_len, 0);
	assert_int_equal(prin(p, &p->f->itn, 3, 30), 0);
	assert_int_equal(p->t.data_in_len, 30);
	assert_int_equal(prin(p, &p->f->itn, 2, 4), 0);
	assert_int_equal(p->t.data_in_len, 4);
	teardown(p);
}

/* ---- PERSISTENT RESERVE OUT: field checks ---- */

static void test_prout_lengths(void **state)
{
	struct prt *p = setup();
	uint8_t cdb[SCSI_CDB_MAX] = { 0x5f, REGISTER };
	uint8_t d[64] = { 0 };

	(void)state;
	/* Too short: refused before any data is transferred. */
	for (uint32_t len = 0; len < 24; len += 23) {
		put_be32(&cdb[5], len);
		run_as(p, &p->f->itn, cdb, SCSI_DIR_WRITE, len, d);
		assert_sense(&p->t, 0x5, 0x1a00);
		assert_int_equal(p->t.data_out_len, 0);
	}
	/* Longer than 24 without SPEC_I_PT. */
	put_be32(&cdb[5], 32);
	put_be64(&d[8], K1);
	run_as(p, &p->f->itn, cdb, SCSI_DIR_WRITE, 32, d);
	assert_sense(&p->t, 0x5, 0x1a00);
	cdb[1] = RESERVE;
	cdb[2] = 1;
	run_as(p, &p->f->itn, cdb, SCSI_DIR_WRITE, 32, d);
	assert_sense(&p->t, 0x5, 0x1a00);
	assert_int_equal(p->t.data_out_len, 0);
	/* Less data received than the CDB says: the list is short. */
	cdb[1] = REGISTER;
	cdb[2] = 0;
	put_be32(&cdb[5], 24);
	run_as(p, &p->f->itn, cdb, SCSI_DIR_WRITE, 16, d);
	assert_sense(&p->t, 0x5, 0x1a00);
	assert_keys(p, 0, NULL);
	teardown(p);
}

static void test_prout_fields(void **state)
{
	struct prt *p = setup();
	uint8_t cdb[SCSI_CDB_MAX] = { 0x5f, 0x08, 0, 0, 0, 0, 0, 0, 24 };
	uint8_t d[24] = { 0 };
	static const uint8_t bad_types[] = { 0, 2, 4, 9, 0xf };

	(void)state;
	run_as(p, &p->f->itn, cdb, SCSI_DIR_WRITE, 24, d);		/* SA 8 */
	assert_sense(&p->t, 0x5, 0x2400);
	assert_field_ptr(&p->t, true, 1, 4);
	for (uint8_t sa = RESERVE; sa <= PREEMPT_ABORT; sa++) {
		if (sa == CLEAR)
			continue;
		assert_int_equal(prout(p, &p->f->itn, sa, 0x11, K1, K2), 2);	/* SCOPE 1 */
		assert_sense(&p->t, 0x5, 0x2400);
		assert_field_ptr(&p->t, true, 2, 7);
		for (size_t i = 0; i < sizeof(bad_types); i++) {
			assert_int_equal(prout(p, &p->f->itn, sa, bad_types[i], K1, K2), 2);
			assert_sense(&p->t, 0x5, 0x2400);
			assert_field_ptr(&p->t, true, 2, 3);
		}
	}
	/* TYPE means nothing to REGISTER and CLEAR. */
	assert_int_equal(prout(p, &p->f->itn, REGISTER, 0xff, 0, K1), 0);
	/* APTPL without a state file. */
	assert_int_equal(prout_ex(p, &p->f->itn, REGISTER, 0, K1, K2, 0x01), 2);
	assert_sense(&p->t, 0x5, 0x2600);
	assert_field_ptr(&p->t, false, 20, 0);
	/* SPEC_I_PT with anything but REGISTER. */
	for (uint8_t sa = RESERVE; sa <= REG_IGNORE; sa++) {
		assert_int_equal(prout_ex(p, &p->f->itn, sa, 1, 0, K2, 0x08), 2);
		assert_sense(&p->t, 0x5, 0x2600);
		assert_field_ptr(&p->t, false, 20, 3);
	}
	/* SPEC_I_PT from a registered nexus. */
	assert_int_equal(prout_ex(p, &p->f->itn, REGISTER, 0, K1, K2, 0x08), 2);
	assert_sense(&p->t, 0x5, 0x2400);
	/* PREEMPT with SERVICE ACTION RESERVATION KEY 0 and no reservation. */
	assert_int_equal(prout(p, &p->f->itn, PREEMPT, 1, K1, 0), 2);
	assert_sense(&p->t, 0x5, 0x2600);
	assert_field_ptr(&p->t, false, 8, -1);
	assert_keys(p, 1, (uint64_t[]){ K1 });
	teardown(p);
}

/* ---- REGISTER ---- */

static void test_register(void **state)
{
	struct prt *p = setup();

	(void)state;
	/* Unregistered: RESERVATION KEY must be zero; SARK 0 does nothing. */
	assert_int_equal(prout(p, &p->f->itn, REGISTER, 0, K1, K1), CONFLICT);
	assert_int_equal(p->t.sense_len, 0);
	assert_int_equal(prout(p, &p->f->itn, REGISTER, 0, 0, 0), 0);
	assert_int_equal(generation(p), 0);
	assert_int_equal(prout(p, &p->f->itn, REGISTER, 0, 0, K1), 0);
	assert_keys(p, 1, (uint64_t[]){ K1 });
	assert_int_equal(generation(p), 1);
	/* Registered: the key must match; then it changes the key. */
	assert_int_equal(prout(p, &p->f->itn, REGISTER, 0, K2, K3), CONFLICT);
	assert_int_equal(prout(p, &p->f->itn, REGISTER, 0, 0, K3), CONFLICT);
	assert_int_equal(prout(p, &p->f->itn, REGISTER, 0, K1, K2), 0);
	assert_keys(p, 1, (uint64_t[]){ K2 });
	assert_int_equal(generation(p), 2);
	/* REGISTER AND IGNORE EXISTING KEY does not look at the key. */
	assert_int_equal(prout(p, &p->f->itn, REG_IGNORE, 0, 0xdead, K3), 0);
	assert_int_equal(prout(p, &p->n2, REG_IGNORE, 0, 0xbeef, K1), 0);
	assert_keys(p, 2, (uint64_t[]){ K3, K1 });
	assert_int_equal(generation(p), 4);
	/* Unregister. */
	assert_int_equal(prout(p, &p->f->itn, REGISTER, 0, K3, 0), 0);
	assert_int_equal(prout(p, &p->n2, REG_IGNORE, 0, 0, 0), 0);
	assert_keys(p, 0, NULL);
	assert_int_equal(generation(p), 6);
	teardown(p);
}

/* ---- RESERVE / RELEASE ---- */

static void test_reserve_release(void **state)
{
	struct prt *p = setup();

	(void)state;
	assert_int_equal(prout(p, &p->f->itn, RESERVE, 1, 0, 0), CONFLICT);	/* unregistered */
	assert_int_equal(prout(p, &p->f->itn, REGISTER, 0, 0, K1), 0);
	assert_int_equal(prout(p, &p->n2, REGISTER, 0, 0, K2), 0);
	assert_int_equal(prout(p, &p->f->itn, RESERVE, 1, K2, 0), CONFLICT);	/* wrong key */
	assert_int_equal(prout(p, &p->f->itn, RESERVE, 1, K1, 0), 0);
	assert_resv(p, 1, K1);
	assert_int_equal(generation(p), 2);		/* RESERVE leaves it alone */
	assert_int_equal(prout(p, &p->f->itn, RESERVE, 1, K1, 0), 0);	/* again: fine */
	assert_int_equal(prout(p, &p->f->itn, RESERVE, 3, K1, 0), CONFLICT);	/* other type */
	assert_int_equal(prout(p, &p->n2, RESERVE, 1, K2, 0), CONFLICT);	/* not the holder */
	/* RELEASE by a registered non-holder: nothing happens. */
	assert_int_equal(prout(p, &p->n2, RELEASE, 1, K2, 0), 0);
	assert_resv(p, 1, K1);
	assert_int_equal(prout(p, &p->n2, RELEASE, 1, K1, 0), CONFLICT);
	/* The holder with the wrong type. */
	assert_int_equal(prout(p, &p->f->itn, RELEASE, 3, K1, 0), 2);
	assert_sense(&p->t, 0x5, 0x2604);
	assert_resv(p, 1, K1);
	assert_int_equal(prout(p, &p->f->itn, RELEASE, 1, K1, 0), 0);
	assert_resv(p, 0, 0);
	assert_ua(p, &p->n2, 0);		/* WE: no unit attention */
	assert_int_equal(prout(p, &p->f->itn, RELEASE, 1, K1, 0), 0);	/* nothing held */
	assert_int_equal(generation(p), 2);

	/* Registrants only: releasing tells the other registrants. */
	assert_int_equal(prout(p, &p->f->itn, RESERVE, 5, K1, 0), 0);
	assert_int_equal(prout(p, &p->f->itn, RELEASE, 5, K1, 0), 0);
	assert_ua(p, &p->n2, 0x2a04);
	assert_ua(p, &p->f->itn, 0);
	/* All registrants: every registrant holds it and may release it. */
	assert_int_equal(prout(p, &p->f->itn, RESERVE, 8, K1, 0), 0);
	assert_resv(p, 8, 0);
	assert_int_equal(prout(p, &p->n2, RESERVE, 8, K2, 0), 0);
	assert_int_equal(prout(p, &p->n2, RELEASE, 8, K2, 0), 0);
	assert_resv(p, 0, 0);
	assert_ua(p, &p->f->itn, 0x2a04);
	teardown(p);
}

/* The holder unregistering: a registrants-only reservation goes, an
 * all-registrants one stays until the last registrant goes. */
static void test_unregister_holder(void **state)
{
	struct prt *p = setup();

	(void)state;
	assert_int_equal(prout(p, &p->f->itn, REGISTER, 0, 0, K1), 0);
	assert_int_equal(prout(p, &p->n2, REGISTER, 0, 0, K2), 0);
	assert_int_equal(prout(p, &p->f->itn, RESERVE, 6, K1, 0), 0);
	assert_int_equal(prout(p, &p->f->itn, REGISTER, 0, K1, 0), 0);
	assert_resv(p, 0, 0);
	assert_ua(p, &p->n2, 0x2a04);
	assert_int_equal(prout(p, &p->f->itn, REGISTER, 0, 0, K1), 0);
	assert_int_equal(prout(p, &p->f->itn, RESERVE, 7, K1, 0), 0);
	assert_int_equal(prout(p, &p->f->itn, REGISTER, 0, K1, 0), 0);
	assert_resv(p, 7, 0);
	assert_int_equal(prout(p, &p->n2, REGISTER, 0, K2, 0), 0);
	assert_resv(p, 0, 0);
	/* Exclusive Access: the holder unregistering ends it too. */
	assert_int_equal(prout(p, &p->f->itn, REGISTER, 0, 0, K1), 0);
	assert_int_equal(prout(p, &p->f->itn, RESERVE, 3, K1, 0), 0);
	assert_int_equal(prout(p, &p->f->itn, REGISTER, 0, K1, 0), 0);
	assert_resv(p, 0, 0);
	teardown(p);
}

/* ---- conflicts per reservation type ---- */

static void test_conflicts(void **state)
{
	static const struct {
		uint8_t type;
		bool reg_read, reg_write, unreg_read, unreg_write;
	} types[] = {
		{ 1, true, false, true, false },	/* Write Exclusive */
		{ 3, false, false, false, false },	/* Exclusive Access */
		{ 5, true, true, true, false },		/* WE registrants only */
		{ 6, true, true, false, false },	/* EA registrants only */
		{ 7, true, true, true, false },		/* WE all registrants */
		{ 8, true, true, false, false },	/* EA all registrants */
	};
	uint8_t inq[SCSI_CDB_MAX] = { 0x12, 0, 0, 0, 36 };
	uint8_t cap[SCSI_CDB_MAX] = { 0x25 };
	uint8_t sense6[SCSI_CDB_MAX] = { 0x1a, 0, 0x3f, 0, 64 };
	uint8_t stop[SCSI_CDB_MAX] = { 0x1b, 0, 0, 0, 0x00 };
	uint8_t start[SCSI_CDB_MAX] = { 0x1b, 0, 0, 0, 0x01 };
	uint8_t rl[SCSI_CDB_MAX] = { 0xa0, [9] = 64 };

	(void)state;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		struct prt *p = setup();
		uint8_t ty = types[i].type;

		assert_int_equal(prout(p, &p->f->itn, REGISTER, 0, 0, K1), 0);
		assert_int_equal(prout(p, &p->n2, REGISTER, 0, 0, K2), 0);
		assert_int_equal(prout(p, &p->f->itn, RESERVE, ty, K1, 0), 0);
		/* The holder does anything. */
		assert_int_equal(rw10(p, &p->f->itn, 0x28), 0);
		assert_int_equal(rw10(p, &p->f->itn, 0x2a), 0);
		assert_int_equal(rw10(p, &p->n2, 0x28), types[i].reg_read ? 0 : CONFLICT);
		assert_int_equal(rw10(p, &p->n2, 0x2a), types[i].reg_write ? 0 : CONFLICT);
		assert_int_equal(p->t.sense_len, 0);
		/* Allowed whatever the type. */
		assert_int_equal(run_as(p, &p->n2, inq, SCSI_DIR_READ, 36, NULL), 0);
		assert_int_equal(run_as(p, &p->n2, cap, SCSI_DIR_READ, 8, NULL), 0);
		assert_int_equal(run_as(p, &p->n2, rl, SCSI_DIR_READ, 64, NULL), 0);
		assert_int_equal(run_as(p, &p->n2, start, SCSI_DIR_NONE, 0, NULL), 0);
		assert_int_equal(prin(p, &p->n2, 0, 64), 0);
		/* Unregistered, nexus 2 is an outsider. */
		assert_int_equal(prout(p, &p->n2, REGISTER, 0, K2, 0), 0);
		assert_int_equal(rw10(p, &p->n2, 0x28), types[i].unreg_read ? 0 : CONFLICT);
		assert_int_equal(rw10(p, &p->n2, 0x2a), types[i].unreg_write ? 0 : CONFLICT);
		assert_int_equal(run_as(p, &p->n2, sense6, SCSI_DIR_READ, 64, NULL), CONFLICT);
		assert_int_equal(run_as(p, &p->n2, stop, SCSI_DIR_NONE, 0, NULL), CONFLICT);
		assert_int_equal(run_as(p, &p->n2, inq, SCSI_DIR_READ, 36, NULL), 0);
		/* The conflict comes before the CDB checks, and after a
		 * unit attention. */
		{
			uint8_t bad[SCSI_CDB_MAX] = { 0x2a, 0, 0xff, 0xff, 0xff, 0xff, 0, 0, 1 };

			assert_int_equal(run_as(p, &p->n2, bad, SCSI_DIR_WRITE, 512, NULL), CONFLICT);
			assert_int_equal(scsi_tgt_lu_reset(p->f->tgt, 0), 0);
			run_as(p, &p->n2, bad, SCSI_DIR_WRITE, 512, NULL);
			assert_sense(&p->t, 0x6, 0x2903);
			assert_int_equal(run_as(p, &p->n2, bad, SCSI_DIR_WRITE, 512, NULL), CONFLICT);
		}
		teardown(p);
	}
}

/* ---- CLEAR ---- */

static void test_clear(void **state)
{
	struct prt *p = setup();
	uint32_t gen;

	(void)state;
	assert_int_equal(prout(p, &p->f->itn, CLEAR, 0, K1, 0), CONFLICT);
	assert_int_equal(prout(p, &p->f->itn, REGISTER, 0, 0, K1), 0);
	assert_int_equal(prout(p, &p->n2, REGISTER, 0, 0, K2), 0);
	assert_int_equal(prout(p, &p->f->itn, RESERVE, 3, K1, 0), 0);
	gen = generation(p);
	assert_int_equal(prout(p, &p->n2, CLEAR, 0, K1, 0), CONFLICT);
	assert_int_equal(prout(p, &p->n2, CLEAR, 0, K2, 0), 0);
	assert_keys(p, 0, NULL);
	assert_resv(p, 0, 0);
	assert_int_equal(generation(p), gen + 1);
	teardown(p);
	/* The unit attention: RESERVATIONS PREEMPTED to the others. */
	p = setup();
	assert_int_equal(prout(p, &p->f->itn, REGISTER, 0, 0, K1), 0);
	assert_int_equal(prout(p, &p->n2, REGISTER, 0, 0, K2), 0);
	assert_int_equal(prout(p, &p->n2, CLEAR, 0, K2, 0), 0);
	assert_ua(p, &p->f->itn, 0x2a03);
	assert_ua(p, &p->n2, 0);
	teardown(p);
}

/* ---- PREEMPT / PREEMPT AND ABORT ---- */

static void test_preempt_registration(void **state)
{
	for (uint8_t sa = PREEMPT; sa <= PREEMPT_ABORT; sa++) {
		struct prt *p = setup();
		uint32_t gen;

		(void)state;
		assert_int_equal(prout(p, &p->f->itn, REGISTER, 0, 0, K1), 0);
		assert_int_equal(prout(p, &p->n2, REGISTER, 0, 0, K2), 0);
		gen = generation(p);
		assert_int_equal(prout(p, &p->n2, sa, 3, K1, K1), CONFLICT);	/* wrong key */
		assert_int_equal(prout(p, &p->n2, sa, 3, K2, K3), CONFLICT);	/* nobody has K3 */
		assert_int_equal(prout(p, &p->n2, sa, 3, K2, K1), 0);
		assert_keys(p, 1, (uint64_t[]){ K2 });
		assert_resv(p, 0, 0);				/* no reservation made */
		assert_int_equal(generation(p), gen + 1);
		assert_ua(p, &p->f->itn, 0x2a05);
		assert_ua(p, &p->n2, 0);
		teardown(p);
	}
}

static void test_preempt_reservation(void **state)
{
	struct prt *p = setup();

	(void)state;
	add_nexus(p, &p->n3, 3, NAME3 ",i,0x000000000003");
	assert_int_equal(prout(p, &p->f->itn, REGISTER, 0, 0, K1), 0);
	assert_int_equal(prout(p, &p->n2, REGISTER, 0, 0, K2), 0);
	assert_int_equal(prout(p, &p->n3, REGISTER, 0, 0, K3), 0);
	assert_int_equal(prout(p, &p->f->itn, RESERVE, 1, K1, 0), 0);
	/* SARK 0 does not name a holder. */
	assert_int_equal(prout(p, &p->n2, PREEMPT, 3, K2, 0), 2);
	assert_sense(&p->t, 0x5, 0x2600);
	/* Preempt the holder, with another type. */
	assert_int_equal(prout(p, &p->n2, PREEMPT_ABORT, 3, K2, K1), 0);
	assert_keys(p, 2, (uint64_t[]){ K2, K3 });
	assert_resv(p, 3, K2);
	assert_ua(p, &p->f->itn, 0x2a05);
	assert_ua(p, &p->n3, 0x2a04);		/* type changed */
	assert_ua(p, &p->n2, 0);
	assert_int_equal(rw10(p, &p->n3, 0x28), CONFLICT);
	/* Preempting our own reservation keeps our registration. */
	assert_int_equal(prout(p, &p->n2, PREEMPT, 3, K2, K2), 0);
	assert_keys(p, 2, (uint64_t[]){ K2, K3 });
	assert_resv(p, 3, K2);
	assert_ua(p, &p->n3, 0);		/* same type: no RESERVATIONS RELEASED */
	/* All registrants: SARK 0 preempts every other registration. */
	assert_int_equal(prout(p, &p->n2, RELEASE, 3, K2, 0), 0);
	assert_int_equal(prout(p, &p->n2, RESERVE, 8, K2, 0), 0);
	assert_int_equal(prout(p, &p->f->itn, REGISTER, 0, 0, K1), 0);
	assert_int_equal(prout(p, &p->n3, PREEMPT, 1, K3, 0), 0);
	assert_keys(p, 1, (uint64_t[]){ K3 });
	assert_resv(p, 1, K3);
	assert_ua(p, &p->f->itn, 0x2a05);
	assert_ua(p, &p->n2, 0x2a05);
	teardown(p);
}


/* ---- REPORT SUPPORTED OPERATION CODES ---- */

/* One command (REPORTING OPTIONS 2 or 1): supported, CDB length, usage. */
static void assert_rsoc(struct prt *p, uint8_t op, int sa, unsigned len, const uint8_t *usage)
{
	uint8_t cdb[SCSI_CDB_MAX] = { 0xa3, 0x0c, sa < 0 ? 1 : 2, op };

	put_be16(&cdb[4], sa < 0 ? 0 : (uint16_t)sa);
	put_be32(&cdb[6], 64);
	assert_int_equal(run_as(p, &p->f->itn, cdb, SCSI_DIR_READ, 64, NULL), 0);
	assert_int_equal(p->t.buf[1] & 7, 3);		/* SUPPORT: as the standard says */
	assert_int_equal(get_be16(&p->t.buf[2]), len);
	assert_int_equal(p->t.buf[4], op);
	if (sa >= 0)
		assert_int_equal(p->t.buf[5], sa);
	assert_memory_equal(&p->t.buf[5 + (sa >= 0)], &usage[1 + (sa >= 0)],
			    len - 1 - (sa >= 0));
}

static void test_rsoc(void **state)
{
	struct prt *p = setup();
	static const uint8_t prin_u[10] = { 0x5e, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0 };
	static const uint8_t prout_u[10] = { 0x5f, 0, 0xff, 0, 0, 0xff, 0xff, 0xff, 0xff, 0 };
	static const uint8_t none6[6] = { 0 }, none10[10] = { 0 };

	(void)state;
	for (int sa = 0; sa < 4; sa++)
		assert_rsoc(p, 0x5e, sa, 10, prin_u);
	for (int sa = 0; sa < 8; sa++)
		assert_rsoc(p, 0x5f, sa, 10, prout_u);
	assert_rsoc(p, 0x16, -1, 6, none6);
	assert_rsoc(p, 0x17, -1, 6, none6);
	assert_rsoc(p, 0x56, -1, 10, none10);
	assert_rsoc(p, 0x57, -1, 10, none10);
	teardown(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prin_empty),
		cmocka_unit_test(test_prin_truncation),
		cmocka_unit_test(test_prout_lengths),
		cmocka_unit_test(test_prout_fields),
		cmocka_unit_test(test_register),
		cmocka_unit_test(test_reserve_release),
		cmocka_unit_test(test_unregister_holder),
		cmocka_unit_test(test_conflicts),
		cmocka_unit_test(test_clear),
		cmocka_unit_test(test_preempt_registration),
		cmocka_unit_test(test_preempt_reservation),
		cmocka_unit_test(test_rsoc),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

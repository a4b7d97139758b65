/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Reservations: PERSISTENT RESERVE IN/OUT field checks and every service
 * action, the conflict rules of each reservation type, SPEC_I_PT, REGISTER
 * AND MOVE, the unit attentions they establish, RESERVE/RELEASE(6)/(10)
 * and how they end, and the APTPL state file.
 */
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/unit/scsi_fixture.h"

#include "util/endian.h"
#include "util/log.h"

#define NBLOCKS 64u
#define K1 0x1111111111111111ull
#define K2 0x2222222222222222ull
#define K3 0x3333333333333333ull
#define PORT2 "iqn.2026-01.test:other,i,0x000000000002"
#define NAME3 "iqn.2026-01.test:third"
#define CONFLICT SCSI_STATUS_RESERVATION_CONFLICT

/* PERSISTENT RESERVE OUT service actions */
enum { REGISTER, RESERVE, RELEASE, CLEAR, PREEMPT, PREEMPT_ABORT, REG_IGNORE, REG_MOVE };

struct prt {
	struct fixture *f;
	struct scsi_itn n2, n3;		/* f->itn is nexus 1 */
	struct scsi_itn obs;		/* never registers: reads the state */
	struct scsi_task t;
};

/* Run @cdb from @itn, like fx_cmd() does for the fixture's nexus. */
static int run_as(struct prt *p, const struct scsi_itn *itn, const uint8_t *cdb,
		  enum scsi_dir dir, uint32_t len, const void *dout)
{
	struct scsi_task *t = &p->t;
	int rc;

	scsi_task_release(t);
	memset(t, 0, sizeof(*t));
	t->tgt = p->f->tgt;
	t->itn = (struct scsi_itn *)itn;
	memcpy(t->cdb, cdb, SCSI_CDB_MAX);
	t->expected_len = len;
	t->dir = dir;
	t->done = fx_done;
	g_fx = p->f;
	rc = scsi_task_prepare(t);
	if (rc == SCSI_TASK_COMPLETE)
		return t->status;
	if (t->data_out_len && dout)
		memcpy(t->buf, dout, t->data_out_len < len ? t->data_out_len : len);
	rc = scsi_task_execute(t);
	if (rc == SCSI_TASK_PENDING)
		fake_run(&p->f->bs);
	return t->status;
}

static void add_nexus(struct prt *p, struct scsi_itn *itn, uint64_t id, const char *port)
{
	uint8_t tur[SCSI_CDB_MAX] = { 0 };

	fx_itn_init(itn, id);
	strcpy(itn->initiator_port, port);
	scsi_tgt_nexus_add(p->f->tgt, itn);
	run_as(p, itn, tur, SCSI_DIR_NONE, 0, NULL);	/* the power-on UA */
	assert_int_equal(p->t.sense[12], 0x29);
}

static struct prt *setup_cfg(const struct scsi_lu_config *cfg)
{
	struct prt *p = calloc(1, sizeof(*p));

	assert_non_null(p);
	p->f = fx_new_cfg(NBLOCKS, cfg);
	add_nexus(p, &p->n2, 2, PORT2);
	add_nexus(p, &p->obs, 9, "iqn.2026-01.test:observer,i,0x000000000009");
	return p;
}

static struct prt *setup(void)
{
	struct scsi_lu_config cfg = { .lun = 0 };

	return setup_cfg(&cfg);
}

static void teardown(struct prt *p)
{
	scsi_task_release(&p->t);
	if (p->n3.id)
		scsi_tgt_nexus_remove(p->f->tgt, &p->n3);
	scsi_tgt_nexus_remove(p->f->tgt, &p->n2);
	scsi_tgt_nexus_remove(p->f->tgt, &p->obs);
	fx_free(p->f);
	free(p);
}

/* PERSISTENT RESERVE OUT with the basic 24-byte parameter list. */
static int prout_ex(struct prt *p, const struct scsi_itn *itn, uint8_t sa, uint8_t type,
		    uint64_t rk, uint64_t sark, uint8_t flags)
{
	uint8_t cdb[SCSI_CDB_MAX] = { 0x5f, sa, type }, d[24] = { 0 };

	put_be32(&cdb[5], sizeof(d));
	put_be64(&d[0], rk);
	put_be64(&d[8], sark);
	d[20] = flags;
	return run_as(p, itn, cdb, SCSI_DIR_WRITE, sizeof(d), d);
}

static int prout(struct prt *p, const struct scsi_itn *itn, uint8_t sa, uint8_t type,
		 uint64_t rk, uint64_t sark)
{
	return prout_ex(p, itn, sa, type, rk, sark, 0);
}

static int prin(struct prt *p, const struct scsi_itn *itn, uint8_t sa, uint16_t alloc)
{
	uint8_t cdb[SCSI_CDB_MAX] = { 0x5e, sa };

	put_be16(&cdb[7], alloc);
	return run_as(p, itn, cdb, SCSI_DIR_READ, alloc, NULL);
}

/* PERSISTENT RESERVE IN from the observer, past any unit attention (a
 * reset's) it has. */
static int observe(struct prt *p, uint8_t sa)
{
	if (prin(p, &p->obs, sa, 4096) == SCSI_STATUS_CHECK_CONDITION && p->t.sense[2] == 0x6)
		return prin(p, &p->obs, sa, 4096);
	return p->t.status;
}

static uint32_t generation(struct prt *p)
{
	assert_int_equal(observe(p, 0), 0);
	return get_be32(&p->t.buf[0]);
}

/* READ KEYS lists exactly @n keys, @keys in order. */
static void assert_keys(struct prt *p, unsigned n, const uint64_t *keys)
{
	assert_int_equal(observe(p, 0), 0);
	assert_int_equal(get_be32(&p->t.buf[4]), 8 * n);
	assert_int_equal(p->t.data_in_len, 8 + 8 * n);
	for (unsigned i = 0; i < n; i++)
		assert_true(get_be64(&p->t.buf[8 + 8 * i]) == keys[i]);
}

/* READ RESERVATION: @type held with @key, or none when @type is 0. */
static void assert_resv(struct prt *p, uint8_t type, uint64_t key)
{
	assert_int_equal(observe(p, 1), 0);
	if (!type) {
		assert_int_equal(get_be32(&p->t.buf[4]), 0);
		assert_int_equal(p->t.data_in_len, 8);
		return;
	}
	assert_int_equal(get_be32(&p->t.buf[4]), 16);
	assert_int_equal(p->t.data_in_len, 24);
	assert_true(get_be64(&p->t.buf[8]) == key);
	assert_int_equal(p->t.buf[21], type);
}

/* The next command from @itn reports unit attention @asc (0: none). */
static void assert_ua(struct prt *p, const struct scsi_itn *itn, uint16_t asc)
{
	uint8_t tur[SCSI_CDB_MAX] = { 0 };

	run_as(p, itn, tur, SCSI_DIR_NONE, 0, NULL);
	if (asc) {
		assert_sense(&p->t, 0x6, asc);
		run_as(p, itn, tur, SCSI_DIR_NONE, 0, NULL);
	}
	assert_good(&p->t);
}

static int rw10(struct prt *p, const struct scsi_itn *itn, uint8_t op)
{
	uint8_t cdb[SCSI_CDB_MAX] = { op, 0, 0, 0, 0, 1, 0, 0, 1 };
	uint8_t data[512] = { 0 };

	return run_as(p, itn, cdb, op == 0x2a ? SCSI_DIR_WRITE : SCSI_DIR_READ, 512,
		      op == 0x2a ? data : NULL);
}

static void assert_field_ptr(const struct scsi_task *t, bool cdb, unsigned byte, int bit)
{
	uint8_t b15 = (uint8_t)(0x80 | (cdb ? 0x40 : 0) | (bit >= 0 ? 0x08 | bit : 0));

	assert_int_equal(t->sense[15], b15);
	assert_int_equal(get_be16(&t->sense[16]), byte);
}

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
	assert_field_ptr(&p->t, false, 20, -1);
	/* SPEC_I_PT with anything but REGISTER. */
	for (uint8_t sa = RESERVE; sa <= REG_IGNORE; sa++) {
		assert_int_equal(prout_ex(p, &p->f->itn, sa, 1, 0, K2, 0x08), 2);
		assert_sense(&p->t, 0x5, 0x2600);
		assert_field_ptr(&p->t, false, 20, -1);
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
		/* The conflict comes before the CDB checks... */
		{
			uint8_t bad[SCSI_CDB_MAX] = { 0x2a, 0, 0xff, 0xff, 0xff, 0xff, 0, 0, 1 };

			assert_int_equal(run_as(p, &p->n2, bad, SCSI_DIR_WRITE, 512, NULL), CONFLICT);
		}
		/* ...and after a unit attention. */
		assert_int_equal(prout(p, &p->f->itn, REGISTER, 0, K1, K3), 0);
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

/* ---- SPEC_I_PT ---- */

/* Append an iSCSI TransportID for @name (format 01b when it has an ISID). */
static uint32_t put_tid(uint8_t *at, const char *name)
{
	uint32_t n = (uint32_t)strlen(name) + 1, len = 4 + ((n + 3) & ~3u);

	if (len < 24)
		len = 24;
	memset(at, 0, len);
	at[0] = (uint8_t)((strstr(name, ",i,0x") ? 0x40 : 0) | 0x05);
	put_be16(&at[2], (uint16_t)(len - 4));
	memcpy(&at[4], name, n - 1);
	return len;
}

static int register_spec(struct prt *p, const struct scsi_itn *itn, uint64_t sark,
			 const uint8_t *tids, uint32_t tlen, uint32_t list_len)
{
	uint8_t cdb[SCSI_CDB_MAX] = { 0x5f, REGISTER }, d[512] = { 0 };

	put_be32(&cdb[5], list_len);
	put_be64(&d[8], sark);
	d[20] = 0x08;
	put_be32(&d[24], tlen);
	memcpy(&d[28], tids, tlen);
	return run_as(p, itn, cdb, SCSI_DIR_WRITE, list_len, d);
}

static void test_spec_i_pt(void **state)
{
	struct prt *p = setup();
	uint8_t tids[256], *fs;
	uint32_t tlen = 0, off;

	(void)state;
	tlen += put_tid(&tids[tlen], PORT2);
	tlen += put_tid(&tids[tlen], NAME3);		/* not logged in yet; any ISID */
	/* The list must fit in the parameter data. */
	assert_int_equal(register_spec(p, &p->f->itn, K1, tids, tlen, 28 + tlen - 4), 2);
	assert_sense(&p->t, 0x5, 0x1a00);
	assert_int_equal(register_spec(p, &p->f->itn, K1, tids, tlen, 28 + tlen), 0);
	assert_keys(p, 3, (uint64_t[]){ K1, K1, K1 });
	assert_int_equal(generation(p), 1);
	/* Nexus 2 is registered: it may reserve. */
	assert_int_equal(prout(p, &p->n2, RESERVE, 1, K1, 0), 0);
	assert_int_equal(prout(p, &p->n2, RELEASE, 1, K1, 0), 0);
	/* So is the third initiator once it logs in, with any ISID. */
	add_nexus(p, &p->n3, 3, NAME3 ",i,0x23d000000007");
	assert_int_equal(prout(p, &p->n3, REGISTER, 0, K1, K3), 0);
	assert_keys(p, 3, (uint64_t[]){ K1, K1, K3 });

	/* READ FULL STATUS: TransportIDs, relative port, holder. */
	assert_int_equal(prout(p, &p->f->itn, RESERVE, 1, K1, 0), 0);
	assert_int_equal(prin(p, &p->f->itn, 3, 4096), 0);
	fs = p->t.buf;
	off = 8;
	for (int i = 0; i < 3; i++) {
		const char *want[] = { "iqn.2026-01.test:init,i,0x000000000001", PORT2, NAME3 };
		uint32_t dl = get_be32(&fs[off + 20]);

		assert_true(get_be64(&fs[off]) == (i == 2 ? K3 : K1));
		assert_int_equal(fs[off + 12], i == 0 ? 0x01 : 0x00);	/* R_HOLDER */
		assert_int_equal(fs[off + 13], i == 0 ? 1 : 0);
		assert_int_equal(get_be16(&fs[off + 18]), 1);
		assert_int_equal(fs[off + 24], i == 2 ? 0x05 : 0x45);
		assert_int_equal(get_be16(&fs[off + 26]), dl - 4);
		assert_int_equal(dl % 4, 0);
		assert_string_equal((const char *)&fs[off + 28], want[i]);
		off += 24 + dl;
	}
	assert_int_equal(get_be32(&fs[4]), off - 8);
	assert_int_equal(p->t.data_in_len, off);
	teardown(p);
}

static void test_spec_i_pt_errors(void **state)
{
	struct prt *p = setup();
	uint8_t tids[256];
	uint32_t tlen, off;

	(void)state;
	/* Not iSCSI (protocol 6). */
	tlen = put_tid(tids, PORT2);
	tids[0] = 0x46;
	assert_int_equal(register_spec(p, &p->f->itn, K1, tids, tlen, 28 + tlen), 2);
	assert_sense(&p->t, 0x5, 0x2600);
	assert_field_ptr(&p->t, false, 28, -1);
	/* Format 01b without an ISID, and an unterminated name. */
	tlen = put_tid(tids, NAME3);
	tids[0] = 0x45;
	assert_int_equal(register_spec(p, &p->f->itn, K1, tids, tlen, 28 + tlen), 2);
	assert_sense(&p->t, 0x5, 0x2600);
	tlen = put_tid(tids, PORT2);
	memset(&tids[4], 'a', tlen - 4);
	assert_int_equal(register_spec(p, &p->f->itn, K1, tids, tlen, 28 + tlen), 2);
	assert_sense(&p->t, 0x5, 0x2600);
	/* Length field beyond the list. */
	tlen = put_tid(tids, PORT2);
	put_be16(&tids[2], 200);
	assert_int_equal(register_spec(p, &p->f->itn, K1, tids, tlen, 28 + tlen), 2);
	assert_sense(&p->t, 0x5, 0x2600);
	/* Second TransportID bad: nothing at all is registered. */
	off = put_tid(tids, PORT2);
	tlen = off + put_tid(&tids[off], NAME3);
	tids[off] = 0x85;
	assert_int_equal(register_spec(p, &p->f->itn, K1, tids, tlen, 28 + tlen), 2);
	assert_sense(&p->t, 0x5, 0x2600);
	assert_field_ptr(&p->t, false, 28 + off, -1);
	assert_keys(p, 0, NULL);
	/* Naming an initiator port that is registered already. */
	assert_int_equal(prout(p, &p->n2, REGISTER, 0, 0, K2), 0);
	tlen = put_tid(tids, PORT2);
	assert_int_equal(register_spec(p, &p->f->itn, K1, tids, tlen, 28 + tlen), 2);
	assert_sense(&p->t, 0x5, 0x2600);
	assert_keys(p, 1, (uint64_t[]){ K2 });
	/* Naming ourselves adds nothing more. */
	tlen = put_tid(tids, "iqn.2026-01.test:init,i,0x000000000001");
	assert_int_equal(register_spec(p, &p->f->itn, K1, tids, tlen, 28 + tlen), 0);
	assert_keys(p, 2, (uint64_t[]){ K2, K1 });
	teardown(p);
}

/* ---- REGISTER AND MOVE ---- */

static int reg_move(struct prt *p, const struct scsi_itn *itn, uint64_t rk, uint64_t sark,
		    const char *to, uint16_t rel, uint8_t flags)
{
	uint8_t cdb[SCSI_CDB_MAX] = { 0x5f, REG_MOVE, 1 }, d[256] = { 0 };
	uint32_t tlen = put_tid(&d[24], to);

	put_be32(&cdb[5], 24 + tlen);
	put_be64(&d[0], rk);
	put_be64(&d[8], sark);
	d[17] = flags;
	put_be16(&d[18], rel);
	put_be32(&d[20], tlen);
	return run_as(p, itn, cdb, SCSI_DIR_WRITE, 24 + tlen, d);
}

static void test_register_and_move(void **state)
{
	struct prt *p = setup();
	const char *me = "iqn.2026-01.test:init,i,0x000000000001";

	(void)state;
	assert_int_equal(prout(p, &p->f->itn, REGISTER, 0, 0, K1), 0);
	/* Only the holder of a reservation may move it. */
	assert_int_equal(reg_move(p, &p->f->itn, K1, K2, PORT2, 1, 0), CONFLICT);
	assert_int_equal(prout(p, &p->f->itn, RESERVE, 3, K1, 0), 0);
	assert_int_equal(reg_move(p, &p->f->itn, K2, K2, PORT2, 1, 0), CONFLICT);
	assert_int_equal(reg_move(p, &p->f->itn, K1, 0, PORT2, 1, 0), 2);
	assert_sense(&p->t, 0x5, 0x2600);
	assert_field_ptr(&p->t, false, 8, -1);
	assert_int_equal(reg_move(p, &p->f->itn, K1, K2, me, 1, 0), 2);	/* to ourselves */
	assert_sense(&p->t, 0x5, 0x2600);
	assert_field_ptr(&p->t, false, 24, -1);
	assert_int_equal(reg_move(p, &p->f->itn, K1, K2, PORT2, 0, 0), 2);
	assert_sense(&p->t, 0x5, 0x2600);
	assert_int_equal(reg_move(p, &p->f->itn, K1, K2, PORT2, 1, 0x01), 2);	/* APTPL */
	assert_sense(&p->t, 0x5, 0x2600);
	assert_field_ptr(&p->t, false, 17, -1);
	assert_int_equal(generation(p), 1);
	/* Move to nexus 2 (not registered yet), keeping our registration. */
	assert_int_equal(reg_move(p, &p->f->itn, K1, K2, PORT2, 1, 0), 0);
	assert_keys(p, 2, (uint64_t[]){ K1, K2 });
	assert_resv(p, 3, K2);
	assert_int_equal(generation(p), 2);
	assert_int_equal(rw10(p, &p->n2, 0x2a), 0);
	assert_int_equal(rw10(p, &p->f->itn, 0x28), CONFLICT);
	/* And back, with UNREG. */
	assert_int_equal(reg_move(p, &p->n2, K2, K3, me, 1, 0x02), 0);
	assert_keys(p, 1, (uint64_t[]){ K1 });
	assert_resv(p, 3, K1);
	/* Not for an all-registrants reservation. */
	assert_int_equal(prout(p, &p->f->itn, RELEASE, 3, K1, 0), 0);
	assert_int_equal(prout(p, &p->f->itn, RESERVE, 7, K1, 0), 0);
	assert_int_equal(reg_move(p, &p->f->itn, K1, K2, PORT2, 1, 0), CONFLICT);
	teardown(p);
}

/* ---- RESERVE(6)/(10), RELEASE(6)/(10) ---- */

static void test_reserve6(void **state)
{
	struct prt *p = setup();
	uint8_t res6[SCSI_CDB_MAX] = { 0x16 }, rel6[SCSI_CDB_MAX] = { 0x17 };
	uint8_t res10[SCSI_CDB_MAX] = { 0x56 }, rel10[SCSI_CDB_MAX] = { 0x57 };
	uint8_t inq[SCSI_CDB_MAX] = { 0x12, 0, 0, 0, 36 };
	uint8_t tur[SCSI_CDB_MAX] = { 0 };

	(void)state;
	assert_int_equal(run_as(p, &p->f->itn, res6, SCSI_DIR_NONE, 0, NULL), 0);
	assert_int_equal(run_as(p, &p->f->itn, res6, SCSI_DIR_NONE, 0, NULL), 0);	/* again */
	assert_int_equal(run_as(p, &p->n2, res6, SCSI_DIR_NONE, 0, NULL), CONFLICT);
	assert_int_equal(run_as(p, &p->n2, res10, SCSI_DIR_NONE, 0, NULL), CONFLICT);
	assert_int_equal(rw10(p, &p->n2, 0x28), CONFLICT);
	assert_int_equal(run_as(p, &p->n2, tur, SCSI_DIR_NONE, 0, NULL), CONFLICT);
	assert_int_equal(run_as(p, &p->n2, inq, SCSI_DIR_READ, 36, NULL), 0);
	assert_int_equal(rw10(p, &p->f->itn, 0x2a), 0);
	/* Persistent reservation commands conflict for everyone meanwhile. */
	assert_int_equal(prin(p, &p->f->itn, 0, 64), CONFLICT);
	assert_int_equal(prout(p, &p->n2, REGISTER, 0, 0, K1), CONFLICT);
	/* RELEASE from another nexus: a no-op. */
	assert_int_equal(run_as(p, &p->n2, rel6, SCSI_DIR_NONE, 0, NULL), 0);
	assert_int_equal(rw10(p, &p->n2, 0x28), CONFLICT);
	assert_int_equal(run_as(p, &p->f->itn, rel10, SCSI_DIR_NONE, 0, NULL), 0);
	assert_int_equal(rw10(p, &p->n2, 0x28), 0);
	assert_int_equal(run_as(p, &p->n2, res10, SCSI_DIR_NONE, 0, NULL), 0);
	assert_int_equal(run_as(p, &p->n2, rel6, SCSI_DIR_NONE, 0, NULL), 0);
	/* Obsolete third-party and extent reservations. */
	res6[1] = 0x10;
	run_as(p, &p->f->itn, res6, SCSI_DIR_NONE, 0, NULL);
	assert_sense(&p->t, 0x5, 0x2400);
	res6[1] = 0x01;
	run_as(p, &p->f->itn, res6, SCSI_DIR_NONE, 0, NULL);
	assert_sense(&p->t, 0x5, 0x2400);
	res10[1] = 0x02;
	run_as(p, &p->f->itn, res10, SCSI_DIR_NONE, 0, NULL);
	assert_sense(&p->t, 0x5, 0x2400);
	/* With a persistent registration, RESERVE and RELEASE conflict. */
	assert_int_equal(prout(p, &p->n2, REGISTER, 0, 0, K2), 0);
	res6[1] = 0;
	assert_int_equal(run_as(p, &p->f->itn, res6, SCSI_DIR_NONE, 0, NULL), CONFLICT);
	assert_int_equal(run_as(p, &p->n2, rel6, SCSI_DIR_NONE, 0, NULL), CONFLICT);
	teardown(p);
}

static void test_reserve6_ends(void **state)
{
	struct prt *p = setup();
	uint8_t res6[SCSI_CDB_MAX] = { 0x16 };

	(void)state;
	/* I_T nexus loss. */
	assert_int_equal(run_as(p, &p->n2, res6, SCSI_DIR_NONE, 0, NULL), 0);
	assert_int_equal(rw10(p, &p->f->itn, 0x28), CONFLICT);
	scsi_tgt_nexus_remove(p->f->tgt, &p->n2);
	assert_int_equal(rw10(p, &p->f->itn, 0x28), 0);
	add_nexus(p, &p->n2, 2, PORT2);
	/* LOGICAL UNIT RESET. */
	assert_int_equal(run_as(p, &p->n2, res6, SCSI_DIR_NONE, 0, NULL), 0);
	assert_int_equal(scsi_tgt_lu_reset(p->f->tgt, 0), 0);
	assert_ua(p, &p->f->itn, 0x2903);
	assert_int_equal(rw10(p, &p->f->itn, 0x28), 0);
	assert_ua(p, &p->n2, 0x2903);
	/* Target reset. */
	assert_int_equal(run_as(p, &p->n2, res6, SCSI_DIR_NONE, 0, NULL), 0);
	scsi_tgt_reset(p->f->tgt);
	assert_ua(p, &p->f->itn, 0x2900);
	assert_int_equal(rw10(p, &p->f->itn, 0x28), 0);
	/* Persistent reservations survive all of these. */
	assert_ua(p, &p->n2, 0x2900);
	assert_int_equal(prout(p, &p->n2, REGISTER, 0, 0, K2), 0);
	assert_int_equal(prout(p, &p->n2, RESERVE, 3, K2, 0), 0);
	scsi_tgt_reset(p->f->tgt);
	scsi_tgt_nexus_remove(p->f->tgt, &p->n2);
	add_nexus(p, &p->n2, 2, PORT2);
	assert_ua(p, &p->f->itn, 0x2900);
	assert_resv(p, 3, K2);
	assert_int_equal(rw10(p, &p->f->itn, 0x28), CONFLICT);
	teardown(p);
}

/* ---- APTPL ---- */

static void read_file(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
}

static void test_aptpl_round_trip(void **state)
{
	char dir[] = "/tmp/ctgt-pr-XXXXXX", file[64], tmp[80], text[1024];
	struct scsi_lu_config cfg = { .lun = 0 };
	struct prt *p;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(file, sizeof(file), "%s/lu.pr", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", file);
	cfg.pr_file = file;
	p = setup_cfg(&cfg);
	assert_int_equal(prin(p, &p->f->itn, 2, 8), 0);
	assert_int_equal(p->t.buf[2], 0x0d);		/* PTPL_C */
	assert_int_equal(p->t.buf[3] & 1, 0);		/* PTPL_A */
	assert_int_equal(prout(p, &p->f->itn, REGISTER, 0, 0, K1), 0);
	assert_int_equal(access(file, F_OK), -1);	/* no APTPL: no file */
	assert_int_equal(prout_ex(p, &p->n2, REGISTER, 0, 0, K2, 0x01), 0);
	assert_int_equal(prout(p, &p->n2, RESERVE, 6, K2, 0), 0);
	assert_int_equal(access(tmp, F_OK), -1);
	read_file(file, text, sizeof(text));
	assert_string_equal(text,
		"ctgt-pr 1\n"
		"reg 1111111111111111 1 0 iqn.2026-01.test:init,i,0x000000000001 "
		"iqn.2026-11.io.ctgt:disk0,t,0x0001\n"
		"reg 2222222222222222 1 0 " PORT2 " iqn.2026-11.io.ctgt:disk0,t,0x0001\n"
		"reservation 6 1\n");
	teardown(p);

	/* A new LU over the same file: everything is back. */
	p = setup_cfg(&cfg);
	assert_keys(p, 2, (uint64_t[]){ K1, K2 });
	assert_int_equal(generation(p), 0);		/* a power on resets it */
	assert_resv(p, 6, K2);
	assert_int_equal(prin(p, &p->f->itn, 2, 8), 0);
	assert_int_equal(p->t.buf[3] & 1, 1);		/* PTPL_A */
	assert_int_equal(rw10(p, &p->n2, 0x2a), 0);
	/* All-registrants reservations have no holder line. */
	assert_int_equal(prout(p, &p->n2, RELEASE, 6, K2, 0), 0);
	assert_ua(p, &p->f->itn, 0x2a04);
	assert_int_equal(prout(p, &p->f->itn, RESERVE, 8, K1, 0), 0);
	read_file(file, text, sizeof(text));
	assert_non_null(strstr(text, "reservation 8 -\n"));
	teardown(p);
	p = setup_cfg(&cfg);
	assert_resv(p, 8, 0);
	/* APTPL=0 in a REGISTER: the file goes. */
	assert_int_equal(prout(p, &p->f->itn, REGISTER, 0, K1, K3), 0);
	assert_int_equal(access(file, F_OK), -1);
	teardown(p);
	p = setup_cfg(&cfg);
	assert_keys(p, 0, NULL);
	teardown(p);

	/* A damaged file stops the LU from being created. */
	f = fopen(file, "w");
	assert_non_null(f);
	fputs("ctgt-pr 1\nreg 1 1 0 a b\nreservation 3 4\n", f);
	fclose(f);
	{
		struct backend bs = { .ops = &fake_ops, .size = 1 << 20 };

		log_set_level(LOG_LVL_ERROR);
		assert_null(scsi_lu_create(&cfg, &bs));
	}
	unlink(file);
	rmdir(dir);
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
		cmocka_unit_test(test_spec_i_pt),
		cmocka_unit_test(test_spec_i_pt_errors),
		cmocka_unit_test(test_register_and_move),
		cmocka_unit_test(test_reserve6),
		cmocka_unit_test(test_reserve6_ends),
		cmocka_unit_test(test_aptpl_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Shared helpers of the scsi_pr_*_test programs: the scsi_fixture.h target
 * with a second nexus (and an observer that never registers, to read the
 * state), commands sent from a chosen nexus, PERSISTENT RESERVE IN/OUT
 * builders and assertions on keys, reservation and unit attentions.
 */
#ifndef CTGT_TESTS_SCSI_PR_FIXTURE_H
#define CTGT_TESTS_SCSI_PR_FIXTURE_H

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
static inline int run_as(struct prt *p, const struct scsi_itn *itn, const uint8_t *cdb,
			 enum scsi_dir dir, uint32_t len, const void *dout)
{
	struct scsi_task *t = &p->t;
	int rc;

	scsi_task_release(t);
	fx_task(t, p->f->tgt, (struct scsi_itn *)itn, 0, cdb, dir, len, fx_done);
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

static inline void add_nexus(struct prt *p, struct scsi_itn *itn, uint64_t id, const char *port)
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

static inline void teardown(struct prt *p)
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
static inline int prout_ex(struct prt *p, const struct scsi_itn *itn, uint8_t sa, uint8_t type,
			   uint64_t rk, uint64_t sark, uint8_t flags)
{
	uint8_t cdb[SCSI_CDB_MAX] = { 0x5f, sa, type }, d[24] = { 0 };

	put_be32(&cdb[5], sizeof(d));
	put_be64(&d[0], rk);
	put_be64(&d[8], sark);
	d[20] = flags;
	return run_as(p, itn, cdb, SCSI_DIR_WRITE, sizeof(d), d);
}

static inline int prout(struct prt *p, const struct scsi_itn *itn, uint8_t sa, uint8_t type,
			uint64_t rk, uint64_t sark)
{
	return prout_ex(p, itn, sa, type, rk, sark, 0);
}

static inline int prin(struct prt *p, const struct scsi_itn *itn, uint8_t sa, uint16_t alloc)
{
	uint8_t cdb[SCSI_CDB_MAX] = { 0x5e, sa };

	put_be16(&cdb[7], alloc);
	return run_as(p, itn, cdb, SCSI_DIR_READ, alloc, NULL);
}

/* PERSISTENT RESERVE IN from the observer, past any unit attention (a
 * reset's) it has. */
static inline int observe(struct prt *p, uint8_t sa)
{
	if (prin(p, &p->obs, sa, 4096) == SCSI_STATUS_CHECK_CONDITION && p->t.sense[2] == 0x6)
		return prin(p, &p->obs, sa, 4096);
	return p->t.status;
}

static inline uint32_t generation(struct prt *p)
{
	assert_int_equal(observe(p, 0), 0);
	return get_be32(&p->t.buf[0]);
}

/* READ KEYS lists exactly @n keys, @keys in order. */
static inline void assert_keys(struct prt *p, unsigned n, const uint64_t *keys)
{
	assert_int_equal(observe(p, 0), 0);
	assert_int_equal(get_be32(&p->t.buf[4]), 8 * n);
	assert_int_equal(p->t.data_in_len, 8 + 8 * n);
	for (unsigned i = 0; i < n; i++)
		assert_true(get_be64(&p->t.buf[8 + 8 * i]) == keys[i]);
}

/* READ RESERVATION: @type held with @key, or none when @type is 0. */
static inline void assert_resv(struct prt *p, uint8_t type, uint64_t key)
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
static inline void assert_ua(struct prt *p, const struct scsi_itn *itn, uint16_t asc)
{
	uint8_t tur[SCSI_CDB_MAX] = { 0 };

	run_as(p, itn, tur, SCSI_DIR_NONE, 0, NULL);
	if (asc) {
		assert_sense(&p->t, 0x6, asc);
		run_as(p, itn, tur, SCSI_DIR_NONE, 0, NULL);
	}
	assert_good(&p->t);
}

static inline int rw10(struct prt *p, const struct scsi_itn *itn, uint8_t op)
{
	uint8_t cdb[SCSI_CDB_MAX] = { op, 0, 0, 0, 0, 1, 0, 0, 1 };
	uint8_t data[512] = { 0 };

	return run_as(p, itn, cdb, op == 0x2a ? SCSI_DIR_WRITE : SCSI_DIR_READ, 512,
		      op == 0x2a ? data : NULL);
}

static inline void assert_field_ptr(const struct scsi_task *t, bool cdb, unsigned byte, int bit)
{
	uint8_t b15 = (uint8_t)(0x80 | (cdb ? 0x40 : 0) | (bit >= 0 ? 0x08 | bit : 0));

	assert_int_equal(t->sense[15], b15);
	assert_int_equal(get_be16(&t->sense[16]), byte);
}

/* Append an iSCSI TransportID for @name (format 01b when it has an ISID). */
static inline uint32_t put_tid(uint8_t *at, const char *name)
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

#endif

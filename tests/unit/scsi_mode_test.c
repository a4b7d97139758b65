/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Mode parameters through the public task API: MODE SENSE subpages and page
 * controls, MODE SELECT(6/10) checks and effects (WCE forces FUA, SWP write
 * protects, MODE PARAMETERS CHANGED on the other nexuses).
 */
#include "tests/unit/scsi_fixture.h"

#include "util/endian.h"

#define NBLOCKS 2048u
#define BS 512u

static void mode_sense(struct fixture *f, struct scsi_task *t, uint8_t b1, uint8_t b2,
		       uint8_t sub)
{
	uint8_t cdb[SCSI_CDB_MAX] = { 0x1a, b1, b2, sub, 255 };

	assert_int_equal(fx_cmd(f, t, cdb, SCSI_DIR_READ, 255, NULL), SCSI_TASK_COMPLETE);
}

/* Current page (@code, @sub) without block descriptor, as a MODE SELECT(6)
 * parameter list (4-byte header, zeros) in @list; returns the list length. */
static uint32_t current_page(struct fixture *f, uint8_t code, uint8_t sub, uint8_t *list)
{
	struct scsi_task t;
	uint32_t n;

	mode_sense(f, &t, 0x08, code, sub);
	assert_good(&t);
	n = t.data_in_len;
	memset(list, 0, 4);
	memcpy(list + 4, t.buf + 4, n - 4);
	scsi_task_release(&t);
	return n;
}

static int mode_select(struct fixture *f, struct scsi_task *t, bool ten, uint8_t b1,
		       const uint8_t *list, uint16_t len)
{
	uint8_t cdb[SCSI_CDB_MAX] = { ten ? 0x55 : 0x15, b1 };

	int rc;

	if (ten)
		put_be16(&cdb[7], len);
	else
		cdb[4] = (uint8_t)len;
	rc = fx_cmd(f, t, cdb, SCSI_DIR_WRITE, len, list);
	scsi_task_release(t);		/* the status and sense stay */
	return rc;
}

static void select6_expect(struct fixture *f, const uint8_t *list, uint16_t len,
			   uint16_t asc, int field)
{
	struct scsi_task t;

	mode_select(f, &t, false, 0x10, list, len);
	if (asc == 0) {
		assert_good(&t);
	} else {
		assert_sense(&t, 0x5, asc);
		if (field >= 0) {
			assert_int_equal(t.sense[15] & 0xc0, 0x80);	/* SKSV, C/D=0 */
			assert_int_equal(get_be16(&t.sense[16]), field);
		}
	}
	scsi_task_release(&t);
}

static int tur(struct fixture *f, struct scsi_task *t)
{
	uint8_t cdb[SCSI_CDB_MAX] = { 0 };

	return fx_cmd(f, t, cdb, SCSI_DIR_NONE, 0, NULL);
}

/* WRITE(10) of one block; @t keeps its status and sense, not its buffer. */
static void write1(struct fixture *f, struct scsi_task *t)
{
	uint8_t cdb[SCSI_CDB_MAX] = { 0x2a, 0, 0, 0, 0, 5, 0, 0, 1 };
	uint8_t data[BS] = { 1, 2, 3 };

	fx_cmd(f, t, cdb, SCSI_DIR_WRITE, BS, data);
	scsi_task_release(t);
}

static void test_sense_subpages(void **state)
{
	struct fixture *f = fx_new(NBLOCKS);
	const uint8_t all[][2] = { { 0x02, 0 }, { 0x08, 0 }, { 0x0a, 0 }, { 0x4a, 1 }, { 0x1c, 0 } };
	struct scsi_task t;
	uint32_t off = 4;

	(void)state;
	mode_sense(f, &t, 0x08, 0x3f, 0xff);		/* every page and subpage */
	assert_good(&t);
	for (size_t i = 0; i < 5; i++) {
		assert_int_equal(t.buf[off], all[i][0]);
		if (all[i][0] & 0x40) {			/* SPF: subpage format */
			assert_int_equal(t.buf[off + 1], all[i][1]);
			assert_int_equal(get_be16(&t.buf[off + 2]), 0x1c);
			off += 4 + 0x1c;
		} else {
			off += 2 + t.buf[off + 1];
		}
	}
	assert_int_equal(off, t.data_in_len);
	assert_int_equal(t.buf[0] + 1u, t.data_in_len);
	scsi_task_release(&t);

	mode_sense(f, &t, 0x08, 0x3f, 0);		/* subpage 0 pages only */
	assert_good(&t);
	assert_int_equal(t.data_in_len, 4 + 16 + 20 + 12 + 12);
	scsi_task_release(&t);
	mode_sense(f, &t, 0x08, 0x0a, 0xff);		/* control and its subpage */
	assert_good(&t);
	assert_int_equal(t.data_in_len, 4 + 12 + 32);
	assert_int_equal(t.buf[16], 0x4a);
	scsi_task_release(&t);
	mode_sense(f, &t, 0x08, 0x0a, 0x01);		/* control extension */
	assert_good(&t);
	assert_int_equal(t.data_in_len, 4 + 32);
	scsi_task_release(&t);
	mode_sense(f, &t, 0x08, 0x08, 0xff);		/* no subpages: the page */
	assert_good(&t);
	assert_int_equal(t.data_in_len, 4 + 20);
	scsi_task_release(&t);

	mode_sense(f, &t, 0x08, 0x3f, 0x05);		/* reserved subpage of 3Fh */
	assert_sense(&t, 0x5, 0x2400);
	assert_int_equal(get_be16(&t.sense[16]), 3);
	scsi_task_release(&t);
	mode_sense(f, &t, 0x08, 0x08, 0x01);		/* unknown subpage */
	assert_sense(&t, 0x5, 0x2400);
	assert_int_equal(get_be16(&t.sense[16]), 3);
	scsi_task_release(&t);
	mode_sense(f, &t, 0x08, 0x15, 0xff);		/* unknown page */
	assert_sense(&t, 0x5, 0x2400);
	assert_int_equal(get_be16(&t.sense[16]), 2);
	scsi_task_release(&t);
	fx_free(f);
}

static void test_sense_iec_and_changeable(void **state)
{
	struct fixture *f = fx_new(NBLOCKS);
	struct scsi_task t;

	(void)state;
	mode_sense(f, &t, 0x08, 0x1c, 0);
	assert_good(&t);
	assert_int_equal(t.buf[5], 0x0a);		/* PAGE LENGTH */
	assert_int_equal(t.buf[6], 0x08);		/* DEXCPT */
	assert_int_equal(t.buf[7], 0);			/* MRIE 0 */
	scsi_task_release(&t);
	mode_sense(f, &t, 0x08, 0x40 | 0x1c, 0);	/* changeable */
	assert_good(&t);
	assert_int_equal(t.buf[6], 0x99);		/* PERF EWASC DEXCPT LOGERR */
	assert_int_equal(t.buf[7], 0x0f);		/* MRIE */
	for (int i = 8; i < 16; i++)
		assert_int_equal(t.buf[i], 0xff);	/* timer, count */
	scsi_task_release(&t);
	mode_sense(f, &t, 0x08, 0x40 | 0x08, 0);
	assert_int_equal(t.buf[6], 0x04);		/* WCE only */
	scsi_task_release(&t);
	mode_sense(f, &t, 0x08, 0x40 | 0x0a, 0x01);	/* nothing in the extension */
	for (int i = 8; i < 36; i++)
		assert_int_equal(t.buf[i], 0);
	scsi_task_release(&t);
	mode_sense(f, &t, 0x08, 0xc0 | 0x3f, 0);	/* saved */
	assert_sense(&t, 0x5, 0x3900);
	scsi_task_release(&t);
	fx_free(f);
}

/* WCE=0: every write is write-through, the cache is flushed on the change,
 * and the default values still say WCE=1. */
static void test_select_wce(void **state)
{
	struct fixture *f = fx_new(NBLOCKS);
	uint8_t list[64];
	uint32_t n = current_page(f, 0x08, 0, list);
	struct scsi_task t;

	(void)state;
	write1(f, &t);
	assert_good(&t);
	assert_false(f->st.last.fua);
	scsi_task_release(&t);
	assert_int_equal(list[6] & 0x04, 0x04);
	list[6] &= (uint8_t)~0x04;
	f->st.submits = 0;
	assert_int_equal(mode_select(f, &t, false, 0x10, list, (uint16_t)n), SCSI_TASK_PENDING);
	assert_good(&t);
	assert_int_equal(f->st.submits, 1);
	assert_int_equal(f->st.last.op, BS_OP_FLUSH);
	scsi_task_release(&t);

	write1(f, &t);
	assert_good(&t);
	assert_int_equal(f->st.last.op, BS_OP_WRITE);
	assert_true(f->st.last.fua);
	scsi_task_release(&t);
	mode_sense(f, &t, 0x08, 0x08, 0);
	assert_int_equal(t.buf[6] & 0x04, 0);		/* current: off */
	scsi_task_release(&t);
	mode_sense(f, &t, 0x08, 0x80 | 0x08, 0);
	assert_int_equal(t.buf[6] & 0x04, 0x04);	/* default: on */
	scsi_task_release(&t);

	list[6] |= 0x04;				/* back on: no flush needed */
	f->st.submits = 0;
	assert_int_equal(mode_select(f, &t, false, 0x10, list, (uint16_t)n), SCSI_TASK_COMPLETE);
	assert_good(&t);
	assert_int_equal(f->st.submits, 0);
	scsi_task_release(&t);
	write1(f, &t);
	assert_false(f->st.last.fua);
	scsi_task_release(&t);
	fx_free(f);
}

static void test_select_swp(void **state)
{
	struct fixture *f = fx_new(NBLOCKS);
	uint8_t rd[SCSI_CDB_MAX] = { 0x28, 0, 0, 0, 0, 5, 0, 0, 1 };
	uint8_t list[64];
	uint32_t n = current_page(f, 0x0a, 0, list);
	struct scsi_task t;

	(void)state;
	list[8] |= 0x08;				/* SWP */
	mode_select(f, &t, false, 0x10, list, (uint16_t)n);
	assert_good(&t);
	scsi_task_release(&t);
	write1(f, &t);
	assert_sense(&t, 0x7, 0x2700);			/* DATA PROTECT */
	scsi_task_release(&t);
	fx_cmd(f, &t, rd, SCSI_DIR_READ, BS, NULL);
	assert_good(&t);
	scsi_task_release(&t);
	mode_sense(f, &t, 0x08, 0x0a, 0);
	assert_int_equal(t.buf[2] & 0x80, 0x80);	/* WP */
	assert_int_equal(t.buf[8] & 0x08, 0x08);
	scsi_task_release(&t);
	list[8] &= (uint8_t)~0x08;
	mode_select(f, &t, false, 0x10, list, (uint16_t)n);
	assert_good(&t);
	scsi_task_release(&t);
	write1(f, &t);
	assert_good(&t);
	scsi_task_release(&t);
	fx_free(f);
}

/* SWP covers every command that writes the medium: UNMAP on a thin LU. */
static void test_swp_unmap(void **state)
{
	struct scsi_lu_config cfg = { .thin = true, .write_cache = true };
	struct fixture *f = fx_new_cfg(NBLOCKS, &cfg);
	uint8_t cdb[SCSI_CDB_MAX] = { 0x42, [8] = 24 };
	uint8_t desc[24] = { 0, 22, 0, 16, [15] = 8, [19] = 1 };	/* LBA 8, 1 block */
	uint8_t list[64];
	uint32_t n = current_page(f, 0x0a, 0, list);
	struct scsi_task t;

	(void)state;
	list[8] |= 0x08;
	select6_expect(f, list, (uint16_t)n, 0, -1);
	fx_cmd(f, &t, cdb, SCSI_DIR_WRITE, 24, desc);
	assert_sense(&t, 0x7, 0x2700);
	scsi_task_release(&t);
	list[8] &= (uint8_t)~0x08;
	select6_expect(f, list, (uint16_t)n, 0, -1);
	fx_cmd(f, &t, cdb, SCSI_DIR_WRITE, 24, desc);
	assert_good(&t);
	assert_int_equal(f->st.last.op, BS_OP_UNMAP);
	scsi_task_release(&t);
	fx_free(f);
}

static void test_select_header_checks(void **state)
{
	struct fixture *f = fx_new(NBLOCKS);
	uint8_t list[64], bad[64];
	uint32_t n = current_page(f, 0x08, 0, list);
	struct scsi_task t;

	(void)state;
	/* SP=1: nothing can be saved (SPC-4 6.9.1: INVALID FIELD IN CDB) */
	mode_select(f, &t, false, 0x11, list, (uint16_t)n);
	assert_sense(&t, 0x5, 0x2400);
	assert_int_equal(t.sense[15], 0xc8);		/* C/D, BPV, bit 0 */
	assert_int_equal(get_be16(&t.sense[16]), 1);
	scsi_task_release(&t);
	/* PF=0 with pages after the header */
	mode_select(f, &t, false, 0x00, list, (uint16_t)n);
	assert_sense(&t, 0x5, 0x2400);
	assert_int_equal(t.sense[15], 0xcc);		/* bit 4 */
	scsi_task_release(&t);
	/* PF=0 with a header only, and an empty list: fine */
	mode_select(f, &t, false, 0x00, list, 4);
	assert_good(&t);
	scsi_task_release(&t);
	mode_select(f, &t, false, 0x10, NULL, 0);
	assert_good(&t);
	scsi_task_release(&t);

	memcpy(bad, list, n);
	bad[0] = 3;					/* MODE DATA LENGTH */
	select6_expect(f, bad, (uint16_t)n, 0x2600, 0);
	memcpy(bad, list, n);
	bad[1] = 1;					/* MEDIUM TYPE */
	select6_expect(f, bad, (uint16_t)n, 0x2600, 1);
	memcpy(bad, list, n);
	bad[2] = 0x90;					/* WP and DPOFUA: ignored */
	select6_expect(f, bad, (uint16_t)n, 0, -1);
	bad[2] = 0x01;					/* reserved */
	select6_expect(f, bad, (uint16_t)n, 0x2600, 2);
	memcpy(bad, list, n);
	bad[3] = 4;					/* BLOCK DESCRIPTOR LENGTH */
	select6_expect(f, bad, (uint16_t)n, 0x2600, 3);
	select6_expect(f, list, 3, 0x1a00, -1);	/* inside the header */
	select6_expect(f, list, (uint16_t)(n - 1), 0x1a00, -1);	/* inside the page */
	select6_expect(f, list, 5, 0x1a00, -1);	/* inside the page header */
	fx_free(f);
}

/* A parameter list shorter than the mode parameter header: nothing past the
 * bytes received is read (found by tests/fuzz/fuzz_scsi; the header used to
 * be read before its length was checked, one to three bytes past the
 * buffer: AddressSanitizer builds of this test catch a regression). */
static void test_select_list_shorter_than_header(void **state)
{
	struct fixture *f = fx_new(NBLOCKS);
	uint8_t list[64];
	uint32_t n = current_page(f, 0x08, 0, list);
	struct scsi_task t;

	(void)state;
	assert_true(n > 8);
	select6_expect(f, list, 1, 0x1a00, -1);
	select6_expect(f, list, 2, 0x1a00, -1);
	for (uint16_t len = 1; len < 8; len++) {
		mode_select(f, &t, true, 0x10, list, len);
		assert_sense(&t, 0x5, 0x1a00);
		scsi_task_release(&t);
	}
	fx_free(f);
}

static void test_select_block_descriptor(void **state)
{
	struct fixture *f = fx_new(NBLOCKS);
	uint8_t list[64], page[64];
	uint32_t n = current_page(f, 0x08, 0, page) - 4;
	struct scsi_task t;

	(void)state;
	memset(list, 0, sizeof(list));
	list[3] = 8;
	put_be32(&list[4], NBLOCKS);
	put_be24(&list[9], BS);
	memcpy(&list[12], page + 4, n);
	select6_expect(f, list, (uint16_t)(12 + n), 0, -1);
	put_be32(&list[4], 0);				/* 0: no change */
	select6_expect(f, list, (uint16_t)(12 + n), 0, -1);
	put_be32(&list[4], NBLOCKS - 1);		/* no resizing */
	select6_expect(f, list, (uint16_t)(12 + n), 0x2600, 4);
	put_be32(&list[4], NBLOCKS);
	put_be24(&list[9], 4096);			/* other block length */
	select6_expect(f, list, (uint16_t)(12 + n), 0x2600, 9);
	put_be24(&list[9], BS);
	list[8] = 1;					/* reserved */
	select6_expect(f, list, (uint16_t)(12 + n), 0x2600, 8);
	list[8] = 0;
	select6_expect(f, list, 11, 0x1a00, -1);	/* inside the descriptor */

	/* MODE SELECT(10) with a long LBA descriptor */
	memset(list, 0, sizeof(list));
	list[4] = 0x01;					/* LONGLBA */
	put_be16(&list[6], 16);
	put_be64(&list[8], NBLOCKS);
	put_be32(&list[20], BS);
	memcpy(&list[24], page + 4, n);
	mode_select(f, &t, true, 0x10, list, (uint16_t)(24 + n));
	assert_good(&t);
	scsi_task_release(&t);
	put_be32(&list[20], 1024);
	mode_select(f, &t, true, 0x10, list, (uint16_t)(24 + n));
	assert_sense(&t, 0x5, 0x2600);
	assert_int_equal(get_be16(&t.sense[16]), 20);
	scsi_task_release(&t);
	list[4] = 0;					/* 16 bytes of short ones */
	put_be32(&list[20], BS);
	mode_select(f, &t, true, 0x10, list, (uint16_t)(24 + n));
	assert_sense(&t, 0x5, 0x2600);
	assert_int_equal(get_be16(&t.sense[16]), 6);
	scsi_task_release(&t);
	fx_free(f);
}

static void test_select_page_checks(void **state)
{
	struct fixture *f = fx_new(NBLOCKS);
	uint8_t list[128], bad[128];
	uint32_t n = current_page(f, 0x0a, 0, list), m;
	struct scsi_task t;

	(void)state;
	select6_expect(f, list, (uint16_t)n, 0, -1);	/* unchanged: fine */
	memcpy(bad, list, n);
	bad[4] |= 0x80;					/* PS */
	select6_expect(f, bad, (uint16_t)n, 0x2600, 4);
	memcpy(bad, list, n);
	bad[5] = 9;					/* PAGE LENGTH */
	select6_expect(f, bad, (uint16_t)(4 + 2 + 9), 0x2600, 5);
	memcpy(bad, list, n);
	bad[6] |= 0x20;					/* TST: not changeable */
	mode_select(f, &t, false, 0x10, bad, (uint16_t)n);
	assert_sense(&t, 0x5, 0x2600);
	assert_int_equal(t.sense[15], 0x8d);		/* SKSV, BPV, bit 5 */
	assert_int_equal(get_be16(&t.sense[16]), 6);
	scsi_task_release(&t);
	memcpy(bad, list, n);
	bad[12] = 0;					/* BUSY TIMEOUT PERIOD */
	select6_expect(f, bad, (uint16_t)n, 0x2600, 12);
	memcpy(bad, list, n);
	bad[4] = 0x15;					/* no such page */
	select6_expect(f, bad, (uint16_t)n, 0x2600, 4);

	/* A subpage: the control extension, in subpage format */
	m = current_page(f, 0x0a, 0x01, list);
	select6_expect(f, list, (uint16_t)m, 0, -1);
	memcpy(bad, list, m);
	bad[5] = 0x07;					/* no such subpage */
	select6_expect(f, bad, (uint16_t)m, 0x2600, 5);
	memcpy(bad, list, m);
	bad[7] = 0x1b;					/* PAGE LENGTH */
	select6_expect(f, bad, (uint16_t)m, 0x2600, 6);
	memcpy(bad, list, m);
	bad[4] = 0x0a;					/* not in subpage format */
	select6_expect(f, bad, (uint16_t)m, 0x2600, 5);

	/* IEC: MRIE values */
	n = current_page(f, 0x1c, 0, list);
	list[6] = 0x00;					/* DEXCPT off */
	list[7] = 0x06;					/* on request */
	put_be32(&list[8], 100);
	select6_expect(f, list, (uint16_t)n, 0, -1);
	list[7] = 0x01;					/* obsolete */
	select6_expect(f, list, (uint16_t)n, 0x2600, 7);
	list[7] = 0x06;
	list[6] = 0x04;					/* TEST: not changeable */
	select6_expect(f, list, (uint16_t)n, 0x2600, 6);
	mode_sense(f, &t, 0x08, 0x1c, 0);
	assert_int_equal(t.buf[6], 0);
	assert_int_equal(t.buf[7], 6);
	assert_int_equal(get_be32(&t.buf[8]), 100);
	scsi_task_release(&t);
	fx_free(f);
}

/* A list with a bad page changes nothing, not even the pages before it. */
static void test_select_atomic(void **state)
{
	struct fixture *f = fx_new(NBLOCKS);
	uint8_t list[128], page[64];
	uint32_t n = current_page(f, 0x08, 0, list), m;
	struct scsi_task t;

	(void)state;
	list[6] &= (uint8_t)~0x04;			/* WCE off... */
	m = current_page(f, 0x0a, 0, page) - 4;
	memcpy(list + n, page + 4, m);
	list[n + 2] |= 0x20;				/* ...and TST 1 */
	select6_expect(f, list, (uint16_t)(n + m), 0x2600, (int)n + 2);
	mode_sense(f, &t, 0x08, 0x08, 0);
	assert_int_equal(t.buf[6] & 0x04, 0x04);	/* WCE still on */
	scsi_task_release(&t);
	list[n + 2] &= (uint8_t)~0x20;
	select6_expect(f, list, (uint16_t)(n + m), 0, -1);
	mode_sense(f, &t, 0x08, 0x08, 0);
	assert_int_equal(t.buf[6] & 0x04, 0);
	scsi_task_release(&t);
	fx_free(f);
}

/* A change is announced to every other nexus, once; an unchanged list
 * announces nothing. */
static void test_select_ua_others(void **state)
{
	struct fixture *f = fx_new(NBLOCKS);
	struct scsi_itn one = f->itn, two, three;
	uint8_t list[64];
	uint32_t n = current_page(f, 0x0a, 0, list);
	struct scsi_task t;

	(void)state;
	fx_itn_init(&two, 2);
	fx_itn_init(&three, 3);
	scsi_tgt_nexus_add(f->tgt, &two);
	scsi_tgt_nexus_add(f->tgt, &three);
	f->itn = two;
	tur(f, &t);				/* consume the power-on UAs */
	f->itn = three;
	tur(f, &t);
	assert_sense(&t, 0x6, 0x2900);

	f->itn = two;
	select6_expect(f, list, (uint16_t)n, 0, -1);	/* no change */
	f->itn = one;
	tur(f, &t);
	assert_good(&t);
	f->itn = three;
	tur(f, &t);
	assert_good(&t);

	f->itn = two;
	list[8] |= 0x08;
	select6_expect(f, list, (uint16_t)n, 0, -1);
	tur(f, &t);
	assert_good(&t);				/* not the one that changed it */
	f->itn = one;
	tur(f, &t);
	assert_sense(&t, 0x6, 0x2a01);
	tur(f, &t);
	assert_good(&t);
	f->itn = three;
	tur(f, &t);
	assert_sense(&t, 0x6, 0x2a01);

	/* A pending reset UA is not replaced by it. */
	scsi_tgt_lu_reset(f->tgt, 0);
	f->itn = two;
	tur(f, &t);
	assert_sense(&t, 0x6, 0x2903);
	list[8] &= (uint8_t)~0x08;
	select6_expect(f, list, (uint16_t)n, 0, -1);
	f->itn = three;
	tur(f, &t);
	assert_sense(&t, 0x6, 0x2903);
	scsi_tgt_nexus_remove(f->tgt, &two);
	scsi_tgt_nexus_remove(f->tgt, &three);
	f->itn = one;
	fx_free(f);
}

/* D_SENSE=1: every CHECK CONDITION carries descriptor format sense, with
 * the field pointer and INFORMATION as descriptors, on the immediate and
 * the pending (backend) paths alike. */
static void test_d_sense(void **state)
{
	struct fixture *f = fx_new(NBLOCKS);
	uint8_t rd[SCSI_CDB_MAX] = { 0x88, [9] = 0xff, [13] = 1 };	/* LBA 255 */
	uint8_t vrf[SCSI_CDB_MAX] = { 0x2f, 0x02, 0, 0, 0, 5, 0, 0, 1 };
	uint8_t data[BS] = { 0 };
	uint8_t list[64];
	uint32_t n = current_page(f, 0x0a, 0, list);
	struct scsi_task t;

	(void)state;
	list[6] |= 0x04;
	select6_expect(f, list, (uint16_t)n, 0, -1);
	mode_sense(f, &t, 0x08, 0x0a, 0);
	assert_int_equal(t.buf[6] & 0x04, 0x04);
	scsi_task_release(&t);

	put_be64(&rd[2], NBLOCKS);			/* LBA out of range */
	fx_cmd(f, &t, rd, SCSI_DIR_READ, BS, NULL);
	assert_int_equal(t.status, SCSI_STATUS_CHECK_CONDITION);
	assert_int_equal(t.sense_len, 8);
	assert_int_equal(t.sense[0], 0x72);
	assert_int_equal(t.sense[1], 0x05);
	assert_int_equal(t.sense[2], 0x21);
	assert_int_equal(t.sense[3], 0x00);
	assert_int_equal(t.sense[7], 0);
	scsi_task_release(&t);

	rd[1] = 0xe0;					/* RDPROTECT: field pointer */
	put_be64(&rd[2], 0);
	fx_cmd(f, &t, rd, SCSI_DIR_READ, BS, NULL);
	assert_int_equal(t.sense_len, 16);
	assert_int_equal(t.sense[2], 0x24);
	assert_int_equal(t.sense[7], 8);
	assert_int_equal(t.sense[8], 0x02);		/* sense key specific */
	assert_int_equal(t.sense[9], 0x06);
	assert_int_equal(t.sense[12], 0xcf);		/* SKSV, C/D, BPV, bit 7 */
	assert_int_equal(get_be16(&t.sense[13]), 1);
	scsi_task_release(&t);

	f->st.data[5 * BS + 7] = 0x55;			/* miscompare at byte 7 */
	assert_int_equal(fx_cmd(f, &t, vrf, SCSI_DIR_WRITE, BS, data), SCSI_TASK_PENDING);
	assert_int_equal(t.sense[0], 0x72);
	assert_int_equal(t.sense[1], 0x0e);		/* MISCOMPARE */
	assert_int_equal(t.sense[8], 0x00);		/* information */
	assert_int_equal(t.sense[9], 0x0a);
	assert_int_equal(t.sense[10], 0x80);
	assert_int_equal(get_be64(&t.sense[12]), 7);
	assert_int_equal(t.sense_len, 20);
	assert_true(t.done == fx_done);			/* the transport's again */
	scsi_task_release(&t);

	/* Unit attentions too; REQUEST SENSE still follows its DESC bit. */
	struct scsi_itn one = f->itn, two;
	uint8_t cache[64];
	uint32_t m = current_page(f, 0x08, 0, cache);

	fx_itn_init(&two, 2);
	scsi_tgt_nexus_add(f->tgt, &two);
	f->itn = two;
	tur(f, &t);					/* its power-on UA */
	cache[6] &= (uint8_t)~0x04;
	mode_select(f, &t, false, 0x10, cache, (uint16_t)m);
	scsi_task_release(&t);
	scsi_tgt_nexus_remove(f->tgt, &two);
	f->itn = one;
	tur(f, &t);
	assert_int_equal(t.sense[0], 0x72);
	assert_int_equal(t.sense[1], 0x06);
	assert_int_equal(t.sense[2], 0x2a);
	uint8_t rs[SCSI_CDB_MAX] = { 0x03, 0, 0, 0, 252 };
	fx_cmd(f, &t, rs, SCSI_DIR_READ, 252, NULL);
	assert_good(&t);
	assert_int_equal(t.buf[0], 0x70);
	scsi_task_release(&t);

	list[6] &= (uint8_t)~0x04;			/* back to fixed */
	select6_expect(f, list, (uint16_t)n, 0, -1);
	put_be64(&rd[2], NBLOCKS);
	rd[1] = 0;
	fx_cmd(f, &t, rd, SCSI_DIR_READ, BS, NULL);
	assert_sense(&t, 0x5, 0x2100);
	scsi_task_release(&t);
	fx_free(f);
}

/* A LOGICAL UNIT RESET or a target reset is a hard reset: the mode
 * parameters return to their defaults (SAM-5). */
static void test_reset_restores_defaults(void **state)
{
	struct fixture *f = fx_new(NBLOCKS);
	uint8_t list[64];
	uint32_t n = current_page(f, 0x08, 0, list);
	struct scsi_task t;

	(void)state;
	list[6] &= (uint8_t)~0x04;
	mode_select(f, &t, false, 0x10, list, (uint16_t)n);
	assert_good(&t);
	scsi_task_release(&t);
	scsi_tgt_lu_reset(f->tgt, 0);
	tur(f, &t);
	assert_sense(&t, 0x6, 0x2903);
	mode_sense(f, &t, 0x08, 0x08, 0);
	assert_int_equal(t.buf[6] & 0x04, 0x04);
	scsi_task_release(&t);

	mode_select(f, &t, false, 0x10, list, (uint16_t)n);
	scsi_task_release(&t);
	scsi_tgt_reset(f->tgt);
	tur(f, &t);
	assert_sense(&t, 0x6, 0x2900);
	mode_sense(f, &t, 0x08, 0x08, 0);
	assert_int_equal(t.buf[6] & 0x04, 0x04);
	scsi_task_release(&t);
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sense_subpages),
		cmocka_unit_test(test_sense_iec_and_changeable),
		cmocka_unit_test(test_select_wce),
		cmocka_unit_test(test_select_swp),
		cmocka_unit_test(test_swp_unmap),
		cmocka_unit_test(test_select_header_checks),
		cmocka_unit_test(test_select_list_shorter_than_header),
		cmocka_unit_test(test_select_block_descriptor),
		cmocka_unit_test(test_select_page_checks),
		cmocka_unit_test(test_select_atomic),
		cmocka_unit_test(test_select_ua_others),
		cmocka_unit_test(test_d_sense),
		cmocka_unit_test(test_reset_restores_defaults),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

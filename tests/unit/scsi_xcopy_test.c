/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Third-party copy: EXTENDED COPY (LID1) parameter list checks with the
 * sense SPC-4 gives each, real copies between two LUs and within one
 * (overlapping ranges copy like memmove), COPY ABORTED details, and
 * RECEIVE COPY RESULTS (COPY STATUS, OPERATING PARAMETERS, FAILED SEGMENT
 * DETAILS). The CSCD descriptors are built from the NAA designator INQUIRY
 * reports, as an initiator would.
 */
#include "tests/unit/scsi_fixture.h"

#include "util/endian.h"

#define NBLOCKS 8192u
#define BS 512u
#define HDR 16u
#define CSCD 32u
#define SEG 28u

/* The fixture's LU 0 plus LU 1 over a second fake store. */
struct two {
	struct fixture *f;
	struct backend bs1;
	struct fake_store st1;
	struct scsi_lu *lu1;
};

static void run_tur(struct fixture *f, uint64_t lun)
{
	uint8_t tur[SCSI_CDB_MAX] = { 0 };
	struct scsi_task t;

	fx_cmd_lun(f, &t, lun, tur, SCSI_DIR_NONE, 0, NULL);
	scsi_task_release(&t);
}

/* LU 1 is created from @cfg (its lun is forced to 1). */
static struct two *two_new_cfg(struct scsi_lu_config cfg)
{
	struct two *w = calloc(1, sizeof(*w));

	assert_non_null(w);
	w->f = fx_new(NBLOCKS);
	w->bs1.ops = &fake_ops;
	w->bs1.size = (uint64_t)NBLOCKS * BS;
	w->bs1.priv = &w->st1;
	w->st1.data = calloc(1, w->bs1.size);
	assert_non_null(w->st1.data);
	cfg.lun = 1;
	w->lu1 = scsi_lu_create(&cfg, &w->bs1);
	assert_non_null(w->lu1);
	assert_int_equal(scsi_tgt_add_lu(w->f->tgt, w->lu1), 0);
	run_tur(w->f, 1);		/* consume the new LU's power-on UA */
	return w;
}

static struct two *two_new(uint32_t bs1, bool ro1)
{
	struct scsi_lu_config cfg = { .block_size = bs1, .readonly = ro1 };

	return two_new_cfg(cfg);
}

static void two_free(struct two *w)
{
	fx_free(w->f);
	free(w->st1.data);
	free(w);
}

/* Start a command; the backends are not run. Returns execute's result (or
 * prepare's COMPLETE). */
static int start_cmd(struct two *w, struct scsi_task *t, uint64_t lun, const uint8_t *cdb,
		     enum scsi_dir dir, uint32_t len, const void *dout)
{
	int rc;

	fx_task(t, w->f->tgt, &w->f->itn, lun, cdb, dir, len, fx_done);
	g_fx = w->f;
	w->f->done_calls = 0;
	rc = scsi_task_prepare(t);
	if (rc == SCSI_TASK_COMPLETE)
		return rc;
	if (t->data_out_len && dout)
		memcpy(t->buf, dout, t->data_out_len < len ? t->data_out_len : len);
	return scsi_task_execute(t);
}

/* Run both stores until the pending command is done. */
static void run_stores(struct two *w)
{
	while (w->f->done_calls == 0)
		assert_true(fake_run(&w->f->bs) + fake_run(&w->bs1) > 0);
	assert_int_equal(w->f->done_calls, 1);
}

static int xcopy(struct two *w, struct scsi_task *t, const uint8_t *list, uint32_t len)
{
	uint8_t cdb[SCSI_CDB_MAX] = { 0x83 };
	int rc;

	put_be32(&cdb[10], len);
	rc = start_cmd(w, t, 0, cdb, len ? SCSI_DIR_WRITE : SCSI_DIR_NONE, len, list);
	if (rc == SCSI_TASK_PENDING)
		run_stores(w);
	return rc;
}

static void rcr(struct two *w, struct scsi_task *t, uint8_t sa, uint8_t list_id, uint32_t alen)
{
	uint8_t cdb[SCSI_CDB_MAX] = { 0x84, sa, list_id };

	put_be32(&cdb[10], alen);
	assert_int_equal(start_cmd(w, t, 0, cdb, SCSI_DIR_READ, alen, NULL), SCSI_TASK_COMPLETE);
}

/* An Identification CSCD descriptor for @lun, its designator copied from
 * the first one of VPD page 83h (the LU's NAA designator). */
static void cscd_for(struct two *w, uint64_t lun, uint8_t *d)
{
	uint8_t cdb[SCSI_CDB_MAX] = { 0x12, 0x01, 0x83, 0x01, 0x00 };
	struct scsi_task t;
	uint32_t bs = lun ? (uint32_t)(w->bs1.size / scsi_lu_num_blocks(w->lu1)) : BS;

	start_cmd(w, &t, lun, cdb, SCSI_DIR_READ, 256, NULL);
	assert_good(&t);
	memset(d, 0, CSCD);
	d[0] = 0xe4;
	memcpy(&d[4], &t.buf[4], 4 + t.buf[7]);	/* code set .. designator */
	assert_int_equal(t.buf[5] & 0x0f, 3);		/* NAA */
	put_be24(&d[29], bs);
	scsi_task_release(&t);
}

static uint32_t seg_b2b(uint8_t *d, uint16_t src, uint16_t dst, uint16_t n,
			uint64_t src_lba, uint64_t dst_lba, bool dc)
{
	memset(d, 0, SEG);
	d[0] = 0x02;
	d[1] = dc ? 0x02 : 0;
	put_be16(&d[2], SEG - 4);
	put_be16(&d[4], src);
	put_be16(&d[6], dst);
	put_be16(&d[10], n);
	put_be64(&d[12], src_lba);
	put_be64(&d[20], dst_lba);
	return SEG;
}

static void header(uint8_t *p, uint8_t list_id, uint8_t usage, uint32_t ncscd, uint32_t nseg)
{
	memset(p, 0, HDR);
	p[0] = list_id;
	p[1] = (uint8_t)(usage << 3);
	put_be16(&p[2], (uint16_t)(ncscd * CSCD));
	put_be32(&p[8], nseg * SEG);
}

/* A list with CSCDs for LU 0 and LU 1 and one segment; returns its length. */
static uint32_t simple_list(struct two *w, uint8_t *p, uint8_t list_id, uint16_t src,
			    uint16_t dst, uint16_t n, uint64_t src_lba, uint64_t dst_lba)
{
	header(p, list_id, 0, 2, 1);
	cscd_for(w, 0, &p[HDR]);
	cscd_for(w, 1, &p[HDR + CSCD]);
	seg_b2b(&p[HDR + 2 * CSCD], src, dst, n, src_lba, dst_lba, false);
	return HDR + 2 * CSCD + SEG;
}

static void fill(uint8_t *data, uint64_t nbytes, uint8_t seed)
{
	for (uint64_t i = 0; i < nbytes; i++)
		data[i] = (uint8_t)((i / BS) * 7 + i + seed);
}

static void assert_field_ptr(const struct scsi_task *t, uint16_t off)
{
	assert_int_equal(t->sense[15] & 0xc0, 0x80);	/* SKSV, parameter data */
	assert_int_equal(get_be16(&t->sense[16]), off);
}

static void expect(struct two *w, const uint8_t *p, uint32_t len, uint8_t key, uint16_t asc)
{
	struct scsi_task t;

	xcopy(w, &t, p, len);
	assert_sense(&t, key, asc);
	scsi_task_release(&t);
}

/* ---- parameter list checks ----------------------------------------------- */

static void test_empty_list(void **state)
{
	struct two *w = two_new(BS, false);
	struct scsi_task t;

	(void)state;
	assert_int_equal(xcopy(w, &t, NULL, 0), SCSI_TASK_COMPLETE);
	assert_good(&t);
	assert_int_equal(w->f->st.submits, 0);
	scsi_task_release(&t);
	two_free(w);
}

static void test_list_lengths(void **state)
{
	struct two *w = two_new(BS, false);
	uint8_t p[2048];
	uint32_t len = simple_list(w, p, 1, 0, 1, 8, 0, 0);

	(void)state;
	expect(w, p, 8, 0x5, 0x1a00);			/* shorter than the header */
	expect(w, p, len - 1, 0x5, 0x1a00);		/* segment cut short */
	expect(w, p, HDR + CSCD - 1, 0x5, 0x1a00);	/* CSCD cut short */
	/* Longer than MAXIMUM DESCRIPTOR LIST LENGTH allows. */
	expect(w, p, HDR + 8 * CSCD + 32 * SEG + 1, 0x5, 0x1a00);
	two_free(w);
}

static void test_header_fields(void **state)
{
	struct two *w = two_new(BS, false);
	uint8_t p[512];
	uint32_t len = simple_list(w, p, 1, 0, 1, 8, 0, 0);
	struct scsi_task t;

	(void)state;
	p[1] = 1 << 3;				/* LIST ID USAGE 01b: reserved */
	xcopy(w, &t, p, len);
	assert_sense(&t, 0x5, 0x2600);
	assert_field_ptr(&t, 1);
	scsi_task_release(&t);
	p[1] = 3 << 3;				/* no list identifier, but one given */
	xcopy(w, &t, p, len);
	assert_sense(&t, 0x5, 0x2600);
	assert_field_ptr(&t, 0);
	scsi_task_release(&t);
	p[1] = 0;
	put_be32(&p[12], 4);			/* inline data: none supported */
	xcopy(w, &t, p, len + 4);
	assert_sense(&t, 0x5, 0x2600);
	assert_field_ptr(&t, 12);
	scsi_task_release(&t);
	assert_int_equal(w->f->st.submits + w->st1.submits, 0);
	two_free(w);
}

static void test_too_many_descriptors(void **state)
{
	struct two *w = two_new(BS, false);
	uint8_t p[2048];
	uint32_t off = HDR;
	struct scsi_task t;

	(void)state;
	header(p, 1, 0, 9, 1);
	for (int i = 0; i < 9; i++, off += CSCD)
		cscd_for(w, 0, &p[off]);
	off += seg_b2b(&p[off], 0, 0, 1, 0, 1, false);
	xcopy(w, &t, p, off);
	assert_sense(&t, 0x5, 0x2606);		/* TOO MANY TARGET DESCRIPTORS */
	scsi_task_release(&t);

	header(p, 1, 0, 1, 33);
	cscd_for(w, 0, &p[HDR]);
	off = HDR + CSCD;
	for (int i = 0; i < 33; i++)
		off += seg_b2b(&p[off], 0, 0, 1, 0, 1, false);
	xcopy(w, &t, p, off);
	assert_sense(&t, 0x5, 0x2608);		/* TOO MANY SEGMENT DESCRIPTORS */
	scsi_task_release(&t);
	two_free(w);
}

static void test_descriptor_types(void **state)
{
	struct two *w = two_new(BS, false);
	uint8_t p[512];
	uint32_t len = simple_list(w, p, 1, 0, 1, 8, 0, 0);
	struct scsi_task t;

	(void)state;
	p[HDR + CSCD] = 0xe0;			/* Fibre Channel N_Port_Name */
	xcopy(w, &t, p, len);
	assert_sense(&t, 0x5, 0x2607);
	assert_field_ptr(&t, HDR + CSCD);
	scsi_task_release(&t);
	p[HDR + CSCD] = 0xe4;
	p[HDR + 2 * CSCD] = 0x03;		/* stream to stream */
	xcopy(w, &t, p, len);
	assert_sense(&t, 0x5, 0x2609);
	assert_field_ptr(&t, HDR + 2 * CSCD);
	scsi_task_release(&t);
	two_free(w);
}

static void test_descriptor_fields(void **state)
{
	struct two *w = two_new(BS, false);
	uint8_t p[512], saved[512];
	uint32_t len = simple_list(w, p, 1, 0, 1, 8, 0, 0);
	const uint32_t seg = HDR + 2 * CSCD;
	struct scsi_task t;
	static const struct { uint32_t off; uint8_t val; uint32_t ptr; } bad[] = {
		{ HDR + 1, 0x01, HDR + 1 },		/* device type: tape */
		{ HDR + 7, 21, HDR + 7 },		/* designator too long */
		{ HDR + 30, 0x10, HDR + 29 },		/* DISK BLOCK LENGTH 4096 */
		{ seg + 3, 0x14, seg + 2 },		/* DESCRIPTOR LENGTH */
		{ seg + 1, 0x01, seg + 1 },		/* CAT */
	};

	(void)state;
	memcpy(saved, p, len);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memcpy(p, saved, len);
		p[bad[i].off] = bad[i].val;
		xcopy(w, &t, p, len);
		assert_sense(&t, 0x5, 0x2600);
		assert_field_ptr(&t, (uint16_t)bad[i].ptr);
		scsi_task_release(&t);
	}
	/* LU ID TYPE and NUL are obsolete: ignored. */
	memcpy(p, saved, len);
	p[HDR + 1] = 0xe0;
	xcopy(w, &t, p, len);
	assert_good(&t);
	scsi_task_release(&t);
	two_free(w);
}

static void test_segment_too_long(void **state)
{
	struct two *w = two_new(8192, false);
	uint8_t p[512];
	uint32_t len = simple_list(w, p, 1, 0, 1, 3, 0, 0);

	(void)state;
	/* 3 blocks of 512 bytes do not fill whole 8192-byte blocks. */
	expect(w, p, len, 0x5, 0x2600);
	/* 65535 destination blocks of 8192 bytes: more than 256 MiB. */
	p[HDR + 2 * CSCD + 1] = 0x02;		/* DC */
	put_be16(&p[HDR + 2 * CSCD + 10], 0xffff);
	expect(w, p, len, 0x5, 0x2600);
	two_free(w);
}

static void test_write_protected_destination(void **state)
{
	struct two *w = two_new(BS, true);
	uint8_t p[512];
	uint32_t len = simple_list(w, p, 1, 0, 1, 8, 0, 0);

	(void)state;
	expect(w, p, len, 0x7, 0x2700);		/* DATA PROTECT, WRITE PROTECTED */
	assert_int_equal(w->f->st.submits + w->st1.submits, 0);
	two_free(w);
}

/* A nexus's LUN map holds for EXTENDED COPY too, whose CSCDs name LUs by
 * designator: a destination mapped read-only is write protected, a LU the
 * map hides is unreachable. */
static void test_lun_map(void **state)
{
	static const struct scsi_lun_map_entry ro[] = {
		{ .lun = 0, .target_lun = 0 }, { .lun = 4, .target_lun = 1, .readonly = true },
	};
	static const struct scsi_lun_map_entry hidden[] = { { .lun = 0, .target_lun = 0 } };
	static const struct scsi_lun_map map_ro = { .n = 2, .e = ro };
	static const struct scsi_lun_map map_hidden = { .n = 1, .e = hidden };
	struct two *w = two_new(BS, false);
	uint8_t p[512];
	uint32_t len = simple_list(w, p, 1, 0, 1, 8, 0, 0);

	(void)state;
	w->f->itn.lun_map = &map_ro;
	expect(w, p, len, 0x7, 0x2700);		/* DATA PROTECT, WRITE PROTECTED */
	w->f->itn.lun_map = &map_hidden;
	expect(w, p, len, 0xa, 0x0804);		/* COPY ABORTED, UNREACHABLE COPY TARGET */
	assert_int_equal(w->f->st.submits + w->st1.submits, 0);
	w->f->itn.lun_map = NULL;
	two_free(w);
}

/* ---- COPY ABORTED ------------------------------------------------------- */

static void test_unreachable_target(void **state)
{
	struct two *w = two_new(BS, false);
	uint8_t p[512];
	uint32_t len = simple_list(w, p, 1, 0, 2, 8, 0, 0);	/* no CSCD 2 */
	struct scsi_task t;

	(void)state;
	xcopy(w, &t, p, len);
	assert_sense(&t, 0xa, 0x0804);		/* COPY ABORTED, UNREACHABLE COPY TARGET */
	assert_int_equal(get_be16(&t.sense[10]), 0);	/* segment 0 */
	scsi_task_release(&t);
	/* A designator that names no LU of this target. */
	len = simple_list(w, p, 1, 0, 1, 8, 0, 0);
	p[HDR + CSCD + 23] ^= 0xff;
	xcopy(w, &t, p, len);
	assert_sense(&t, 0xa, 0x0804);
	scsi_task_release(&t);
	assert_int_equal(w->f->st.submits + w->st1.submits, 0);
	two_free(w);
}

static void check_target_sense(const struct scsi_task *t, unsigned which, uint16_t seg)
{
	uint8_t off = t->sense[which];

	assert_sense(t, 0xa, 0x0000);
	assert_int_equal(t->sense[which == 8 ? 9 : 8], 0);
	assert_int_equal(get_be16(&t->sense[10]), seg);
	assert_int_equal(off, 18);
	assert_int_equal(t->sense_len, 18 + 1 + 18);
	assert_int_equal(t->sense[7], t->sense_len - 8);
	assert_int_equal(t->sense[off], SCSI_STATUS_CHECK_CONDITION);
	assert_int_equal(t->sense[off + 1], 0x70);
}

static void test_lba_out_of_range(void **state)
{
	struct two *w = two_new(BS, false);
	uint8_t p[512];
	uint32_t len = simple_list(w, p, 1, 0, 1, 2048, 0, NBLOCKS - 1);
	struct scsi_task t;

	(void)state;
	xcopy(w, &t, p, len);
	check_target_sense(&t, 9, 0);			/* the destination's */
	assert_int_equal(t.sense[18 + 1 + 2], 0x5);
	assert_int_equal(get_be16(&t.sense[18 + 1 + 12]), 0x2100);
	scsi_task_release(&t);
	len = simple_list(w, p, 1, 0, 1, 2, NBLOCKS - 1, 0);
	xcopy(w, &t, p, len);
	check_target_sense(&t, 8, 0);			/* the source's */
	scsi_task_release(&t);
	assert_int_equal(w->f->st.submits + w->st1.submits, 0);
	two_free(w);
}

static void test_no_medium(void **state)
{
	struct two *w = two_new_cfg((struct scsi_lu_config){ .removable = true });
	uint8_t p[512], eject[SCSI_CDB_MAX] = { 0x1b, 0, 0, 0, 0x02 };	/* LOEJ */
	uint32_t len = simple_list(w, p, 1, 0, 1, 8, 0, 0);
	struct scsi_task t;

	(void)state;
	fx_cmd_lun(w->f, &t, 1, eject, SCSI_DIR_NONE, 0, NULL);
	assert_good(&t);
	scsi_task_release(&t);
	xcopy(w, &t, p, len);
	check_target_sense(&t, 9, 0);			/* the destination's */
	assert_int_equal(t.sense[18 + 1 + 2], 0x2);	/* NOT READY */
	assert_int_equal(get_be16(&t.sense[18 + 1 + 12]), 0x3a00);
	scsi_task_release(&t);
	assert_int_equal(w->f->st.submits + w->st1.submits, 0);
	two_free(w);
}

/* ---- copies --------------------------------------------------------------- */

static void test_copy_between_lus(void **state)
{
	struct two *w = two_new(BS, false);
	uint8_t p[512];
	const uint16_t n = 3000;		/* more than one chunk */
	uint32_t len = simple_list(w, p, 7, 0, 1, n, 100, 5000);
	struct scsi_task t;

	(void)state;
	fill(w->f->st.data, (uint64_t)NBLOCKS * BS, 3);
	assert_int_equal(xcopy(w, &t, p, len), SCSI_TASK_PENDING);
	assert_good(&t);
	scsi_task_release(&t);
	assert_memory_equal(w->st1.data + 5000 * BS, w->f->st.data + 100 * BS, n * BS);
	assert_int_equal(w->st1.data[5000 * BS - 1], 0);	/* nothing around it */
	assert_int_equal(w->st1.data[(5000 + n) * BS], 0);
	assert_int_equal(w->st1.submits, 2);		/* 1 MiB, then the rest */

	rcr(w, &t, 0x00, 7, 64);			/* COPY STATUS */
	assert_good(&t);
	assert_int_equal(t.data_in_len, 12);
	assert_int_equal(get_be32(&t.buf[0]), 8);
	assert_int_equal(t.buf[4], 0x01);		/* completed */
	assert_int_equal(get_be16(&t.buf[5]), 1);	/* segments processed */
	assert_int_equal(t.buf[7], 0x00);		/* bytes */
	assert_int_equal(get_be32(&t.buf[8]), n * BS);
	scsi_task_release(&t);
	rcr(w, &t, 0x00, 7, 64);			/* retrieved: discarded */
	assert_sense(&t, 0x5, 0x2400);
	scsi_task_release(&t);
	rcr(w, &t, 0x04, 7, 64);			/* success: no failed segments */
	assert_good(&t);
	assert_int_equal(t.data_in_len, 4);
	assert_int_equal(get_be32(&t.buf[0]), 0);
	scsi_task_release(&t);
	two_free(w);
}

/* A SANITIZE of the destination while a copy into it runs: the erase waits
 * for the chunk being written, and the copy's next chunk is refused (COPY
 * ABORTED with the destination's NOT READY / SANITIZE IN PROGRESS), so no
 * copied data survives the sanitize. */
static void test_sanitize_of_destination(void **state)
{
	struct two *w = two_new(BS, false);
	uint8_t p[512], cdb[SCSI_CDB_MAX] = { 0x83 };
	uint8_t san[SCSI_CDB_MAX] = { 0x48, 0x80 | 0x03 };	/* IMMED CRYPTO ERASE */
	uint32_t len = simple_list(w, p, 3, 0, 1, 3000, 0, 0);
	struct scsi_task t, s;

	(void)state;
	fill(w->f->st.data, (uint64_t)NBLOCKS * BS, 5);
	put_be32(&cdb[10], len);
	assert_int_equal(start_cmd(w, &t, 0, cdb, SCSI_DIR_WRITE, len, p), SCSI_TASK_PENDING);
	assert_true(fake_step(&w->f->bs, 0));				/* chunk 1 read ... */
	assert_int_equal(w->st1.npending, 1);		/* ... and being written */

	g_fx = w->f;
	fx_cmd_lun(w->f, &s, 1, san, SCSI_DIR_NONE, 0, NULL);
	assert_good(&s);
	scsi_task_release(&s);
	assert_int_equal(w->st1.npending, 1);		/* the erase waits for it */
	assert_int_equal(w->st1.pending[0]->op, BS_OP_WRITE);
	assert_true(w->st1.pending[0]->len == 1024 * 1024);	/* the copy's chunk */

	w->f->done_calls = 0;
	assert_true(fake_step(&w->bs1, 0));				/* written: the erase starts */
	assert_int_equal(w->st1.npending, 1);
	assert_true(w->st1.pending[0]->offset == 0);
	assert_true(fake_step(&w->f->bs, 0));				/* chunk 2 read: refused */
	assert_int_equal(w->f->done_calls, 1);
	check_target_sense(&t, 9, 0);			/* the destination's */
	assert_int_equal(t.sense[18 + 1 + 2], 0x2);	/* NOT READY */
	assert_int_equal(get_be16(&t.sense[18 + 1 + 12]), 0x041b);
	scsi_task_release(&t);
	assert_int_equal(w->st1.npending, 1);		/* only the erase */

	while (w->st1.npending)
		assert_true(fake_step(&w->bs1, 0));
	for (uint64_t i = 0; i < w->bs1.size; i++)
		if (w->st1.data[i])
			fail_msg("byte %llu of the sanitized LU is %#x",
				 (unsigned long long)i, w->st1.data[i]);
	two_free(w);
}

/* Copy [src, src+n) to dst within LU 0 and compare with memmove(). */
static void check_overlap(uint64_t src, uint64_t dst, uint16_t n)
{
	struct two *w = two_new(BS, false);
	uint64_t size = (uint64_t)NBLOCKS * BS;
	uint8_t p[512], *want = malloc(size);
	struct scsi_task t;

	assert_non_null(want);
	fill(w->f->st.data, size, 11);
	memcpy(want, w->f->st.data, size);
	memmove(want + dst * BS, want + src * BS, (size_t)n * BS);
	simple_list(w, p, 1, 0, 0, n, src, dst);
	assert_int_equal(xcopy(w, &t, p, HDR + 2 * CSCD + SEG), SCSI_TASK_PENDING);
	assert_good(&t);
	scsi_task_release(&t);
	assert_memory_equal(w->f->st.data, want, size);
	free(want);
	two_free(w);
}

static void test_copy_within_lu_overlapping(void **state)
{
	(void)state;
	check_overlap(10, 110, 3000);	/* destination above the source */
	check_overlap(110, 10, 3000);	/* destination below the source */
	check_overlap(0, 4000, 2100);	/* no overlap */
}

static void test_copy_dc_and_segments(void **state)
{
	struct two *w = two_new(4096, false);
	uint8_t p[512];
	uint32_t off;
	struct scsi_task t;

	(void)state;
	fill(w->f->st.data, (uint64_t)NBLOCKS * BS, 5);
	header(p, 2, 3, 2, 2);			/* no list identifier */
	p[0] = 0;
	cscd_for(w, 0, &p[HDR]);
	cscd_for(w, 1, &p[HDR + CSCD]);
	off = HDR + 2 * CSCD;
	off += seg_b2b(&p[off], 0, 1, 2, 16, 3, true);	/* 2 blocks of 4096 */
	off += seg_b2b(&p[off], 0, 1, 8, 0, 0, false);	/* 8 blocks of 512 */
	assert_int_equal(xcopy(w, &t, p, off), SCSI_TASK_PENDING);
	assert_good(&t);
	scsi_task_release(&t);
	assert_memory_equal(w->st1.data + 3 * 4096, w->f->st.data + 16 * BS, 8192);
	assert_memory_equal(w->st1.data, w->f->st.data, 4096);
	rcr(w, &t, 0x00, 0, 64);		/* nothing held for list id usage 11b */
	assert_sense(&t, 0x5, 0x2400);
	scsi_task_release(&t);
	two_free(w);
}

static void test_read_error_failed_segment(void **state)
{
	struct two *w = two_new(BS, false);
	uint8_t p[512];
	uint32_t len, off;
	struct scsi_task t;

	(void)state;
	header(p, 9, 0, 2, 2);
	cscd_for(w, 0, &p[HDR]);
	cscd_for(w, 1, &p[HDR + CSCD]);
	off = HDR + 2 * CSCD;
	off += seg_b2b(&p[off], 0, 0, 4, 0, 100, false);	/* LU 0 only */
	off += seg_b2b(&p[off], 1, 0, 4, 0, 10, false);
	len = off;
	w->st1.fail_next = 1;			/* LU 1's first request: segment 1's read */
	assert_int_equal(xcopy(w, &t, p, len), SCSI_TASK_PENDING);
	check_target_sense(&t, 8, 1);
	assert_int_equal(t.sense[18 + 1 + 2], 0x3);	/* MEDIUM ERROR */
	assert_int_equal(get_be16(&t.sense[18 + 1 + 12]), 0x1100);
	scsi_task_release(&t);

	rcr(w, &t, 0x00, 9, 64);
	assert_good(&t);
	assert_int_equal(t.buf[4], 0x02);		/* completed with errors */
	assert_int_equal(get_be16(&t.buf[5]), 1);
	assert_int_equal(get_be32(&t.buf[8]), 4 * BS);
	scsi_task_release(&t);
	rcr(w, &t, 0x04, 9, 20);			/* truncated: still held */
	assert_good(&t);
	assert_int_equal(get_be32(&t.buf[0]), 60 + 37 - 4);
	scsi_task_release(&t);
	rcr(w, &t, 0x04, 9, 256);
	assert_good(&t);
	assert_int_equal(t.data_in_len, 60 + 37);
	assert_int_equal(t.buf[56], SCSI_STATUS_CHECK_CONDITION);
	assert_int_equal(get_be16(&t.buf[58]), 37);
	assert_int_equal(t.buf[60 + 2], 0xa);		/* COPY ABORTED */
	scsi_task_release(&t);
	rcr(w, &t, 0x04, 9, 256);			/* retrieved: gone */
	assert_int_equal(get_be32(&t.buf[0]), 0);
	scsi_task_release(&t);
	two_free(w);
}

/* ---- RECEIVE COPY RESULTS ------------------------------------------------- */

static void test_list_id_in_use(void **state)
{
	struct two *w = two_new(BS, false);
	uint8_t p[512];
	uint32_t len = simple_list(w, p, 4, 0, 1, 8, 0, 0);
	struct scsi_task t, t2;

	(void)state;
	assert_int_equal(start_cmd(w, &t, 0, (uint8_t[SCSI_CDB_MAX]){ 0x83, 0, 0, 0, 0, 0, 0,
				   0, 0, 0, 0, 0, 0, (uint8_t)len }, SCSI_DIR_WRITE, len, p),
			 SCSI_TASK_PENDING);
	rcr(w, &t2, 0x00, 4, 64);			/* running */
	assert_good(&t2);
	assert_int_equal(t2.buf[4], 0x00);
	scsi_task_release(&t2);
	start_cmd(w, &t2, 0, t.cdb, SCSI_DIR_WRITE, len, p);
	assert_sense(&t2, 0x5, 0x0016);		/* OPERATION IN PROGRESS */
	scsi_task_release(&t2);
	g_fx = w->f;
	run_stores(w);
	assert_good(&t);
	scsi_task_release(&t);
	/* A new nexus (same id after a logout) finds nothing. */
	scsi_tgt_nexus_remove(w->f->tgt, &w->f->itn);
	scsi_tgt_nexus_add(w->f->tgt, &w->f->itn);
	run_tur(w->f, 0);
	rcr(w, &t2, 0x00, 4, 64);
	assert_sense(&t2, 0x5, 0x2400);
	scsi_task_release(&t2);
	two_free(w);
}

/* XCOPY_MAX_CONCURRENT (16) copies may run at once in a target. */
static void test_concurrent_copies(void **state)
{
	struct two *w = two_new(BS, false);
	uint8_t p[512], cdb[SCSI_CDB_MAX] = { 0x83 };
	uint32_t len = simple_list(w, p, 0, 0, 0, 8, 0, 100);
	struct scsi_task t[17];

	(void)state;
	p[1] = 3 << 3;				/* no list identifier */
	put_be32(&cdb[10], len);
	for (int i = 0; i < 16; i++) {
		/* Half within LU 0, half within LU 1: 8 requests per store. */
		uint16_t lu = i < 8 ? 0 : 1;

		put_be16(&p[HDR + 2 * CSCD + 4], lu);
		put_be16(&p[HDR + 2 * CSCD + 6], lu);
		assert_int_equal(start_cmd(w, &t[i], 0, cdb, SCSI_DIR_WRITE, len, p),
				 SCSI_TASK_PENDING);
	}
	assert_int_equal(start_cmd(w, &t[16], 0, cdb, SCSI_DIR_WRITE, len, p),
			 SCSI_TASK_COMPLETE);
	assert_sense(&t[16], 0x5, 0x5503);	/* INSUFFICIENT RESOURCES */
	scsi_task_release(&t[16]);
	while (w->f->done_calls < 16)
		assert_true(fake_run(&w->f->bs) + fake_run(&w->bs1) > 0);
	for (int i = 0; i < 16; i++) {
		assert_good(&t[i]);
		scsi_task_release(&t[i]);
	}
	/* Room again. */
	assert_int_equal(xcopy(w, &t[0], p, len), SCSI_TASK_PENDING);
	assert_good(&t[0]);
	scsi_task_release(&t[0]);
	two_free(w);
}

/* At most XCOPY_MAX_HELD (16) results per nexus: the oldest goes first. */
static void test_results_bounded(void **state)
{
	struct two *w = two_new(BS, false);
	uint8_t p[512];
	uint32_t len = simple_list(w, p, 0, 0, 1, 8, 0, 0);
	struct scsi_task t;

	(void)state;
	for (uint8_t id = 1; id <= 17; id++) {
		p[0] = id;
		assert_int_equal(xcopy(w, &t, p, len), SCSI_TASK_PENDING);
		assert_good(&t);
		scsi_task_release(&t);
	}
	rcr(w, &t, 0x00, 1, 64);
	assert_sense(&t, 0x5, 0x2400);		/* evicted */
	scsi_task_release(&t);
	for (uint8_t id = 2; id <= 17; id++) {
		rcr(w, &t, 0x00, id, 64);
		assert_good(&t);
		assert_int_equal(t.buf[4], 0x01);
		scsi_task_release(&t);
	}
	/* FAILED SEGMENT DETAILS with allocation length 0 discards them. */
	p[0] = 30;
	put_be64(&p[HDR + 2 * CSCD + 20], NBLOCKS);	/* destination out of range */
	xcopy(w, &t, p, len);
	assert_sense(&t, 0xa, 0x0000);
	scsi_task_release(&t);
	rcr(w, &t, 0x04, 30, 0);
	assert_good(&t);
	assert_int_equal(t.data_in_len, 0);
	scsi_task_release(&t);
	rcr(w, &t, 0x04, 30, 256);
	assert_int_equal(get_be32(&t.buf[0]), 0);
	scsi_task_release(&t);
	two_free(w);
}

static void test_operating_parameters(void **state)
{
	struct two *w = two_new(BS, false);
	struct scsi_task t;

	(void)state;
	rcr(w, &t, 0x03, 0, 1024);
	assert_good(&t);
	assert_int_equal(t.data_in_len, 46);
	assert_int_equal(get_be32(&t.buf[0]), 42);
	assert_int_equal(t.buf[4], 0x01);			/* SNLID */
	assert_int_equal(get_be16(&t.buf[8]), 8);
	assert_int_equal(get_be16(&t.buf[10]), 32);
	assert_int_equal(get_be32(&t.buf[12]), 8 * CSCD + 32 * SEG);
	assert_int_equal(get_be32(&t.buf[16]), 256u << 20);
	assert_int_equal(get_be32(&t.buf[20]), 0);		/* no inline data */
	assert_int_equal(get_be32(&t.buf[24]), 0);		/* no held data */
	assert_int_equal(t.buf[37], 9);				/* 512-byte granularity */
	assert_int_equal(t.buf[43], 2);
	assert_int_equal(t.buf[44], 0x02);
	assert_int_equal(t.buf[45], 0xe4);
	scsi_task_release(&t);
	rcr(w, &t, 0x01, 0, 1024);				/* RECEIVE DATA */
	assert_sense(&t, 0x5, 0x2400);
	assert_int_equal(t.sense[15], 0xcc);			/* byte 1, bit 4 */
	scsi_task_release(&t);
	two_free(w);
}

static void test_inquiry_3pc(void **state)
{
	struct two *w = two_new(BS, false);
	uint8_t cdb[SCSI_CDB_MAX] = { 0x12, 0, 0, 0, 96 };
	struct scsi_task t;

	(void)state;
	start_cmd(w, &t, 0, cdb, SCSI_DIR_READ, 96, NULL);
	assert_good(&t);
	assert_int_equal(t.buf[5] & 0x08, 0x08);
	scsi_task_release(&t);
	two_free(w);
}

static void test_vpd_third_party_copy(void **state)
{
	struct two *w = two_new(BS, false);
	uint8_t cdb[SCSI_CDB_MAX] = { 0x12, 0x01, 0x00, 0x01, 0x00 };
	static const uint16_t types[] = { 0x0001, 0x0004, 0x0008, 0x000c, 0x8001 };
	static const uint8_t cmds[] = { 8, 0x83, 1, 0x00, 0x84, 3, 0x00, 0x03, 0x04 };
	struct scsi_task t;
	uint32_t off = 4, len;
	uint8_t *d;

	(void)state;
	start_cmd(w, &t, 0, cdb, SCSI_DIR_READ, 256, NULL);	/* Supported VPD Pages */
	assert_good(&t);
	assert_non_null(memchr(&t.buf[4], 0x8f, t.buf[3]));
	scsi_task_release(&t);
	cdb[2] = 0x8f;
	start_cmd(w, &t, 0, cdb, SCSI_DIR_READ, 256, NULL);
	assert_good(&t);
	assert_int_equal(t.buf[1], 0x8f);
	len = 4u + get_be16(&t.buf[2]);
	assert_int_equal(t.data_in_len, len);
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		d = &t.buf[off];
		assert_int_equal(get_be16(&d[0]), types[i]);
		assert_int_equal((get_be16(&d[2]) + 4) % 4, 0);	/* padded */
		if (types[i] == 0x0001)
			assert_memory_equal(&d[4], cmds, sizeof(cmds));
		if (types[i] == 0x0004) {
			assert_int_equal(get_be16(&d[8]), 8);
			assert_int_equal(get_be16(&d[10]), 32);
			assert_int_equal(get_be32(&d[12]), 8 * CSCD + 32 * SEG);
		}
		if (types[i] == 0x0008) {
			assert_int_equal(d[4], 2);
			assert_int_equal(d[5], 0x02);
			assert_int_equal(d[6], 0xe4);
		}
		if (types[i] == 0x8001) {
			assert_int_equal(get_be32(&d[12]), 256u << 20);
			assert_int_equal(d[16], 9);
		}
		off += 4u + get_be16(&d[2]);
	}
	assert_int_equal(off, len);
	scsi_task_release(&t);
	two_free(w);
}

/* ---- what the initiator could do itself: reservations, SWP, locks, abort - */

/* Run @cdb on @lun from @itn to completion (both stores). */
static uint8_t run_from(struct two *w, struct scsi_itn *itn, uint64_t lun, const uint8_t *cdb,
			enum scsi_dir dir, uint32_t len, const void *dout)
{
	struct scsi_task t;
	uint8_t status;
	int rc;

	fx_task(&t, w->f->tgt, itn, lun, cdb, dir, len, fx_done);
	g_fx = w->f;
	w->f->done_calls = 0;
	rc = scsi_task_prepare(&t);
	if (rc != SCSI_TASK_COMPLETE) {
		if (t.data_out_len && dout)
			memcpy(t.buf, dout, t.data_out_len < len ? t.data_out_len : len);
		if (scsi_task_execute(&t) == SCSI_TASK_PENDING)
			run_stores(w);
	}
	status = t.status;
	scsi_task_release(&t);
	return status;
}

/* A second nexus, its power-on unit attentions consumed on both LUs. */
static void add_n2(struct two *w, struct scsi_itn *n2)
{
	uint8_t tur[SCSI_CDB_MAX] = { 0 };

	fx_itn_init(n2, 2);
	strcpy(n2->initiator_port, "iqn.2026-01.test:other,i,0x000000000002");
	scsi_tgt_nexus_add(w->f->tgt, n2);
	run_from(w, n2, 0, tur, SCSI_DIR_NONE, 0, NULL);
	run_from(w, n2, 1, tur, SCSI_DIR_NONE, 0, NULL);
}

/* PERSISTENT RESERVE OUT REGISTER (key @key) then RESERVE @type on @lun. */
static void pr_reserve(struct two *w, struct scsi_itn *itn, uint64_t lun, uint8_t type,
		       uint64_t key)
{
	uint8_t cdb[SCSI_CDB_MAX] = { 0x5f, 0x00 }, d[24] = { 0 };

	put_be32(&cdb[5], sizeof(d));
	put_be64(&d[8], key);
	assert_int_equal(run_from(w, itn, lun, cdb, SCSI_DIR_WRITE, sizeof(d), d), 0);
	cdb[1] = 0x01;
	cdb[2] = type;
	memset(d, 0, sizeof(d));
	put_be64(&d[0], key);
	assert_int_equal(run_from(w, itn, lun, cdb, SCSI_DIR_WRITE, sizeof(d), d), 0);
}

/* EXTENDED COPY sent to @mgr_lun from the fixture's nexus; returns status. */
static uint8_t xcopy_to(struct two *w, uint64_t mgr_lun, const uint8_t *p, uint32_t len)
{
	uint8_t cdb[SCSI_CDB_MAX] = { 0x83 };

	put_be32(&cdb[10], len);
	return run_from(w, &w->f->itn, mgr_lun, cdb, SCSI_DIR_WRITE, len, p);
}

static void test_reservations_of_copy_targets(void **state)
{
	struct two *w = two_new(BS, false);
	uint8_t p[512], r6[SCSI_CDB_MAX] = { 0x16 }, rel6[SCSI_CDB_MAX] = { 0x17 };
	uint32_t len = simple_list(w, p, 0, 0, 1, 8, 0, 0);
	struct scsi_itn n2;

	(void)state;
	add_n2(w, &n2);
	fill(w->f->st.data, 8 * BS, 3);
	/* Another nexus holds EXCLUSIVE ACCESS on the destination: our own
	 * WRITE would conflict, so does the copy, and nothing is written. */
	pr_reserve(w, &n2, 1, 3, 0x22);
	assert_int_equal(xcopy_to(w, 0, p, len), SCSI_STATUS_RESERVATION_CONFLICT);
	assert_int_equal(w->st1.submits, 0);
	/* WRITE EXCLUSIVE on the source lets reads through: the copy (sent
	 * to LU 1, which no reservation guards now) runs. */
	two_free(w);
	w = two_new(BS, false);
	add_n2(w, &n2);
	len = simple_list(w, p, 0, 0, 1, 8, 0, 0);
	fill(w->f->st.data, 8 * BS, 3);
	pr_reserve(w, &n2, 0, 1, 0x22);
	assert_int_equal(xcopy_to(w, 1, p, len), 0);
	assert_memory_equal(w->st1.data, w->f->st.data, 8 * BS);
	/* EXCLUSIVE ACCESS on the source: our READ would conflict. */
	two_free(w);
	w = two_new(BS, false);
	add_n2(w, &n2);
	len = simple_list(w, p, 0, 0, 1, 8, 0, 0);
	pr_reserve(w, &n2, 0, 3, 0x22);
	assert_int_equal(xcopy_to(w, 1, p, len), SCSI_STATUS_RESERVATION_CONFLICT);
	assert_int_equal(w->f->st.submits, 0);
	/* An SPC-2 RESERVE of the destination by the other nexus, then
	 * released: conflict, then the copy runs. */
	two_free(w);
	w = two_new(BS, false);
	add_n2(w, &n2);
	len = simple_list(w, p, 0, 0, 1, 8, 0, 0);
	assert_int_equal(run_from(w, &n2, 1, r6, SCSI_DIR_NONE, 0, NULL), 0);
	assert_int_equal(xcopy_to(w, 0, p, len), SCSI_STATUS_RESERVATION_CONFLICT);
	assert_int_equal(run_from(w, &n2, 1, rel6, SCSI_DIR_NONE, 0, NULL), 0);
	assert_int_equal(xcopy_to(w, 0, p, len), 0);
	/* Our own RESERVE does not stop our own copy. */
	assert_int_equal(run_from(w, &w->f->itn, 1, r6, SCSI_DIR_NONE, 0, NULL), 0);
	assert_int_equal(xcopy_to(w, 0, p, len), 0);
	scsi_tgt_nexus_remove(w->f->tgt, &n2);
	two_free(w);
}

/* SWP of the destination (control mode page) makes it write protected
 * for the copy as for a WRITE. */
static void test_swp_destination(void **state)
{
	struct two *w = two_new(BS, false);
	uint8_t sense6[SCSI_CDB_MAX] = { 0x1a, 0x08, 0x0a, 0, 255 };
	uint8_t sel6[SCSI_CDB_MAX] = { 0x15, 0x10 }, list[64] = { 0 }, p[512];
	uint32_t len = simple_list(w, p, 0, 0, 1, 8, 0, 0), n;
	struct scsi_task t;

	(void)state;
	fx_cmd_lun(w->f, &t, 1, sense6, SCSI_DIR_READ, 255, NULL);
	assert_good(&t);
	n = t.data_in_len;
	memcpy(list + 4, t.buf + 4, n - 4);
	scsi_task_release(&t);
	list[4 + 4] |= 0x08;				/* SWP */
	sel6[4] = (uint8_t)n;
	assert_int_equal(run_from(w, &w->f->itn, 1, sel6, SCSI_DIR_WRITE, n, list), 0);
	assert_int_equal(w->st1.submits, 1);		/* SWP on: the flush */
	xcopy(w, &t, p, len);
	assert_sense(&t, 0x7, 0x2700);			/* DATA PROTECT, WRITE PROTECTED */
	scsi_task_release(&t);
	assert_int_equal(w->st1.submits, 1);		/* nothing written */
	two_free(w);
}

/* A reservation that arrives while the copy runs stops it at the next
 * chunk: COPY ABORTED, the destination's RESERVATION CONFLICT status
 * appended, the rest of the segment as residual. */
static void test_reservation_during_copy(void **state)
{
	struct two *w = two_new(BS, false);
	uint8_t p[512], cdb[SCSI_CDB_MAX] = { 0x83 };
	uint32_t len = simple_list(w, p, 0, 0, 1, 4096, 0, 0);	/* 2 chunks */
	struct scsi_itn n2;
	struct scsi_task t;

	(void)state;
	add_n2(w, &n2);
	put_be32(&cdb[10], len);
	assert_int_equal(start_cmd(w, &t, 0, cdb, SCSI_DIR_WRITE, len, p), SCSI_TASK_PENDING);
	assert_true(fake_step(&w->f->bs, 0));		/* chunk 1 read */
	assert_true(fake_step(&w->bs1, 0));		/* chunk 1 written */
	assert_int_equal(w->f->st.npending, 1);		/* chunk 2 being read */
	pr_reserve(w, &n2, 1, 1, 0x22);			/* WRITE EXCLUSIVE on LU 1 */
	g_fx = w->f;
	w->f->done_calls = 0;
	assert_true(fake_step(&w->f->bs, 0));		/* chunk 2 read: its write refused */
	assert_int_equal(w->f->done_calls, 1);
	assert_sense(&t, 0xa, 0x0000);
	assert_int_equal(t.sense[9], 18);		/* the destination's status */
	assert_int_equal(t.sense[8], 0);
	assert_int_equal(t.sense[18], SCSI_STATUS_RESERVATION_CONFLICT);
	assert_int_equal(t.sense_len, 19);
	assert_int_equal(t.sense[7], 11);
	assert_int_equal(get_be32(&t.sense[3]), 2048);	/* blocks not written */
	assert_int_equal(w->st1.submits, 1);
	scsi_task_release(&t);
	scsi_tgt_nexus_remove(w->f->tgt, &n2);
	two_free(w);
}

/* ABORT TASK (or the connection closing) stops the copy once the chunk in
 * flight completes; a copy waiting for a range lock ends at once. */
static void test_abort_stops_copy(void **state)
{
	struct two *w = two_new(BS, false);
	uint8_t p[512], cdb[SCSI_CDB_MAX] = { 0x83 };
	uint32_t len = simple_list(w, p, 0, 0, 1, 8192, 0, 0);	/* 4 chunks */
	struct scsi_task t;

	(void)state;
	put_be32(&cdb[10], len);
	assert_int_equal(start_cmd(w, &t, 0, cdb, SCSI_DIR_WRITE, len, p), SCSI_TASK_PENDING);
	assert_true(fake_step(&w->f->bs, 0));		/* chunk 1 read, being written */
	scsi_task_abort(&t);
	assert_int_equal(w->f->done_calls, 0);		/* its write is in flight */
	assert_true(fake_step(&w->bs1, 0));
	assert_int_equal(w->f->done_calls, 1);
	assert_true(t.aborted);
	assert_int_equal(w->f->st.npending + w->st1.npending, 0);	/* nothing more */
	assert_int_equal(w->f->st.submits, 1);
	assert_int_equal(w->st1.submits, 1);
	scsi_task_release(&t);
	/* A result with the list's identifier is no longer running: a new
	 * copy with that identifier is accepted. */
	assert_int_equal(xcopy(w, &t, p, len), SCSI_TASK_PENDING);
	assert_good(&t);
	scsi_task_release(&t);
	two_free(w);
}

/* The copy's writes take the destination's LBA range lock: a COMPARE AND
 * WRITE in progress there holds the copy's write back until it is done,
 * and aborting the waiting copy ends it at once. */
static void test_copy_takes_range_lock(void **state)
{
	struct two *w = two_new(BS, false);
	uint8_t p[512], cdb[SCSI_CDB_MAX] = { 0x83 }, d[2 * BS];
	uint8_t caw[SCSI_CDB_MAX] = { 0x89, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 1 };
	uint32_t len = simple_list(w, p, 0, 0, 1, 8, 0, 0);
	struct scsi_task c, t;

	(void)state;
	memset(d, 0, sizeof(d));			/* compare zeros, write zeros */
	fx_task(&c, w->f->tgt, &w->f->itn, 1, caw, SCSI_DIR_WRITE, sizeof(d), fx_done);
	g_fx = w->f;
	assert_int_equal(scsi_task_prepare(&c), SCSI_TASK_READY);
	memcpy(c.buf, d, sizeof(d));
	assert_int_equal(scsi_task_execute(&c), SCSI_TASK_PENDING);	/* reading LBA 4 */
	assert_int_equal(w->st1.npending, 1);
	for (int round = 0; round < 2; round++) {
		put_be32(&cdb[10], len);
		assert_int_equal(start_cmd(w, &t, 0, cdb, SCSI_DIR_WRITE, len, p),
				 SCSI_TASK_PENDING);
		assert_true(fake_step(&w->f->bs, 0));	/* the copy's read */
		assert_int_equal(w->st1.npending, 1);	/* its write waits */
		if (round == 0) {
			scsi_task_abort(&t);		/* ends now */
			assert_int_equal(w->f->done_calls, 1);
			assert_true(t.aborted);
			scsi_task_release(&t);
			continue;
		}
		w->f->done_calls = 0;
		assert_true(fake_step(&w->bs1, 0));	/* CAW read; CAW writes */
		assert_true(fake_step(&w->bs1, 0));	/* CAW written: copy's write starts */
		assert_int_equal(w->st1.npending, 1);
		assert_int_equal(w->st1.pending[0]->op, BS_OP_WRITE);
		assert_true(w->st1.pending[0]->len == 8 * BS);
		assert_true(fake_step(&w->bs1, 0));
		assert_good(&c);
		assert_good(&t);
		scsi_task_release(&t);
	}
	scsi_task_release(&c);
	two_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_list),
		cmocka_unit_test(test_list_lengths),
		cmocka_unit_test(test_header_fields),
		cmocka_unit_test(test_too_many_descriptors),
		cmocka_unit_test(test_descriptor_types),
		cmocka_unit_test(test_descriptor_fields),
		cmocka_unit_test(test_segment_too_long),
		cmocka_unit_test(test_write_protected_destination),
		cmocka_unit_test(test_lun_map),
		cmocka_unit_test(test_unreachable_target),
		cmocka_unit_test(test_lba_out_of_range),
		cmocka_unit_test(test_no_medium),
		cmocka_unit_test(test_copy_between_lus),
		cmocka_unit_test(test_sanitize_of_destination),
		cmocka_unit_test(test_copy_within_lu_overlapping),
		cmocka_unit_test(test_copy_dc_and_segments),
		cmocka_unit_test(test_read_error_failed_segment),
		cmocka_unit_test(test_list_id_in_use),
		cmocka_unit_test(test_concurrent_copies),
		cmocka_unit_test(test_results_bounded),
		cmocka_unit_test(test_operating_parameters),
		cmocka_unit_test(test_inquiry_3pc),
		cmocka_unit_test(test_vpd_third_party_copy),
		cmocka_unit_test(test_reservations_of_copy_targets),
		cmocka_unit_test(test_swp_destination),
		cmocka_unit_test(test_reservation_during_copy),
		cmocka_unit_test(test_abort_stops_copy),
		cmocka_unit_test(test_copy_takes_range_lock),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

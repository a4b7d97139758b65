/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Shared helpers of the scsi_xcopy_*_test programs: the scsi_fixture.h
 * target with a second LU over its own fake store (struct two), EXTENDED
 * COPY and RECEIVE COPY RESULTS sent to LU 0, and builders of the LID1
 * parameter list (header, Identification CSCD descriptors made from the
 * NAA designator INQUIRY reports, as an initiator would, block-to-block
 * segment descriptors).
 *
 * Header-only (static inline) because every test program is built from one
 * source file; single-threaded like the fixture.
 */
#ifndef CTGT_TESTS_SCSI_XCOPY_FIXTURE_H
#define CTGT_TESTS_SCSI_XCOPY_FIXTURE_H

#include "tests/unit/scsi_fixture.h"

#include "util/endian.h"

/* Both LUs: NBLOCKS blocks; LU 0 of BS bytes. The LID1 list: a header of
 * HDR bytes, CSCD descriptors of CSCD bytes, segments of SEG bytes. */
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

/* TEST UNIT READY on @lun (to consume a unit attention); the result is dropped. */
static inline void run_tur(struct fixture *f, uint64_t lun)
{
	uint8_t tur[SCSI_CDB_MAX] = { 0 };
	struct scsi_task t;

	fx_cmd_lun(f, &t, lun, tur, SCSI_DIR_NONE, 0, NULL);
	scsi_task_release(&t);
}

/* LU 1 is created from @cfg (its lun is forced to 1). */
static inline struct two *two_new_cfg(struct scsi_lu_config cfg)
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
	run_tur(w->f, 0);		/* and LU 0's REPORTED LUNS DATA HAS CHANGED */
	return w;
}

/* LU 1 with @bs1-byte blocks, read-only if @ro1. Free with two_free(). */
static inline struct two *two_new(uint32_t bs1, bool ro1)
{
	struct scsi_lu_config cfg = { .block_size = bs1, .readonly = ro1 };

	return two_new_cfg(cfg);
}

static inline void two_free(struct two *w)
{
	fx_free(w->f);
	free(w->st1.data);
	free(w);
}

/* Start a command; the backends are not run. Returns execute's result (or
 * prepare's COMPLETE). */
static inline int start_cmd(struct two *w, struct scsi_task *t, uint64_t lun,
			    const uint8_t *cdb, enum scsi_dir dir, uint32_t len, const void *dout)
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
static inline void run_stores(struct two *w)
{
	while (w->f->done_calls == 0)
		assert_true(fake_run(&w->f->bs) + fake_run(&w->bs1) > 0);
	assert_int_equal(w->f->done_calls, 1);
}

/* EXTENDED COPY of @list (@len bytes) to LU 0, run to completion; returns
 * what start_cmd() returned. @t is the caller's to release. */
static inline int xcopy(struct two *w, struct scsi_task *t, const uint8_t *list, uint32_t len)
{
	uint8_t cdb[SCSI_CDB_MAX] = { 0x83 };
	int rc;

	put_be32(&cdb[10], len);
	rc = start_cmd(w, t, 0, cdb, len ? SCSI_DIR_WRITE : SCSI_DIR_NONE, len, list);
	if (rc == SCSI_TASK_PENDING)
		run_stores(w);
	return rc;
}

/* RECEIVE COPY RESULTS service action @sa for @list_id (completes at once). */
static inline void rcr(struct two *w, struct scsi_task *t, uint8_t sa, uint8_t list_id,
		       uint32_t alen)
{
	uint8_t cdb[SCSI_CDB_MAX] = { 0x84, sa, list_id };

	put_be32(&cdb[10], alen);
	assert_int_equal(start_cmd(w, t, 0, cdb, SCSI_DIR_READ, alen, NULL), SCSI_TASK_COMPLETE);
}

/* An Identification CSCD descriptor for @lun, its designator copied from
 * the first one of VPD page 83h (the LU's NAA designator). */
static inline void cscd_for(struct two *w, uint64_t lun, uint8_t *d)
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

/* A block-to-block segment descriptor (02h) in @d; returns its length. */
static inline uint32_t seg_b2b(uint8_t *d, uint16_t src, uint16_t dst, uint16_t n,
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

/* The list header: @ncscd CSCDs and @nseg segments follow it. */
static inline void header(uint8_t *p, uint8_t list_id, uint8_t usage, uint32_t ncscd,
			  uint32_t nseg)
{
	memset(p, 0, HDR);
	p[0] = list_id;
	p[1] = (uint8_t)(usage << 3);
	put_be16(&p[2], (uint16_t)(ncscd * CSCD));
	put_be32(&p[8], nseg * SEG);
}

/* A list with CSCDs for LU 0 and LU 1 and one segment; returns its length. */
static inline uint32_t simple_list(struct two *w, uint8_t *p, uint8_t list_id, uint16_t src,
				   uint16_t dst, uint16_t n, uint64_t src_lba, uint64_t dst_lba)
{
	header(p, list_id, 0, 2, 1);
	cscd_for(w, 0, &p[HDR]);
	cscd_for(w, 1, &p[HDR + CSCD]);
	seg_b2b(&p[HDR + 2 * CSCD], src, dst, n, src_lba, dst_lba, false);
	return HDR + 2 * CSCD + SEG;
}

/* A pattern that differs per block and per @seed. */
static inline void fill(uint8_t *data, uint64_t nbytes, uint8_t seed)
{
	for (uint64_t i = 0; i < nbytes; i++)
		data[i] = (uint8_t)((i / BS) * 7 + i + seed);
}

/* The sense key specific bytes point at parameter list byte @off. */
static inline void assert_field_ptr(const struct scsi_task *t, uint16_t off)
{
	assert_int_equal(t->sense[15] & 0xc0, 0x80);	/* SKSV, parameter data */
	assert_int_equal(get_be16(&t->sense[16]), off);
}

/* EXTENDED COPY of @p fails with @key/@asc. */
static inline void expect(struct two *w, const uint8_t *p, uint32_t len, uint8_t key,
			  uint16_t asc)
{
	struct scsi_task t;

	xcopy(w, &t, p, len);
	assert_sense(&t, key, asc);
	scsi_task_release(&t);
}

/* EXTENDED COPY of @p fails with @key/@asc, the sense key specific bytes
 * pointing at parameter list byte @off. */
static inline void expect_field(struct two *w, const uint8_t *p, uint32_t len, uint8_t key,
				uint16_t asc, uint16_t off)
{
	struct scsi_task t;

	xcopy(w, &t, p, len);
	assert_sense(&t, key, asc);
	assert_field_ptr(&t, off);
	scsi_task_release(&t);
}

#endif

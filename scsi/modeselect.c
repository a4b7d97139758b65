/* SPDX-License-Identifier: Apache-2.0 */
/*
 * MODE SELECT(6) and MODE SELECT(10) (SPC-4 6.9, 6.10): change the mode
 * parameters that modepage.c marks changeable.
 *
 * The whole parameter list is checked before anything changes, so a list
 * with one bad page changes nothing: header fields (MODE DATA LENGTH and
 * MEDIUM TYPE zero, the one block descriptor matching the LU), then every
 * page (known, PS clear, PAGE LENGTH as MODE SENSE reports it, no field
 * changed that is not changeable, supported values). Errors are INVALID
 * FIELD IN PARAMETER LIST with a field pointer into the parameter list, or
 * PARAMETER LIST LENGTH ERROR when the list ends inside a header, a block
 * descriptor or a page.
 *
 * A change is seen by every I_T nexus (one set of parameters per LU), so the
 * others get a MODE PARAMETERS CHANGED unit attention. Turning the write
 * cache off or the software write protection on completes only once the
 * data already written is durable (a backend flush), as both promise; if
 * that flush fails the new values stay and the command reports the write
 * error.
 */
#include <string.h>

#include "scsi/internal.h"
#include "scsi/sense.h"
#include "util/endian.h"

#define MSEL_PF		0x10	/* CDB byte 1: pages follow the SPC format */
#define MSEL_SP		0x01	/* CDB byte 1: save pages */
#define MODE_PAGE_MAX	64	/* larger than any page of modepage.c */

static bool is_ten(const struct scsi_task *task)
{
	return task->cdb[0] == 0x55;
}

static uint32_t param_list_len(const struct scsi_task *task)
{
	return is_ten(task) ? get_be16(&task->cdb[7]) : task->cdb[4];
}

int spc_mode_select_prepare(struct scsi_task *task)
{
	uint32_t len = param_list_len(task);

	/* Nothing can be saved: SP=1 is an invalid field (SPC-4 6.9.1). */
	if (task->cdb[1] & MSEL_SP)
		return sense_invalid_cdb(task, 1, 0);
	if (len == 0)		/* no parameter list: not an error */
		return SCSI_TASK_READY;
	task->data_out_len = len;
	if (task_alloc_buf(task, len, true))
		return SCSI_TASK_COMPLETE;
	return SCSI_TASK_READY;
}

static int length_error(struct scsi_task *task)
{
	return sense_check(task, SENSE_ILLEGAL_REQUEST, ASC_PARAM_LIST_LENGTH_ERROR);
}

/* INVALID FIELD IN PARAMETER LIST at parameter byte @byte, and bit @bit
 * when it is >= 0. */
static int bad_field(struct scsi_task *task, uint32_t byte, int bit)
{
	sense_invalid_param(task, byte);
	if (bit >= 0)
		task->sense[15] |= 0x08 | (uint8_t)(bit & 7);	/* BPV, BIT POINTER */
	return SCSI_TASK_COMPLETE;
}

static int highest_bit(uint8_t v)
{
	int bit = 7;

	while (bit > 0 && !(v & (1u << bit)))
		bit--;
	return bit;
}

/*
 * The block descriptor at parameter byte @at must describe the LU as it
 * is: its block length, and as the number of blocks either 0 ("no change",
 * SBC-3 6.4.2) or what MODE SENSE reports. Resizing is not supported.
 */
static int check_block_desc(struct scsi_task *task, uint32_t at, bool longlba)
{
	const struct scsi_lu *lu = task->lu;
	const uint8_t *b = &task->buf[at];
	uint64_t n, reported = lu->nblocks;
	uint32_t bl, bl_at;

	if (longlba) {
		n = get_be64(&b[0]);
		if (get_be32(&b[8]))
			return bad_field(task, at + 8, -1);
		bl = get_be32(&b[12]);
		bl_at = at + 12;
	} else {
		n = get_be32(&b[0]);
		if (reported > 0xffffffffu)
			reported = 0xffffffffu;
		if (b[4])
			return bad_field(task, at + 4, -1);
		bl = get_be24(&b[5]);
		bl_at = at + 5;
	}
	if (n != 0 && n != reported)
		return bad_field(task, at, -1);
	if (bl != lu->block_size)
		return bad_field(task, bl_at, -1);
	return SCSI_TASK_READY;
}

/* Check the mode parameter header and block descriptor of the @len bytes
 * received; *pages is where the pages start. */
static int check_header(struct scsi_task *task, uint32_t len, uint32_t *pages)
{
	const uint8_t *d = task->buf;
	bool ten = is_ten(task), longlba = false;
	uint32_t hdr = ten ? 8 : 4, bdlen, bdlen_at;
	/* MEDIUM TYPE and DEVICE-SPECIFIC PARAMETER */
	uint32_t mt_at = ten ? 2 : 1, dsp_at = ten ? 3 : 2;
	uint8_t dsp_reserved;

	/* Nothing of the header is read before we know it arrived whole. */
	if (len < hdr)
		return length_error(task);
	/* WP and DPOFUA mean nothing in MODE SELECT (SBC-3 6.4.1); the other
	 * bits of the device-specific parameter are reserved. Read only once
	 * the header is known to be there (the buffer is @len bytes). */
	dsp_reserved = d[dsp_at] & 0x6f;
	/* MODE DATA LENGTH is reserved in MODE SELECT. */
	if (ten ? get_be16(&d[0]) : d[0])
		return bad_field(task, 0, -1);
	if (d[mt_at])
		return bad_field(task, mt_at, -1);
	if (dsp_reserved)
		return bad_field(task, dsp_at, highest_bit(dsp_reserved));
	if (ten) {
		if (d[4] & 0xfe)
			return bad_field(task, 4, highest_bit(d[4] & 0xfe));
		if (d[5])
			return bad_field(task, 5, -1);
		longlba = d[4] & 0x01;
		bdlen = get_be16(&d[6]);
		bdlen_at = 6;
	} else {
		bdlen = d[3];
		bdlen_at = 3;
	}
	/* One block descriptor, or none. */
	if (bdlen != 0 && bdlen != (longlba ? 16u : 8u))
		return bad_field(task, bdlen_at, -1);
	if (len - hdr < bdlen)
		return length_error(task);
	*pages = hdr + bdlen;
	return bdlen ? check_block_desc(task, hdr, longlba) : SCSI_TASK_READY;
}

/* Find the page at parameter byte @off (of @len): *mp is ours for it. */
static int find_page(struct scsi_task *task, uint32_t off, uint32_t len,
		     const struct mode_page **mp)
{
	const uint8_t *p = &task->buf[off];
	bool spf = p[0] & 0x40;
	uint32_t hl = spf ? 4 : 2, plen;

	if (len - off < hl)
		return length_error(task);
	plen = spf ? get_be16(&p[2]) : p[1];
	if (len - off - hl < plen)
		return length_error(task);
	if (p[0] & 0x80)		/* PS is reserved in MODE SELECT */
		return bad_field(task, off, 7);
	*mp = mode_page_find(p[0] & 0x3f, spf ? p[1] : 0);
	if (!*mp || ((*mp)->subpage != 0) != spf) {
		if (spf && mode_page_find(p[0] & 0x3f, 0))
			return bad_field(task, off + 1, -1);	/* SUBPAGE CODE */
		return bad_field(task, off, 5);			/* PAGE CODE */
	}
	if (hl + plen != (*mp)->len)
		return bad_field(task, off + (spf ? 2 : 1), -1);	/* PAGE LENGTH */
	return SCSI_TASK_READY;
}

/* Every bit of the page at @off that differs from the current value must
 * be changeable, and the values must be ones we support. */
static int check_page(struct scsi_task *task, const struct mode_page *mp, uint32_t off)
{
	const uint8_t *p = &task->buf[off];
	uint8_t cur[MODE_PAGE_MAX];
	unsigned hl = mp->subpage ? 4 : 2;
	int bad;

	mode_page_put(task->lu, mp, MP_CURRENT, cur);
	for (unsigned i = hl; i < mp->len; i++) {
		uint8_t fixed = mp->changeable ? (uint8_t)~mp->changeable[i] : 0xff;
		uint8_t diff = (p[i] ^ cur[i]) & fixed;

		if (diff)
			return bad_field(task, off + i, highest_bit(diff));
	}
	bad = mp->check ? mp->check(p) : -1;
	return bad >= 0 ? bad_field(task, off + (uint32_t)bad, -1) : SCSI_TASK_READY;
}

/* Check every page of [off, len); with @apply, store them instead. */
static int walk_pages(struct scsi_task *task, uint32_t off, uint32_t len, bool apply)
{
	const struct mode_page *mp = NULL;
	int rc;

	while (off < len) {
		rc = find_page(task, off, len, &mp);
		if (rc == SCSI_TASK_READY && !apply)
			rc = check_page(task, mp, off);
		if (rc != SCSI_TASK_READY)
			return rc;
		if (apply && mp->apply)
			mp->apply(&task->lu->mode, &task->buf[off]);
		off += mp->len;
	}
	return SCSI_TASK_READY;
}

static bool mode_equal(const struct lu_mode *a, const struct lu_mode *b)
{
	return a->wce == b->wce && a->swp == b->swp && a->d_sense == b->d_sense &&
	       a->iec_flags == b->iec_flags &&
	       a->mrie == b->mrie && a->interval_timer == b->interval_timer &&
	       a->report_count == b->report_count;
}

static void flush_done(struct bs_request *req)
{
	struct scsi_task *task = req->priv;

	if (req->result < 0)
		sbc_io_error(task, BS_OP_WRITE);
	else
		task_good(task);
	task->done(task);
}

int spc_mode_select(struct scsi_task *task)
{
	struct scsi_lu *lu = task->lu;
	struct lu_mode before = lu->mode;
	uint32_t len = task_dout_received(task), pages = 0;
	int rc;

	if (param_list_len(task) == 0)
		return task_good(task);
	rc = check_header(task, len, &pages);
	if (rc != SCSI_TASK_READY)
		return rc;
	/* PF=0: what follows the block descriptor is vendor specific, and
	 * ctgt has no vendor specific parameters. */
	if (pages < len && !(task->cdb[1] & MSEL_PF))
		return sense_invalid_cdb(task, 1, 4);
	rc = walk_pages(task, pages, len, false);
	if (rc != SCSI_TASK_READY)
		return rc;
	walk_pages(task, pages, len, true);
	if (mode_equal(&before, &lu->mode))
		return task_good(task);
	tgt_ua_others(lu, task->itn, ASC_MODE_PARAMS_CHANGED);
	if ((before.wce && !lu->mode.wce) || (!before.swp && lu->mode.swp))
		return sbc_submit(task, BS_OP_FLUSH, NULL, flush_done);
	return task_good(task);
}

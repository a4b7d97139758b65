/* SPDX-License-Identifier: Apache-2.0 */
/*
 * MODE SENSE(6) and MODE SENSE(10) (SPC-4 6.11, 6.12): mode parameter
 * header, an optional block descriptor, and the pages of modepage.c with
 * their current, changeable or default values. Saved values do not exist.
 */
#include <string.h>

#include "scsi/internal.h"
#include "scsi/sense.h"
#include "util/endian.h"

/* Short (8-byte) or long LBA (16-byte) block descriptor. */
static uint32_t put_block_descriptor(const struct scsi_lu *lu, bool longlba, uint8_t *p)
{
	if (longlba) {
		put_be64(&p[0], lu->nblocks);
		put_be32(&p[12], lu->block_size);
		return 16;
	}
	put_be32(&p[0], lu->nblocks > 0xffffffffu ? 0xffffffffu : (uint32_t)lu->nblocks);
	put_be24(&p[5], lu->block_size);
	return 8;
}

/* Whether a request for (@code, @sub) returns page @mp. */
static bool page_selected(const struct mode_page *mp, uint8_t code, uint8_t sub)
{
	if (code != MP_ALL_PAGES && code != mp->code)
		return false;
	return sub == MP_ALL_SUBPAGES || sub == mp->subpage;
}

/* Append the requested page(s) at @p; returns their length, 0 if none. */
static uint32_t put_pages(const struct scsi_lu *lu, uint8_t code, uint8_t sub,
			  uint8_t pc, uint8_t *p)
{
	const struct mode_page *mp;
	uint32_t off = 0;

	for (size_t i = 0; (mp = mode_page_at(i)) != NULL; i++) {
		if (page_selected(mp, code, sub))
			off += mode_page_put(lu, mp, pc, p + off);
	}
	return off;
}

/* Field pointer for a request that selects no page: the SUBPAGE CODE when
 * the page exists with other subpages, else the PAGE CODE. */
static int no_such_page(struct scsi_task *task, uint8_t code)
{
	const struct mode_page *mp;

	for (size_t i = 0; (mp = mode_page_at(i)) != NULL; i++) {
		if (code == MP_ALL_PAGES || code == mp->code)
			return sense_invalid_cdb(task, 3, -1);
	}
	return sense_invalid_cdb(task, 2, 5);
}

int spc_mode_sense(struct scsi_task *task)
{
	const uint8_t *cdb = task->cdb;
	const struct scsi_lu *lu = task->lu;
	bool ten = cdb[0] == 0x5a;
	bool dbd = cdb[1] & 0x08, llbaa = ten && (cdb[1] & 0x10);
	uint8_t pc = cdb[2] >> 6, code = cdb[2] & 0x3f, sub = cdb[3];
	uint32_t alloc_len = ten ? get_be16(&cdb[7]) : cdb[4];
	uint32_t hdr = ten ? 8 : 4, bdlen = 0, plen;
	uint8_t *buf = task->buf;
	uint8_t dev_specific = 0x10;	/* DPOFUA: DPO and FUA are accepted */

	if (pc == MP_SAVED)
		return sense_check(task, SENSE_ILLEGAL_REQUEST, ASC_SAVING_PARAMS_NOT_SUPPORTED);
	/* Page 3Fh: subpage 00h (every page) or FFh (every page and subpage);
	 * the subpage codes between are reserved. */
	if (code == MP_ALL_PAGES && sub != 0 && sub != MP_ALL_SUBPAGES)
		return sense_invalid_cdb(task, 3, -1);
	if (!dbd)
		bdlen = put_block_descriptor(lu, llbaa, &buf[hdr]);
	plen = put_pages(lu, code, sub, pc, &buf[hdr + bdlen]);
	if (!plen)
		return no_such_page(task, code);
	if (mode_write_protected(lu) || itn_lu_readonly(task))
		dev_specific |= 0x80;	/* WP */
	if (ten) {
		put_be16(&buf[0], (uint16_t)(hdr + bdlen + plen - 2));
		buf[3] = dev_specific;
		buf[4] = bdlen == 16 ? 0x01 : 0x00;	/* LONGLBA */
		put_be16(&buf[6], (uint16_t)bdlen);
	} else {
		buf[0] = (uint8_t)(hdr + bdlen + plen - 1);
		buf[2] = dev_specific;
		buf[3] = (uint8_t)bdlen;
	}
	return task_data_in(task, hdr + bdlen + plen, alloc_len);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * MODE SENSE(6) and MODE SENSE(10) (SPC-4 6.11, 6.12): mode parameter
 * header, an optional block descriptor, and the pages below.
 *
 * There is no MODE SELECT, so nothing is changeable (the changeable values
 * are all zero), the default values are the current ones, and saved values
 * do not exist.
 */
#include <string.h>

#include "scsi/internal.h"
#include "scsi/sense.h"
#include "util/endian.h"

#define MS_PC_CHANGEABLE	1
#define MS_PC_SAVED		3
#define MS_ALL_PAGES		0x3f
#define MS_ALL_SUBPAGES		0xff

struct mode_page {
	uint8_t code;
	uint8_t len;	/* whole page, the two header bytes included */
	/* Set the current values after the header; NULL if all zero. */
	void (*fill)(const struct scsi_lu *lu, uint8_t *p);
};

static void fill_caching(const struct scsi_lu *lu, uint8_t *p)
{
	if (lu->write_cache)
		p[2] |= 0x04;		/* WCE */
}

static void fill_control(const struct scsi_lu *lu, uint8_t *p)
{
	(void)lu;
	p[2] = 0x02;			/* GLTSD: no log parameters are saved; D_SENSE 0 */
	p[3] = 0x10;			/* QUEUE ALGORITHM MODIFIER 1: unrestricted */
	put_be16(&p[8], 0xffff);	/* BUSY TIMEOUT PERIOD: unlimited */
}

static void fill_info_exceptions(const struct scsi_lu *lu, uint8_t *p)
{
	(void)lu;
	p[2] = 0x08;			/* DEXCPT: no informational exceptions */
}

/* In ascending page code order, as page 3Fh returns them. */
static const struct mode_page mode_pages[] = {
	{ 0x02, 16, NULL },			/* disconnect-reconnect */
	{ 0x08, 20, fill_caching },
	{ 0x0a, 12, fill_control },
	{ 0x1c, 12, fill_info_exceptions },
};
#define NUM_MODE_PAGES (sizeof(mode_pages) / sizeof(mode_pages[0]))

static uint32_t put_page(const struct scsi_lu *lu, const struct mode_page *mp,
			 uint8_t pc, uint8_t *p)
{
	memset(p, 0, mp->len);
	p[0] = mp->code;		/* PS 0: the page cannot be saved */
	p[1] = mp->len - 2;
	if (pc != MS_PC_CHANGEABLE && mp->fill)
		mp->fill(lu, p);
	return mp->len;
}

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

/* Append the requested page(s) at @p; returns their length, 0 if unknown. */
static uint32_t put_pages(const struct scsi_lu *lu, uint8_t code, uint8_t pc, uint8_t *p)
{
	uint32_t off = 0;

	for (size_t i = 0; i < NUM_MODE_PAGES; i++) {
		if (code == MS_ALL_PAGES || code == mode_pages[i].code)
			off += put_page(lu, &mode_pages[i], pc, p + off);
	}
	return off;
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

	if (pc == MS_PC_SAVED)
		return sense_check(task, SENSE_ILLEGAL_REQUEST, ASC_SAVING_PARAMS_NOT_SUPPORTED);
	/* Only subpage 0 exists (and "all subpages" of all pages). */
	if (sub != 0 && !(code == MS_ALL_PAGES && sub == MS_ALL_SUBPAGES))
		return sense_invalid_cdb(task, 3, -1);
	if (!dbd)
		bdlen = put_block_descriptor(lu, llbaa, &buf[hdr]);
	plen = put_pages(lu, code, pc, &buf[hdr + bdlen]);
	if (!plen)
		return sense_invalid_cdb(task, 2, 5);
	if (lu->readonly)
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

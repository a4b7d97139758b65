/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Third-party Copy VPD page (SPC-4 7.8.17) of a copy manager that
 * supports EXTENDED COPY (LID1): the five descriptors SPC-4 requires then,
 * Supported Commands, Parameter Data, Supported Descriptors, Supported CSCD
 * Descriptor IDs and General Copy Operations, with the same limits that
 * RECEIVE COPY RESULTS (OPERATING PARAMETERS) reports and EXTENDED COPY
 * enforces. Every descriptor is padded to a multiple of four bytes.
 */
#include <string.h>

#include "scsi/xcopy.h"
#include "util/endian.h"

/* Third-party copy descriptor types. */
enum {
	TPC_SUPPORTED_COMMANDS = 0x0001,
	TPC_PARAMETER_DATA = 0x0004,
	TPC_SUPPORTED_DESCRIPTORS = 0x0008,
	TPC_SUPPORTED_CSCD_IDS = 0x000c,
	TPC_GENERAL_COPY_OPS = 0x8001,
};

/* Finish the descriptor of @type whose body ends at @len bytes from @d:
 * pad it, fill its header; returns its padded length. */
static uint32_t tpc_desc(uint8_t *d, uint16_t type, uint32_t len)
{
	len = (len + 3) & ~3u;
	put_be16(&d[0], type);
	put_be16(&d[2], (uint16_t)(len - 4));
	return len;
}

/* The third-party copy commands the LU runs, read from lu.c's tables so the
 * page lists exactly what REPORT SUPPORTED OPERATION CODES does. */
static uint32_t supported_commands(const struct scsi_lu *lu, uint8_t *d)
{
	static const uint8_t opcodes[] = { 0x83, 0x84 };
	uint32_t off = 5;

	for (size_t i = 0; i < sizeof(opcodes); i++) {
		uint32_t start = off;

		d[off] = opcodes[i];
		off += 2;
		for (uint16_t sa = 0; sa < LU_MAX_SA; sa++) {
			if (lu_op_at(lu, opcodes[i], sa))
				d[off++] = (uint8_t)sa;
		}
		d[start + 1] = (uint8_t)(off - start - 2);	/* SERVICE ACTION LIST LENGTH */
	}
	d[4] = (uint8_t)(off - 5);			/* COMMANDS SUPPORTED LIST LENGTH */
	return tpc_desc(d, TPC_SUPPORTED_COMMANDS, off);
}

static uint32_t parameter_data(uint8_t *d)
{
	put_be16(&d[8], XCOPY_MAX_CSCD);
	put_be16(&d[10], XCOPY_MAX_SEGS);
	put_be32(&d[12], XCOPY_MAX_DESC_LIST);
	put_be32(&d[16], XCOPY_MAX_INLINE);
	return tpc_desc(d, TPC_PARAMETER_DATA, 32);
}

static uint32_t supported_descriptors(uint8_t *d)
{
	d[4] = 2;
	d[5] = XCOPY_SEG_B2B;
	d[6] = XCOPY_CSCD_IDENT;
	return tpc_desc(d, TPC_SUPPORTED_DESCRIPTORS, 7);
}

/* Only CSCD descriptor indexes: no special CSCD descriptor IDs. */
static uint32_t supported_cscd_ids(uint8_t *d)
{
	put_be16(&d[4], 0);
	return tpc_desc(d, TPC_SUPPORTED_CSCD_IDS, 6);
}

static uint32_t general_copy_ops(const struct scsi_lu *lu, uint8_t *d)
{
	uint8_t gran = 0;

	for (uint32_t bs = lu->block_size; bs > 1; bs >>= 1)
		gran++;
	put_be32(&d[4], XCOPY_MAX_CONCURRENT);	/* TOTAL CONCURRENT COPIES */
	put_be32(&d[8], XCOPY_MAX_CONCURRENT);	/* MAXIMUM IDENTIFIED CONCURRENT COPIES */
	put_be32(&d[12], XCOPY_MAX_SEG_BYTES);	/* MAXIMUM SEGMENT LENGTH */
	d[16] = gran;				/* DATA SEGMENT GRANULARITY (log2) */
	d[17] = 0;				/* INLINE DATA GRANULARITY */
	return tpc_desc(d, TPC_GENERAL_COPY_OPS, 36);
}

uint32_t xcopy_vpd_page(struct scsi_task *task, uint8_t *buf)
{
	uint32_t off = 4;

	off += supported_commands(task->lu, &buf[off]);
	off += parameter_data(&buf[off]);
	off += supported_descriptors(&buf[off]);
	off += supported_cscd_ids(&buf[off]);
	off += general_copy_ops(task->lu, &buf[off]);
	return off;
}

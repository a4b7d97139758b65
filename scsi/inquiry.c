/* SPDX-License-Identifier: Apache-2.0 */
/*
 * INQUIRY: the standard data and the vital product data pages a block device
 * needs (SPC-4 6.6, 7.8; SBC-3 6.5).
 *
 * Every builder writes into task->buf (SCSI_DATA_IN_MAX bytes, zeroed) and
 * returns the full length; the allocation length is applied afterwards.
 */
#include <string.h>

#include "scsi/internal.h"
#include "scsi/sense.h"
#include "util/endian.h"

#define INQ_STD_LEN	96	/* up to and including the version descriptors */

/* Version descriptors (SPC-4 table 34), "no version claimed" flavours. */
static const uint16_t version_descriptors[] = {
	0x00a0,		/* SAM-5 */
	0x0960,		/* iSCSI */
	0x0460,		/* SPC-4 */
	0x04c0,		/* SBC-3 */
};

/* Space-padded, unterminated ASCII field. */
static void put_ascii(uint8_t *dst, const char *s, size_t width)
{
	size_t n = strlen(s);

	if (n > width)
		n = width;
	memset(dst, ' ', width);
	memcpy(dst, s, n);
}

static uint32_t inquiry_standard(struct scsi_task *task, uint8_t *buf)
{
	struct scsi_lu *lu = task->lu;

	/* No LU here: peripheral qualifier 3, device type 1Fh. */
	buf[0] = lu ? 0x00 : 0x7f;
	buf[1] = lu && lu->removable ? 0x80 : 0x00;	/* RMB */
	buf[2] = 0x06;					/* SPC-4 */
	buf[3] = 0x12;					/* HISUP, format 2 */
	buf[4] = INQ_STD_LEN - 5;
	buf[5] = 0x08;					/* 3PC: EXTENDED COPY */
	buf[7] = 0x02;					/* CMDQUE */
	put_ascii(&buf[8], lu ? lu->vendor : CTGT_VENDOR_DEFAULT, 8);
	put_ascii(&buf[16], lu ? lu->product : "", 16);
	put_ascii(&buf[32], CTGT_REVISION, 4);
	for (size_t i = 0; i < sizeof(version_descriptors) / sizeof(version_descriptors[0]); i++)
		put_be16(&buf[58 + 2 * i], version_descriptors[i]);
	return INQ_STD_LEN;
}

static uint32_t vpd_supported(struct scsi_task *task, uint8_t *buf);

static uint32_t vpd_serial(struct scsi_task *task, uint8_t *buf)
{
	size_t n = strlen(task->lu->serial);

	memcpy(&buf[4], task->lu->serial, n);
	return 4 + (uint32_t)n;
}

/* One identification descriptor: header then @len bytes of identifier. */
static uint32_t put_designator(uint8_t *p, uint8_t proto_codeset, uint8_t piv_assoc_type,
			       const void *id, uint32_t len)
{
	p[0] = proto_codeset;
	p[1] = piv_assoc_type;
	p[2] = 0;
	p[3] = (uint8_t)len;
	memcpy(&p[4], id, len);
	return 4 + len;
}

/* SCSI name string designators are NUL-terminated and padded to 4 bytes. */
static uint32_t put_name_designator(uint8_t *p, uint8_t piv_assoc_type,
				    const char *name, size_t size)
{
	/* At most 250 characters, so the padded length fits in one byte. */
	size_t n = strnlen(name, size < 250 ? size : 250);
	uint32_t len = (uint32_t)((n + 4) & ~(size_t)3);

	p[0] = 0x53;			/* iSCSI protocol, UTF-8 */
	p[1] = piv_assoc_type;
	p[2] = 0;
	p[3] = (uint8_t)len;
	memset(&p[4], 0, len);
	memcpy(&p[4], name, n);
	return 4 + len;
}

/* Designators of the LU itself: NAA-6 and T10 vendor id + serial. */
static uint32_t devid_lu(const struct scsi_lu *lu, uint8_t *p)
{
	uint8_t naa[16], t10[8 + sizeof(lu->serial)];
	size_t sn = strlen(lu->serial);
	uint32_t off;

	put_be64(&naa[0], (6ull << 60) | ((uint64_t)CTGT_NAA_COMPANY_ID << 36) | lu->naa_id);
	put_be64(&naa[8], lu->naa_ext);
	off = put_designator(p, 0x01, 0x03, naa, sizeof(naa));	/* binary, LU, NAA */
	put_ascii(t10, lu->vendor, 8);
	memcpy(&t10[8], lu->serial, sn);
	off += put_designator(p + off, 0x02, 0x01, t10, (uint32_t)(8 + sn)); /* ASCII, LU, T10 */
	return off;
}

/* Designators of the port the command came through and of the target. */
static uint32_t devid_port(const struct scsi_task *task, uint8_t *p)
{
	uint8_t rel[4] = { 0 }, tpg[4] = { 0 };
	uint32_t off = 0;

	if (task->itn) {
		put_be16(&rel[2], task->itn->rel_port_id);
		put_be16(&tpg[2], 1);
		/* iSCSI, binary; PIV, target port association, types 4 and 5 */
		off += put_designator(p + off, 0x51, 0x94, rel, sizeof(rel));
		off += put_designator(p + off, 0x51, 0x95, tpg, sizeof(tpg));
		/* PIV, target port, SCSI name string */
		off += put_name_designator(p + off, 0x98, task->itn->target_port,
					   sizeof(task->itn->target_port));
	}
	if (task->tgt)	/* PIV, target device, SCSI name string */
		off += put_name_designator(p + off, 0xa8, task->tgt->name,
					   sizeof(task->tgt->name));
	return off;
}

static uint32_t vpd_device_id(struct scsi_task *task, uint8_t *buf)
{
	uint32_t off = 4;

	off += devid_lu(task->lu, &buf[off]);
	off += devid_port(task, &buf[off]);
	return off;
}

/* Unmapping a whole file system block frees it; 4 KiB is the usual one. */
#define UNMAP_GRANULARITY_BYTES 4096u

/* The UNMAP fields of the Block Limits page (a thin LU only). */
static void put_unmap_limits(const struct scsi_lu *lu, uint8_t *buf)
{
	uint32_t gran = UNMAP_GRANULARITY_BYTES / lu->block_size;

	put_be32(&buf[20], SCSI_UNMAP_MAX_LBAS);	/* MAXIMUM UNMAP LBA COUNT */
	put_be32(&buf[24], SCSI_UNMAP_MAX_DESCS);	/* ... BLOCK DESCRIPTOR COUNT */
	put_be32(&buf[28], gran ? gran : 1);		/* OPTIMAL UNMAP GRANULARITY */
	put_be32(&buf[32], 0x80000000u);		/* UGAVALID, alignment 0 */
}

/* The limits of COMPARE AND WRITE, WRITE SAME and WRITE ATOMIC (SBC-4). */
static void put_write_limits(const struct scsi_lu *lu, uint8_t *buf)
{
	/* buf[4] bit 0, WSNZ, stays 0: WRITE SAME of 0 blocks runs to the end. */
	buf[5] = (uint8_t)lu->max_caw_blocks;	/* MAXIMUM COMPARE AND WRITE LENGTH */
	put_be64(&buf[36], lu->max_ws_blocks);	/* MAXIMUM WRITE SAME LENGTH */
	put_be32(&buf[44], lu->atomic_max_blocks); /* MAXIMUM ATOMIC TRANSFER LENGTH */
	put_be32(&buf[48], lu->atomic_align);	/* ATOMIC ALIGNMENT */
	put_be32(&buf[52], lu->atomic_gran);	/* ATOMIC TRANSFER LENGTH GRANULARITY */
	/* buf[56..63]: no atomic boundaries (both maximums 0). */
}

static uint32_t vpd_block_limits(struct scsi_task *task, uint8_t *buf)
{
	uint32_t max = task->lu->max_xfer_blocks;

	put_be16(&buf[6], 1);		/* OPTIMAL TRANSFER LENGTH GRANULARITY */
	put_be32(&buf[8], max);		/* MAXIMUM TRANSFER LENGTH */
	put_be32(&buf[12], max);	/* OPTIMAL TRANSFER LENGTH */
	put_write_limits(task->lu, buf);
	/* UNMAP limits when thin. */
	if (task->lu->thin)
		put_unmap_limits(task->lu, buf);
	return 64;
}

/* Block Device Characteristics (SBC-4 6.6.2). */
static uint32_t vpd_block_dev_chars(struct scsi_task *task, uint8_t *buf)
{
	put_be16(&buf[4], 1);		/* MEDIUM ROTATION RATE: non-rotating */
	/* buf[6] PRODUCT TYPE 0: not indicated. buf[7]: WABEREQ and WACEREQ
	 * 01b: reads after a SANITIZE BLOCK ERASE (thin LUs only) or
	 * CRYPTOGRAPHIC ERASE succeed and return zeros; NOMINAL FORM FACTOR
	 * 0: not reported (a virtual disk has none). */
	buf[7] = (task->lu->thin ? 0x40 : 0) | 0x10;
	/* buf[8]: ZONED 00b (not zoned), BOCS 0; FUAB 1: a FUA write is as
	 * durable as one followed by SYNCHRONIZE CACHE (both fdatasync);
	 * VBULS 1: VERIFY with BYTCHK 0 of unmapped blocks succeeds. */
	buf[8] = 0x02 | 0x01;
	return 64;
}

static uint32_t vpd_lb_provisioning(struct scsi_task *task, uint8_t *buf)
{
	/* Fully provisioned: all zero. Thin: UNMAP (LBPU) and WRITE SAME
	 * (16)/(10) with UNMAP=1 (LBPWS, LBPWS10) deallocate, unmapped blocks
	 * read as zeros (LBPRZ), provisioning type 010b; no thresholds, no
	 * anchored LBAs (ANC_SUP clear). */
	if (task->lu->thin) {
		buf[5] = 0x80 | 0x40 | 0x20 | 0x04;	/* LBPU, LBPWS, LBPWS10, LBPRZ */
		buf[6] = 0x02;		/* PROVISIONING TYPE: thin */
	}
	return 8;
}

struct vpd_page {
	uint8_t code;
	uint32_t (*build)(struct scsi_task *task, uint8_t *buf);
};

/* In ascending page code order, as page 00h must list them. */
static const struct vpd_page vpd_pages[] = {
	{ 0x00, vpd_supported },
	{ 0x80, vpd_serial },
	{ 0x83, vpd_device_id },
	{ 0x8f, xcopy_vpd_page },	/* xcopy_vpd.c */
	{ 0xb0, vpd_block_limits },
	{ 0xb1, vpd_block_dev_chars },
	{ 0xb2, vpd_lb_provisioning },
};
#define NUM_VPD_PAGES (sizeof(vpd_pages) / sizeof(vpd_pages[0]))

static uint32_t vpd_supported(struct scsi_task *task, uint8_t *buf)
{
	(void)task;
	for (size_t i = 0; i < NUM_VPD_PAGES; i++)
		buf[4 + i] = vpd_pages[i].code;
	return 4 + NUM_VPD_PAGES;
}

static int inquiry_vpd(struct scsi_task *task, uint32_t alloc_len)
{
	uint8_t code = task->cdb[2];
	uint32_t len;

	if (!task->lu)
		return sense_check(task, SENSE_ILLEGAL_REQUEST, ASC_LU_NOT_SUPPORTED);
	for (size_t i = 0; i < NUM_VPD_PAGES; i++) {
		if (vpd_pages[i].code != code)
			continue;
		task->buf[1] = code;
		len = vpd_pages[i].build(task, task->buf);
		put_be16(&task->buf[2], (uint16_t)(len - 4));
		return task_data_in(task, len, alloc_len);
	}
	return sense_invalid_cdb(task, 2, -1);
}

int spc_inquiry(struct scsi_task *task)
{
	const uint8_t *cdb = task->cdb;
	uint32_t alloc_len = get_be16(&cdb[3]);

	if (cdb[1] & 0x02)		/* CMDDT: obsolete, refused */
		return sense_invalid_cdb(task, 1, 1);
	if (cdb[1] & 0x01)
		return inquiry_vpd(task, alloc_len);
	if (cdb[2])			/* a page code needs EVPD */
		return sense_invalid_cdb(task, 2, -1);
	return task_data_in(task, inquiry_standard(task, task->buf), alloc_len);
}

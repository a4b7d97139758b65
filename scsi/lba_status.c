/* SPDX-License-Identifier: Apache-2.0 */
/*
 * GET LBA STATUS (SBC-3 5.6): SERVICE ACTION IN(16), service action 12h.
 *
 * From the STARTING LOGICAL BLOCK ADDRESS on, the LU is described as a run
 * of LBA status descriptors, each an extent of blocks that are all mapped
 * or all deallocated (ctgt never anchors). On a thin LU the state comes
 * from the backing store's allocation map (backend_map(): holes of a sparse
 * file); a block only partly allocated counts as mapped. A fully
 * provisioned LU is mapped everywhere, whatever its store looks like.
 *
 * The first descriptor starts at the starting LBA. As many descriptors are
 * returned as the allocation length has room for (at least one, up to what
 * fits in the data-in buffer); PARAMETER DATA LENGTH counts those, so it
 * describes exactly the data built, before the allocation length cuts it.
 */
#include "scsi/internal.h"
#include "scsi/sense.h"
#include "util/endian.h"

#define HDR_LEN		8
#define DESC_LEN	16
#define MAX_DESCS	((SCSI_DATA_IN_MAX - HDR_LEN) / DESC_LEN)
#define DESC_MAX_BLOCKS	0xffffffffu	/* NUMBER OF LOGICAL BLOCKS is 32 bits */

enum { PS_MAPPED = 0, PS_DEALLOCATED = 1 };

/* The state of block @lba and how many blocks from it (at most @max) share
 * it. */
static uint8_t extent_at(const struct scsi_lu *lu, uint64_t lba, uint64_t max,
			 uint64_t *count)
{
	uint64_t bs = lu->block_size, bytes;
	bool allocated;

	*count = max;
	if (!lu->thin)
		return PS_MAPPED;
	if (backend_map(lu->bs, lba * bs, max * bs, &allocated, &bytes) < 0 || !bytes)
		return PS_MAPPED;	/* no answer: the safe claim */
	if (allocated) {
		*count = (bytes + bs - 1) / bs;
		return PS_MAPPED;
	}
	if (bytes < bs) {	/* the hole ends inside this block */
		*count = 1;
		return PS_MAPPED;
	}
	*count = bytes / bs;
	return PS_DEALLOCATED;
}

static void put_desc(uint8_t *d, uint64_t lba, uint32_t count, uint8_t state)
{
	put_be64(&d[0], lba);
	put_be32(&d[8], count);
	d[12] = state;		/* PROVISIONING STATUS */
}

/* Build up to @max descriptors from @lba; returns how many. */
static uint32_t build(const struct scsi_lu *lu, uint8_t *buf, uint64_t lba, uint32_t max)
{
	uint32_t n = 0, run = 0;
	uint64_t start = lba, count;
	uint8_t state = PS_MAPPED, s;

	while (lba < lu->nblocks) {
		uint64_t left = lu->nblocks - lba;

		s = extent_at(lu, lba, left < DESC_MAX_BLOCKS ? left : DESC_MAX_BLOCKS, &count);
		if (run && s == state && run + count <= DESC_MAX_BLOCKS) {
			run += (uint32_t)count;
		} else {
			if (run) {
				put_desc(&buf[HDR_LEN + n * DESC_LEN], start, run, state);
				if (++n == max)
					return n;
			}
			start = lba;
			run = (uint32_t)count;
			state = s;
		}
		lba += count;
	}
	put_desc(&buf[HDR_LEN + n * DESC_LEN], start, run, state);
	return n + 1;
}

int sbc_get_lba_status(struct scsi_task *task)
{
	const uint8_t *cdb = task->cdb;
	uint64_t lba = get_be64(&cdb[2]);
	uint32_t alloc_len = get_be32(&cdb[10]), max = MAX_DESCS, n;

	if (lba >= task->lu->nblocks)
		return sense_check(task, SENSE_ILLEGAL_REQUEST, ASC_LBA_OUT_OF_RANGE);
	/* Byte 14 is reserved in SBC-3 (SBC-4's REPORT TYPE filters are not
	 * implemented): refuse rather than ignore a filter. */
	if (cdb[14])
		return sense_invalid_cdb(task, 14, -1);
	if (alloc_len >= HDR_LEN + DESC_LEN && (alloc_len - HDR_LEN) / DESC_LEN < max)
		max = (alloc_len - HDR_LEN) / DESC_LEN;
	else if (alloc_len < HDR_LEN + DESC_LEN)
		max = 1;
	n = build(task->lu, task->buf, lba, max);
	put_be32(&task->buf[0], HDR_LEN - 4 + n * DESC_LEN);	/* PARAMETER DATA LENGTH */
	return task_data_in(task, HDR_LEN + n * DESC_LEN, alloc_len);
}

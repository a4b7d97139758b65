/* SPDX-License-Identifier: Apache-2.0 */
/*
 * PRE-FETCH (10) and (16) (SBC-3 5.9, 5.10).
 *
 * ctgt keeps no cache of its own: blocks are read from the backing store
 * (and the kernel's page cache, which may drop them at any time) when a
 * READ asks for them. So the cache that PRE-FETCH talks about has no
 * capacity for the range, and SBC-3 says that a device server whose cache
 * cannot hold all the specified blocks completes the command with GOOD
 * status, whatever IMMED says; CONDITION MET would promise that the blocks
 * are now in a cache, which ctgt cannot keep. libiscsi's Prefetch tests
 * expect GOOD as well.
 *
 * What is checked: the range (a PREFETCH LENGTH of 0 means "to the last
 * block", so only the LBA must exist) and nothing else; IMMED and GROUP
 * NUMBER change nothing when there is nothing to wait for.
 */
#include "scsi/internal.h"
#include "scsi/sense.h"

int sbc_prefetch_prepare(struct scsi_task *task)
{
	uint64_t lba;
	uint32_t len;

	sbc_rw_decode(task->cdb, &lba, &len);
	if (lba >= task->lu->nblocks)
		return sense_check(task, SENSE_ILLEGAL_REQUEST, ASC_LBA_OUT_OF_RANGE);
	return sbc_check_range(task, lba, len, false);
}

int sbc_prefetch_execute(struct scsi_task *task)
{
	return task_good(task);
}

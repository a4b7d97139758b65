/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Changing a LU while it is served: growing it, and taking it out of its
 * target (scsi_tgt_detach_lu() in tgt.c) and waiting until nothing of it
 * is left running before it is destroyed; and what long work it has in
 * progress. Task thread only (scsi/scsi.h).
 */
#include <errno.h>
#include <string.h>

#include "scsi/internal.h"
#include "scsi/sense.h"

bool scsi_lu_busy(const struct scsi_lu *lu)
{
	return !list_empty(&lu->ts.tasks) || lu->copy_io != 0 || lu_job_running(lu) ||
	       !list_empty(&lu->lba_held) || !list_empty(&lu->lba_waiting);
}

void scsi_lu_abort_all(struct scsi_lu *lu)
{
	struct ts_match m = { .any_nexus = true };

	ts_abort_where(lu, &m);
}

int scsi_lu_resize(struct scsi_lu *lu, uint64_t nblocks)
{
	if (nblocks < lu->nblocks)
		return -EINVAL;		/* data the initiators have would go */
	if (lu_job_running(lu))
		return -EBUSY;		/* SANITIZE/FORMAT walk the old size */
	if (nblocks == lu->nblocks)
		return 0;
	lu->nblocks = nblocks;
	lu->bs->size = nblocks * lu->block_size;
	tgt_ua_others(lu, NULL, ASC_CAPACITY_DATA_CHANGED);
	return 0;
}

void scsi_lu_progress(const struct scsi_lu *lu, struct scsi_lu_progress *out)
{
	const struct list_node *pos;

	memset(out, 0, sizeof(*out));
	lu_job_progress(lu, out);
	for (pos = lu->ts.tasks.next; pos != &lu->ts.tasks; pos = pos->next)
		xcopy_task_progress(container_of(pos, struct scsi_task, ts_link), out);
}

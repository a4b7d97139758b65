/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Per-nexus LUN maps: an initiator may see only some LUs, under numbers of
 * its own, some of them read-only (set by the transport from its access
 * rules; the SCSI layer only applies them). The map is read-only while the
 * nexus exists, so no lock is needed.
 */
#include "scsi/internal.h"

static const struct scsi_lun_map_entry *map_find(const struct scsi_itn *itn, uint64_t lun)
{
	for (size_t i = 0; i < itn->lun_map->n; i++)
		if (itn->lun_map->e[i].lun == lun)
			return &itn->lun_map->e[i];
	return NULL;
}

struct scsi_lu *scsi_itn_lu(struct scsi_tgt *tgt, const struct scsi_itn *itn, uint64_t lun)
{
	const struct scsi_lun_map_entry *e;

	if (!itn || !itn->lun_map)
		return scsi_tgt_lu(tgt, lun);
	e = map_find(itn, lun);
	return e ? scsi_tgt_lu(tgt, e->target_lun) : NULL;
}

bool itn_lu_readonly(const struct scsi_task *task)
{
	const struct scsi_lun_map_entry *e;

	if (!task->itn || !task->itn->lun_map || !task->lu)
		return false;
	e = map_find(task->itn, task->lun);
	return e && e->readonly;
}

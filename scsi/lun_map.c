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

/* The map entry through which @itn sees LU @lu, or NULL. */
static const struct scsi_lun_map_entry *map_find_lu(const struct scsi_itn *itn,
						    const struct scsi_lu *lu)
{
	for (size_t i = 0; i < itn->lun_map->n; i++)
		if (itn->lun_map->e[i].target_lun == lu->lun)
			return &itn->lun_map->e[i];
	return NULL;
}

bool itn_sees_lu(const struct scsi_task *task, const struct scsi_lu *lu, bool *readonly)
{
	const struct scsi_lun_map_entry *e;

	*readonly = false;
	if (!task->itn || !task->itn->lun_map)
		return true;
	e = map_find_lu(task->itn, lu);
	*readonly = e && e->readonly;
	return e != NULL;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * RESERVE(6)/(10) and RELEASE(6)/(10): the SPC-2 reservation of a whole
 * logical unit by one I_T nexus. pr_check() has already refused them while
 * persistent registrations exist, and refused other nexuses' commands while
 * the reservation is held. The reservation ends with RELEASE from its
 * holder, the loss of its I_T nexus, LOGICAL UNIT RESET and target resets
 * (pr_nexus_lost(), pr_lu_reset()).
 */
#include "scsi/pr.h"
#include "scsi/sense.h"

int spc_reserve(struct scsi_task *task)
{
	struct pr_state *pr = task->lu->pr;
	const uint8_t *cdb = task->cdb;

	/* Third-party and extent reservations (obsolete) are not supported. */
	if (cdb[1] & 0x10)
		return sense_invalid_cdb(task, 1, 4);
	if (cdb[0] == 0x16 && (cdb[1] & 0x01))
		return sense_invalid_cdb(task, 1, 0);
	if (cdb[0] == 0x56 && (cdb[1] & 0x02))
		return sense_invalid_cdb(task, 1, 1);
	if (!task->itn)
		return pr_conflict(task);
	pr->r2_held = true;
	pr->r2_itn = task->itn->id;
	return task_good(task);
}

int spc_release(struct scsi_task *task)
{
	struct pr_state *pr = task->lu->pr;

	if (task->cdb[1] & 0x10)
		return sense_invalid_cdb(task, 1, 4);
	if (task->cdb[0] == 0x17 && (task->cdb[1] & 0x01))
		return sense_invalid_cdb(task, 1, 0);
	/* Releasing what another nexus holds, or nothing, is a no-op. */
	if (pr->r2_held && task->itn && pr->r2_itn == task->itn->id)
		pr->r2_held = false;
	return task_good(task);
}

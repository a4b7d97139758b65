/* SPDX-License-Identifier: Apache-2.0 */
/* Sense helpers the SCSI layer offers to transports. */
#include "scsi/internal.h"
#include "scsi/sense.h"

void scsi_task_set_sense(struct scsi_task *task, uint8_t key, uint8_t asc, uint8_t ascq)
{
	sense_check(task, key, (uint16_t)((asc << 8) | ascq));
	if (task->lu && task->lu->mode.d_sense)
		sense_to_desc(task);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Task management functions (SAM-5 clause 7) over the task sets of
 * task_set.c, with the unit attentions SAM-5/SPC-4 ask for. The control
 * mode page says TAS=0: aborted tasks get no status at all; the other
 * nexuses whose tasks a CLEAR TASK SET removed learn it from COMMANDS
 * CLEARED BY ANOTHER INITIATOR instead.
 *
 * A function that aborted tasks whose backend I/O is in flight completes
 * only when the last of them has ended: such a request waits in tgt->tmfs
 * and is re-checked whenever an aborted task ends.
 */
#include <stdlib.h>

#include "scsi/internal.h"
#include "scsi/sense.h"

/* Does an aborted task of @tmf's scope still run? */
static bool tmf_waiting(const struct scsi_tmf *tmf)
{
	if (tmf->scope)
		return tmf->scope->ts.naborted != 0;
	for (unsigned i = 0; i < SCSI_MAX_LUNS; i++) {
		const struct scsi_lu *lu = tmf->tgt->luns[i];

		if (lu && lu->ts.naborted)
			return true;
	}
	return false;
}

void tmf_task_gone(struct scsi_tgt *tgt)
{
	struct list_node *pos, *tmp;

	if (!tgt)
		return;
	list_for_each_safe(pos, tmp, &tgt->tmfs) {
		struct scsi_tmf *tmf = container_of(pos, struct scsi_tmf, link);

		if (!tmf_waiting(tmf)) {
			list_del(&tmf->link);
			tmf->done(tmf);
		}
	}
}

/* Every nexus but @tmf's with a task on @lu gets COMMANDS CLEARED BY
 * ANOTHER INITIATOR (TAS=0: they see no TASK ABORTED status). */
static void ua_cleared_by_another(const struct scsi_tmf *tmf, struct scsi_lu *lu)
{
	struct list_node *pos;

	for (pos = lu->ts.tasks.next; pos != &lu->ts.tasks; pos = pos->next) {
		const struct scsi_task *t = container_of(pos, struct scsi_task, ts_link);

		if (t->itn && t->itn->id != tmf->itn->id && !t->aborted)
			tgt_set_ua(tmf->tgt, t->itn->id, lu, ASC_COMMANDS_CLEARED_BY_ANOTHER);
	}
}

static void abort_all_lus(struct scsi_tgt *tgt, const struct ts_match *m)
{
	for (unsigned i = 0; i < SCSI_MAX_LUNS; i++) {
		if (tgt->luns[i])
			ts_abort_where(tgt->luns[i], m);
	}
}

/* The functions that address one LU. */
static void tmf_on_lu(struct scsi_tmf *tmf, struct scsi_lu *lu)
{
	struct ts_match nexus = { .itn_id = tmf->itn->id };
	struct ts_match all = { .any_nexus = true };
	struct ts_match tag = { .itn_id = tmf->itn->id, .by_tag = true, .tag = tmf->tag };

	switch (tmf->fn) {
	case SCSI_TMF_ABORT_TASK:
		if (!ts_find(lu, &tag)) {
			tmf->response = SCSI_TMF_RSP_NO_TASK;
			return;
		}
		ts_abort_where(lu, &tag);
		break;
	case SCSI_TMF_QUERY_TASK:
		if (ts_find(lu, &tag))
			tmf->response = SCSI_TMF_RSP_SUCCEEDED;
		break;
	case SCSI_TMF_QUERY_TASK_SET:
		if (ts_find(lu, &nexus))
			tmf->response = SCSI_TMF_RSP_SUCCEEDED;
		break;
	case SCSI_TMF_ABORT_TASK_SET:
		ts_abort_where(lu, &nexus);
		break;
	case SCSI_TMF_CLEAR_TASK_SET:
		ua_cleared_by_another(tmf, lu);
		ts_abort_where(lu, &all);
		break;
	case SCSI_TMF_LU_RESET:
		/* Every nexus gets 29/03 from the reset, which replaces the
		 * 2F/00 a CLEAR TASK SET would give. */
		ts_abort_where(lu, &all);
		scsi_tgt_lu_reset(tmf->tgt, lu->lun);
		break;
	default:
		tmf->response = SCSI_TMF_RSP_REJECTED;
		break;
	}
}

int scsi_tmf_execute(struct scsi_tmf *tmf)
{
	struct scsi_tgt *tgt = tmf->tgt;
	struct ts_match nexus = { .itn_id = tmf->itn->id };
	struct ts_match all = { .any_nexus = true };

	tmf->response = SCSI_TMF_RSP_COMPLETE;
	tmf->scope = NULL;
	switch (tmf->fn) {
	case SCSI_TMF_IT_NEXUS_RESET:
		abort_all_lus(tgt, &nexus);
		tgt_nexus_reset(tgt, tmf->itn->id);
		break;
	case SCSI_TMF_TARGET_WARM_RESET:
	case SCSI_TMF_TARGET_COLD_RESET:
		abort_all_lus(tgt, &all);
		scsi_tgt_reset(tgt);
		/* A cold reset is a power cycle; a warm one a hard reset (SAM-5). */
		tgt_set_ua(tgt, UINT64_MAX, NULL,
			   tmf->fn == SCSI_TMF_TARGET_COLD_RESET ? ASC_POWER_ON_OCCURRED
								 : ASC_SCSI_BUS_RESET);
		break;
	default:
		tmf->scope = scsi_itn_lu(tgt, tmf->itn, tmf->lun);
		if (!tmf->scope) {
			tmf->response = SCSI_TMF_RSP_NO_LU;
			return SCSI_TASK_COMPLETE;
		}
		tmf_on_lu(tmf, tmf->scope);
		break;
	}
	if (tmf->response != SCSI_TMF_RSP_COMPLETE || !tmf_waiting(tmf))
		return SCSI_TASK_COMPLETE;
	list_add_tail(&tgt->tmfs, &tmf->link);
	return SCSI_TASK_PENDING;
}

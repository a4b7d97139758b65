/* SPDX-License-Identifier: Apache-2.0 */
/*
 * RECEIVE COPY RESULTS (SPC-4) and the results it reports: per I_T
 * nexus and list identifier, what each EXTENDED COPY with LIST ID USAGE 00b
 * left behind, plus the copies still running (whose list identifiers must
 * stay unique, LIST ID USAGE 00b and 10b).
 *
 * Service actions: COPY STATUS (00h), OPERATING PARAMETERS (03h) and FAILED
 * SEGMENT DETAILS (04h). RECEIVE DATA (01h) is not supported: no segment
 * type we implement holds data, so the HELD DATA LIMIT is zero and the
 * service action is refused as unknown.
 *
 * Bounds: at most XCOPY_MAX_HELD entries per nexus (the oldest finished one
 * makes room for a new copy) and XCOPY_MAX_CONCURRENT copies running per
 * target. A finished copy's status is dropped once COPY STATUS has returned
 * it whole, its failed segment details once FAILED SEGMENT DETAILS has (or
 * was asked with an allocation length of zero), and everything of a nexus
 * when the nexus goes away. Copies run on the task thread; the store is
 * kept under tgt->lock all the same because, like the nexus state of
 * tgt.c, it belongs to the whole target: every LU's copies and every
 * nexus' results (scsi/scsi.h).
 */
#include <stdlib.h>
#include <string.h>

#include "scsi/xcopy.h"
#include "util/endian.h"

struct xcopy_store {
	struct list_node results;	/* struct xcopy_result */
	unsigned running;		/* copies in progress in the target */
};

#define COPY_STATUS_LEN		12
#define OP_PARAMS_HDR_LEN	44
#define FSD_HDR_LEN		60

/* Descriptor type codes we implement, in ascending order. */
static const uint8_t impl_descs[] = { XCOPY_SEG_B2B, XCOPY_CSCD_IDENT };

/* Caller holds tgt->lock. Created on first use; NULL without memory. */
static struct xcopy_store *store_get(struct scsi_tgt *tgt)
{
	if (!tgt->xcopy) {
		tgt->xcopy = calloc(1, sizeof(*tgt->xcopy));
		if (tgt->xcopy)
			list_init(&tgt->xcopy->results);
	}
	return tgt->xcopy;
}

static void result_drop(struct xcopy_result *r)
{
	list_del(&r->node);
	free(r);
}

/* The entry of (@itn_id, @list_id), or NULL. Caller holds tgt->lock. */
static struct xcopy_result *result_find(struct xcopy_store *st, uint64_t itn_id,
					uint8_t list_id)
{
	struct list_node *pos, *tmp;

	list_for_each_safe(pos, tmp, &st->results) {
		struct xcopy_result *r = container_of(pos, struct xcopy_result, node);

		if (r->itn_id == itn_id && r->list_id == list_id)
			return r;
	}
	return NULL;
}

/* Make room for one more entry of @itn_id: drop its oldest finished one
 * when it has XCOPY_MAX_HELD. False when all of them are running. */
static bool make_room(struct xcopy_store *st, uint64_t itn_id)
{
	struct xcopy_result *oldest = NULL;
	struct list_node *pos, *tmp;
	unsigned n = 0;

	list_for_each_safe(pos, tmp, &st->results) {
		struct xcopy_result *r = container_of(pos, struct xcopy_result, node);

		if (r->itn_id != itn_id)
			continue;
		n++;
		if (!oldest && r->cm_status != XCOPY_CM_RUNNING)
			oldest = r;	/* the list is in order of creation */
	}
	if (n < XCOPY_MAX_HELD)
		return true;
	if (!oldest)
		return false;
	result_drop(oldest);
	return true;
}

/* Caller holds tgt->lock. Sets sense and returns NULL on refusal. */
static struct xcopy_result *start_locked(struct scsi_task *task, struct xcopy_store *st,
					 const struct xcopy_list *l)
{
	uint64_t itn_id = task->itn ? task->itn->id : 0;
	struct xcopy_result *r;

	if (st->running >= XCOPY_MAX_CONCURRENT) {
		sense_check(task, SENSE_ILLEGAL_REQUEST, ASC_INSUFFICIENT_RESOURCES);
		return NULL;
	}
	r = result_find(st, itn_id, l->list_id);
	if (r && r->cm_status == XCOPY_CM_RUNNING) {
		sense_check(task, SENSE_ILLEGAL_REQUEST, ASC_OPERATION_IN_PROGRESS);
		return NULL;
	}
	if (r)		/* a new copy with this identifier replaces the old results */
		result_drop(r);
	if (!make_room(st, itn_id)) {
		sense_check(task, SENSE_ILLEGAL_REQUEST, ASC_INSUFFICIENT_RESOURCES);
		return NULL;
	}
	r = calloc(1, sizeof(*r));
	if (!r) {
		task_busy(task);
		return NULL;
	}
	r->itn_id = itn_id;
	r->list_id = l->list_id;
	r->usage = l->usage;
	r->cm_status = XCOPY_CM_RUNNING;
	list_add_tail(&st->results, &r->node);
	return r;
}

struct xcopy_result *xcopy_result_start(struct scsi_task *task, const struct xcopy_list *l,
					int *rc)
{
	struct scsi_tgt *tgt = task->tgt;
	struct xcopy_result *r = NULL;
	struct xcopy_store *st;

	*rc = SCSI_TASK_COMPLETE;
	pthread_mutex_lock(&tgt->lock);
	st = store_get(tgt);
	if (!st) {
		task_busy(task);
	} else if (l->usage == XCOPY_LID_NONE && st->running >= XCOPY_MAX_CONCURRENT) {
		sense_check(task, SENSE_ILLEGAL_REQUEST, ASC_INSUFFICIENT_RESOURCES);
	} else if (l->usage == XCOPY_LID_NONE || (r = start_locked(task, st, l))) {
		st->running++;
		*rc = SCSI_TASK_READY;
	}
	pthread_mutex_unlock(&tgt->lock);
	return r;
}

void xcopy_result_progress(struct scsi_tgt *tgt, struct xcopy_result *r,
			   uint16_t segs, uint64_t bytes)
{
	if (!r)
		return;
	pthread_mutex_lock(&tgt->lock);
	r->segs_done = segs;
	r->bytes = bytes;
	pthread_mutex_unlock(&tgt->lock);
}

void xcopy_result_end(struct scsi_task *task, struct xcopy_result *r)
{
	struct scsi_tgt *tgt = task->tgt;

	pthread_mutex_lock(&tgt->lock);
	tgt->xcopy->running--;
	if (r && (r->orphan || r->usage == XCOPY_LID_DISCARD)) {
		result_drop(r);		/* an orphan is off the list: no-op del */
	} else if (r) {
		bool ok = task->status == SCSI_STATUS_GOOD;

		r->cm_status = ok ? XCOPY_CM_DONE : XCOPY_CM_FAILED;
		r->cmd_status = task->status;
		r->sense_len = task->sense_len;
		memcpy(r->sense, task->sense, task->sense_len);
		r->status_held = true;
		r->fsd_held = !ok;
	}
	pthread_mutex_unlock(&tgt->lock);
}

void xcopy_nexus_gone(struct scsi_tgt *tgt, const struct scsi_itn *itn)
{
	struct list_node *pos, *tmp;

	pthread_mutex_lock(&tgt->lock);
	if (tgt->xcopy) {
		list_for_each_safe(pos, tmp, &tgt->xcopy->results) {
			struct xcopy_result *r = container_of(pos, struct xcopy_result, node);

			if (r->itn_id != itn->id)
				continue;
			if (r->cm_status == XCOPY_CM_RUNNING) {
				/* Its copy frees it when it ends. */
				list_del(&r->node);
				r->orphan = true;
			} else {
				result_drop(r);
			}
		}
	}
	pthread_mutex_unlock(&tgt->lock);
}

void xcopy_tgt_free(struct scsi_tgt *tgt)
{
	struct list_node *pos, *tmp;

	if (!tgt->xcopy)
		return;
	list_for_each_safe(pos, tmp, &tgt->xcopy->results)
		result_drop(container_of(pos, struct xcopy_result, node));
	free(tgt->xcopy);
	tgt->xcopy = NULL;
}

static uint32_t alloc_len(const struct scsi_task *task)
{
	return get_be32(&task->cdb[10]);
}

/* The entry of the command's list identifier, or NULL. Caller holds the lock. */
static struct xcopy_result *lookup(struct scsi_task *task)
{
	struct xcopy_store *st = task->tgt->xcopy;

	if (!st)
		return NULL;
	return result_find(st, task->itn ? task->itn->id : 0, task->cdb[2]);
}

/* TRANSFER COUNT UNITS and TRANSFER COUNT: bytes while they fit, else KiB. */
static void put_transfer_count(uint8_t *buf, uint64_t bytes)
{
	if (bytes <= UINT32_MAX) {
		buf[7] = 0x00;
		put_be32(&buf[8], (uint32_t)bytes);
	} else {
		buf[7] = 0xf1;
		put_be32(&buf[8], (uint32_t)(bytes >> 10));
	}
}

int spc_rcr_copy_status(struct scsi_task *task)
{
	uint32_t alen = alloc_len(task);
	struct xcopy_result *r;
	uint8_t *buf = task->buf;

	pthread_mutex_lock(&task->tgt->lock);
	r = lookup(task);
	if (!r || (r->cm_status != XCOPY_CM_RUNNING && !r->status_held)) {
		pthread_mutex_unlock(&task->tgt->lock);
		/* No copy with this list identifier: the LIST IDENTIFIER field. */
		return sense_invalid_cdb(task, 2, -1);
	}
	put_be32(&buf[0], COPY_STATUS_LEN - 4);
	buf[4] = r->cm_status;		/* HDD=0: no held data was discarded */
	put_be16(&buf[5], r->segs_done);
	put_transfer_count(buf, r->bytes);
	if (r->cm_status != XCOPY_CM_RUNNING && alen >= COPY_STATUS_LEN) {
		r->status_held = false;
		if (!r->fsd_held)
			result_drop(r);
	}
	pthread_mutex_unlock(&task->tgt->lock);
	return task_data_in(task, COPY_STATUS_LEN, alen);
}

static uint8_t log2_u32(uint32_t v)
{
	uint8_t n = 0;

	while (v >>= 1)
		n++;
	return n;
}

int spc_rcr_op_params(struct scsi_task *task)
{
	uint8_t *buf = task->buf;
	uint32_t len = OP_PARAMS_HDR_LEN + sizeof(impl_descs);

	put_be32(&buf[0], len - 4);
	buf[4] = 0x01;					/* SNLID: LIST ID USAGE 11b */
	put_be16(&buf[8], XCOPY_MAX_CSCD);		/* MAXIMUM CSCD DESCRIPTOR COUNT */
	put_be16(&buf[10], XCOPY_MAX_SEGS);		/* MAXIMUM SEGMENT DESCRIPTOR COUNT */
	put_be32(&buf[12], XCOPY_MAX_DESC_LIST);	/* MAXIMUM DESCRIPTOR LIST LENGTH */
	put_be32(&buf[16], XCOPY_MAX_SEG_BYTES);	/* MAXIMUM SEGMENT LENGTH */
	put_be32(&buf[20], XCOPY_MAX_INLINE);		/* MAXIMUM INLINE DATA LENGTH */
	put_be32(&buf[24], 0);				/* HELD DATA LIMIT */
	put_be32(&buf[28], 0);				/* no stream devices */
	put_be16(&buf[34], XCOPY_MAX_CONCURRENT);	/* TOTAL CONCURRENT COPIES */
	buf[36] = XCOPY_MAX_CONCURRENT;			/* MAXIMUM CONCURRENT COPIES */
	buf[37] = log2_u32(task->lu->block_size);	/* DATA SEGMENT GRANULARITY */
	buf[38] = 0;					/* INLINE DATA GRANULARITY */
	buf[39] = 0;					/* HELD DATA GRANULARITY */
	buf[43] = sizeof(impl_descs);
	memcpy(&buf[44], impl_descs, sizeof(impl_descs));
	return task_data_in(task, len, alloc_len(task));
}

int spc_rcr_failed_segs(struct scsi_task *task)
{
	uint32_t alen = alloc_len(task), len = 4;
	struct xcopy_result *r;
	uint8_t *buf = task->buf;

	pthread_mutex_lock(&task->tgt->lock);
	r = lookup(task);
	/* Nothing to report (unknown, running or successful copy): an
	 * AVAILABLE DATA of zero. */
	if (r && r->fsd_held) {
		len = FSD_HDR_LEN + r->sense_len;
		put_be32(&buf[0], len - 4);
		buf[56] = r->cmd_status;
		put_be16(&buf[58], (uint16_t)r->sense_len);
		memcpy(&buf[60], r->sense, r->sense_len);
		if (alen == 0 || alen >= len) {
			r->fsd_held = false;
			if (!r->status_held)
				result_drop(r);
		}
	}
	pthread_mutex_unlock(&task->tgt->lock);
	return task_data_in(task, len, alen);
}

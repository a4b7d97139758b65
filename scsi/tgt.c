/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SCSI target devices: the LU table, LUN encoding, the I_T nexuses with their
 * per-LU unit attention and PREVENT state, and REPORT LUNS (which answers for
 * the whole target, whatever LUN it was sent to).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scsi/internal.h"
#include "scsi/sense.h"
#include "util/endian.h"
#include "util/log.h"

/* What the target remembers about one I_T nexus. */
struct itn_state {
	struct list_node node;
	uint64_t id;				/**< scsi_itn.id */
	const struct scsi_itn *itn;		/**< the transport's, for its port names */
	uint16_t ua[SCSI_MAX_LUNS];		/**< pending UA (ASC/ASCQ), 0 = none */
	uint8_t prevent[SCSI_MAX_LUNS / 8];	/**< PREVENT MEDIUM REMOVAL bits */
};

struct scsi_tgt *scsi_tgt_create(const char *name)
{
	struct scsi_tgt *tgt;

	if (!name || strlen(name) >= SCSI_NAME_MAX)
		return NULL;
	tgt = calloc(1, sizeof(*tgt));
	if (!tgt)
		return NULL;
	snprintf(tgt->name, sizeof(tgt->name), "%s", name);
	pthread_mutex_init(&tgt->lock, NULL);
	list_init(&tgt->nexuses);
	list_init(&tgt->tmfs);
	return tgt;
}

void scsi_tgt_destroy(struct scsi_tgt *tgt)
{
	struct list_node *pos, *tmp;

	if (!tgt)
		return;
	for (unsigned i = 0; i < SCSI_MAX_LUNS; i++)
		scsi_lu_destroy(tgt->luns[i]);
	list_for_each_safe(pos, tmp, &tgt->nexuses) {
		list_del(pos);
		free(container_of(pos, struct itn_state, node));
	}
	xcopy_tgt_free(tgt);
	pthread_mutex_destroy(&tgt->lock);
	free(tgt);
}

static void ua_set(struct scsi_tgt *tgt, struct itn_state *st, unsigned idx, uint16_t asc)
{
	if (!st->ua[idx])
		__atomic_add_fetch(&tgt->ua_pending, 1, __ATOMIC_RELEASE);
	st->ua[idx] = asc;
}

static void ua_clear(struct scsi_tgt *tgt, struct itn_state *st, unsigned idx)
{
	if (st->ua[idx])
		__atomic_sub_fetch(&tgt->ua_pending, 1, __ATOMIC_RELEASE);
	st->ua[idx] = 0;
}

/* Caller holds tgt->lock. The LU inventory changed: every nexus hears it
 * from every LU but @except (REPORTED LUNS DATA HAS CHANGED), unless a
 * power on / reset, which says more, is pending there. */
static void luns_changed_locked(struct scsi_tgt *tgt, unsigned except)
{
	struct list_node *pos, *tmp;

	list_for_each_safe(pos, tmp, &tgt->nexuses) {
		struct itn_state *st = container_of(pos, struct itn_state, node);

		for (unsigned i = 0; i < SCSI_MAX_LUNS; i++)
			if (tgt->luns[i] && i != except &&
			    (st->ua[i] >> 8) != (ASC_POWER_ON_RESET >> 8))
				ua_set(tgt, st, i, ASC_REPORTED_LUNS_CHANGED);
	}
}

int scsi_tgt_add_lu(struct scsi_tgt *tgt, struct scsi_lu *lu)
{
	struct list_node *pos, *tmp;

	if (lu->lun >= SCSI_MAX_LUNS)
		return -ERANGE;
	if (tgt->luns[lu->lun])
		return -EEXIST;
	lu->tgt = tgt;
	lu_derive_ids(lu, tgt->name);
	pthread_mutex_lock(&tgt->lock);
	tgt->luns[lu->lun] = lu;
	/* A nexus that already exists meets the new LU for the first time
	 * (its slot may hold state of a LU removed from this LUN). */
	list_for_each_safe(pos, tmp, &tgt->nexuses) {
		struct itn_state *st = container_of(pos, struct itn_state, node);
		unsigned idx = (unsigned)lu->lun;

		st->prevent[idx / 8] &= (uint8_t)~(1u << (idx % 8));
		ua_set(tgt, st, idx, ASC_POWER_ON_RESET);
	}
	luns_changed_locked(tgt, (unsigned)lu->lun);
	pthread_mutex_unlock(&tgt->lock);
	return 0;
}

int scsi_tgt_detach_lu(struct scsi_tgt *tgt, uint64_t lun, struct scsi_lu **out)
{
	struct scsi_lu *lu = scsi_tgt_lu(tgt, lun);
	struct list_node *pos, *tmp;
	unsigned idx = (unsigned)lun;

	*out = NULL;
	if (lu == NULL)
		return -ENOENT;
	if (lu_job_running(lu))
		return -EBUSY;	/* SANITIZE or FORMAT UNIT: it must finish */
	pthread_mutex_lock(&tgt->lock);
	tgt->luns[idx] = NULL;
	list_for_each_safe(pos, tmp, &tgt->nexuses) {
		struct itn_state *st = container_of(pos, struct itn_state, node);

		st->prevent[idx / 8] &= (uint8_t)~(1u << (idx % 8));
		ua_clear(tgt, st, idx);
	}
	luns_changed_locked(tgt, SCSI_MAX_LUNS);
	pthread_mutex_unlock(&tgt->lock);
	*out = lu;
	return 0;
}

struct scsi_lu *scsi_tgt_lu(struct scsi_tgt *tgt, uint64_t lun)
{
	return lun < SCSI_MAX_LUNS ? tgt->luns[lun] : NULL;
}

const char *scsi_tgt_name(const struct scsi_tgt *tgt)
{
	return tgt->name;
}

void scsi_tgt_set_target_reset_allowed(struct scsi_tgt *tgt, bool allowed)
{
	atomic_store_explicit(&tgt->allow_target_reset, allowed, memory_order_relaxed);
}

bool scsi_tgt_target_reset_allowed(const struct scsi_tgt *tgt)
{
	return atomic_load_explicit(&tgt->allow_target_reset, memory_order_relaxed);
}

/* Caller holds tgt->lock. */
static struct itn_state *itn_find(struct scsi_tgt *tgt, const struct scsi_itn *itn)
{
	struct list_node *pos, *tmp;

	if (!itn)
		return NULL;
	list_for_each_safe(pos, tmp, &tgt->nexuses) {
		struct itn_state *st = container_of(pos, struct itn_state, node);

		if (st->id == itn->id)
			return st;
	}
	return NULL;
}

void scsi_tgt_nexus_add(struct scsi_tgt *tgt, struct scsi_itn *itn)
{
	struct itn_state *st = calloc(1, sizeof(*st));

	if (!st) {
		LOG_ERR("scsi", "%s: out of memory for nexus state", tgt->name);
		return;
	}
	st->id = itn->id;
	st->itn = itn;
	pthread_mutex_lock(&tgt->lock);
	for (unsigned i = 0; i < SCSI_MAX_LUNS; i++) {
		if (tgt->luns[i])
			ua_set(tgt, st, i, ASC_POWER_ON_RESET);
	}
	list_add_tail(&tgt->nexuses, &st->node);
	pthread_mutex_unlock(&tgt->lock);
}

void scsi_tgt_nexus_remove(struct scsi_tgt *tgt, struct scsi_itn *itn)
{
	struct itn_state *st;

	pthread_mutex_lock(&tgt->lock);
	st = itn_find(tgt, itn);
	if (st) {
		for (unsigned i = 0; i < SCSI_MAX_LUNS; i++)
			ua_clear(tgt, st, i);
		list_del(&st->node);
	}
	pthread_mutex_unlock(&tgt->lock);
	free(st);
	xcopy_nexus_gone(tgt, itn);
	for (unsigned i = 0; i < SCSI_MAX_LUNS; i++) {
		if (tgt->luns[i])
			pr_nexus_lost(tgt->luns[i], itn);
	}
}

/* Caller holds tgt->lock. A hard reset (SAM-5 6.3.2) also returns the
 * mode parameters to their default values, none being saved. */
static void reset_lu_locked(struct scsi_tgt *tgt, unsigned idx, uint16_t ua)
{
	struct list_node *pos, *tmp;

	tgt->luns[idx]->mode = tgt->luns[idx]->mode_default;

	pr_lu_reset(tgt->luns[idx]);
	list_for_each_safe(pos, tmp, &tgt->nexuses) {
		struct itn_state *st = container_of(pos, struct itn_state, node);

		st->prevent[idx / 8] &= (uint8_t)~(1u << (idx % 8));
		ua_set(tgt, st, idx, ua);
	}
}

int scsi_tgt_lu_reset(struct scsi_tgt *tgt, uint64_t lun)
{
	if (!scsi_tgt_lu(tgt, lun))
		return -ENOENT;
	pthread_mutex_lock(&tgt->lock);
	reset_lu_locked(tgt, (unsigned)lun, ASC_BUS_DEVICE_RESET);
	pthread_mutex_unlock(&tgt->lock);
	return 0;
}

void scsi_tgt_reset(struct scsi_tgt *tgt)
{
	pthread_mutex_lock(&tgt->lock);
	for (unsigned i = 0; i < SCSI_MAX_LUNS; i++) {
		if (tgt->luns[i])
			reset_lu_locked(tgt, i, ASC_POWER_ON_RESET);
	}
	pthread_mutex_unlock(&tgt->lock);
}

void tgt_set_ua(struct scsi_tgt *tgt, uint64_t itn_id, const struct scsi_lu *lu, uint16_t asc)
{
	struct list_node *pos, *tmp;

	pthread_mutex_lock(&tgt->lock);
	list_for_each_safe(pos, tmp, &tgt->nexuses) {
		struct itn_state *st = container_of(pos, struct itn_state, node);

		if (itn_id != UINT64_MAX && st->id != itn_id)
			continue;
		for (unsigned i = 0; i < SCSI_MAX_LUNS; i++) {
			if (tgt->luns[i] && (!lu || tgt->luns[i] == lu))
				ua_set(tgt, st, i, asc);
		}
	}
	pthread_mutex_unlock(&tgt->lock);
}

void tgt_nexus_reset(struct scsi_tgt *tgt, uint64_t itn_id)
{
	struct list_node *pos, *tmp;

	pthread_mutex_lock(&tgt->lock);
	list_for_each_safe(pos, tmp, &tgt->nexuses) {
		struct itn_state *st = container_of(pos, struct itn_state, node);

		if (st->id != itn_id)
			continue;
		memset(st->prevent, 0, sizeof(st->prevent));
		for (unsigned i = 0; i < SCSI_MAX_LUNS; i++) {
			if (tgt->luns[i])
				ua_set(tgt, st, i, ASC_IT_NEXUS_LOSS);
		}
	}
	pthread_mutex_unlock(&tgt->lock);
}

uint16_t tgt_ua_take(struct scsi_task *task)
{
	struct scsi_tgt *tgt = task->lu->tgt;
	struct itn_state *st;
	uint16_t asc = 0;
	unsigned idx = (unsigned)task->lu->lun;

	/* Fast path: no lock while nothing is pending anywhere. */
	if (!tgt || !__atomic_load_n(&tgt->ua_pending, __ATOMIC_ACQUIRE))
		return 0;
	pthread_mutex_lock(&tgt->lock);
	st = itn_find(tgt, task->itn);
	if (st && st->ua[idx]) {
		asc = st->ua[idx];
		ua_clear(tgt, st, idx);
	}
	pthread_mutex_unlock(&tgt->lock);
	return asc;
}

void tgt_set_prevent(struct scsi_task *task, bool prevent)
{
	struct scsi_tgt *tgt = task->lu->tgt;
	unsigned idx = (unsigned)task->lu->lun;
	struct itn_state *st;

	if (!tgt)
		return;
	pthread_mutex_lock(&tgt->lock);
	st = itn_find(tgt, task->itn);
	if (st) {
		if (prevent)
			st->prevent[idx / 8] |= (uint8_t)(1u << (idx % 8));
		else
			st->prevent[idx / 8] &= (uint8_t)~(1u << (idx % 8));
	}
	pthread_mutex_unlock(&tgt->lock);
}

bool tgt_lu_prevented(struct scsi_lu *lu)
{
	struct scsi_tgt *tgt = lu->tgt;
	unsigned idx = (unsigned)lu->lun;
	struct list_node *pos, *tmp;
	bool prevented = false;

	if (!tgt)
		return false;
	pthread_mutex_lock(&tgt->lock);
	list_for_each_safe(pos, tmp, &tgt->nexuses) {
		struct itn_state *st = container_of(pos, struct itn_state, node);

		if (st->prevent[idx / 8] & (1u << (idx % 8)))
			prevented = true;
	}
	pthread_mutex_unlock(&tgt->lock);
	return prevented;
}

void tgt_ua_others(struct scsi_lu *lu, const struct scsi_itn *itn, uint16_t asc)
{
	struct scsi_tgt *tgt = lu->tgt;
	unsigned idx = (unsigned)lu->lun;
	struct list_node *pos, *tmp;

	if (!tgt || tgt->luns[idx] != lu)	/* not (or no longer) in the target */
		return;
	pthread_mutex_lock(&tgt->lock);
	list_for_each_safe(pos, tmp, &tgt->nexuses) {
		struct itn_state *st = container_of(pos, struct itn_state, node);

		if (itn && st->id == itn->id)
			continue;
		/* A pending power on / reset says more: everything changed. */
		if ((st->ua[idx] >> 8) != (ASC_POWER_ON_RESET >> 8))
			ua_set(tgt, st, idx, asc);
	}
	pthread_mutex_unlock(&tgt->lock);
}

unsigned tgt_ua_set_if(struct scsi_lu *lu, bool (*match)(const struct scsi_itn *itn, void *arg),
		       void *arg, uint16_t asc, uint64_t *ids, unsigned max_ids)
{
	struct scsi_tgt *tgt = lu->tgt;
	struct list_node *pos, *tmp;
	unsigned n = 0;

	if (!tgt || tgt->luns[lu->lun] != lu)	/* not (or no longer) in the target */
		return 0;
	pthread_mutex_lock(&tgt->lock);
	list_for_each_safe(pos, tmp, &tgt->nexuses) {
		struct itn_state *st = container_of(pos, struct itn_state, node);

		if (!match(st->itn, arg))
			continue;
		ua_set(tgt, st, (unsigned)lu->lun, asc);
		if (n < max_ids)
			ids[n] = st->id;
		n++;
	}
	pthread_mutex_unlock(&tgt->lock);
	return n;
}

uint64_t scsi_lun_decode(const uint8_t lun[8])
{
	/* Only single-level LUNs exist here: any second level means no LU. */
	for (int i = 2; i < 8; i++) {
		if (lun[i] && !(i < 4 && (lun[0] & 0xc0) == 0xc0))
			return UINT64_MAX;
	}
	switch (lun[0] >> 6) {
	case 0:		/* peripheral device addressing, bus 0 only */
		return (lun[0] & 0x3f) ? UINT64_MAX : lun[1];
	case 1:		/* flat space addressing */
		return ((uint64_t)(lun[0] & 0x3f) << 8) | lun[1];
	case 3:		/* extended flat space (length 1, 24-bit LUN) */
		return lun[0] == 0xd2 ? get_be24(&lun[1]) : UINT64_MAX;
	default:
		return UINT64_MAX;
	}
}

void scsi_lun_encode(uint64_t lun, uint8_t out[8])
{
	memset(out, 0, 8);
	if (lun < 256) {
		out[1] = (uint8_t)lun;
	} else if (lun < 0x4000) {
		out[0] = 0x40 | (uint8_t)(lun >> 8);
		out[1] = (uint8_t)lun;
	} else {
		out[0] = 0xd2;
		put_be24(&out[1], (uint32_t)lun);
	}
}

int spc_report_luns(struct scsi_task *task)
{
	uint8_t *cdb = task->cdb, *buf = task->buf;
	struct scsi_tgt *tgt = task->tgt;
	uint32_t alloc_len = get_be32(&cdb[6]), n = 0;

	/* SELECT REPORT 0 and 2 both mean every LU (no well-known LUs exist);
	 * 1 asks for the well-known LUs only, an empty list. */
	if (cdb[2] > 2)
		return sense_invalid_cdb(task, 2, -1);
	if (alloc_len < 16)
		return sense_invalid_cdb(task, 6, -1);
	if (tgt && task->itn && task->itn->lun_map) {
		/* A mapped nexus: its own numbers, of the LUs that exist. */
		const struct scsi_lun_map *m = task->itn->lun_map;

		for (size_t i = 0; cdb[2] != 1 && i < m->n && n < SCSI_MAX_LUNS; i++)
			if (scsi_tgt_lu(tgt, m->e[i].target_lun))
				scsi_lun_encode(m->e[i].lun, &buf[8 + 8 * n++]);
	}
	for (unsigned i = 0; cdb[2] != 1 && tgt && !(task->itn && task->itn->lun_map) &&
			     i < SCSI_MAX_LUNS; i++) {
		if (tgt->luns[i])
			scsi_lun_encode(tgt->luns[i]->lun, &buf[8 + 8 * n++]);
	}
	put_be32(&buf[0], n * 8);
	return task_data_in(task, 8 + n * 8, alloc_len);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * LBA range lock of a logical unit. COMPARE AND WRITE must be atomic
 * against every other write to its blocks (SBC-3 5.2), and a WRITE ATOMIC
 * must never be seen half done; the backends run requests concurrently on
 * worker threads, so commands on overlapping ranges are serialised here.
 *
 * A task that touches the medium asks for its range in one of three modes:
 * READ ranges conflict only with ATOMIC ones (reads of blocks an ordinary
 * WRITE is changing may see old or new data, as on any disk), WRITE ranges
 * conflict with WRITE and ATOMIC ones, ATOMIC ranges with everything.
 *
 * Granted ranges sit in lu->lba_held, the others in lu->lba_waiting in
 * arrival order. A new range waits when it conflicts with a held range or
 * with an earlier waiting one, so overlapping commands start in the order
 * they arrived and none starves. Everything runs on the task thread
 * (scsi/scsi.h), so there is no locking of the lists themselves.
 */
#include "scsi/internal.h"
#include "scsi/sense.h"

enum { RANGE_NONE = 0, RANGE_WAITING, RANGE_HELD };

void lba_lock_init(struct scsi_lu *lu)
{
	list_init(&lu->lba_held);
	list_init(&lu->lba_waiting);
}

static bool overlap(const struct scsi_lba_range *a, const struct scsi_lba_range *b)
{
	/* Empty ranges overlap nothing; written so that no sum can wrap. */
	if (!a->nblocks || !b->nblocks)
		return false;
	if (a->lba <= b->lba)
		return b->lba - a->lba < a->nblocks;
	return a->lba - b->lba < b->nblocks;
}

static bool conflict(const struct scsi_lba_range *a, const struct scsi_lba_range *b)
{
	if (a->mode == LBA_LOCK_READ && b->mode == LBA_LOCK_READ)
		return false;
	if ((a->mode == LBA_LOCK_READ && b->mode == LBA_LOCK_WRITE) ||
	    (a->mode == LBA_LOCK_WRITE && b->mode == LBA_LOCK_READ))
		return false;
	return overlap(a, b);
}

/* Does @r conflict with a range of @head, up to (not including) @stop? */
static bool conflicts_in(const struct scsi_lba_range *r, struct list_node *head,
			 const struct list_node *stop)
{
	for (struct list_node *n = head->next; n != head && n != stop; n = n->next) {
		if (conflict(r, container_of(n, struct scsi_lba_range, link)))
			return true;
	}
	return false;
}

/* The first waiting range that may run now, or NULL. */
static struct scsi_lba_range *first_runnable(struct scsi_lu *lu)
{
	struct list_node *head = &lu->lba_waiting;

	for (struct list_node *n = head->next; n != head; n = n->next) {
		struct scsi_lba_range *r = container_of(n, struct scsi_lba_range, link);

		if (!conflicts_in(r, &lu->lba_held, NULL) && !conflicts_in(r, head, n))
			return r;
	}
	return NULL;
}

/*
 * Start every waiter that no longer conflicts. A waiter's start may finish
 * the task at once, which releases its range and lands here again: that
 * nested call only asks the outer loop to look again.
 */
static void kick(struct scsi_lu *lu)
{
	struct scsi_lba_range *r;

	if (lu->lba_kicking) {
		lu->lba_rescan = true;
		return;
	}
	lu->lba_kicking = true;
	do {
		lu->lba_rescan = false;
		while ((r = first_runnable(lu)) != NULL) {
			struct scsi_task *task = container_of(r, struct scsi_task, range);

			list_del(&r->link);
			list_add_tail(&lu->lba_held, &r->link);
			r->state = RANGE_HELD;
			task->cancel = NULL;
			if (r->start(task) == SCSI_TASK_COMPLETE)
				lba_lock_done(task);
		}
	} while (lu->lba_rescan);
	lu->lba_kicking = false;
}

void lba_lock_kick(struct scsi_lu *lu)
{
	kick(lu);
}

/* The task set aborts a task that waits for its range: it only leaves the
 * queue here; the waiters it blocked start at the next lba_lock_kick(). */
void lba_lock_cancel(struct scsi_task *task)
{
	list_del(&task->range.link);
	task->range.state = RANGE_NONE;
}

int lba_lock_run(struct scsi_task *task, uint64_t lba, uint64_t nblocks,
		 enum lba_lock_mode mode, int (*start)(struct scsi_task *task))
{
	return lba_lock_run_on(task, task->lu, lba, nblocks, mode, start);
}

int lba_lock_run_on(struct scsi_task *task, struct scsi_lu *lu, uint64_t lba,
		    uint64_t nblocks, enum lba_lock_mode mode,
		    int (*start)(struct scsi_task *task))
{
	struct scsi_lba_range *r = &task->range;
	int rc;

	r->lu = lu;
	r->lba = lba;
	r->nblocks = nblocks;
	r->mode = (uint8_t)mode;
	r->start = start;
	if (conflicts_in(r, &lu->lba_held, NULL) || conflicts_in(r, &lu->lba_waiting, NULL)) {
		r->state = RANGE_WAITING;
		list_add_tail(&lu->lba_waiting, &r->link);
		task->cancel = lba_lock_cancel;
		return SCSI_TASK_PENDING;
	}
	r->state = RANGE_HELD;
	list_add_tail(&lu->lba_held, &r->link);
	rc = start(task);
	if (rc == SCSI_TASK_COMPLETE)
		lba_unlock(task);
	return rc;
}

void lba_unlock(struct scsi_task *task)
{
	struct scsi_lba_range *r = &task->range;

	if (r->state != RANGE_HELD)
		return;
	list_del(&r->link);
	r->state = RANGE_NONE;
	kick(r->lu);
}

void lba_lock_done(struct scsi_task *task)
{
	lba_unlock(task);
	task->done(task);
}

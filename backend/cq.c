/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Completion queue: hands finished requests back to the thread that owns the
 * queue, so done() callbacks run on that thread and need no lock for the
 * state they share with it.
 */
#include "backend/backend.h"

#include <errno.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "util/list.h"

int bs_cq_init(struct bs_cq *cq)
{
	mpsc_init(&cq->remote);
	cq->lhead = cq->ltail = NULL;
	cq->pollers = NULL;
	cq->batch = false;
	cq->acked = false;
	cq->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	return cq->efd < 0 ? -errno : 0;
}

void bs_cq_destroy(struct bs_cq *cq)
{
	if (cq->efd >= 0)
		close(cq->efd);
	cq->efd = -1;
	mpsc_init(&cq->remote);
	cq->lhead = cq->ltail = NULL;
}

static void wake(int efd)
{
	uint64_t one = 1;

	/*
	 * EAGAIN means the counter is about to overflow, i.e. a wake-up is
	 * already pending; nothing else can fail on a valid eventfd.
	 */
	while (write(efd, &one, sizeof(one)) < 0 && errno == EINTR)
		;
}

void bs_cq_push(struct bs_cq *cq, struct bs_request *req)
{
	/*
	 * A non-empty queue means an earlier push already signalled and the
	 * owner has not yet taken the list (it drains the eventfd before
	 * taking it), so that earlier wake-up covers this request too. The
	 * push is a release: the store's writes (data, result) are seen by
	 * the owner that takes the request.
	 */
	if (mpsc_push(&cq->remote, &req->cq_node))
		wake(cq->efd);
}

void bs_cq_push_local(struct bs_cq *cq, struct bs_request *req)
{
	req->cq_next = NULL;
	if (cq->lhead == NULL)
		cq->lhead = req;
	else
		cq->ltail->cq_next = req;
	cq->ltail = req;
}

bool bs_cq_has_local(const struct bs_cq *cq)
{
	return cq->lhead != NULL;
}

bool bs_cq_pending(struct bs_cq *cq)
{
	return cq->lhead != NULL || !mpsc_empty(&cq->remote);
}

static void drain_efd(int efd)
{
	uint64_t count;

	while (read(efd, &count, sizeof(count)) < 0 && errno == EINTR)
		;
}

static int run_remote(struct mpsc_node *n)
{
	int ran = 0;

	while (n != NULL) {
		struct bs_request *req = container_of(n, struct bs_request, cq_node);

		n = n->next;	/* done() may reuse or free the request */
		req->done(req);
		ran++;
	}
	return ran;
}

static int run_list(struct bs_request *req)
{
	int n = 0;

	while (req != NULL) {
		/* done() may reuse or free the request: read the link first. */
		struct bs_request *next = req->cq_next;

		req->cq_next = NULL;
		req->done(req);
		req = next;
		n++;
	}
	return n;
}

void bs_cq_add_poller(struct bs_cq *cq, struct bs_cq_poller *p)
{
	p->next = cq->pollers;
	cq->pollers = p;
}

void bs_cq_del_poller(struct bs_cq *cq, struct bs_cq_poller *p)
{
	for (struct bs_cq_poller **pp = &cq->pollers; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == p) {
			*pp = p->next;
			return;
		}
	}
}

void bs_cq_set_batch(struct bs_cq *cq, bool on)
{
	cq->batch = on;
}

void bs_cq_set_acked(struct bs_cq *cq, bool on)
{
	cq->acked = on;
}

void bs_cq_ack(struct bs_cq *cq)
{
	drain_efd(cq->efd);
}

void bs_cq_flush(struct bs_cq *cq)
{
	for (struct bs_cq_poller *p = cq->pollers; p != NULL; p = p->next) {
		if (p->flush != NULL)
			p->flush(p);
	}
}

int bs_cq_run(struct bs_cq *cq)
{
	struct mpsc_node *remote;
	struct bs_request *local;

	/*
	 * After the drain (here, or in the owner's bs_cq_ack() before this
	 * run): whatever finishes from here on signals efd again. With
	 * bs_cq_ack(), a push that made the list non-empty after the last
	 * take has signalled, so the owner wakes, acks and runs again; one
	 * whose signal came after the take it was in costs one empty run.
	 */
	if (!cq->acked)
		drain_efd(cq->efd);
	for (struct bs_cq_poller *p = cq->pollers; p != NULL; p = p->next)
		p->poll(p);
	remote = mpsc_take_all(&cq->remote);
	local = cq->lhead;
	cq->lhead = cq->ltail = NULL;
	/*
	 * Completions pushed by these callbacks land on the fresh lists and
	 * run on the next call, so one call always terminates.
	 */
	return run_list(local) + run_remote(remote);
}

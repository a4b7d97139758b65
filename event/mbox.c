/* SPDX-License-Identifier: Apache-2.0 */
/* A thread's mailbox (event/mbox.h): an mpsc queue and an eventfd. */
#include "event/mbox.h"

#include <errno.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <unistd.h>

static void mbox_readable(struct evloop *loop, int fd, unsigned events, void *arg)
{
	(void)loop;
	(void)fd;
	(void)events;
	ev_mbox_run(arg);
}

int ev_mbox_init(struct ev_mbox *mb, struct evloop *loop)
{
	int rc;

	mpsc_init(&mb->q);
	mb->loop = loop;
	mb->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (mb->efd < 0)
		return -errno;
	rc = evloop_add_fd(loop, mb->efd, EV_READ, mbox_readable, mb);
	if (rc < 0) {
		close(mb->efd);
		mb->efd = -1;
	}
	return rc;
}

void ev_mbox_destroy(struct ev_mbox *mb)
{
	if (mb->efd < 0)
		return;
	ev_mbox_run(mb);
	evloop_del_fd(mb->loop, mb->efd);
	close(mb->efd);
	mb->efd = -1;
}

void ev_mbox_send(struct ev_mbox *mb, struct ev_msg *msg)
{
	uint64_t one = 1;

	if (!mpsc_push(&mb->q, &msg->node))
		return;		/* an earlier send's wake-up is still due */
	/* EAGAIN: the counter is full, so a wake-up is pending anyway. */
	while (write(mb->efd, &one, sizeof(one)) < 0 && errno == EINTR)
		;
}

int ev_mbox_run(struct ev_mbox *mb)
{
	uint64_t cnt;
	struct mpsc_node *n;
	int ran = 0;

	/* Clear the signal before taking: a send after the take then finds
	 * the queue empty and signals again, so nothing is left unrun. */
	while (read(mb->efd, &cnt, sizeof(cnt)) < 0 && errno == EINTR)
		;
	n = mpsc_take_all(&mb->q);
	while (n) {
		struct ev_msg *msg = container_of(n, struct ev_msg, node);

		n = n->next;	/* before fn: it may reuse the message */
		msg->fn(msg);
		ran++;
	}
	return ran;
}

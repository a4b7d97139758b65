/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The embedding API (include/ctgt/server.h): one object that owns the event
 * loop, the backends' completion queue, the iSCSI server, the stores under
 * the LUs and the stop/signal plumbing. The ctgt daemon is built on it too.
 *
 * embed/ is the top library layer: it puts event/, iscsi/, scsi/ and
 * backend/ together; the program (daemon/) and applications see only
 * include/ctgt/.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "backend/backend.h"
#include "ctgt/server.h"
#include "event/evloop.h"
#include "event/thread.h"
#include "iscsi/server.h"
#include "scsi/scsi.h"
#include "util/log.h"
#include "embed/server_internal.h"

int embed_err(char *err, size_t errlen, int rc, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return rc;
}

/* @arr (holding @n elements of @size bytes) with room for one more, or NULL
 * (then @arr is still valid). */
static void *grow(void *arr, size_t n, size_t size)
{
	return realloc(arr, (n + 1) * size);
}

_Static_assert(CTGT_THREADS_MAX == EV_THREADS_MAX, "one thread limit");
_Static_assert(CTGT_MAX_LUNS == SCSI_MAX_LUNS, "one LUN limit");

/* ---- stop and signals ---------------------------------------------------- */

static void on_shutdown_done(void *arg)
{
	evloop_stop(arg);
}

static void begin_shutdown(struct ctgt_server *s, const char *why)
{
	if (s->stopping)
		return;
	s->stopping = true;
	LOG_INFO("server", "%s: shutting down", why);
	/* Before the sessions go: a supervisor learns at once that the stop
	 * has begun, however long the in-flight I/O takes to finish. */
	if (s->on_stop)
		s->on_stop(s->on_stop_arg, why);
	/* The I/O still in flight is finished at full speed: a bandwidth cap
	 * must not turn a stop into minutes of waiting. */
	pthread_mutex_lock(&s->lus_mu);
	for (size_t i = 0; i < s->nlus; i++)
		(void)backend_set_bandwidth(s->lus[i].bs, 0);
	pthread_mutex_unlock(&s->lus_mu);
	iscsi_server_shutdown(s->isrv, on_shutdown_done, s->loop);
}

static void on_stopfd(struct evloop *loop, int fd, unsigned events, void *arg)
{
	uint64_t n;

	(void)loop;
	(void)events;
	while (read(fd, &n, sizeof(n)) < 0 && errno == EINTR)
		;
	begin_shutdown(arg, "stop requested");
}

static void on_signal(struct evloop *loop, int fd, unsigned events, void *arg)
{
	struct signalfd_siginfo si;
	char why[32];

	(void)loop;
	(void)events;
	if (read(fd, &si, sizeof(si)) != sizeof(si))
		return;
	if (si.ssi_signo == SIGHUP) {
		struct ctgt_server *s = arg;

		/* Only caught once ctgt_server_catch_hup() has set a hook. */
		s->on_hup(s->on_hup_arg);
		return;
	}
	snprintf(why, sizeof(why), "signal %u", si.ssi_signo);
	begin_shutdown(arg, why);
}

void ctgt_server_stop(struct ctgt_server *s)
{
	uint64_t one = 1;
	int saved = errno;	/* may run in a signal handler */

	while (write(s->stopfd, &one, sizeof(one)) < 0 && errno == EINTR)
		;
	errno = saved;
}

int ctgt_server_catch_signals(struct ctgt_server *s)
{
	sigset_t set;
	int rc;

	if (s->sigfd >= 0)
		return 0;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	rc = pthread_sigmask(SIG_BLOCK, &set, NULL);
	if (rc != 0)
		return -rc;
	s->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (s->sigfd < 0)
		return -errno;
	rc = evloop_add_fd(s->loop, s->sigfd, EV_READ, on_signal, s);
	if (rc < 0) {
		close(s->sigfd);
		s->sigfd = -1;
	}
	return rc;
}

void ctgt_server_on_stop(struct ctgt_server *s, void (*fn)(void *arg, const char *why), void *arg)
{
	s->on_stop = fn;
	s->on_stop_arg = arg;
}

int ctgt_server_catch_hup(struct ctgt_server *s, void (*fn)(void *arg), void *arg)
{
	sigset_t set;
	int rc;

	if (s->sigfd < 0 || fn == NULL)
		return -EINVAL;
	s->on_hup = fn;
	s->on_hup_arg = arg;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	rc = pthread_sigmask(SIG_BLOCK, &set, NULL);
	if (rc != 0)
		return -rc;
	/* The same signalfd, its mask widened (signalfd(2) on an existing fd). */
	if (signalfd(s->sigfd, &set, SFD_NONBLOCK | SFD_CLOEXEC) < 0)
		return -errno;
	return 0;
}

/* ---- life cycle ---------------------------------------------------------- */

static unsigned online_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 1)
		return 1;
	return n > CTGT_THREADS_MAX ? CTGT_THREADS_MAX : (unsigned)n;
}

struct ctgt_server *ctgt_server_create_threads(unsigned nthreads)
{
	struct ctgt_server *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	if (nthreads == 0)
		nthreads = online_cpus();
	if (nthreads > CTGT_THREADS_MAX)
		nthreads = CTGT_THREADS_MAX;
	s->sigfd = -1;
	if (pthread_mutex_init(&s->admin_mu, NULL) != 0) {
		free(s);
		return NULL;
	}
	if (ev_caller_init(&s->admin) != 0) {
		pthread_mutex_destroy(&s->admin_mu);
		free(s);
		return NULL;
	}
	if (pthread_mutex_init(&s->lus_mu, NULL) != 0) {
		ev_caller_destroy(&s->admin);
		pthread_mutex_destroy(&s->admin_mu);
		free(s);
		return NULL;
	}
	s->stopfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	s->threads = ev_threads_create(nthreads);
	s->cqs = calloc(nthreads, sizeof(*s->cqs));
	if (s->stopfd < 0 || s->threads == NULL || s->cqs == NULL)
		goto fail;
	s->loop = s->threads->thr[0].loop;
	for (; s->ncqs < nthreads; s->ncqs++)
		if (bs_cq_init(&s->cqs[s->ncqs]) < 0)
			goto fail;
	s->isrv = iscsi_server_create_threads(s->threads, s->cqs);
	if (s->isrv == NULL || evloop_add_fd(s->loop, s->stopfd, EV_READ, on_stopfd, s) < 0)
		goto fail;
	return s;
fail:
	ctgt_server_destroy(s);
	return NULL;
}

struct ctgt_server *ctgt_server_create(void)
{
	return ctgt_server_create_threads(1);
}

unsigned ctgt_server_threads(const struct ctgt_server *s)
{
	return s->threads->n;
}

void ctgt_server_destroy(struct ctgt_server *s)
{
	if (s == NULL)
		return;
	/* Defensive: no admin call may be in progress here (ctgt/admin.h). */
	ev_caller_stop(&s->admin);
	/* LUs go with their targets before the stores under them are closed;
	 * closing a callback store releases the application's ctx. */
	iscsi_server_destroy(s->isrv);
	for (size_t i = 0; i < s->nlus; i++)
		scsi_lu_destroy(s->lus[i].orphan);
	for (size_t i = 0; i < s->nlus; i++)
		backend_close(s->lus[i].bs);
	for (unsigned i = 0; i < s->ncqs; i++)
		bs_cq_destroy(&s->cqs[i]);
	free(s->cqs);
	if (s->sigfd >= 0)
		close(s->sigfd);
	if (s->stopfd >= 0)
		close(s->stopfd);
	ev_threads_destroy(s->threads);
	free(s->tgts);
	free(s->lus);
	free(s->endpoints);
	ev_caller_destroy(&s->admin);
	pthread_mutex_destroy(&s->admin_mu);
	pthread_mutex_destroy(&s->lus_mu);
	free(s);
}

/* Threads 1..n-1 run from here until thread 0's loop (the caller's) has
 * seen every connection gone, on every thread. */
int ctgt_server_run(struct ctgt_server *s)
{
	int rc = ev_threads_start(s->threads);

	if (rc < 0) {
		LOG_ERR("server", "cannot start %u network threads: %s", s->threads->n,
			strerror(-rc));
		ev_caller_stop(&s->admin);
		return rc;
	}
	if (s->threads->n > 1) {
		LOG_INFO("server", "%u network threads", s->threads->n);
		/* A target may be added live meanwhile (embed/live.c). */
		pthread_mutex_lock(&s->lus_mu);
		for (size_t i = 0; i < s->ntgts; i++) {
			const char *name = scsi_tgt_name(s->tgts[i]);

			LOG_INFO("server", "target %s: thread %d", name,
				 iscsi_server_target_thread(s->isrv, name));
		}
		pthread_mutex_unlock(&s->lus_mu);
	}
	rc = evloop_run(s->loop);
	/* No admin call waits for a loop that has ended: what is queued
	 * now is skipped when the mailboxes are drained (event/call.h). */
	ev_caller_stop(&s->admin);
	ev_threads_stop(s->threads);
	if (rc == 0)
		LOG_INFO("server", "stopped");
	return rc;
}

void ctgt_server_set_nop(struct ctgt_server *s, unsigned interval_s, unsigned timeout_s)
{
	iscsi_server_set_nop(s->isrv, interval_s, timeout_s);
}

struct iscsi_server_limits embed_limits(const struct ctgt_limits *lim)
{
	return (struct iscsi_server_limits){
		.max_conns = lim->max_connections,
		.max_conns_per_addr = lim->max_connections_per_address,
		.max_sessions_per_target = lim->max_sessions_per_target,
		.login_timeout_s = lim->login_timeout,
		.conn_buffer = lim->connection_buffer,
		.tx_backlog = lim->tx_backlog,
		.buffer_cache = lim->buffer_cache,
	};
}

void ctgt_server_set_limits(struct ctgt_server *s, const struct ctgt_limits *lim)
{
	struct iscsi_server_limits l = embed_limits(lim);

	iscsi_server_set_limits(s->isrv, &l);
}

void ctgt_server_set_spread_sessions(struct ctgt_server *s, bool on)
{
	iscsi_server_set_spread_sessions(s->isrv, on);
}

void ctgt_server_set_max_connections(struct ctgt_server *s, unsigned n)
{
	iscsi_server_set_max_connections(s->isrv, n);
}

/* ---- targets and LUs ----------------------------------------------------- */

int ctgt_server_add_target(struct ctgt_server *s, const char *iqn, char *err, size_t errlen)
{
	struct scsi_tgt **tgts, *tgt;
	int rc;

	if (iqn == NULL || iqn[0] == '\0' || strlen(iqn) >= SCSI_NAME_MAX)
		return embed_err(err, errlen, -EINVAL, "target name empty or too long");
	pthread_mutex_lock(&s->lus_mu);	/* ctgt_server_run() reads s->tgts */
	tgts = grow(s->tgts, s->ntgts, sizeof(*s->tgts));
	if (tgts != NULL)
		s->tgts = tgts;
	pthread_mutex_unlock(&s->lus_mu);
	tgt = tgts != NULL ? scsi_tgt_create(iqn) : NULL;
	if (tgt == NULL)
		return embed_err(err, errlen, -ENOMEM, "out of memory");
	rc = iscsi_server_add_target(s->isrv, tgt);
	if (rc < 0) {
		scsi_tgt_destroy(tgt);
		if (rc == -EEXIST)
			return embed_err(err, errlen, rc, "target %s: defined twice", iqn);
		return embed_err(err, errlen, rc, "out of memory");
	}
	pthread_mutex_lock(&s->lus_mu);
	s->tgts[s->ntgts++] = tgt;
	pthread_mutex_unlock(&s->lus_mu);
	return 0;
}

int ctgt_server_set_chap(struct ctgt_server *s, const char *iqn, const char *user,
			 const char *secret, const char *mutual_user, const char *mutual_secret,
			 char *err, size_t errlen)
{
	char why[256] = "";
	int rc;

	if (user == NULL || secret == NULL || !mutual_user != !mutual_secret)
		return embed_err(err, errlen, -EINVAL, "CHAP needs a user and a secret");
	rc = iscsi_server_set_chap(s->isrv, iqn, user, secret, mutual_user, mutual_secret,
				   why, sizeof(why));
	return rc < 0 ? embed_err(err, errlen, rc, "%s", why) : 0;
}

int ctgt_server_allow(struct ctgt_server *s, const char *iqn, const char *rule,
		      char *err, size_t errlen)
{
	char why[256] = "";
	int rc;

	if (iqn == NULL || rule == NULL)
		return embed_err(err, errlen, -EINVAL, "access rule without a target or a rule");
	rc = iscsi_server_allow(s->isrv, iqn, rule, why, sizeof(why));
	return rc < 0 ? embed_err(err, errlen, rc, "%s", why) : 0;
}

struct scsi_tgt *embed_find_target(struct ctgt_server *s, const char *iqn)
{
	for (size_t i = 0; i < s->ntgts; i++)
		if (strcmp(scsi_tgt_name(s->tgts[i]), iqn) == 0)
			return s->tgts[i];
	return NULL;
}

int ctgt_server_allow_target_reset(struct ctgt_server *s, const char *iqn, bool allow)
{
	struct scsi_tgt *tgt = iqn != NULL ? embed_find_target(s, iqn) : NULL;

	if (tgt == NULL)
		return -ENOENT;
	scsi_tgt_set_target_reset_allowed(tgt, allow);
	return 0;
}

/* The completion queue of the thread serving target @iqn (it exists: the
 * caller checked): its stores complete there, on their LUs' task thread. */
struct bs_cq *embed_target_cq(struct ctgt_server *s, const char *iqn)
{
	int i = iscsi_server_target_thread(s->isrv, iqn);

	return &s->cqs[i < 0 ? 0 : i];
}

/* What can be checked before a store is opened: the library validates its
 * own callers (scsi_lu_create() the block sizes, attach_lu() what needs the
 * open store). */
int embed_check_lu(struct ctgt_server *s, const char *iqn, const struct ctgt_lu_params *p,
		   struct scsi_tgt **tgt, char *err, size_t errlen)
{
	uint32_t bsz = p->block_size ? p->block_size : 512;
	struct lu_entry *lus;

	*tgt = iqn ? embed_find_target(s, iqn) : NULL;
	if (*tgt == NULL)
		return embed_err(err, errlen, -ENOENT, "no target %s", iqn ? iqn : "(null)");
	if (p->lun >= SCSI_MAX_LUNS)
		return embed_err(err, errlen, -EINVAL, "LUN %llu: out of range (0..%d)",
			       (unsigned long long)p->lun, SCSI_MAX_LUNS - 1);
	if (scsi_tgt_lu(*tgt, p->lun) != NULL)
		return embed_err(err, errlen, -EEXIST, "target %s: LUN %llu defined twice", iqn,
			       (unsigned long long)p->lun);
	/* attach_lu() checks the store's size, but a missing file would be
	 * created with this one first: refuse it before. (The daemon's
	 * lu_check() has said so already, naming its options.) */
	if (p->size % bsz != 0)
		return embed_err(err, errlen, -EINVAL,
			       "LUN %llu: size %llu is not a multiple of the block size %u",
			       (unsigned long long)p->lun, (unsigned long long)p->size, bsz);
	pthread_mutex_lock(&s->lus_mu);
	lus = grow(s->lus, s->nlus, sizeof(*s->lus));
	if (lus != NULL)
		s->lus = lus;
	pthread_mutex_unlock(&s->lus_mu);
	if (lus == NULL)
		return embed_err(err, errlen, -ENOMEM, "out of memory");
	return 0;
}

void embed_record_lu(struct ctgt_server *s, struct scsi_tgt *tgt, uint64_t lun,
		     struct backend *bs)
{
	pthread_mutex_lock(&s->lus_mu);
	s->lus[s->nlus++] = (struct lu_entry){ .tgt = tgt, .iqn = scsi_tgt_name(tgt), .lun = lun,
					       .bs = bs };
	pthread_mutex_unlock(&s->lus_mu);
}

int embed_make_lu(const struct ctgt_lu_params *p, struct backend *bs, bool write_cache,
		  const char *what, struct scsi_lu **out, char *err, size_t errlen)
{
	struct scsi_lu_config luc = {
		.lun = p->lun,
		.block_size = p->block_size ? p->block_size : 512,
		.phys_block_size = p->phys_block_size,
		.vendor = p->vendor,
		.product = p->product,
		.serial = p->serial,
		.write_cache = write_cache,
		.removable = p->removable,
		.readonly = p->readonly,
		.thin = p->thin,
		.pr_file = p->pr_file,
		.pr_max_regs = p->pr_max_registrations,
	};
	struct scsi_lu *lu = NULL;
	int rc = 0;

	if (p->max_bandwidth && backend_set_bandwidth(bs, p->max_bandwidth) < 0)
		rc = embed_err(err, errlen, -EOPNOTSUPP,
			     "LUN %llu (%s): this store cannot be given a bandwidth limit",
			     (unsigned long long)p->lun, what);
	else if (bs->size % luc.block_size != 0)
		rc = embed_err(err, errlen, -EINVAL,
			     "LUN %llu (%s): size %llu is not a multiple of the block size %u",
			     (unsigned long long)p->lun, what, (unsigned long long)bs->size,
			     luc.block_size);
	else if (bs->min_block > luc.block_size)
		rc = embed_err(err, errlen, -EINVAL,
			     "LUN %llu (%s): block size %u is smaller than the %u bytes "
			     "direct I/O on it needs (give a larger block size or drop direct)",
			     (unsigned long long)p->lun, what, luc.block_size, bs->min_block);
	else if ((lu = scsi_lu_create(&luc, bs)) == NULL)
		rc = embed_err(err, errlen, -EINVAL,
			     "LUN %llu (%s): cannot create the logical unit (block size, "
			     "vendor, product or serial invalid? reservation file damaged?)",
			     (unsigned long long)p->lun, what);
	if (rc < 0)
		backend_close(bs);
	*out = lu;
	return rc;
}

/*
 * Put a LU over the open store @bs at its LUN of @tgt, before serving. The
 * server then owns the store; on failure it is closed at once (releasing a
 * callback ctx).
 */
static int attach_lu(struct ctgt_server *s, struct scsi_tgt *tgt, const struct ctgt_lu_params *p,
		     struct backend *bs, bool write_cache, const char *what,
		     char *err, size_t errlen)
{
	struct scsi_lu *lu;
	int rc = embed_make_lu(p, bs, write_cache, what, &lu, err, errlen);

	if (rc < 0)
		return rc;
	if (scsi_tgt_add_lu(tgt, lu) < 0) {
		scsi_lu_destroy(lu);
		backend_close(bs);
		return embed_err(err, errlen, -EEXIST, "LUN %llu: cannot be added",
			       (unsigned long long)p->lun);
	}
	embed_record_lu(s, tgt, p->lun, bs);
	return 0;
}

int ctgt_server_add_lu(struct ctgt_server *s, const char *iqn,
		       const struct ctgt_lu_params *p,
		       const struct ctgt_lu_callbacks *cb, void *ctx,
		       char *err, size_t errlen)
{
	struct ctgt_lu_params lp = *p;
	struct scsi_tgt *tgt;
	struct backend *bs;
	int rc = embed_check_lu(s, iqn, p, &tgt, err, errlen);

	if (rc == 0 && cb != NULL && p->thin && cb->unmap == NULL)
		rc = embed_err(err, errlen, -EINVAL, "LUN %llu: thin provisioning needs an unmap "
			     "callback", (unsigned long long)p->lun);
	if (rc == 0 && p->size == 0)
		rc = embed_err(err, errlen, -EINVAL, "LUN %llu: needs a size",
			     (unsigned long long)p->lun);
	if (rc < 0) {
		if (cb != NULL && cb->release != NULL)
			cb->release(ctx);
		return rc;
	}
	/* backend_callback_open() releases ctx itself when it fails. */
	bs = backend_callback_open(cb, ctx, p->size, p->threads, embed_target_cq(s, iqn), err, errlen);
	if (bs == NULL)
		return -EINVAL;
	if (cb->write == NULL)
		lp.readonly = true;
	return attach_lu(s, tgt, &lp, bs, cb->flush != NULL, "callbacks", err, errlen);
}

unsigned embed_store_flags(const struct ctgt_lu_params *p)
{
	/* A readonly LUN never writes: its store is opened read-only. */
	return (p->readonly ? BS_OPEN_READONLY : 0) | (p->io_uring ? BS_OPEN_URING : 0) |
	       (p->direct ? BS_OPEN_DIRECT : 0);
}

int ctgt_server_add_store(struct ctgt_server *s, const char *iqn,
			  const struct ctgt_lu_params *p, const char *spec,
			  char *err, size_t errlen)
{
	struct scsi_tgt *tgt;
	struct backend *bs;
	int rc = embed_check_lu(s, iqn, p, &tgt, err, errlen);

	if (rc < 0)
		return rc;
	bs = backend_open_flags(spec, p->size, embed_target_cq(s, iqn), embed_store_flags(p),
				err, errlen);
	if (bs == NULL)
		return -EINVAL;
	return attach_lu(s, tgt, p, bs, true, spec, err, errlen);
}

/* ---- portals ------------------------------------------------------------- */

int ctgt_server_add_portal(struct ctgt_server *s, const char *host, uint16_t port,
			   uint16_t tpgt, char *err, size_t errlen)
{
	char (*endpoints)[64] = grow(s->endpoints, s->nendpoints, sizeof(*s->endpoints));
	char dummy[8];
	int bound;

	if (endpoints == NULL)
		return embed_err(err, errlen, -ENOMEM, "out of memory");
	s->endpoints = endpoints;
	if (err == NULL || errlen == 0) {
		err = dummy;
		errlen = sizeof(dummy);
	}
	bound = iscsi_server_add_portal(s->isrv, host, port, tpgt, err, errlen);
	if (bound < 0)
		return bound;
	snprintf(s->endpoints[s->nendpoints++], sizeof(*s->endpoints),
		 strchr(host, ':') ? "[%s]:%d" : "%s:%d", host, bound);
	return bound;
}

void ctgt_server_announce(const struct ctgt_server *s, FILE *out)
{
	for (size_t i = 0; i < s->nendpoints; i++)
		fprintf(out, "listening %s\n", s->endpoints[i]);
	for (size_t i = 0; s->nendpoints > 0 && i < s->nlus; i++)
		fprintf(out, "url iscsi://%s/%s/%llu\n", s->endpoints[0], s->lus[i].iqn,
			(unsigned long long)s->lus[i].lun);
	fprintf(out, "ready\n");
	fflush(out);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Changing the LUs of a running server (include/ctgt/admin.h): add,
 * remove, grow. The slow parts (opening a store, growing a file, closing
 * a store, waiting) run on the caller's thread; each change of a target's
 * LU table runs on the target's home thread (iscsi_server_target_call()),
 * where every command of its LUs runs, so no command sees half a change.
 * One change at a time (admin_mu), like every admin call.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ctgt/admin.h"
#include "embed/server_internal.h"
#include "iscsi/admin.h"
#include "util/log.h"

/* Why a change waits for a SANITIZE or FORMAT UNIT. */
static int busy_err(char *err, size_t errlen, uint64_t lun, const char *what)
{
	return embed_err(err, errlen, -EBUSY, "LUN %llu: a SANITIZE or FORMAT UNIT is running on "
			 "it; %s it when that has finished", (unsigned long long)lun, what);
}

/* ---- add ------------------------------------------------------------------- */

struct add_call {
	struct scsi_lu *lu;
	struct backend *bs;
	bool ran;
	int rc;
};

/* Home thread: the store takes its completions here from now on. */
static void add_on_home(struct scsi_tgt *tgt, void *arg)
{
	struct add_call *c = arg;

	c->ran = true;
	c->rc = scsi_tgt_add_lu(tgt, c->lu);
	if (c->rc == 0)
		backend_attach(c->bs, true);
}

static int add_locked(struct ctgt_server *s, const char *iqn, const struct ctgt_lu_params *p,
		      const char *spec, char *err, size_t errlen)
{
	struct add_call c = { 0 };
	struct scsi_tgt *tgt;
	int rc = embed_check_lu(s, iqn, p, &tgt, err, errlen);

	if (rc < 0)
		return rc;
	c.bs = backend_open_flags(spec, p->size, embed_target_cq(s, iqn),
				  embed_store_flags(p) | BS_OPEN_DETACHED, err, errlen);
	if (c.bs == NULL)
		return -EINVAL;
	rc = embed_make_lu(p, c.bs, true, spec, &c.lu, err, errlen);
	if (rc < 0)
		return rc;	/* the store is closed */
	rc = iscsi_server_target_call(s->isrv, &s->admin, tgt, add_on_home, &c);
	if (c.ran && c.rc == 0) {
		embed_record_lu(s, tgt, p->lun, c.bs);	/* closed with the server */
		return 0;
	}
	/* Never in the table, never attached: ours to free here. */
	scsi_lu_destroy(c.lu);
	backend_close(c.bs);
	if (c.ran)
		rc = c.rc;
	return embed_err(err, errlen, rc, "LUN %llu: cannot be added: %s",
			 (unsigned long long)p->lun, strerror(-rc));
}

int ctgt_server_lun_add(struct ctgt_server *s, const char *iqn, const struct ctgt_lu_params *p,
			const char *spec, char *err, size_t errlen)
{
	int rc;

	pthread_mutex_lock(&s->admin_mu);
	rc = add_locked(s, iqn, p, spec, err, errlen);
	pthread_mutex_unlock(&s->admin_mu);
	if (rc == 0)
		LOG_INFO("admin", "target %s: LUN %llu added (%s)", iqn,
			 (unsigned long long)p->lun, spec);
	return rc;
}

/* ---- remove ---------------------------------------------------------------- */

struct remove_call {
	uint64_t lun;
	struct scsi_lu *lu;	/* detached */
	struct backend *bs;
	int rc;
	bool busy;		/* still running something */
	bool abort;		/* abort its tasks first */
};

static void detach_on_home(struct scsi_tgt *tgt, void *arg)
{
	struct remove_call *c = arg;

	c->rc = scsi_tgt_detach_lu(tgt, c->lun, &c->lu);
}

static void poll_on_home(struct scsi_tgt *tgt, void *arg)
{
	struct remove_call *c = arg;

	(void)tgt;
	if (c->abort)
		scsi_lu_abort_all(c->lu);
	c->abort = false;
	c->busy = scsi_lu_busy(c->lu);
	if (!c->busy) {		/* nothing left that could use either */
		scsi_lu_destroy(c->lu);
		backend_attach(c->bs, false);
		c->lu = NULL;
	}
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Wait until the detached LU has nothing running and is destroyed:
 * 0, -ETIMEDOUT or -ESHUTDOWN (then c->lu is still there). */
static int drain(struct ctgt_server *s, struct scsi_tgt *tgt, struct remove_call *c)
{
	const char *iqn = scsi_tgt_name(tgt);
	uint64_t start = now_ms();
	bool aborted = false;
	int rc;

	for (;;) {
		uint64_t waited = now_ms() - start;

		if (!aborted && waited >= CTGT_LUN_REMOVE_GRACE_MS) {
			LOG_WARN("admin", "target %s: LUN %llu: commands still running after %d ms: "
				 "aborting them", iqn, (unsigned long long)c->lun,
				 CTGT_LUN_REMOVE_GRACE_MS);
			c->abort = aborted = true;
		}
		rc = iscsi_server_target_call(s->isrv, &s->admin, tgt, poll_on_home, c);
		if (rc < 0 || c->lu == NULL)
			return rc;
		if (waited >= CTGT_LUN_REMOVE_GIVE_UP_MS)
			return -ETIMEDOUT;
		nanosleep(&(struct timespec){ .tv_nsec = 10 * 1000 * 1000 }, NULL);
	}
}

/* The entry of LUN @lun of @tgt in s->lus, or NULL. */
static struct lu_entry *find_entry(struct ctgt_server *s, const struct scsi_tgt *tgt,
				   uint64_t lun)
{
	for (size_t k = 0; k < s->nlus; k++)
		if (s->lus[k].orphan == NULL && s->lus[k].lun == lun && s->lus[k].tgt == tgt)
			return &s->lus[k];
	return NULL;
}

/* Forget entry @e (its LU is gone), keeping the others in order. */
static void drop_entry(struct ctgt_server *s, struct lu_entry *e)
{
	size_t k = (size_t)(e - s->lus);

	pthread_mutex_lock(&s->lus_mu);
	memmove(e, e + 1, (s->nlus - k - 1) * sizeof(*e));
	s->nlus--;
	pthread_mutex_unlock(&s->lus_mu);
}

static int remove_locked(struct ctgt_server *s, struct scsi_tgt *tgt, uint64_t lun, char *err,
			 size_t errlen)
{
	struct lu_entry *e = find_entry(s, tgt, lun);
	struct remove_call c = { .lun = lun };
	int rc;

	if (e == NULL)
		return embed_err(err, errlen, -ENOENT, "target %s has no LUN %llu",
				 scsi_tgt_name(tgt), (unsigned long long)lun);
	c.bs = e->bs;
	rc = iscsi_server_target_call(s->isrv, &s->admin, tgt, detach_on_home, &c);
	if (rc == 0)
		rc = c.rc;
	if (rc == -EBUSY)
		return busy_err(err, errlen, lun, "remove");
	if (rc < 0 || c.lu == NULL)
		return embed_err(err, errlen, rc < 0 ? rc : -ENOENT, "LUN %llu: cannot be removed: %s",
				 (unsigned long long)lun, strerror(rc < 0 ? -rc : ENOENT));
	/* Its I/O in flight runs at full speed: a bandwidth cap must not
	 * turn a remove into minutes of waiting (as at shutdown). */
	(void)backend_set_bandwidth(c.bs, 0);
	rc = drain(s, tgt, &c);
	if (rc < 0) {
		/* Out of the target, not freed: the server frees it last. */
		pthread_mutex_lock(&s->lus_mu);
		e->orphan = c.lu;
		pthread_mutex_unlock(&s->lus_mu);
		return embed_err(err, errlen, rc, "LUN %llu: removed from the target, but its "
				 "store has not finished its I/O (%s); it is closed when the "
				 "daemon stops", (unsigned long long)lun, strerror(-rc));
	}
	drop_entry(s, e);
	backend_close(c.bs);	/* detached on its thread: nothing runs there */
	return 0;
}

/* The target named @iqn, or NULL with why in @err. */
static struct scsi_tgt *target_or_err(struct ctgt_server *s, const char *iqn, char *err,
				      size_t errlen)
{
	struct scsi_tgt *tgt = iqn ? embed_find_target(s, iqn) : NULL;

	if (tgt == NULL)
		embed_err(err, errlen, -ENOENT, "no target %s", iqn ? iqn : "(null)");
	return tgt;
}

int ctgt_server_lun_remove(struct ctgt_server *s, const char *iqn, uint64_t lun, char *err,
			   size_t errlen)
{
	struct scsi_tgt *tgt;
	int rc = -ENOENT;

	pthread_mutex_lock(&s->admin_mu);
	if ((tgt = target_or_err(s, iqn, err, errlen)) != NULL)
		rc = remove_locked(s, tgt, lun, err, errlen);
	pthread_mutex_unlock(&s->admin_mu);
	if (rc == 0)
		LOG_INFO("admin", "target %s: LUN %llu removed", iqn, (unsigned long long)lun);
	return rc;
}

/* ---- resize ---------------------------------------------------------------- */

struct resize_call {
	uint64_t lun;
	uint64_t nblocks;
	uint64_t old_blocks;
	uint32_t block_size;
	bool found;
	int rc;
};

static void size_on_home(struct scsi_tgt *tgt, void *arg)
{
	struct resize_call *c = arg;
	struct scsi_lu *lu = scsi_tgt_lu(tgt, c->lun);
	struct scsi_lu_progress p;

	c->found = lu != NULL;
	if (lu == NULL)
		return;
	c->block_size = scsi_lu_block_size(lu);
	c->old_blocks = scsi_lu_num_blocks(lu);
	scsi_lu_progress(lu, &p);
	if (p.job_opcode != 0 && !p.job_failed)
		c->rc = -EBUSY;		/* refused before the store is grown */
	else if (c->nblocks != 0)
		c->rc = scsi_lu_resize(lu, c->nblocks);
}

static int resize_locked(struct ctgt_server *s, struct scsi_tgt *tgt, uint64_t lun,
			 uint64_t size, uint64_t *got, char *err, size_t errlen)
{
	const char *iqn = scsi_tgt_name(tgt);
	struct lu_entry *e = find_entry(s, tgt, lun);
	struct resize_call c = { .lun = lun };
	uint64_t have;
	int rc;

	if (e == NULL)
		return embed_err(err, errlen, -ENOENT, "target %s has no LUN %llu", iqn,
				 (unsigned long long)lun);
	rc = iscsi_server_target_call(s->isrv, &s->admin, tgt, size_on_home, &c);
	if (rc < 0 || !c.found)
		return embed_err(err, errlen, rc < 0 ? rc : -ENOENT, "LUN %llu: cannot be resized",
				 (unsigned long long)lun);
	if (c.rc == -EBUSY)
		return busy_err(err, errlen, lun, "resize");
	if (size % c.block_size != 0)
		return embed_err(err, errlen, -EINVAL, "LUN %llu: %llu bytes is not a whole number "
				 "of %u-byte blocks", (unsigned long long)lun,
				 (unsigned long long)size, c.block_size);
	if (size != 0 && size < c.old_blocks * c.block_size)
		return embed_err(err, errlen, -EINVAL, "LUN %llu: %llu bytes is smaller than its "
				 "%llu (a LU is never shrunk under its initiators)",
				 (unsigned long long)lun, (unsigned long long)size,
				 (unsigned long long)(c.old_blocks * c.block_size));
	rc = backend_grow(e->bs, size, &have, err, errlen);
	if (rc < 0)
		return rc;
	c.nblocks = have / c.block_size;
	if (c.nblocks < c.old_blocks)
		return embed_err(err, errlen, -EINVAL, "LUN %llu: its store holds %llu bytes, "
				 "less than the LU's %llu", (unsigned long long)lun,
				 (unsigned long long)have,
				 (unsigned long long)(c.old_blocks * c.block_size));
	rc = iscsi_server_target_call(s->isrv, &s->admin, tgt, size_on_home, &c);
	if (rc == 0)
		rc = c.rc;
	if (rc == -EBUSY)
		return busy_err(err, errlen, lun, "resize");
	if (rc < 0)
		return embed_err(err, errlen, rc, "LUN %llu: cannot be resized: %s",
				 (unsigned long long)lun, strerror(-rc));
	if (got != NULL)
		*got = c.nblocks * c.block_size;
	if (c.nblocks != c.old_blocks)
		LOG_INFO("admin", "target %s: LUN %llu grown from %llu to %llu bytes", iqn,
			 (unsigned long long)lun, (unsigned long long)(c.old_blocks * c.block_size),
			 (unsigned long long)(c.nblocks * c.block_size));
	return 0;
}

int ctgt_server_lun_resize(struct ctgt_server *s, const char *iqn, uint64_t lun, uint64_t size,
			   uint64_t *got, char *err, size_t errlen)
{
	struct scsi_tgt *tgt;
	int rc = -ENOENT;

	pthread_mutex_lock(&s->admin_mu);
	if ((tgt = target_or_err(s, iqn, err, errlen)) != NULL)
		rc = resize_locked(s, tgt, lun, size, got, err, errlen);
	pthread_mutex_unlock(&s->admin_mu);
	return rc;
}

/* ---- settings ---------------------------------------------------------------- */

int ctgt_server_lun_set_bandwidth(struct ctgt_server *s, const char *iqn, uint64_t lun,
				  uint64_t bytes_per_sec, char *err, size_t errlen)
{
	struct scsi_tgt *tgt;
	struct lu_entry *e = NULL;
	int rc = -ENOENT;

	pthread_mutex_lock(&s->admin_mu);
	if ((tgt = target_or_err(s, iqn, err, errlen)) != NULL &&
	    (e = find_entry(s, tgt, lun)) == NULL)
		embed_err(err, errlen, -ENOENT, "target %s has no LUN %llu", iqn,
			  (unsigned long long)lun);
	if (e != NULL) {
		/* The pool's pacing is under its own lock: any thread. */
		rc = backend_set_bandwidth(e->bs, bytes_per_sec);
		if (rc < 0)
			embed_err(err, errlen, rc, "LUN %llu: this store cannot be given a "
				  "bandwidth limit (its I/O runs inline)", (unsigned long long)lun);
	}
	pthread_mutex_unlock(&s->admin_mu);
	if (rc == 0)
		LOG_INFO("admin", "target %s: LUN %llu: max_bandwidth %llu bytes/s%s", iqn,
			 (unsigned long long)lun, (unsigned long long)bytes_per_sec,
			 bytes_per_sec ? "" : " (no cap)");
	return rc;
}

/* ---- targets ----------------------------------------------------------------- */

int ctgt_server_target_add(struct ctgt_server *s, const char *iqn, char *err, size_t errlen)
{
	int rc;

	pthread_mutex_lock(&s->admin_mu);
	rc = ctgt_server_add_target(s, iqn, err, errlen);
	pthread_mutex_unlock(&s->admin_mu);
	if (rc == 0)
		LOG_INFO("admin", "target %s added (thread %d)", iqn,
			 iscsi_server_target_thread(s->isrv, iqn));
	return rc;
}

/* Wait up to @ms for the sessions of @tgt to be gone; true when they are. */
static bool sessions_gone(struct ctgt_server *s, struct scsi_tgt *tgt, uint64_t ms)
{
	uint64_t end = now_ms() + ms;

	while (iscsi_server_target_sessions(s->isrv, tgt) > 0) {
		if (now_ms() >= end)
			return false;
		nanosleep(&(struct timespec){ .tv_nsec = 20 * 1000 * 1000 }, NULL);
	}
	return true;
}

/* Ask @tgt's sessions to log out, then drop those that did not. */
static int end_sessions(struct ctgt_server *s, struct scsi_tgt *tgt, char *err, size_t errlen)
{
	const char *iqn = scsi_tgt_name(tgt);
	unsigned wait_s = 0, n = iscsi_server_target_sessions(s->isrv, tgt);
	int rc;

	if (n == 0)
		return 0;
	rc = iscsi_server_target_logout(s->isrv, &s->admin, tgt, false, &wait_s);
	LOG_INFO("admin", "target %s: asking its %u session(s) to log out within %u s", iqn, n,
		 wait_s);
	if (rc == 0 && sessions_gone(s, tgt, wait_s * 1000ull + CTGT_TARGET_LOGOUT_SLACK_MS))
		return 0;
	if (rc == 0) {
		LOG_WARN("admin", "target %s: %u session(s) did not log out: dropping them", iqn,
			 iscsi_server_target_sessions(s->isrv, tgt));
		rc = iscsi_server_target_logout(s->isrv, &s->admin, tgt, true, NULL);
	}
	if (rc == 0 && sessions_gone(s, tgt, CTGT_TARGET_DROP_WAIT_MS))
		return 0;
	return embed_err(err, errlen, rc < 0 ? rc : -ETIMEDOUT, "target %s: removed, but %u "
			 "session(s) did not end (I/O in flight?); its LUs are freed when the "
			 "daemon stops", iqn, iscsi_server_target_sessions(s->isrv, tgt));
}

/* Remove every LU of @tgt (its sessions are gone). */
static int remove_luns(struct ctgt_server *s, struct scsi_tgt *tgt, char *err, size_t errlen)
{
	int rc = 0;

	for (size_t k = 0; k < s->nlus;) {
		struct lu_entry *e = &s->lus[k];
		int r;

		if (e->tgt != tgt || e->orphan != NULL) {
			k++;
			continue;
		}
		r = remove_locked(s, tgt, e->lun, err, errlen);
		if (r < 0) {
			rc = r;
			k++;	/* orphaned, or left: the server frees it */
		}
	}
	return rc;
}

/* Forget @tgt in s->tgts (the iSCSI server keeps it, closed). */
static void drop_target(struct ctgt_server *s, struct scsi_tgt *tgt)
{
	pthread_mutex_lock(&s->lus_mu);	/* ctgt_server_run() reads s->tgts */
	for (size_t k = 0; k < s->ntgts; k++)
		if (s->tgts[k] == tgt) {
			memmove(&s->tgts[k], &s->tgts[k + 1], (s->ntgts - k - 1) * sizeof(*s->tgts));
			s->ntgts--;
			break;
		}
	pthread_mutex_unlock(&s->lus_mu);
}

static int target_remove_locked(struct ctgt_server *s, const char *iqn, char *err,
				size_t errlen)
{
	struct scsi_tgt *tgt = target_or_err(s, iqn, err, errlen);
	int rc;

	if (tgt == NULL)
		return -ENOENT;
	rc = iscsi_server_close_target(s->isrv, tgt);
	if (rc < 0)
		return embed_err(err, errlen, rc, "target %s: cannot be removed", iqn);
	drop_target(s, tgt);
	rc = end_sessions(s, tgt, err, errlen);
	if (rc == 0)
		rc = remove_luns(s, tgt, err, errlen);
	return rc;
}

int ctgt_server_target_remove(struct ctgt_server *s, const char *iqn, char *err,
			      size_t errlen)
{
	char name[256];
	int rc;

	snprintf(name, sizeof(name), "%s", iqn ? iqn : "");
	pthread_mutex_lock(&s->admin_mu);
	rc = target_remove_locked(s, name, err, errlen);
	pthread_mutex_unlock(&s->admin_mu);
	if (rc == 0)
		LOG_INFO("admin", "target %s removed", name);
	return rc;
}

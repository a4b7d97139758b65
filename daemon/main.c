/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ctgt: wiring only. Parse the configuration, open the backing stores, build
 * the SCSI targets, start the portals and run the event loop until a signal.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backend/backend.h"
#include "daemon/config.h"
#include "daemon/evloop.h"
#include "iscsi/server.h"
#include "scsi/scsi.h"
#include "util/log.h"

#define MAX_BACKENDS 1024

struct daemon {
	struct ctgt_config cfg;
	struct evloop *loop;
	struct bs_cq cq;
	bool cq_ready;
	struct iscsi_server *srv;
	struct backend *backends[MAX_BACKENDS];
	size_t nbackends;
	int sigfd;
	bool stopping;
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: ctgt serve [--portal HOST:PORT]... [--target IQN]\n"
		"                  [--lun N=PATH[,size=SIZE][,thin][,readonly][,removable]]...\n"
		"                  [--config FILE] [--log-level error|warn|info|debug]\n"
		"                  [--nop-interval SECONDS] [--state-dir DIR]\n");
}

static int fail(const char *msg)
{
	fprintf(stderr, "ctgt: %s\n", msg);
	return 1;
}

/*
 * The APTPL file of LUN @lun of @target in the state directory:
 * "<DIR>/<target name>-lun<N>.pr", every character of the name other than
 * [A-Za-z0-9.-] replaced by '_' (so "iqn.2026-11.io.ctgt:disk0" gives
 * "iqn.2026-11.io.ctgt_disk0-lun0.pr").
 */
static void pr_file_name(const char *dir, const char *target, uint64_t lun, char *out, size_t len)
{
	char safe[256];
	size_t i;

	for (i = 0; target[i] && i < sizeof(safe) - 1; i++) {
		char c = target[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || c == '.' || c == '-';

		safe[i] = ok ? c : '_';
	}
	safe[i] = '\0';
	snprintf(out, len, "%s/%s-lun%llu.pr", dir, safe, (unsigned long long)lun);
}

static struct scsi_lu *open_lun(struct daemon *d, const char *target,
				const struct ctgt_lun_cfg *lc, char *err, size_t errlen)
{
	char pr_file[4096];
	struct backend *bs;
	struct scsi_lu *lu;
	struct scsi_lu_config luc = {
		.lun = lc->lun,
		.block_size = lc->block_size ? lc->block_size : 512,
		.write_cache = true,
		.removable = lc->removable,
		.readonly = lc->readonly,
		.thin = lc->thin,
	};

	if (d->cfg.state_dir) {
		pr_file_name(d->cfg.state_dir, target, lc->lun, pr_file, sizeof(pr_file));
		luc.pr_file = pr_file;
	}

	if (d->nbackends == MAX_BACKENDS) {
		snprintf(err, errlen, "too many LUNs");
		return NULL;
	}
	bs = backend_open(lc->path, lc->size, &d->cq, err, errlen);
	if (!bs)
		return NULL;
	d->backends[d->nbackends++] = bs;
	lu = scsi_lu_create(&luc, bs);
	if (!lu)
		snprintf(err, errlen, "LUN %llu (%s): cannot create the logical unit "
			 "(is the size a multiple of the block size? is its reservation file valid?)",
			 (unsigned long long)lc->lun, lc->path);
	return lu;
}

static int build_targets(struct daemon *d, char *err, size_t errlen)
{
	struct stat st;

	/* A state directory that cannot hold the files would only show up
	 * at the first PERSISTENT RESERVE OUT with APTPL: refuse it now. */
	if (d->cfg.state_dir && (stat(d->cfg.state_dir, &st) < 0 || !S_ISDIR(st.st_mode) ||
				 access(d->cfg.state_dir, W_OK | X_OK) < 0)) {
		snprintf(err, errlen, "--state-dir %s: not a writable directory", d->cfg.state_dir);
		return -1;
	}
	for (size_t t = 0; t < d->cfg.ntargets; t++) {
		const struct ctgt_target_cfg *tc = &d->cfg.targets[t];
		struct scsi_tgt *tgt = scsi_tgt_create(tc->name);

		if (!tgt) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		if (iscsi_server_add_target(d->srv, tgt) < 0) {
			snprintf(err, errlen, "target %s: defined twice", tc->name);
			scsi_tgt_destroy(tgt);
			return -1;
		}
		for (size_t l = 0; l < tc->nluns; l++) {
			struct scsi_lu *lu = open_lun(d, tc->name, &tc->luns[l], err, errlen);

			if (!lu)
				return -1;
			if (scsi_tgt_add_lu(tgt, lu) < 0) {
				snprintf(err, errlen, "target %s: LUN %llu defined twice", tc->name,
					 (unsigned long long)tc->luns[l].lun);
				scsi_lu_destroy(lu);
				return -1;
			}
		}
	}
	return 0;
}

static void print_endpoint(const char *host, int port, char *buf, size_t len)
{
	snprintf(buf, len, strchr(host, ':') ? "[%s]:%d" : "%s:%d", host, port);
}

static int start_portals(struct daemon *d, char *err, size_t errlen)
{
	char first[96] = "";

	for (size_t i = 0; i < d->cfg.nportals; i++) {
		const struct ctgt_portal_cfg *pc = &d->cfg.portals[i];
		char ep[96];
		int port = iscsi_server_add_portal(d->srv, pc->host, pc->port, pc->tpgt, err, errlen);

		if (port < 0)
			return -1;
		print_endpoint(pc->host, port, ep, sizeof(ep));
		printf("listening %s\n", ep);
		if (!first[0])
			snprintf(first, sizeof(first), "%s", ep);
	}
	for (size_t t = 0; t < d->cfg.ntargets; t++)
		for (size_t l = 0; l < d->cfg.targets[t].nluns; l++)
			printf("url iscsi://%s/%s/%llu\n", first, d->cfg.targets[t].name,
			       (unsigned long long)d->cfg.targets[t].luns[l].lun);
	printf("ready\n");
	fflush(stdout);
	return 0;
}

static void on_shutdown_done(void *arg)
{
	evloop_stop(arg);
}

static void on_signal(struct evloop *loop, int fd, unsigned events, void *arg)
{
	struct daemon *d = arg;
	struct signalfd_siginfo si;

	(void)events;
	if (read(fd, &si, sizeof(si)) != sizeof(si))
		return;
	if (d->stopping)
		return;
	d->stopping = true;
	LOG_INFO("daemon", "signal %u: shutting down", si.ssi_signo);
	iscsi_server_shutdown(d->srv, on_shutdown_done, loop);
}

static int setup_signals(struct daemon *d)
{
	sigset_t set;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -1;
	d->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (d->sigfd < 0)
		return -1;
	return evloop_add_fd(d->loop, d->sigfd, EV_READ, on_signal, d);
}

static void teardown(struct daemon *d)
{
	/* LUs go with their targets before the stores under them are closed. */
	iscsi_server_destroy(d->srv);
	for (size_t i = 0; i < d->nbackends; i++)
		backend_close(d->backends[i]);
	if (d->cq_ready)
		bs_cq_destroy(&d->cq);
	if (d->sigfd >= 0)
		close(d->sigfd);
	evloop_destroy(d->loop);
	config_free(&d->cfg);
}

static int serve(int argc, char **argv)
{
	static struct daemon d = { .sigfd = -1 };
	char err[CONFIG_ERR_LEN + 128];
	int rc = 1;

	if (config_parse_args(argc, argv, &d.cfg, err, sizeof(err)) < 0) {
		fail(err);
		usage(stderr);
		return 2;
	}
	if (d.cfg.log_level >= 0)
		log_set_level((enum log_level)d.cfg.log_level);
	d.loop = evloop_create();
	if (!d.loop || bs_cq_init(&d.cq) < 0) {
		fail("cannot create the event loop");
		goto out;
	}
	d.cq_ready = true;
	d.srv = iscsi_server_create(d.loop, &d.cq);
	if (!d.srv || setup_signals(&d) < 0) {
		fail("cannot set up the server");
		goto out;
	}
	/* Default keep-alive: ping after 30 s idle, give up 30 s later. */
	iscsi_server_set_nop(d.srv, d.cfg.nop_interval < 0 ? 30 : (unsigned)d.cfg.nop_interval, 0);
	if (build_targets(&d, err, sizeof(err)) < 0 || start_portals(&d, err, sizeof(err)) < 0) {
		fail(err);
		goto out;
	}
	if (evloop_run(d.loop) < 0) {
		fail("event loop failed");
		goto out;
	}
	LOG_INFO("daemon", "stopped");
	rc = 0;
out:
	teardown(&d);
	return rc;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 2 && strcmp(argv[1], "serve") == 0)
		return serve(argc - 2, argv + 2);
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		usage(stdout);
		return 0;
	}
	if (argc >= 2)
		fprintf(stderr, "ctgt: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}

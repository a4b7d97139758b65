/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: the control socket's request handler, control_handle()
 * of daemon/control_cmds.c, i.e. what an admitted peer's line does: JSON
 * parsing, the version, the command, its arguments, and the answers built
 * from a running server.
 *
 * The server is real and runs: a server that is never run would leave
 * every admin call waiting (include/ctgt/admin.h), and one that has
 * stopped answers -ESHUTDOWN to all, which would leave the result
 * builders untested. So LLVMFuzzerInitialize() starts a thread that
 * creates a server with two network threads and three targets (LUs on
 * mem: and null:, as daemon/main.c builds them from a parsed
 * configuration), without portals, and runs it; each input is one
 * request line handed to control_handle() from the fuzzer's thread, as
 * the control thread does, and its reply must be one line of JSON with
 * "ok". The server runs until the process exits. A "portal add" is
 * not handed over: it would make the fuzzer listen on real sockets, on
 * any address it comes up with, until it runs out of descriptors (its
 * HOST:PORT is portal_parse()'s, which fuzz_config reaches).
 */
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ctgt/server.h"
#include "daemon/config.h"
#include "daemon/control.h"
#include "util/log.h"

static struct ctgt_config g_cfg;
static struct ctgt_server *g_srv;
static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_cv = PTHREAD_COND_INITIALIZER;
static int g_state;	/* 0 starting, 1 running, -1 failed */

static char *g_args[] = {
	"--target", "iqn.2026-12.io.ctgt.fuzz:a", "--lun", "0=mem:,size=1M",
	"--target", "iqn.2026-12.io.ctgt.fuzz:b", "--lun", "0=null:,size=1G",
	"--lun", "3=mem:,size=64K,removable",
	"--target", "iqn.2026-12.io.ctgt.fuzz:c", "--lun", "7=null:,size=4M,thin,readonly",
};

static int build(struct ctgt_server *srv, char *err, size_t errlen)
{
	for (size_t t = 0; t < g_cfg.ntargets; t++) {
		const struct ctgt_target_cfg *tc = &g_cfg.targets[t];

		if (ctgt_server_add_target(srv, tc->name, err, errlen) < 0)
			return -1;
		for (size_t l = 0; l < tc->nluns; l++)
			if (ctgt_server_add_store(srv, tc->name, &tc->luns[l].params,
						  tc->luns[l].path, err, errlen) < 0)
				return -1;
	}
	return 0;
}

/* The server's own thread: it creates, builds and runs it. */
static void *server_main(void *arg)
{
	char err[CONFIG_ERR_LEN];
	struct ctgt_server *srv = ctgt_server_create_threads(2);
	int st = srv && build(srv, err, sizeof(err)) == 0 ? 1 : -1;

	(void)arg;
	if (st < 0)
		fprintf(stderr, "fuzz_control: cannot set up the server: %s\n", srv ? err : "");
	pthread_mutex_lock(&g_mu);
	g_srv = srv;
	g_state = st;
	pthread_cond_broadcast(&g_cv);
	pthread_mutex_unlock(&g_mu);
	if (st > 0)
		ctgt_server_run(srv);
	return NULL;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char err[CONFIG_ERR_LEN];
	pthread_t tid;
	sigset_t all;

	(void)argc;
	(void)argv;
	log_set_level(LOG_LVL_ERROR);
	if (config_parse_args((int)(sizeof(g_args) / sizeof(g_args[0])), g_args, &g_cfg, err,
			      sizeof(err)) < 0) {
		fprintf(stderr, "fuzz_control: %s\n", err);
		abort();
	}
	/* The server's threads take no signal of libFuzzer's. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	if (pthread_create(&tid, NULL, server_main, NULL) != 0)
		abort();
	pthread_sigmask(SIG_UNBLOCK, &all, NULL);
	pthread_mutex_lock(&g_mu);
	while (g_state == 0)
		pthread_cond_wait(&g_cv, &g_mu);
	pthread_mutex_unlock(&g_mu);
	if (g_state < 0)
		abort();
	pthread_detach(tid);
	return 0;
}

/* Whether @req (@len bytes) is a "portal add" request. */
static bool binds(const char *req, size_t len)
{
	json_t *j = json_loadb(req, len, 0, NULL);
	const char *cmd = json_string_value(json_object_get(j, "command"));
	bool yes = cmd != NULL && strcmp(cmd, "portal add") == 0;

	json_decref(j);
	return yes;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct control_env env = { .srv = g_srv, .cfg = &g_cfg };
	char *reply;
	json_t *j, *ok;

	const uint8_t *nl = memchr(data, '\n', size);

	/* What the control thread hands over: a line, without its newline,
	 * shorter than the buffer (a longer one is refused unread). */
	if (nl != NULL)
		size = (size_t)(nl - data);
	if (size >= CONTROL_MAX_REQUEST || binds((const char *)data, size))
		return 0;
	reply = control_handle(&env, (const char *)data, size);
	if (reply == NULL)
		abort();	/* only on no memory */
	if (strchr(reply, '\n') != NULL)
		abort();	/* one reply is one line */
	j = json_loads(reply, 0, NULL);
	ok = j ? json_object_get(j, "ok") : NULL;
	if (!json_is_boolean(ok) || json_integer_value(json_object_get(j, "version")) != 1)
		abort();
	json_decref(j);
	free(reply);
	return 0;
}

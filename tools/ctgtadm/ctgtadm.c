/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ctgtadm [--socket PATH] [--json] COMMAND...: send one request to the
 * daemon's control socket, print its reply. Exit status 0 (done), 1 (the
 * daemon refused or could not be reached), 2 (bad usage).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "daemon/control_proto.h"
#include "tools/ctgtadm/ctgtadm.h"

struct command {
	const char *name;	/* as the daemon knows it */
	const char *help;
	void (*print)(FILE *out, json_t *result);
};

static const struct command commands[] = {
	{ "version", "the daemon's name and control protocol version", print_version },
	{ "target list", "targets: home thread, sessions, LUNs", print_targets },
	{ "session list", "logged-in sessions: initiator, target, thread, connections, "
			  "digests, commands", print_sessions },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *out)
{
	fprintf(out, "usage: ctgtadm [--socket PATH] [--json] COMMAND [--help]\n"
		     "  --socket PATH  the daemon's control socket (default /run/ctgt/ctgt.sock\n"
		     "                 as root, else $XDG_RUNTIME_DIR/ctgt.sock)\n"
		     "  --json         print the daemon's reply as JSON\n"
		     "  --raw REQUEST  send the JSON request line REQUEST as it is and print\n"
		     "                 the reply line (README \"Control socket\" has the protocol)\n"
		     "commands:\n");
	for (size_t k = 0; k < NCOMMANDS; k++)
		fprintf(out, "  %-14s %s\n", commands[k].name, commands[k].help);
}

static int connect_to(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(a.sun_path)) {
		fprintf(stderr, "ctgtadm: %s: path too long\n", path);
		return -1;
	}
	memcpy(a.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		fprintf(stderr, "ctgtadm: cannot reach the daemon at %s: %s\n", path,
			strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static bool send_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
	}
	return true;
}

/* One reply line (without its newline), malloc'd; NULL if the daemon
 * closed or sent more than a reply may hold. */
static char *recv_line(int fd)
{
	size_t cap = 1 << 16, len = 0;
	char *buf = malloc(cap);

	while (buf != NULL) {
		ssize_t n;
		char *nl = memchr(buf, '\n', len);

		if (nl != NULL) {
			*nl = '\0';
			return buf;
		}
		if (len == cap) {
			char *p = cap < (64u << 20) ? realloc(buf, cap * 2) : NULL;

			if (p == NULL)
				break;
			buf = p;
			cap *= 2;
		}
		n = recv(fd, buf + len, cap - len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	free(buf);
	return NULL;
}

/* Send the line @text on @fd; the reply line, malloc'd, or NULL. A send
 * that fails still looks for a reply: the daemon may have refused the
 * request before reading all of it. */
static char *exchange(int fd, const char *text)
{
	if (send_all(fd, text, strlen(text)))
		send_all(fd, "\n", 1);
	return recv_line(fd);
}

/* Send @cmd's request on @fd and return the reply, parsed. */
static json_t *request(int fd, const struct command *cmd)
{
	json_t *req = json_pack("{s:i, s:s, s:{}}", "version", CONTROL_VERSION, "command",
				cmd->name, "args");
	char *text = req ? json_dumps(req, JSON_COMPACT) : NULL;
	char *line = text ? exchange(fd, text) : NULL;
	json_t *reply = line ? json_loads(line, 0, NULL) : NULL;

	if (reply == NULL)
		fprintf(stderr, "ctgtadm: no valid reply from the daemon\n");
	free(line);
	free(text);
	json_decref(req);
	return reply;
}

/* --raw: the reply as it came; 0 when it says ok. */
static int raw(int fd, const char *text)
{
	char *line = exchange(fd, text);
	json_t *reply = line ? json_loads(line, 0, NULL) : NULL;
	int rc = json_is_true(json_object_get(reply, "ok")) ? 0 : 1;

	if (line == NULL)
		fprintf(stderr, "ctgtadm: no reply from the daemon\n");
	else
		printf("%s\n", line);
	json_decref(reply);
	free(line);
	return rc;
}

static int show(json_t *reply, const struct command *cmd, bool as_json)
{
	json_t *result = json_object_get(reply, "result");

	if (!json_is_true(json_object_get(reply, "ok"))) {
		const char *why = json_string_value(json_object_get(reply, "error"));

		fprintf(stderr, "ctgtadm: %s: %s\n", cmd->name, why ? why : "failed");
		return 1;
	}
	if (as_json) {
		json_dumpf(result, stdout, JSON_INDENT(2));
		fputc('\n', stdout);
	} else {
		cmd->print(stdout, result);
	}
	return 0;
}

/* The command named by the words @argv[0..argc), or NULL. */
static const struct command *find(int argc, char **argv, bool *help)
{
	char name[64] = "";

	*help = false;
	for (int k = 0; k < argc; k++) {
		if (strcmp(argv[k], "--help") == 0) {
			*help = true;
			continue;
		}
		if (strlen(name) + strlen(argv[k]) + 2 > sizeof(name))
			return NULL;
		if (name[0])
			strcat(name, " ");
		strcat(name, argv[k]);
	}
	for (size_t k = 0; k < NCOMMANDS; k++)
		if (strcmp(commands[k].name, name) == 0)
			return &commands[k];
	return NULL;
}

struct opts {
	char buf[256];
	const char *path;	/* the socket */
	const char *raw;	/* --raw REQUEST, or NULL */
	bool json;
	int next;		/* argv index of the command's first word */
};

/* The options before the command: 0 to go on, else the exit status + 1. */
static int parse_opts(int argc, char **argv, struct opts *o)
{
	o->path = control_default_path(o->buf, sizeof(o->buf));
	for (o->next = 1; o->next < argc && strncmp(argv[o->next], "--", 2) == 0; o->next++) {
		const char *a = argv[o->next];
		bool has_val = o->next + 1 < argc;

		if (strcmp(a, "--socket") == 0 && has_val)
			o->path = argv[++o->next];
		else if (strcmp(a, "--raw") == 0 && has_val)
			o->raw = argv[++o->next];
		else if (strcmp(a, "--json") == 0)
			o->json = true;
		else if (strcmp(a, "--help") == 0)
			return usage(stdout), 1;
		else
			return usage(stderr), 3;
	}
	if (o->path == NULL) {
		fprintf(stderr, "ctgtadm: no default socket (set XDG_RUNTIME_DIR or --socket)\n");
		return 3;
	}
	return 0;
}

/* Send @cmd (or, when NULL, the raw request of @o) and show the reply. */
static int run(const struct opts *o, const struct command *cmd)
{
	int fd = connect_to(o->path), rc;
	json_t *reply;

	if (fd < 0)
		return 1;
	if (cmd == NULL) {
		rc = raw(fd, o->raw);
		close(fd);
		return rc;
	}
	reply = request(fd, cmd);
	close(fd);
	rc = reply ? show(reply, cmd, o->json) : 1;
	json_decref(reply);
	return rc;
}

int main(int argc, char **argv)
{
	struct opts o = { 0 };
	const struct command *cmd;
	bool help;
	int rc = parse_opts(argc, argv, &o);

	if (rc != 0)
		return rc - 1;
	if (o.raw != NULL && o.next == argc)
		return run(&o, NULL);
	cmd = find(argc - o.next, argv + o.next, &help);
	if (cmd == NULL || o.raw != NULL) {
		if (o.next < argc)
			fprintf(stderr, "ctgtadm: unknown command\n");
		usage(stderr);
		return 2;
	}
	if (help) {
		printf("ctgtadm %s: %s\n", cmd->name, cmd->help);
		return 0;
	}
	return run(&o, cmd);
}

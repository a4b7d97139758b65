/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ctgtadm [--socket PATH] [--json] COMMAND...: send a request to the
 * daemon's control socket, print its reply. Exit status 0 (done), 1 (the
 * daemon refused or could not be reached), 2 (bad usage).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/control_proto.h"
#include "tools/ctgtadm/ctgtadm.h"

struct command {
	const char *name;	/* the words that select it; the daemon's name */
	const char *usage;	/* what follows the name */
	const char *help;
	void (*print)(FILE *out, json_t *result);
	/* The request's keys of its positional arguments, in order; a '#'
	 * before one sends it as an integer, a '/' as a file's absolute
	 * path, a '*' (the last) the rest of the words as an array of
	 * strings. The first @nreq are needed. */
	const char *args[3];
	int nreq;
	/* run here instead of one request (stats) */
	int (*local)(const char *path, int argc, char **argv, bool as_json);
};

static const struct command commands[] = {
	{ "version", "", "the daemon's name and control protocol version", print_version, { 0 },
	  0, NULL },
	{ "target list", "", "targets: home thread, sessions, LUNs", print_targets, { 0 }, 0,
	  NULL },
	{ "target add", "IQN", "add a target to the running daemon (then lun add gives it LUs)",
	  print_target_added, { "target" }, 1, NULL },
	{ "target remove", "IQN", "remove a target: its sessions are asked to log out (an Async "
	  "Message; dropped after their DefaultTime2Wait, at least 2 s), then its LUs go",
	  print_target_removed, { "target" }, 1, NULL },
	{ "acl list", "IQN", "a target's access rules (initiator names, networks; none: "
	  "everyone may log in) and initiator settings (own CHAP user, LUN map)", print_acl,
	  { "target" }, 1, NULL },
	{ "acl add", "IQN RULE [chap=USER:SECRET] [luns=LUN[=TARGETLUN][:ro],...|none]",
	  "allow initiator name or network RULE (ADDR[/PREFIX]) to log in to a running target "
	  "(the first rule shuts out everyone else); for a name, its own CHAP credentials and "
	  "the LUs it sees. Sessions the change no longer admits, or whose LUs shrink, are "
	  "closed at once; those that may see more LUs are asked to log out",
	  print_acl_changed, { "target", "rule", "*options" }, 2, NULL },
	{ "acl remove", "IQN RULE [--open]", "remove access rule RULE and, for a name, its "
	  "settings; sessions it no longer admits are closed. The last rule goes only with --open "
	  "(without rules every initiator may log in)", print_acl_changed,
	  { "target", "rule", "*options" }, 2, NULL },
	{ "chap set", "IQN|discovery USER:SECRET|off [mutual=USER:SECRET]", "the CHAP "
	  "credentials initiators of a target (or discovery sessions) must prove, and the "
	  "target's own for mutual CHAP; off: none. Sessions logged in stay; the next login "
	  "uses them", print_chap_set, { "target", "chap", "*options" }, 2, NULL },
	{ "portal list", "", "the portals the daemon listens on: HOST:PORT, portal group",
	  print_portals, { 0 }, 0, NULL },
	{ "portal add", "HOST:PORT [TPGT]", "listen on one more portal at once (as --portal "
	  "takes it: [::1]:3261; port 0: the kernel picks one, the answer says which), in "
	  "portal group TPGT (default 1); discovery lists it", print_portal_added,
	  { "portal", "#tpgt" }, 1, NULL },
	{ "portal remove", "HOST:PORT", "stop listening on a portal (its bound port, see portal "
	  "list): no new connection, discovery lists it no more; connections already made "
	  "through it carry on; the last portal is not removed", print_portal_removed,
	  { "portal" }, 1, NULL },
	{ "session list", "", "logged-in sessions: initiator, target, thread, connections, "
			      "digests, commands", print_sessions, { 0 }, 0, NULL },
	{ "session logout", "TSIH", "ask session TSIH (see session list) to log out (an Async "
	  "Message); it is dropped if it has not within its DefaultTime2Wait (at least 2 s)",
	  print_logout, { "#tsih" }, 1, NULL },
	{ "lun list", "IQN", "a target's LUs: number, size, block size, options as --lun takes "
			     "them", print_luns, { "target" }, 1, NULL },
	{ "lun add", "IQN N PATH[,OPTION]...", "add LU N to a running target, its store and "
	  "options as --lun takes them after N= (ctgt --help lists them); the target's "
	  "sessions are told (REPORTED LUNS DATA HAS CHANGED)", print_luns_one,
	  { "target", "#lun", "spec" }, 3, NULL },
	{ "lun remove", "IQN N", "remove LU N from a running target: its running commands "
	  "finish (aborted after 5 s), then its store is closed", print_removed,
	  { "target", "#lun" }, 2, NULL },
	{ "lun resize", "IQN N [SIZE]", "grow LU N to SIZE (bytes, or 512M, 10G: a file is "
	  "extended), or without SIZE to what its file or device holds now; the sessions are "
	  "told (CAPACITY DATA HAS CHANGED)", print_luns_one, { "target", "#lun", "size" }, 2,
	  NULL },
	{ "lun set", "IQN N OPTION=VALUE", "change a running LU's option: max_bandwidth=SIZE "
	  "(bytes per second, 0: no cap); the others need the LU removed and added again",
	  print_luns_one, { "target", "#lun", "option" }, 3, NULL },
	{ "lun stats", "[IQN]", "each LU's counters since start: commands, bytes, errors, "
				"latency", print_lun_stats, { "target" }, 0, NULL },
	{ "save", "[FILE]", "write the running configuration (targets, LUs, portals, access "
	  "rules, CHAP, settings) as config.json to FILE, or to the daemon's --config file; "
	  "atomically, mode 0600", print_saved, { "/file" }, 0, NULL },
	{ "check-config", "FILE", "whether the daemon would start with --config FILE (the "
	  "same checks), or its first problem; changes nothing", print_checked, { "/file" }, 1,
	  NULL },
	{ "reload", "", "apply the daemon's --config file as it is now: portals and targets "
	  "added or removed, access rules and CHAP replaced, LUs added, removed or grown, "
	  "limits, keep-alive, log level and allowTargetReset changed; a file that does not "
	  "validate, or that changes anything else (a portal's group, LU options, threads...), "
	  "is refused and nothing changes",
	  print_reloaded, { 0 }, 0, NULL },
	{ "stats", "[--once] [--interval S] [--count N] [IQN]",
	  "each LU's IOPS, MB/s and latency per interval (default 1 s), like iostat", NULL, { 0 },
	  0, adm_stats },
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
		fprintf(out, "  %s %s\n      %s\n", commands[k].name, commands[k].usage,
			commands[k].help);
}

/* How many of @argv's words @name's words are (0: not a prefix). */
static int match(const char *name, int argc, char **argv)
{
	int k = 0;

	while (*name) {
		size_t len = strcspn(name, " ");

		if (k == argc || strlen(argv[k]) != len || strncmp(argv[k], name, len) != 0)
			return 0;
		name += len + (name[len] == ' ');
		k++;
	}
	return k;
}

/* The command @argv starts with; *words: how many words it took. */
static const struct command *find(int argc, char **argv, int *words)
{
	for (size_t k = 0; k < NCOMMANDS; k++)
		if ((*words = match(commands[k].name, argc, argv)) > 0)
			return &commands[k];
	return NULL;
}

static bool wants_help(int argc, char **argv)
{
	for (int k = 0; k < argc; k++)
		if (strcmp(argv[k], "--help") == 0)
			return true;
	return false;
}

/* @name as an absolute path: its directory made absolute (realpath),
 * then its last component; as it is when that directory does not
 * resolve (the daemon then says why it cannot use it). A new string. */
static json_t *abs_path(const char *name)
{
	const char *slash = strrchr(name, '/'), *base = slash ? slash + 1 : name;
	char *dir = slash ? strndup(name, slash == name ? 1 : (size_t)(slash - name)) : strdup(".");
	char *real = dir ? realpath(dir, NULL) : NULL;
	json_t *out;

	if (name[0] == '/' || real == NULL) {
		out = json_string(name);
	} else {
		size_t len = strlen(real) + strlen(base) + 2;
		char *full = malloc(len);

		if (full != NULL)
			snprintf(full, len, "%s%s%s", real, strcmp(real, "/") ? "/" : "", base);
		out = full ? json_string(full) : NULL;
		free(full);
	}
	free(real);
	free(dir);
	return out;
}

/* @cmd's positional arguments into @args: 0, or -1 for a wrong count or
 * a number that is not one. */
static int args_json(const struct command *cmd, int argc, char **argv, json_t *args)
{
	int most = 0;

	while (most < 3 && cmd->args[most] != NULL)
		most++;
	if (argc < cmd->nreq || (argc > most && (most == 0 || cmd->args[most - 1][0] != '*')))
		return -1;
	for (int k = 0; k < argc; k++) {
		const char *key = cmd->args[k];
		char *end;
		unsigned long long n;

		if (key[0] == '*') {
			json_t *rest = json_array();

			while (k < argc)
				json_array_append_new(rest, json_string(argv[k++]));
			json_object_set_new(args, key + 1, rest);
			break;
		}

		if (key[0] == '/') {
			json_object_set_new(args, key + 1, abs_path(argv[k]));
			continue;
		}
		if (key[0] != '#') {
			json_object_set_new(args, key, json_string(argv[k]));
			continue;
		}
		errno = 0;
		n = strtoull(argv[k], &end, 10);
		if (argv[k][0] < '0' || argv[k][0] > '9' || *end != '\0' || errno != 0 ||
		    n > (unsigned long long)INT64_MAX)
			return -1;
		json_object_set_new(args, key + 1, json_integer((json_int_t)n));
	}
	return 0;
}

/* One request, its reply shown. @argc/@argv: what follows the name. */
static int remote(const struct command *cmd, const char *path, int argc, char **argv,
		  bool as_json)
{
	json_t *args = json_object(), *reply, *result;
	int rc = 1;

	if (args_json(cmd, argc, argv, args) < 0) {
		fprintf(stderr, "usage: ctgtadm %s %s\n", cmd->name, cmd->usage);
		json_decref(args);
		return 2;
	}
	reply = adm_request(path, cmd->name, args);
	if ((result = adm_result(reply, cmd->name)) != NULL) {
		rc = 0;
		if (as_json) {
			json_dumpf(result, stdout, JSON_INDENT(2));
			fputc('\n', stdout);
		} else {
			cmd->print(stdout, result);
		}
	}
	json_decref(reply);
	return rc;
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

int main(int argc, char **argv)
{
	struct opts o = { 0 };
	const struct command *cmd;
	int rc = parse_opts(argc, argv, &o), words = 0, rest;

	if (rc != 0)
		return rc - 1;
	if (o.raw != NULL && o.next == argc)
		return adm_raw(o.path, o.raw);
	cmd = find(argc - o.next, argv + o.next, &words);
	if (cmd == NULL || o.raw != NULL) {
		if (o.next < argc)
			fprintf(stderr, "ctgtadm: unknown command\n");
		usage(stderr);
		return 2;
	}
	rest = o.next + words;
	if (wants_help(argc - rest, argv + rest)) {
		printf("usage: ctgtadm %s %s\n  %s\n", cmd->name, cmd->usage, cmd->help);
		return 0;
	}
	if (cmd->local)
		return cmd->local(o.path, argc - rest, argv + rest, o.json);
	return remote(cmd, o.path, argc - rest, argv + rest, o.json);
}

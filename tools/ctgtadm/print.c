/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ctgtadm's tables (tools/ctgtadm/ctgtadm.h): one line per object, the
 * columns an administrator scans first; --json gives everything.
 */
#include "tools/ctgtadm/ctgtadm.h"

#include <stdbool.h>
#include <string.h>

static const char *str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "-";
}

static long long num(json_t *o, const char *key)
{
	return (long long)json_integer_value(json_object_get(o, key));
}

void print_version(FILE *out, json_t *result)
{
	fprintf(out, "%s, control protocol %lld\n", str(result, "server"), num(result, "protocol"));
}

static void join_luns(char *buf, size_t len, json_t *luns)
{
	size_t i, off = 0;
	json_t *v;

	buf[0] = '\0';
	json_array_foreach(luns, i, v) {
		int n = snprintf(buf + off, len - off, "%s%lld", i ? "," : "",
				 (long long)json_integer_value(v));

		if (n < 0 || (size_t)n >= len - off)
			break;
		off += (size_t)n;
	}
	if (off == 0)
		snprintf(buf, len, "-");
}

void print_targets(FILE *out, json_t *result)
{
	char luns[256];
	size_t i;
	json_t *t;

	fprintf(out, "%-48s %6s %8s  %s\n", "TARGET", "THREAD", "SESSIONS", "LUNS");
	json_array_foreach(result, i, t) {
		join_luns(luns, sizeof(luns), json_object_get(t, "luns"));
		fprintf(out, "%-48s %6lld %8lld  %s\n", str(t, "name"), num(t, "thread"),
			num(t, "sessions"), luns);
	}
}

/* "H" header digest, "D" data digest, "-" none, of a session's first
 * connection (digests are negotiated per connection). */
static const char *digests(json_t *conns)
{
	json_t *c = json_array_get(conns, 0);
	bool h = json_is_true(json_object_get(c, "header_digest"));
	bool d = json_is_true(json_object_get(c, "data_digest"));

	return h && d ? "HD" : h ? "H" : d ? "D" : "-";
}

void print_sessions(FILE *out, json_t *result)
{
	size_t i;
	json_t *s;

	fprintf(out, "%5s %-12s %-40s %-40s %6s %5s %-22s %7s %10s\n", "TSIH", "ISID",
		"INITIATOR", "TARGET", "THREAD", "CONNS", "PEER", "DIGESTS", "COMMANDS");
	json_array_foreach(result, i, s) {
		json_t *conns = json_object_get(s, "connections");
		const char *target = str(s, "target");

		fprintf(out, "%5lld %-12s %-40s %-40s %6lld %5zu %-22s %7s %10lld\n",
			num(s, "tsih"), str(s, "isid"), str(s, "initiator"),
			target[0] ? target : "(discovery)", num(s, "thread"),
			json_array_size(conns), str(json_array_get(conns, 0), "peer"),
			digests(conns), num(s, "commands"));
	}
}

void print_lun_stats(FILE *out, json_t *result)
{
	size_t i;
	json_t *l;

	fprintf(out, "%-40s %4s %12s %12s %14s %14s %8s %8s\n", "TARGET", "LUN", "READS",
		"WRITES", "READ BYTES", "WRITE BYTES", "ERRORS", "ABORTED");
	json_array_foreach(result, i, l) {
		fprintf(out, "%-40s %4lld %12lld %12lld %14lld %14lld %8lld %8lld\n",
			str(l, "target"), num(l, "lun"), num(l, "reads"), num(l, "writes"),
			num(l, "read_bytes"), num(l, "write_bytes"), num(l, "errors"),
			num(l, "aborted"));
	}
}

/* "sanitize 42%", "format failed", "copy 3/8", or "-". */
static void work_text(json_t *l, char *buf, size_t len)
{
	json_t *job = json_object_get(l, "job"), *copies = json_object_get(l, "copies");

	if (json_is_object(job) && json_is_true(json_object_get(job, "failed")))
		snprintf(buf, len, "%s failed", str(job, "kind"));
	else if (json_is_object(job))
		snprintf(buf, len, "%s %d%%", str(job, "kind"),
			 (int)(100 * json_real_value(json_object_get(job, "done"))));
	else if (json_is_object(copies))
		snprintf(buf, len, "copy %lld/%lld", num(copies, "segments_done"),
			 num(copies, "segments"));
	else
		snprintf(buf, len, "-");
}

void print_luns(FILE *out, json_t *result)
{
	size_t i;
	json_t *l;

	fprintf(out, "%4s %16s %6s %-16s  %s\n", "LUN", "BYTES", "BLOCK", "WORK", "--lun");
	json_array_foreach(result, i, l) {
		long long bytes = num(l, "blocks") * num(l, "block_size");
		char work[64];

		work_text(l, work, sizeof(work));
		fprintf(out, "%4lld %16lld %6lld %-16s  %s\n", num(l, "lun"), bytes,
			num(l, "block_size"), work, str(l, "flag"));
	}
}

/* "lun add" and "lun resize": the LU, as one row of "lun list". */
void print_luns_one(FILE *out, json_t *result)
{
	json_t *a = json_array();

	json_array_append(a, result);
	print_luns(out, a);
	json_decref(a);
}

void print_removed(FILE *out, json_t *result)
{
	fprintf(out, "LUN %lld removed\n", num(result, "lun"));
}

void print_logout(FILE *out, json_t *result)
{
	fprintf(out, "session %lld asked to log out within %lld s\n", num(result, "tsih"),
		num(result, "wait_s"));
}

void print_saved(FILE *out, json_t *result)
{
	fprintf(out, "configuration saved to %s\n", str(result, "file"));
}

void print_checked(FILE *out, json_t *result)
{
	fprintf(out, "%s: ok (%lld target(s), %lld LUN(s), %lld portal(s))\n", str(result, "file"),
		num(result, "targets"), num(result, "luns"), num(result, "portals"));
}

void print_target_added(FILE *out, json_t *result)
{
	fprintf(out, "target %s added\n", str(result, "name"));
}

void print_target_removed(FILE *out, json_t *result)
{
	fprintf(out, "target %s removed\n", str(result, "name"));
}

void print_portals(FILE *out, json_t *result)
{
	size_t i;
	json_t *p;

	fprintf(out, "%-48s %5s\n", "PORTAL", "TPGT");
	json_array_foreach(result, i, p)
		fprintf(out, "%-48s %5lld\n", str(p, "portal"), num(p, "tpgt"));
}

void print_portal_added(FILE *out, json_t *result)
{
	fprintf(out, "portal %s added (tpgt %lld)\n", str(result, "portal"), num(result, "tpgt"));
}

void print_portal_removed(FILE *out, json_t *result)
{
	fprintf(out, "portal %s removed (its connections carry on)\n", str(result, "portal"));
}

/* One line per change of a reload, @what: "added", "removed", "resized". */
static void print_changes(FILE *out, json_t *result, const char *what)
{
	size_t i;
	json_t *c;

	json_array_foreach(json_object_get(result, what), i, c) {
		fprintf(out, "  %s LUN %lld %s", str(c, "target"), num(c, "lun"), what);
		if (json_object_get(c, "to") != NULL)
			fprintf(out, " from %lld to %lld bytes", num(c, "from"), num(c, "to"));
		fputc('\n', out);
	}
}

void print_reloaded(FILE *out, json_t *result)
{
	static const char *const lists[][2] = { { "portals_added", "portal added" },
						{ "portals_removed", "portal removed" },
						{ "targets_added", "target added" },
						{ "targets_removed", "target removed" },
						{ "access", "access settings replaced" } };
	size_t i;
	json_t *v;

	fprintf(out, "%s (%s)\n", str(result, "summary"), str(result, "file"));
	for (size_t k = 0; k < sizeof(lists) / sizeof(lists[0]); k++)
		json_array_foreach(json_object_get(result, lists[k][0]), i, v)
			fprintf(out, "  %s: %s\n", json_string_value(v), lists[k][1]);
	print_changes(out, result, "added");
	print_changes(out, result, "resized");
	print_changes(out, result, "removed");
}

/* "0=1:ro,2" for an initiator's "luns" ("none" when empty). */
static void map_text(char *buf, size_t len, json_t *luns)
{
	size_t i, off = 0;
	json_t *m;

	snprintf(buf, len, "none");
	json_array_foreach(luns, i, m) {
		long long lun = num(m, "lun"), tl = num(m, "targetLun");
		bool ro = json_is_true(json_object_get(m, "readonly"));
		int n = lun == tl ? snprintf(buf + off, len - off, "%s%lld%s", i ? "," : "", lun,
					     ro ? ":ro" : "")
				  : snprintf(buf + off, len - off, "%s%lld=%lld%s", i ? "," : "",
					     lun, tl, ro ? ":ro" : "");

		if (n < 0 || (size_t)n >= len - off)
			break;
		off += (size_t)n;
	}
}

void print_acl(FILE *out, json_t *result)
{
	json_t *rules = json_object_get(result, "allow"), *v;
	char map[1024];
	size_t i;

	fprintf(out, "target %s: CHAP %s%s%s\n", str(result, "target"),
		json_is_string(json_object_get(result, "chap_user")) ? "user " : "off",
		json_is_string(json_object_get(result, "chap_user")) ? str(result, "chap_user") : "",
		json_is_string(json_object_get(result, "mutual_user")) ? ", mutual" : "");
	if (json_array_size(rules) == 0)
		fprintf(out, "no access rules: every initiator may log in\n");
	json_array_foreach(rules, i, v)
		fprintf(out, "allow %s\n", json_string_value(v));
	if (json_array_size(json_object_get(result, "initiators")) > 0)
		fprintf(out, "%-48s %-16s %s\n", "INITIATOR", "CHAP USER", "LUNS");
	json_array_foreach(json_object_get(result, "initiators"), i, v) {
		json_t *luns = json_object_get(v, "luns");

		if (json_is_array(luns))
			map_text(map, sizeof(map), luns);
		else
			snprintf(map, sizeof(map), "all");
		fprintf(out, "%-48s %-16s %s\n", str(v, "name"), str(v, "chap_user"), map);
	}
}

void print_acl_changed(FILE *out, json_t *result)
{
	fprintf(out, "target %s: %lld access rules now%s; %lld sessions closed, %lld asked to "
		"log out\n", str(result, "target"), num(result, "rules"),
		num(result, "rules") == 0 ? " (every initiator may log in)" : "",
		num(result, "closed"), num(result, "asked"));
}

void print_chap_set(FILE *out, json_t *result)
{
	fprintf(out, "%s%s: CHAP %s\n", strcmp(str(result, "target"), "discovery") ? "target " : "",
		str(result, "target"),
		!json_is_true(json_object_get(result, "chap")) ? "off"
		: json_is_true(json_object_get(result, "mutual")) ? "on, mutual" : "on");
}

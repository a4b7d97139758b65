/* SPDX-License-Identifier: Apache-2.0 */
/*
 * APTPL: the registrations and the persistent reservation of a LU survive a
 * restart when the last REGISTER (or REGISTER AND MOVE) set APTPL
 * (SPC-4 5.13.5). The state lives in a small text file, rewritten after
 * every change while APTPL is set and removed when APTPL is cleared:
 *
 *   ctgt-pr 2
 *   reg <key, 16 hex digits> <relative target port id> <all_tg_pt 0|1> <initiator port> <target port>
 *   ...one "reg" line per registration, in registration order...
 *   reservation <type, decimal> <holder: index of its reg line, or - for the all-registrants types>
 *   end <number of reg lines>
 *
 * The "reservation" line is there only while a reservation exists; the
 * "end" line tells a whole file from one cut at a line boundary. Version 1
 * files (no "end" line) still load. PRgeneration is not kept: it starts
 * from zero at every power on (SPC-4 6.15.2), and a restart is one.
 *
 * Port names come from initiators (a login's InitiatorName, the
 * TransportIDs of SPEC_I_PT and REGISTER AND MOVE), so they are written
 * escaped: every byte outside '!'..'~', and '%' itself, as %XX. A valid
 * iSCSI name needs no escape, so the file reads as before. The reader is
 * strict: exact field counts, fixed-width hex keys, bounded decimal
 * numbers, every line ended by a newline, at most SCSI_PR_MAX_REGS_LIMIT
 * registrations.
 *
 * A file that cannot be read or parsed never stops the LU: it is renamed to
 * <file>.damaged-<UTC time> (never deleted), one warning says which file,
 * why and where it went, and the LU starts with no reservations. If it
 * cannot be moved aside, APTPL is turned off for the LU, so that nothing
 * overwrites it.
 *
 * The file is replaced atomically: written to <file>.tmp, fsync'ed, renamed
 * over <file>, and the directory fsync'ed, so a crash leaves either the old
 * or the new state. The writes happen on the task thread (scsi/scsi.h),
 * synchronously; PERSISTENT RESERVE OUT is rare enough for that.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "scsi/pr.h"
#include "util/log.h"

#define PR_MAGIC_V1	"ctgt-pr 1"
#define PR_MAGIC	"ctgt-pr 2"
/* Longest line: two names of PR_PORT_MAX - 1 bytes, each escaped to three
 * bytes per byte, and the fixed fields. */
#define LINE_MAX_LEN	(6 * PR_PORT_MAX + 64)
#define WHY_LEN		128

static int sync_dir(const char *file)
{
	char *copy = strdup(file);
	int fd, rc = 0;

	if (!copy)
		return -ENOMEM;
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) < 0)
		rc = -errno;
	if (fd >= 0)
		close(fd);
	free(copy);
	return rc;
}

static bool plain_byte(unsigned char c)
{
	return c > 0x20 && c < 0x7f && c != '%';
}

static void put_escaped(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (plain_byte((unsigned char)*s))
			fputc(*s, f);
		else
			fprintf(f, "%%%02X", (unsigned char)*s);
	}
}

static int write_state(const struct pr_state *pr, FILE *f)
{
	const struct list_node *pos;
	int idx = 0, holder = -1;

	fprintf(f, "%s\n", PR_MAGIC);
	for (pos = pr->regs.next; pos != &pr->regs; pos = pos->next, idx++) {
		const struct pr_reg *r = container_of(pos, struct pr_reg, node);

		if (r == pr->holder)
			holder = idx;
		fprintf(f, "reg %016" PRIx64 " %u %d ", r->key, r->rel_port_id, r->all_tg_pt ? 1 : 0);
		put_escaped(f, r->init_port);
		fputc(' ', f);
		put_escaped(f, r->target_port);
		fputc('\n', f);
	}
	if (pr->reserved) {
		if (holder >= 0)
			fprintf(f, "reservation %u %d\n", pr->type, holder);
		else
			fprintf(f, "reservation %u -\n", pr->type);
	}
	fprintf(f, "end %u\n", pr->nregs);
	return ferror(f) ? -EIO : 0;
}

int pr_save(const struct pr_state *pr)
{
	char tmp[4096];
	FILE *f;
	int rc;

	if (!pr->file)
		return 0;
	if (!pr->aptpl) {
		if (unlink(pr->file) < 0)
			return errno == ENOENT ? 0 : -errno;
		return sync_dir(pr->file);
	}
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", pr->file) >= sizeof(tmp))
		return -ENAMETOOLONG;
	f = fopen(tmp, "we");
	if (!f)
		return -errno;
	rc = write_state(pr, f);
	if (!rc && (fflush(f) != 0 || fsync(fileno(f)) < 0))
		rc = -errno;
	if (fclose(f) != 0 && !rc)
		rc = -errno;
	if (!rc && rename(tmp, pr->file) < 0)
		rc = -errno;
	if (rc) {
		unlink(tmp);
		return rc;
	}
	return sync_dir(pr->file);
}

/* ---- loading ------------------------------------------------------------ */

struct loader {
	struct pr_state *pr;
	unsigned lineno;
	int version;		/* 0 until the magic line */
	bool ended;		/* the "end" line was read */
	bool oom;
	char why[WHY_LEN];	/* what is wrong, for the log: never file content */
};

static int bad(struct loader *ld, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int bad(struct loader *ld, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(ld->why, sizeof(ld->why), "line %u: ", ld->lineno);

	va_start(ap, fmt);
	vsnprintf(ld->why + n, sizeof(ld->why) - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

/* Split @line at single spaces into at most @max fields; -1 when a field
 * is empty or there are more. */
static int split(char *line, char **f, int max)
{
	int n = 0;

	for (char *p = line;; p++) {
		if (n == max)
			return -1;
		f[n++] = p;
		p = strchrnul(p, ' ');
		if (p == f[n - 1])
			return -1;
		if (*p == '\0')
			return n;
		*p = '\0';
	}
}

/* Decimal digits only, at most @max. */
static bool dec_field(const char *s, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;

	if (!*s || strlen(s) > 10)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (unsigned long)(*s - '0');
	}
	*out = v;
	return v <= max;
}

static bool key_field(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (strlen(s) != 16)
		return false;
	for (; *s; s++) {
		int d = (*s >= '0' && *s <= '9') ? *s - '0' :
			(*s >= 'a' && *s <= 'f') ? *s - 'a' + 10 : -1;

		if (d < 0)
			return false;
		v = v << 4 | (uint64_t)d;
	}
	*out = v;
	return v != 0;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Undo put_escaped() into @out (PR_PORT_MAX bytes); false when malformed,
 * too long, or decoding to a NUL byte. */
static bool name_field(const char *s, char out[PR_PORT_MAX])
{
	size_t o = 0;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '%') {
			int hi = hex_digit(s[1]), lo = hi < 0 ? -1 : hex_digit(s[2]);

			if (lo < 0 || (hi == 0 && lo == 0))
				return false;
			c = (unsigned char)(hi << 4 | lo);
			s += 2;
		} else if (!plain_byte(c)) {
			return false;
		}
		if (o == PR_PORT_MAX - 1)
			return false;
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return o > 0;
}

static int parse_reg(struct loader *ld, char **f, int n)
{
	struct pr_reg *r;
	unsigned long rel, all;
	uint64_t key;

	if (n != 6)
		return bad(ld, "a registration needs 6 fields");
	if (ld->pr->nregs >= SCSI_PR_MAX_REGS_LIMIT)
		return bad(ld, "more than %u registrations", SCSI_PR_MAX_REGS_LIMIT);
	if (!key_field(f[1], &key))
		return bad(ld, "bad reservation key");
	if (!dec_field(f[2], 0xffff, &rel) || !dec_field(f[3], 1, &all))
		return bad(ld, "bad relative port or ALL_TG_PT");
	r = calloc(1, sizeof(*r));
	if (!r) {
		ld->oom = true;
		return bad(ld, "out of memory");
	}
	if (!name_field(f[4], r->init_port) || !name_field(f[5], r->target_port)) {
		free(r);
		return bad(ld, "bad port name");
	}
	r->key = key;
	r->rel_port_id = (uint16_t)rel;
	r->all_tg_pt = all;
	pr_reg_add(ld->pr, r);
	return 0;
}

static int parse_reservation(struct loader *ld, char **f, int n)
{
	struct pr_state *pr = ld->pr;
	struct list_node *pos = pr->regs.next;
	unsigned long type, idx;

	if (n != 3 || !dec_field(f[1], 0xff, &type) || !pr_type_valid((uint8_t)type))
		return bad(ld, "bad reservation");
	if (pr->nregs == 0)
		return bad(ld, "a reservation without registrations");
	pr->reserved = true;
	pr->type = (uint8_t)type;
	if (pr_type_all_reg(pr->type))
		return strcmp(f[2], "-") == 0 ? 0 : bad(ld, "bad reservation holder");
	if (!dec_field(f[2], pr->nregs - 1, &idx))
		return bad(ld, "bad reservation holder");
	while (idx--)
		pos = pos->next;
	pr->holder = container_of(pos, struct pr_reg, node);
	return 0;
}

static int parse_end(struct loader *ld, char **f, int n)
{
	unsigned long count;

	if (ld->version < 2 || n != 2 || !dec_field(f[1], SCSI_PR_MAX_REGS_LIMIT, &count) ||
	    count != ld->pr->nregs)
		return bad(ld, "bad end line");
	ld->ended = true;
	return 0;
}

static int parse_line(struct loader *ld, char *line)
{
	char *f[7];
	int n;

	if (ld->lineno == 1) {
		if (strcmp(line, PR_MAGIC) == 0)
			ld->version = 2;
		else if (strcmp(line, PR_MAGIC_V1) == 0)
			ld->version = 1;
		else
			return bad(ld, "not a ctgt reservation state file");
		return 0;
	}
	if (ld->ended)
		return bad(ld, "text after the end line");
	n = split(line, f, 7);
	if (n < 0)
		return bad(ld, "malformed line");
	if (strcmp(f[0], "reg") == 0)
		return ld->pr->reserved ? bad(ld, "a registration after the reservation") :
					  parse_reg(ld, f, n);
	if (strcmp(f[0], "reservation") == 0)
		return ld->pr->reserved ? bad(ld, "a second reservation") :
					  parse_reservation(ld, f, n);
	if (strcmp(f[0], "end") == 0)
		return parse_end(ld, f, n);
	return bad(ld, "unknown line");
}

/* Read @fp line by line into @ld->pr; -1 with ld->why set when damaged. */
static int read_state(struct loader *ld, FILE *fp)
{
	char line[LINE_MAX_LEN];
	size_t len;

	while (fgets(line, sizeof(line), fp)) {
		ld->lineno++;
		len = strlen(line);
		/* A NUL byte, an overlong line or a last line without its
		 * newline (a truncated file) all end up here. */
		if (len == 0 || line[len - 1] != '\n')
			return bad(ld, "too long, not ended by a newline, or holding a NUL byte");
		line[len - 1] = '\0';
		if (parse_line(ld, line) < 0)
			return -1;
	}
	if (ferror(fp)) {
		snprintf(ld->why, sizeof(ld->why), "read error: %s", strerror(errno));
		return -1;
	}
	if (ld->lineno == 0) {
		snprintf(ld->why, sizeof(ld->why), "empty");
		return -1;
	}
	if (ld->version == 2 && !ld->ended) {
		snprintf(ld->why, sizeof(ld->why), "truncated: no end line");
		return -1;
	}
	return 0;
}

/* Forget whatever a damaged file had put into @pr. */
static void clear_state(struct pr_state *pr)
{
	struct list_node *pos, *tmp;

	pr->reserved = false;
	pr->holder = NULL;
	pr->type = 0;
	list_for_each_safe(pos, tmp, &pr->regs)
		pr_reg_remove(pr, container_of(pos, struct pr_reg, node));
	pr->aptpl = false;
}

/* Rename @file to @aside without replacing anything there. */
static int rename_noreplace(const char *file, const char *aside)
{
	if (renameat2(AT_FDCWD, file, AT_FDCWD, aside, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -1;
	/* A file system without RENAME_NOREPLACE: check, then rename. */
	if (access(aside, F_OK) == 0) {
		errno = EEXIST;
		return -1;
	}
	return rename(file, aside);
}

/* Move the damaged file aside as <file>.damaged-<UTC time>[-N]. */
static int set_aside(const char *file, char *aside, size_t len)
{
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	for (int i = 1; i <= 100; i++) {
		int n = i == 1 ? snprintf(aside, len, "%s.damaged-%s", file, stamp) :
				 snprintf(aside, len, "%s.damaged-%s-%d", file, stamp, i);

		if (n < 0 || (size_t)n >= len) {
			errno = ENAMETOOLONG;
			return -1;
		}
		if (rename_noreplace(file, aside) == 0) {
			sync_dir(file);
			return 0;
		}
		if (errno != EEXIST)
			return -1;
	}
	return -1;
}

static void damaged(struct pr_state *pr, uint64_t lun, const char *why)
{
	char aside[4200];

	clear_state(pr);
	if (set_aside(pr->file, aside, sizeof(aside)) == 0) {
		LOG_WARN("scsi", "LUN %llu: reservation state file %s is damaged (%s): kept as %s; "
			 "the LU starts with no reservations", (unsigned long long)lun, pr->file, why,
			 aside);
		return;
	}
	LOG_ERR("scsi", "LUN %llu: reservation state file %s is damaged (%s) and cannot be moved "
		"aside (%s): the LU starts with no reservations and APTPL off, so the file is "
		"not overwritten", (unsigned long long)lun, pr->file, why, strerror(errno));
	free(pr->file);
	pr->file = NULL;
}

int pr_load(struct pr_state *pr, uint64_t lun)
{
	struct loader ld = { .pr = pr };
	FILE *f = fopen(pr->file, "re");
	int rc;

	if (!f) {
		if (errno == ENOENT)
			return 0;
		snprintf(ld.why, sizeof(ld.why), "cannot be read: %s", strerror(errno));
		damaged(pr, lun, ld.why);
		return 0;
	}
	rc = read_state(&ld, f);
	fclose(f);
	if (ld.oom) {
		clear_state(pr);
		return -1;
	}
	if (rc < 0) {
		damaged(pr, lun, ld.why);
		return 0;
	}
	pr->aptpl = true;	/* the file exists only while APTPL is set */
	return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * APTPL: the registrations and the persistent reservation of a LU survive a
 * restart when the last REGISTER (or REGISTER AND MOVE) set APTPL
 * (SPC-4 5.13.5). The state lives in a small text file, rewritten after
 * every change while APTPL is set and removed when APTPL is cleared:
 *
 *   ctgt-pr 1
 *   reg <key, 16 hex digits> <relative target port id> <all_tg_pt 0|1> <initiator port> <target port>
 *   ...one "reg" line per registration, in registration order...
 *   reservation <type, decimal> <holder: index of its reg line, or - for the all-registrants types>
 *
 * The "reservation" line is there only while a reservation exists.
 * PRgeneration is not kept: it starts from zero at every power on
 * (SPC-4 6.15.2), and a restart is one. Port
 * names are iSCSI names and so hold no white space. The file is replaced
 * atomically: written to <file>.tmp, fsync'ed, renamed over <file>, and the
 * directory fsync'ed, so a crash leaves either the old or the new state.
 * The writes happen on the network thread; PERSISTENT RESERVE OUT is rare
 * enough for that.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "scsi/pr.h"
#include "util/log.h"

#define PR_MAGIC "ctgt-pr 1"
#define STR_(x) #x
#define STR(x) STR_(x)
#define NAME_FMT "%" STR(PR_NAME_SCAN) "s"
#define PR_NAME_SCAN 255	/* PR_PORT_MAX - 1 */

_Static_assert(PR_NAME_SCAN == PR_PORT_MAX - 1, "scan width follows PR_PORT_MAX");

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

static int write_state(const struct pr_state *pr, FILE *f)
{
	const struct list_node *pos;
	int idx = 0, holder = -1;

	fprintf(f, "%s\n", PR_MAGIC);
	for (pos = pr->regs.next; pos != &pr->regs; pos = pos->next, idx++) {
		const struct pr_reg *r = container_of(pos, struct pr_reg, node);

		if (r == pr->holder)
			holder = idx;
		fprintf(f, "reg %016" PRIx64 " %u %d %s %s\n", r->key, r->rel_port_id,
			r->all_tg_pt ? 1 : 0, r->init_port, r->target_port);
	}
	if (pr->reserved) {
		if (holder >= 0)
			fprintf(f, "reservation %u %d\n", pr->type, holder);
		else
			fprintf(f, "reservation %u -\n", pr->type);
	}
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

static int parse_reg(struct pr_state *pr, const char *line)
{
	struct pr_reg *r = calloc(1, sizeof(*r));
	unsigned rel;
	int all;
	uint64_t key;

	if (!r)
		return -1;
	if (sscanf(line, "reg %" SCNx64 " %u %d " NAME_FMT " " NAME_FMT, &key, &rel, &all,
		   r->init_port, r->target_port) != 5 || rel > 0xffff || (all != 0 && all != 1) ||
	    key == 0) {
		free(r);
		return -1;
	}
	r->key = key;
	r->rel_port_id = (uint16_t)rel;
	r->all_tg_pt = all;
	pr_reg_add(pr, r);
	return 0;
}

static int parse_reservation(struct pr_state *pr, const char *line)
{
	unsigned type;
	char holder[16];
	struct list_node *pos = pr->regs.next;
	long idx;
	char *end;

	if (sscanf(line, "reservation %u %15s", &type, holder) != 2 || type > 0xff ||
	    !pr_type_valid((uint8_t)type) || pr->nregs == 0)
		return -1;
	pr->reserved = true;
	pr->type = (uint8_t)type;
	if (pr_type_all_reg(pr->type))
		return strcmp(holder, "-") == 0 ? 0 : -1;
	idx = strtol(holder, &end, 10);
	if (*end || idx < 0 || idx >= (long)pr->nregs)
		return -1;
	while (idx--)
		pos = pos->next;
	pr->holder = container_of(pos, struct pr_reg, node);
	return 0;
}

static int parse_line(struct pr_state *pr, char *line, unsigned lineno)
{
	line[strcspn(line, "\n")] = '\0';
	if (lineno == 1)
		return strcmp(line, PR_MAGIC) == 0 ? 0 : -1;
	if (strncmp(line, "reg ", 4) == 0)
		return pr->reserved ? -1 : parse_reg(pr, line);
	if (strncmp(line, "reservation ", 12) == 0)
		return pr->reserved ? -1 : parse_reservation(pr, line);
	return -1;
}

int pr_load(struct pr_state *pr)
{
	char line[1024];
	unsigned lineno = 0;
	FILE *f = fopen(pr->file, "re");

	if (!f) {
		if (errno == ENOENT)
			return 0;
		LOG_ERR("scsi", "%s: %s", pr->file, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		if (parse_line(pr, line, ++lineno) < 0) {
			LOG_ERR("scsi", "%s:%u: not a reservation state line", pr->file, lineno);
			fclose(f);
			return -1;
		}
	}
	fclose(f);
	if (lineno == 0) {
		LOG_ERR("scsi", "%s: empty reservation state file", pr->file);
		return -1;
	}
	pr->aptpl = true;	/* the file exists only while APTPL is set */
	return 0;
}

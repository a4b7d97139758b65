/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The APTPL state file against damage and hostile names: a file that
 * cannot be parsed (garbage, cut at a line boundary or inside a line, a NUL
 * byte, an overlong line, bad fields, bad escapes) never fails the LU; it is
 * kept as <file>.damaged-<time>, the LU starts with no reservations and
 * still writes a new file later. Port names with spaces, newlines or '%'
 * (an initiator chooses them) are escaped in the file and come back intact;
 * a version 1 file (no end line) still loads. A state file that cannot be
 * written is logged when saving starts failing and when it works again.
 */
#include <dirent.h>
#include <sys/stat.h>

#include "tests/unit/scsi_pr_fixture.h"

struct dir {
	char path[32];
	char file[64];
};

static void dir_new(struct dir *d)
{
	strcpy(d->path, "/tmp/ctgt-prp-XXXXXX");
	assert_non_null(mkdtemp(d->path));
	snprintf(d->file, sizeof(d->file), "%s/lu.pr", d->path);
}

/* How many "lu.pr.damaged-*" files the directory holds; the content of
 * the last one found in @text. */
static int damaged_files(const struct dir *d, char *text, size_t len)
{
	DIR *dd = opendir(d->path);
	struct dirent *e;
	int n = 0;

	assert_non_null(dd);
	while ((e = readdir(dd)) != NULL) {
		char p[320];
		FILE *f;
		size_t got;

		if (strncmp(e->d_name, "lu.pr.damaged-", 14) != 0)
			continue;
		n++;
		snprintf(p, sizeof(p), "%s/%s", d->path, e->d_name);
		f = fopen(p, "r");
		assert_non_null(f);
		got = fread(text, 1, len - 1, f);
		text[got] = '\0';
		fclose(f);
	}
	closedir(dd);
	return n;
}

static void dir_free(struct dir *d)
{
	DIR *dd = opendir(d->path);
	struct dirent *e;
	char p[320];

	assert_non_null(dd);
	while ((e = readdir(dd)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", d->path, e->d_name);
		unlink(p);
	}
	closedir(dd);
	rmdir(d->path);
}

static void write_bytes(const char *path, const void *b, size_t n)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(b, 1, n, f), n);
	fclose(f);
}

#define REG1 "reg 1111111111111111 1 0 iqn.2026-01.test:init,i,0x000000000001 " \
	     "iqn.2026-11.io.ctgt:disk0,t,0x0001\n"

/* Each of these is damaged. */
static const struct {
	const char *what;
	const char *text;
	size_t len;		/* 0: strlen(text) */
} bad_files[] = {
	{ "garbage", "not a reservation file\n", 0 },
	{ "empty", "", 0 },
	{ "no end line (cut at a line boundary)", "ctgt-pr 2\n" REG1, 0 },
	{ "cut inside a line", "ctgt-pr 2\nreg 1111111111111111 1 0 iqn.2026", 0 },
	{ "end count wrong", "ctgt-pr 2\n" REG1 "end 2\n", 0 },
	{ "text after end", "ctgt-pr 2\n" REG1 "end 1\nreg x\n", 0 },
	{ "short key", "ctgt-pr 2\nreg 1 1 0 a b\nend 1\n", 0 },
	{ "key zero", "ctgt-pr 2\nreg 0000000000000000 1 0 a b\nend 1\n", 0 },
	{ "signed number", "ctgt-pr 2\nreg 1111111111111111 -1 0 a b\nend 1\n", 0 },
	{ "port id too big", "ctgt-pr 2\nreg 1111111111111111 65536 0 a b\nend 1\n", 0 },
	{ "two spaces", "ctgt-pr 2\nreg 1111111111111111 1 0  a b\nend 1\n", 0 },
	{ "extra field", "ctgt-pr 2\nreg 1111111111111111 1 0 a b c\nend 1\n", 0 },
	{ "bad escape", "ctgt-pr 2\nreg 1111111111111111 1 0 a% b\nend 1\n", 0 },
	{ "escaped NUL", "ctgt-pr 2\nreg 1111111111111111 1 0 a%00b b\nend 1\n", 0 },
	{ "holder out of range", "ctgt-pr 2\n" REG1 "reservation 1 1\nend 1\n", 0 },
	{ "bad type", "ctgt-pr 2\n" REG1 "reservation 2 0\nend 1\n", 0 },
	{ "reservation alone", "ctgt-pr 1\nreservation 1 0\n", 0 },
	{ "NUL byte", "ctgt-pr 2\nreg 1111111111111111 1 0 a\0b c\nend 1\n", 47 },
};

static void test_damaged_files(void **state)
{
	struct scsi_lu_config cfg = { .lun = 0 };
	struct dir d;
	char text[4096];

	(void)state;
	log_set_level(LOG_LVL_ERROR + 0);
	for (size_t i = 0; i < sizeof(bad_files) / sizeof(bad_files[0]); i++) {
		size_t n = bad_files[i].len ? bad_files[i].len : strlen(bad_files[i].text);
		struct prt *p;

		dir_new(&d);
		cfg.pr_file = d.file;
		write_bytes(d.file, bad_files[i].text, n);
		p = setup_cfg(&cfg);			/* the LU is created */
		print_message("  %s\n", bad_files[i].what);
		assert_keys(p, 0, NULL);
		assert_resv(p, 0, 0);
		assert_int_equal(access(d.file, F_OK), -1);	/* moved, ... */
		assert_int_equal(damaged_files(&d, text, sizeof(text)), 1);
		assert_memory_equal(text, bad_files[i].text, n);	/* ... intact */
		/* APTPL still works, into a new file. */
		assert_int_equal(prout_ex(p, &p->f->itn, REGISTER, 0, 0, K1, 0x01), 0);
		assert_int_equal(access(d.file, F_OK), 0);
		teardown(p);
		dir_free(&d);
	}
}

static void test_overlong_line(void **state)
{
	struct scsi_lu_config cfg = { .lun = 0 };
	static char big[8192];
	struct prt *p;
	struct dir d;

	(void)state;
	dir_new(&d);
	cfg.pr_file = d.file;
	strcpy(big, "ctgt-pr 2\nreg 1111111111111111 1 0 ");
	memset(big + strlen(big), 'a', 6000);
	strcat(big, " b\nend 1\n");
	write_bytes(d.file, big, strlen(big));
	p = setup_cfg(&cfg);
	assert_keys(p, 0, NULL);
	assert_int_equal(damaged_files(&d, big, sizeof(big)), 1);
	teardown(p);
	/* A second damaged file the same second gets its own name. */
	write_bytes(d.file, "x\n", 2);
	p = setup_cfg(&cfg);
	teardown(p);
	assert_int_equal(damaged_files(&d, big, sizeof(big)), 2);
	dir_free(&d);
}

/* Names an initiator chose: escaped in the file, intact after a restart. */
static void test_hostile_names(void **state)
{
	struct scsi_lu_config cfg = { .lun = 0 };
	const char *evil = "iqn.x:a b\nreg 9999999999999999 1 1 x y\n%41,i,0x1";
	char text[2048];
	struct prt *p;
	struct dir d;
	FILE *f;
	size_t n;

	(void)state;
	dir_new(&d);
	cfg.pr_file = d.file;
	p = setup_cfg(&cfg);
	strcpy(p->f->itn.initiator_port, evil);
	assert_int_equal(prout_ex(p, &p->f->itn, REGISTER, 0, 0, K1, 0x01), 0);
	f = fopen(d.file, "r");
	assert_non_null(f);
	n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	fclose(f);
	assert_non_null(strstr(text, "iqn.x:a%20b%0Areg%209999999999999999%201%201%20x%20y%0A"
				     "%2541,i,0x1 "));
	assert_null(strstr(text, "9999999999999999 1 1"));
	teardown(p);
	p = setup_cfg(&cfg);
	strcpy(p->f->itn.initiator_port, evil);
	assert_keys(p, 1, (uint64_t[]){ K1 });
	/* The registration is this (oddly named) nexus' own. */
	assert_int_equal(prout(p, &p->f->itn, RESERVE, 1, K1, 0), 0);
	teardown(p);
	dir_free(&d);
}

static void test_version1_loads(void **state)
{
	struct scsi_lu_config cfg = { .lun = 0 };
	const char *v1 = "ctgt-pr 1\n" REG1 "reservation 1 0\n";
	struct prt *p;
	struct dir d;
	char text[64];

	(void)state;
	dir_new(&d);
	cfg.pr_file = d.file;
	write_bytes(d.file, v1, strlen(v1));
	p = setup_cfg(&cfg);
	assert_keys(p, 1, (uint64_t[]){ K1 });
	assert_resv(p, 1, K1);
	assert_int_equal(damaged_files(&d, text, sizeof(text)), 0);
	teardown(p);
	dir_free(&d);
}

/* Without a state file APTPL=1 is refused, and nothing is written. */
static void test_no_file(void **state)
{
	struct prt *p = setup();

	(void)state;
	assert_int_equal(prout_ex(p, &p->f->itn, REGISTER, 0, 0, K1, 0x01),
			 SCSI_STATUS_CHECK_CONDITION);
	assert_sense(&p->t, 0x5, 0x2600);
	assert_keys(p, 0, NULL);
	teardown(p);
}

/* ---- stderr captured into a file, for what the log says ---- */

struct capture {
	char path[32];
	int saved;		/* the real stderr */
};

static void capture_begin(struct capture *c)
{
	int fd;

	strcpy(c->path, "/tmp/ctgt-prlog-XXXXXX");
	fd = mkstemp(c->path);
	assert_true(fd >= 0);
	c->saved = dup(STDERR_FILENO);
	assert_true(c->saved >= 0);
	assert_int_equal(dup2(fd, STDERR_FILENO), STDERR_FILENO);
	close(fd);
}

/* Restore stderr; returns how many captured lines contain @a, @b in *nb. */
static int capture_end(struct capture *c, const char *a, const char *b, int *nb)
{
	char line[1024];
	FILE *f;
	int na = 0;

	assert_int_equal(dup2(c->saved, STDERR_FILENO), STDERR_FILENO);
	close(c->saved);
	f = fopen(c->path, "r");
	assert_non_null(f);
	*nb = 0;
	while (fgets(line, sizeof(line), f)) {
		na += strstr(line, a) != NULL;
		*nb += strstr(line, b) != NULL;
	}
	fclose(f);
	unlink(c->path);
	return na;
}

/*
 * The state file's directory is missing: every PERSISTENT RESERVE OUT still
 * completes GOOD with its change made (only the persistence failed), and the
 * failure is logged once, not once per command. Once the directory exists
 * the next save works and says so, once; when saving fails again, that is
 * logged again.
 */
static void test_save_failure_logged_once(void **state)
{
	struct scsi_lu_config cfg = { .lun = 0 };
	char sub[48], file[64];
	struct capture c;
	struct prt *p;
	struct dir d;
	int failed, again;

	(void)state;
	dir_new(&d);
	snprintf(sub, sizeof(sub), "%s/gone", d.path);
	snprintf(file, sizeof(file), "%s/lu.pr", sub);
	cfg.pr_file = file;
	p = setup_cfg(&cfg);
	log_set_level(LOG_LVL_INFO);
	capture_begin(&c);
	assert_int_equal(prout_ex(p, &p->f->itn, REGISTER, 0, 0, K1, 0x01), 0);
	for (int i = 0; i < 5; i++)
		assert_int_equal(prout_ex(p, &p->f->itn, REGISTER, 0, i % 2 ? K2 : K1,
					  i % 2 ? K1 : K2, 0x01), 0);
	assert_keys(p, 1, (uint64_t[]){ K2 });
	assert_int_equal(mkdir(sub, 0700), 0);
	assert_int_equal(prout_ex(p, &p->f->itn, REGISTER, 0, K2, K3, 0x01), 0);
	assert_int_equal(access(file, F_OK), 0);
	assert_int_equal(prout_ex(p, &p->f->itn, REGISTER, 0, K3, K1, 0x01), 0);
	assert_int_equal(unlink(file), 0);
	assert_int_equal(rmdir(sub), 0);
	assert_int_equal(prout_ex(p, &p->f->itn, REGISTER, 0, K1, K2, 0x01), 0);
	assert_int_equal(prout_ex(p, &p->f->itn, REGISTER, 0, K2, K3, 0x01), 0);
	failed = capture_end(&c, "cannot save the reservations", "works again", &again);
	log_set_level(LOG_LVL_ERROR);
	assert_keys(p, 1, (uint64_t[]){ K3 });
	assert_int_equal(failed, 2);
	assert_int_equal(again, 1);
	teardown(p);
	dir_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_damaged_files),
		cmocka_unit_test(test_overlong_line),
		cmocka_unit_test(test_hostile_names),
		cmocka_unit_test(test_version1_loads),
		cmocka_unit_test(test_no_file),
		cmocka_unit_test(test_save_failure_logged_once),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for the log line format: when stderr is the journal's stream
 * ($JOURNAL_STREAM names fd 2's device and inode) lines carry a syslog
 * priority prefix and no program name or level word; otherwise they are
 * "ctgt LEVEL COMPONENT: MESSAGE" as always. The level names read and
 * written back (--log-level, "logLevel").
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/log.h"

static void test_stream_value(void **state)
{
	(void)state;
	assert_true(log_is_journal_stream("8:1234", 8, 1234));
	assert_true(log_is_journal_stream("65024:5309405", 65024, 5309405));
	assert_false(log_is_journal_stream(NULL, 8, 1234));
	assert_false(log_is_journal_stream("", 8, 1234));
	assert_false(log_is_journal_stream("8:1235", 8, 1234));	/* another file */
	assert_false(log_is_journal_stream("9:1234", 8, 1234));
	assert_false(log_is_journal_stream("8:1234x", 8, 1234));	/* garbage */
	assert_false(log_is_journal_stream("8:", 8, 0));
	assert_false(log_is_journal_stream(":1234", 0, 1234));
	assert_false(log_is_journal_stream("8 1234", 8, 1234));
	assert_false(log_is_journal_stream("-8:1234", 8, 1234));
	assert_false(log_is_journal_stream("8:-1234", 8, 1234));
	assert_false(log_is_journal_stream("99999999999999999999999:1", 0, 1));	/* overflow */
}

static void test_lines(void **state)
{
	char b[128];

	(void)state;
	assert_int_equal(log_format_line(b, sizeof(b), LOG_FORMAT_PLAIN, LOG_LVL_WARN, "server",
					 0, "hello"),
			 strlen("ctgt warn server: hello\n"));
	assert_string_equal(b, "ctgt warn server: hello\n");
	log_format_line(b, sizeof(b), LOG_FORMAT_JOURNAL, LOG_LVL_ERROR, "c", 0, "m");
	assert_string_equal(b, "<3>c: m\n");
	log_format_line(b, sizeof(b), LOG_FORMAT_JOURNAL, LOG_LVL_WARN, "c", 0, "m");
	assert_string_equal(b, "<4>c: m\n");
	log_format_line(b, sizeof(b), LOG_FORMAT_JOURNAL, LOG_LVL_INFO, "c", 0, "m");
	assert_string_equal(b, "<6>c: m\n");
	log_format_line(b, sizeof(b), LOG_FORMAT_JOURNAL, LOG_LVL_DEBUG, "c", 3, "m");
	assert_string_equal(b, "<7>c: m (3 similar suppressed)\n");
}

static void test_cut_to_fit(void **state)
{
	char b[16], msg[64];

	(void)state;
	memset(msg, 'x', sizeof(msg) - 1);
	msg[sizeof(msg) - 1] = '\0';
	assert_int_equal(log_format_line(b, sizeof(b), LOG_FORMAT_JOURNAL, LOG_LVL_INFO, "c", 9,
					 msg),
			 sizeof(b) - 1);
	assert_string_equal(b, "<6>c: xxxxxxxx\n");
}

/* Point fd 2 at a fresh temporary file; returns the old fd 2 (restore()
 * puts it back). */
static int stderr_to_file(char *path, struct stat *st)
{
	int saved = dup(STDERR_FILENO);
	int fd = mkstemp(path);

	assert_true(saved >= 0 && fd >= 0);
	assert_int_equal(dup2(fd, STDERR_FILENO), STDERR_FILENO);
	close(fd);
	assert_int_equal(fstat(STDERR_FILENO, st), 0);
	return saved;
}

static void restore(int saved, const char *path)
{
	dup2(saved, STDERR_FILENO);
	close(saved);
	unlink(path);
	unsetenv("JOURNAL_STREAM");
	log_set_format(LOG_FORMAT_PLAIN);
}

static void test_detect(void **state)
{
	char path[] = "/tmp/ctgt-log-format.XXXXXX", v[64];
	struct stat st;
	int saved = stderr_to_file(path, &st);

	(void)state;
	unsetenv("JOURNAL_STREAM");
	assert_int_equal(log_detect_format(), LOG_FORMAT_PLAIN);
	snprintf(v, sizeof(v), "%llu:%llu", (unsigned long long)st.st_dev,
		 (unsigned long long)st.st_ino);
	setenv("JOURNAL_STREAM", v, 1);
	assert_int_equal(log_detect_format(), LOG_FORMAT_JOURNAL);
	/* Inherited from a service whose child sent stderr elsewhere. */
	snprintf(v, sizeof(v), "%llu:%llu", (unsigned long long)st.st_dev,
		 (unsigned long long)st.st_ino + 1);
	setenv("JOURNAL_STREAM", v, 1);
	assert_int_equal(log_detect_format(), LOG_FORMAT_PLAIN);
	restore(saved, path);
}

/* What log_msg() writes to fd 2 in each format. */
static void test_written(void **state)
{
	char path[] = "/tmp/ctgt-log-format.XXXXXX", got[256] = { 0 };
	struct stat st;
	int saved = stderr_to_file(path, &st);
	FILE *f;

	(void)state;
	log_set_format(LOG_FORMAT_JOURNAL);
	LOG_ERR("disk", "bad %d", 7);
	LOG_INFO("disk", "fine");
	log_set_format(LOG_FORMAT_PLAIN);
	LOG_WARN("disk", "plain");
	f = fopen(path, "r");
	assert_non_null(f);
	assert_true(fread(got, 1, sizeof(got) - 1, f) > 0);
	fclose(f);
	restore(saved, path);
	assert_string_equal(got, "<3>disk: bad 7\n<6>disk: fine\nctgt warn disk: plain\n");
}

/* Each level's name parses back to it; anything else is no level. */
static void test_level_names(void **state)
{
	static const char *const names[] = { "error", "warn", "info", "debug" };

	(void)state;
	for (int i = LOG_LVL_ERROR; i <= LOG_LVL_DEBUG; i++) {
		assert_string_equal(log_level_name((enum log_level)i), names[i]);
		assert_int_equal(log_parse_level(names[i]), i);
	}
	assert_int_equal(log_parse_level("loud"), -1);
	assert_int_equal(log_parse_level("Info"), -1);
	assert_int_equal(log_parse_level(""), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stream_value),
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_cut_to_fit),
		cmocka_unit_test(test_detect),
		cmocka_unit_test(test_written),
		cmocka_unit_test(test_level_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

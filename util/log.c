/* SPDX-License-Identifier: Apache-2.0 */
#include "util/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Read by every thread for every line, set by a reload on the control
 * thread: an atomic, relaxed (a line logged at the old level meanwhile is
 * harmless). */
static atomic_int g_threshold = LOG_LVL_INFO;

static bool above(enum log_level level)
{
	return (int)level > atomic_load_explicit(&g_threshold, memory_order_relaxed);
}
static enum log_format g_format = LOG_FORMAT_PLAIN;

static const char *const level_names[] = {
	[LOG_LVL_ERROR] = "error",
	[LOG_LVL_WARN] = "warn",
	[LOG_LVL_INFO] = "info",
	[LOG_LVL_DEBUG] = "debug",
};

void log_set_level(enum log_level level)
{
	atomic_store_explicit(&g_threshold, (int)level, memory_order_relaxed);
}

enum log_level log_get_level(void)
{
	return (enum log_level)atomic_load_explicit(&g_threshold, memory_order_relaxed);
}

int log_parse_level(const char *name)
{
	for (unsigned i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++)
		if (strcmp(name, level_names[i]) == 0)
			return (int)i;
	return -1;
}

const char *log_level_name(enum log_level level)
{
	return (unsigned)level < sizeof(level_names) / sizeof(level_names[0]) ? level_names[level]
									      : "info";
}

/* journald's priorities for ours (syslog's LOG_ERR, LOG_WARNING, LOG_INFO,
 * LOG_DEBUG). */
static const char journal_prio[] = {
	[LOG_LVL_ERROR] = '3',
	[LOG_LVL_WARN] = '4',
	[LOG_LVL_INFO] = '6',
	[LOG_LVL_DEBUG] = '7',
};

void log_set_format(enum log_format format)
{
	g_format = format;
}

bool log_is_journal_stream(const char *journal_stream, unsigned long long dev,
			   unsigned long long ino)
{
	unsigned long long d, i;
	char *end;

	if (journal_stream == NULL || journal_stream[0] < '0' || journal_stream[0] > '9')
		return false;
	errno = 0;
	d = strtoull(journal_stream, &end, 10);
	if (errno || *end != ':' || end[1] < '0' || end[1] > '9')
		return false;
	i = strtoull(end + 1, &end, 10);
	if (errno || *end != '\0')
		return false;
	return d == dev && i == ino;
}

enum log_format log_detect_format(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	struct stat st;

	if (js == NULL || fstat(STDERR_FILENO, &st) < 0)
		return LOG_FORMAT_PLAIN;
	return log_is_journal_stream(js, (unsigned long long)st.st_dev,
				     (unsigned long long)st.st_ino)
		       ? LOG_FORMAT_JOURNAL
		       : LOG_FORMAT_PLAIN;
}

size_t log_format_line(char *buf, size_t len, enum log_format format, enum log_level level,
		       const char *component, unsigned suppressed, const char *msg)
{
	int n;

	if (format == LOG_FORMAT_JOURNAL)
		n = snprintf(buf, len, "<%c>%s: %s", journal_prio[level], component, msg);
	else
		n = snprintf(buf, len, "ctgt %s %s: %s", level_names[level], component, msg);
	if (n < 0)
		n = 0;
	if (suppressed && (size_t)n < len)
		n += snprintf(buf + n, len - (size_t)n, " (%u similar suppressed)", suppressed);
	if ((size_t)n > len - 2)
		n = (int)len - 2;
	buf[n++] = '\n';
	buf[n] = '\0';
	return (size_t)n;
}

static void log_vmsg(enum log_level level, const char *component, unsigned suppressed,
		     const char *fmt, va_list ap)
{
	char msg[1024], line[1100];
	size_t n;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = log_format_line(line, sizeof(line), g_format, level, component, suppressed, msg);
	/* One write per line, so lines from several threads do not interleave. */
	if (write(STDERR_FILENO, line, n) < 0)
		return;
}

void log_msg(enum log_level level, const char *component, const char *fmt, ...)
{
	va_list ap;

	if (above(level))
		return;
	va_start(ap, fmt);
	log_vmsg(level, component, 0, fmt, ap);
	va_end(ap);
}

bool log_ratelimit_check(struct log_ratelimit *rl, uint64_t now_ms, unsigned *suppressed)
{
	unsigned burst = rl->burst ? rl->burst : 1;

	if (rl->last_ms && now_ms - rl->last_ms < rl->interval_ms) {
		if (rl->lines < burst) {
			rl->lines++;
			*suppressed = 0;	/* none yet in this interval */
			return true;
		}
		rl->suppressed++;
		return false;
	}
	*suppressed = rl->suppressed;
	rl->suppressed = 0;
	rl->lines = 1;
	/* 0 means "never logged": a clock at 0 ms still starts the interval. */
	rl->last_ms = now_ms ? now_ms : 1;
	return true;
}

bool log_ratelimit_flush(struct log_ratelimit *rl, uint64_t now_ms, unsigned *suppressed)
{
	if (!rl->suppressed || now_ms - rl->last_ms < rl->interval_ms)
		return false;
	*suppressed = rl->suppressed;
	rl->suppressed = 0;
	rl->last_ms = 0;
	return true;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void log_msg_rl(struct log_ratelimit *rl, enum log_level level, const char *component,
		const char *fmt, ...)
{
	unsigned suppressed;
	va_list ap;

	if (above(level) || !log_ratelimit_check(rl, now_ms(), &suppressed))
		return;
	va_start(ap, fmt);
	log_vmsg(level, component, suppressed, fmt, ap);
	va_end(ap);
}

void log_rl_summary(struct log_ratelimit *rl, enum log_level level, const char *component,
		    const char *what)
{
	unsigned suppressed;

	if (above(level) || !log_ratelimit_flush(rl, now_ms(), &suppressed))
		return;
	log_msg(level, component, "%u similar lines suppressed (%s)", suppressed, what);
}

/* SPDX-License-Identifier: Apache-2.0 */
#include "util/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static enum log_level g_threshold = LOG_LVL_INFO;

static const char *const level_names[] = {
	[LOG_LVL_ERROR] = "error",
	[LOG_LVL_WARN] = "warn",
	[LOG_LVL_INFO] = "info",
	[LOG_LVL_DEBUG] = "debug",
};

void log_set_level(enum log_level level)
{
	g_threshold = level;
}

enum log_level log_get_level(void)
{
	return g_threshold;
}

int log_parse_level(const char *name)
{
	for (unsigned i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++)
		if (strcmp(name, level_names[i]) == 0)
			return (int)i;
	return -1;
}

static void log_vmsg(enum log_level level, const char *component, unsigned suppressed,
		     const char *fmt, va_list ap)
{
	char line[1024];
	int n;

	n = snprintf(line, sizeof(line), "ctgt %s %s: ", level_names[level], component);
	n += vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	if (suppressed && n < (int)sizeof(line))
		n += snprintf(line + n, sizeof(line) - (size_t)n, " (%u similar suppressed)",
			      suppressed);
	if (n > (int)sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	/* One write per line, so lines from several threads do not interleave. */
	if (write(STDERR_FILENO, line, (size_t)n) < 0)
		return;
}

void log_msg(enum log_level level, const char *component, const char *fmt, ...)
{
	va_list ap;

	if (level > g_threshold)
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

	if (level > g_threshold || !log_ratelimit_check(rl, now_ms(), &suppressed))
		return;
	va_start(ap, fmt);
	log_vmsg(level, component, suppressed, fmt, ap);
	va_end(ap);
}

void log_rl_summary(struct log_ratelimit *rl, enum log_level level, const char *component,
		    const char *what)
{
	unsigned suppressed;

	if (level > g_threshold || !log_ratelimit_flush(rl, now_ms(), &suppressed))
		return;
	log_msg(level, component, "%u similar lines suppressed (%s)", suppressed, what);
}

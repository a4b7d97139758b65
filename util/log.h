/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Leveled logging to stderr. One process-wide threshold, set once at start-up
 * by the daemon; safe to call from any thread (each message is one write).
 */
#ifndef CTGT_UTIL_LOG_H
#define CTGT_UTIL_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum log_level { LOG_LVL_ERROR, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

/** Set the threshold: messages above it are dropped. */
void log_set_level(enum log_level level);
enum log_level log_get_level(void);

/** Parse "error", "warn", "info" or "debug"; returns -1 on anything else. */
int log_parse_level(const char *name);
/** The name log_parse_level() reads back ("error" ... "debug"). */
const char *log_level_name(enum log_level level);

/**
 * How a line looks. PLAIN: "ctgt <level> <component>: <message>", for a
 * terminal or a file. JOURNAL, when stderr is a stream to systemd's
 * journal: "<N><component>: <message>", N the syslog priority (3 error,
 * 4 warning, 6 info, 7 debug), which journald takes as the line's
 * priority and strips (sd-daemon(3)); the journal records the time and
 * the program itself, so the line does not repeat them.
 */
enum log_format { LOG_FORMAT_PLAIN, LOG_FORMAT_JOURNAL };

/** Set the format; once, at start-up, before other threads log. */
void log_set_format(enum log_format format);

/**
 * Whether  (the value of $JOURNAL_STREAM, "DEV:INO" in
 * decimal, as systemd sets it for a service whose output goes to the
 * journal; NULL: unset) names the file whose st_dev is  and st_ino
 * . Anything else (another file, garbage) is false.
 */
bool log_is_journal_stream(const char *journal_stream, unsigned long long dev,
			   unsigned long long ino);

/**
 * JOURNAL when $JOURNAL_STREAM names this process's stderr (so a
 * program started from a service with its stderr redirected elsewhere
 * keeps PLAIN), else PLAIN.
 */
enum log_format log_detect_format(void);

/**
 * Write into  ( > 1 bytes) the line of a message of  from
 * : the prefix of , , " (N similar suppressed)"
 * when , and a newline, cut to fit. Returns its length.
 */
size_t log_format_line(char *buf, size_t len, enum log_format format, enum log_level level,
		       const char *component, unsigned suppressed, const char *msg);

/** Print one line: "<level> <component>: <message>". */
void log_msg(enum log_level level, const char *component, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/**
 * A limit that is hit over and over logs one line, not one per hit: at most
 * @burst lines per @interval_ms (counted from the first line of the
 * interval), the first line of the next interval saying how many were
 * suppressed (or log_rl_summary(), when no line comes). One per limit, owned
 * by whoever checks it; not shared between threads.
 */
struct log_ratelimit {
	uint64_t interval_ms;
	unsigned burst;		/* lines per interval; 0 is taken as 1 */
	uint64_t last_ms;	/* when the interval started; 0: never */
	unsigned lines;		/* logged in this interval */
	unsigned suppressed;	/* hits not logged since the interval's last line */
};

#define LOG_RATELIMIT_INIT(ms) LOG_RATELIMIT_BURST(ms, 1)
#define LOG_RATELIMIT_BURST(ms, n) \
	{ .interval_ms = (ms), .burst = (n), .last_ms = 0, .lines = 0, .suppressed = 0 }

/**
 * Whether a hit at monotonic time @now_ms may log. When it may, *suppressed
 * gets the number of hits not logged since the previous line (and the count
 * restarts); otherwise the hit is counted.
 */
bool log_ratelimit_check(struct log_ratelimit *rl, uint64_t now_ms, unsigned *suppressed);

/**
 * Whether the interval has ended with hits suppressed and no line since:
 * then *suppressed gets their number, the count restarts and the next hit
 * starts a new interval.
 */
bool log_ratelimit_flush(struct log_ratelimit *rl, uint64_t now_ms, unsigned *suppressed);

/** log_msg() through @rl: the line gets " (N similar suppressed)" when N > 0. */
void log_msg_rl(struct log_ratelimit *rl, enum log_level level, const char *component,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/**
 * Call now and then (the server does, once a second): when log_ratelimit_flush()
 * says so, log "N similar lines suppressed (@what)", so that a flood which
 * stops still shows how large it was.
 */
void log_rl_summary(struct log_ratelimit *rl, enum log_level level, const char *component,
		    const char *what);

#define LOG_WARN_RL(rl, comp, ...) log_msg_rl(rl, LOG_LVL_WARN, comp, __VA_ARGS__)

#define LOG_ERR(comp, ...)   log_msg(LOG_LVL_ERROR, comp, __VA_ARGS__)
#define LOG_WARN(comp, ...)  log_msg(LOG_LVL_WARN, comp, __VA_ARGS__)
#define LOG_INFO(comp, ...)  log_msg(LOG_LVL_INFO, comp, __VA_ARGS__)
#define LOG_DEBUG(comp, ...) \
	do { if (log_get_level() >= LOG_LVL_DEBUG) log_msg(LOG_LVL_DEBUG, comp, __VA_ARGS__); } while (0)

#endif

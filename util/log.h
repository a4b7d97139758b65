/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Leveled logging to stderr. One process-wide threshold, set once at start-up
 * by the daemon; safe to call from any thread (each message is one write).
 */
#ifndef CTGT_UTIL_LOG_H
#define CTGT_UTIL_LOG_H

enum log_level { LOG_LVL_ERROR, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

/** Set the threshold: messages above it are dropped. */
void log_set_level(enum log_level level);
enum log_level log_get_level(void);

/** Parse "error", "warn", "info" or "debug"; returns -1 on anything else. */
int log_parse_level(const char *name);

/** Print one line: "<level> <component>: <message>". */
void log_msg(enum log_level level, const char *component, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define LOG_ERR(comp, ...)   log_msg(LOG_LVL_ERROR, comp, __VA_ARGS__)
#define LOG_WARN(comp, ...)  log_msg(LOG_LVL_WARN, comp, __VA_ARGS__)
#define LOG_INFO(comp, ...)  log_msg(LOG_LVL_INFO, comp, __VA_ARGS__)
#define LOG_DEBUG(comp, ...) \
	do { if (log_get_level() >= LOG_LVL_DEBUG) log_msg(LOG_LVL_DEBUG, comp, __VA_ARGS__); } while (0)

#endif

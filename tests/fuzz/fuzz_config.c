/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: the daemon's configuration loader.
 *
 * Input byte 0 picks the entry point:
 *   even: the rest is a config.json, written to a temporary file and loaded
 *         with config_load_json() (there is no in-memory entry point);
 *   odd:  the rest is the argument list of "ctgt serve", split at NUL and
 *         newline bytes, given to config_parse_args().
 * Either way the result is freed with config_free(): LeakSanitizer checks
 * that every path, successful or not, releases what it allocated.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/config.h"
#include "util/log.h"

#define MAX_ARGS 64

static char json_path[] = "/tmp/ctgt-fuzz-config-XXXXXX";
static int json_fd = -1;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	log_set_level(LOG_LVL_ERROR);
	json_fd = mkstemp(json_path);
	if (json_fd < 0) {
		perror("mkstemp");
		abort();
	}
	/* The name is not needed once open: nothing is left behind. */
	unlink(json_path);
	snprintf(json_path, sizeof(json_path), "/proc/self/fd/%d", json_fd);
	return 0;
}

static void fuzz_json(const uint8_t *data, size_t size)
{
	struct ctgt_config cfg = { .log_level = -1, .nop_interval = -1 };
	char err[CONFIG_ERR_LEN];

	if (ftruncate(json_fd, 0) < 0 || pwrite(json_fd, data, size, 0) != (ssize_t)size)
		abort();
	config_load_json(json_path, &cfg, err, sizeof(err));
	config_free(&cfg);
}

static void fuzz_args(const uint8_t *data, size_t size)
{
	struct ctgt_config cfg = { .log_level = -1, .nop_interval = -1 };
	char err[CONFIG_ERR_LEN];
	char *argv[MAX_ARGS + 1];
	char *buf = malloc(size + 1);
	int argc = 0;
	size_t start = 0;

	if (!buf)
		return;
	memcpy(buf, data, size);
	buf[size] = '\0';
	for (size_t i = 0; i <= size && argc < MAX_ARGS; i++) {
		if (i == size || buf[i] == '\0' || buf[i] == '\n') {
			buf[i] = '\0';
			argv[argc++] = buf + start;
			start = i + 1;
		}
	}
	argv[argc] = NULL;
	/* "--config FILE" may read any file; the input names /proc/self/fd/N
	 * at best, which is harmless. */
	config_parse_args(argc, argv, &cfg, err, sizeof(err));
	config_free(&cfg);
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	if (data[0] & 1)
		fuzz_args(data + 1, size - 1);
	else
		fuzz_json(data + 1, size - 1);
	return 0;
}

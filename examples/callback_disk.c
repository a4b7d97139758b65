/* SPDX-License-Identifier: Apache-2.0 */
/*
 * callback_disk: ctgt as a library. Serves over iSCSI a disk whose blocks come
 * from this program's callbacks: a block never written reads as the text
 * "lba=NNNNNNNNNNN\n" (the LBA in 11 decimal digits, 16 bytes) repeated over
 * the block; written blocks live in an in-memory hash map. Optionally one LBA
 * fails every read, to show how a callback's error reaches the initiator
 * (MEDIUM ERROR).
 *
 *   build/examples/callback_disk --portal 127.0.0.1:3260 --size 64M
 *
 * It prints "listening", "url" and "ready" lines like `ctgt serve` and runs
 * until SIGINT or SIGTERM.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ctgt/server.h>

#define PATTERN_UNIT 16		/* strlen("lba=00000000000\n") */
#define MAP_BUCKETS 4096

struct block {
	struct block *next;
	uint64_t lba;
	unsigned char data[];	/* block_size bytes */
};

/* The application's state: ctgt hands it back to every callback. */
struct disk {
	uint32_t block_size;
	uint64_t fail_lba;	/* reads of this LBA fail; UINT64_MAX: none */
	pthread_mutex_t lock;	/* the callbacks run on several threads */
	struct block *buckets[MAP_BUCKETS];
	uint64_t nwritten;
};

static void fill_pattern(unsigned char *buf, uint64_t lba, uint32_t block_size)
{
	char unit[PATTERN_UNIT + 1];

	snprintf(unit, sizeof(unit), "lba=%011" PRIu64 "\n", lba % UINT64_C(100000000000));
	for (uint32_t off = 0; off < block_size; off += PATTERN_UNIT)
		memcpy(buf + off, unit, PATTERN_UNIT);
}

/* Caller holds d->lock. */
static struct block **find(struct disk *d, uint64_t lba)
{
	struct block **b = &d->buckets[lba % MAP_BUCKETS];

	while (*b != NULL && (*b)->lba != lba)
		b = &(*b)->next;
	return b;
}

static int disk_read(void *ctx, void *buf, uint64_t offset, size_t len)
{
	struct disk *d = ctx;
	unsigned char *out = buf;

	for (size_t done = 0; done < len; done += d->block_size) {
		uint64_t lba = (offset + done) / d->block_size;
		struct block *b;

		if (lba == d->fail_lba)
			return -EIO;
		pthread_mutex_lock(&d->lock);
		b = *find(d, lba);
		if (b != NULL)
			memcpy(out + done, b->data, d->block_size);
		pthread_mutex_unlock(&d->lock);
		if (b == NULL)
			fill_pattern(out + done, lba, d->block_size);
	}
	return 0;
}

static int disk_write(void *ctx, const void *buf, uint64_t offset, size_t len)
{
	struct disk *d = ctx;
	const unsigned char *in = buf;
	int rc = 0;

	pthread_mutex_lock(&d->lock);
	for (size_t done = 0; done < len; done += d->block_size) {
		uint64_t lba = (offset + done) / d->block_size;
		struct block **slot = find(d, lba);

		if (*slot == NULL) {
			*slot = calloc(1, sizeof(**slot) + d->block_size);
			if (*slot == NULL) {
				rc = -ENOMEM;	/* the initiator sees a WRITE ERROR */
				break;
			}
			(*slot)->lba = lba;
			d->nwritten++;
		}
		memcpy((*slot)->data, in + done, d->block_size);
	}
	pthread_mutex_unlock(&d->lock);
	return rc;
}

/* ctgt is done with the disk: no callback runs any more. */
static void disk_release(void *ctx)
{
	struct disk *d = ctx;

	fprintf(stderr, "callback_disk: %" PRIu64 " blocks were written\n", d->nwritten);
	for (size_t i = 0; i < MAP_BUCKETS; i++) {
		while (d->buckets[i] != NULL) {
			struct block *b = d->buckets[i];

			d->buckets[i] = b->next;
			free(b);
		}
	}
	pthread_mutex_destroy(&d->lock);
	free(d);
}

/* ---- command line ------------------------------------------------------- */

struct options {
	char host[64];
	uint16_t port;
	const char *target;
	uint64_t size;
	uint32_t block_size;
	unsigned threads;
	uint64_t fail_lba;
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: callback_disk [--portal HOST:PORT] [--target IQN] [--size SIZE]\n"
		"                     [--block-size BYTES] [--threads N] [--fail-lba LBA]\n"
		"  defaults: --portal 127.0.0.1:3260 --target iqn.2026-11.io.ctgt:callback-disk\n"
		"            --size 64M --block-size 512 --threads 4\n");
}

/* "127.0.0.1:3260", "[::1]:3260" or a bare host (port 3260). */
static int parse_portal(const char *s, struct options *o)
{
	const char *end, *colon;
	unsigned long port = 3260;
	char *rest;

	if (s[0] == '[') {
		end = strchr(s, ']');
		if (end == NULL)
			return -1;
		colon = end[1] == ':' ? end + 1 : NULL;
		s++;
	} else {
		colon = strrchr(s, ':');
		end = colon != NULL ? colon : s + strlen(s);
	}
	if ((size_t)(end - s) >= sizeof(o->host) || end == s)
		return -1;
	memcpy(o->host, s, (size_t)(end - s));
	o->host[end - s] = '\0';
	if (colon != NULL) {
		errno = 0;
		port = strtoul(colon + 1, &rest, 10);
		if (errno != 0 || rest == colon + 1 || *rest != '\0' || port > 65535)
			return -1;
	}
	o->port = (uint16_t)port;
	return 0;
}

/* "4096", "512K", "64M", "2G". */
static int parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || end == s || s[0] == '-')
		return -1;
	switch (*end) {
	case 'K': v <<= 10; end++; break;
	case 'M': v <<= 20; end++; break;
	case 'G': v <<= 30; end++; break;
	default: break;
	}
	if (*end != '\0')
		return -1;
	*out = v;
	return 0;
}

static int parse_args(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "portal", required_argument, NULL, 'p' },
		{ "target", required_argument, NULL, 't' },
		{ "size", required_argument, NULL, 's' },
		{ "block-size", required_argument, NULL, 'b' },
		{ "threads", required_argument, NULL, 'j' },
		{ "fail-lba", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t v;
	int c;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (parse_portal(optarg, o) < 0)
				return -1;
			break;
		case 't':
			o->target = optarg;
			break;
		case 's':
			if (parse_size(optarg, &o->size) < 0)
				return -1;
			break;
		case 'b':
			if (parse_size(optarg, &v) < 0 || v > UINT32_MAX)
				return -1;
			o->block_size = (uint32_t)v;
			break;
		case 'j':
			if (parse_size(optarg, &v) < 0 || v == 0 || v > 64)
				return -1;
			o->threads = (unsigned)v;
			break;
		case 'f':
			if (parse_size(optarg, &o->fail_lba) < 0)
				return -1;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			return -1;
		}
	}
	return optind == argc ? 0 : -1;
}

/* ---- serving ------------------------------------------------------------ */

static struct disk *disk_new(const struct options *o)
{
	struct disk *d = calloc(1, sizeof(*d));

	if (d == NULL)
		return NULL;
	d->block_size = o->block_size;
	d->fail_lba = o->fail_lba;
	pthread_mutex_init(&d->lock, NULL);
	return d;
}

static int serve(const struct options *o)
{
	static const struct ctgt_lu_callbacks callbacks = {
		.read = disk_read,
		.write = disk_write,
		.release = disk_release,
	};
	struct ctgt_lu_params params = {
		.lun = 0,
		.size = o->size,
		.block_size = o->block_size,
		.threads = o->threads,
		.product = "CALLBACK-DISK",
	};
	struct ctgt_server *srv = ctgt_server_create();
	struct disk *d = disk_new(o);
	char err[256] = "";
	int rc = 1;

	if (srv == NULL || d == NULL || ctgt_server_catch_signals(srv) < 0 ||
	    ctgt_server_add_target(srv, o->target, err, sizeof(err)) < 0) {
		fprintf(stderr, "callback_disk: cannot set up the server%s%s\n",
			srv != NULL && d != NULL ? ": " : "", srv != NULL && d != NULL ? err : "");
		if (d != NULL)
			disk_release(d);
		goto out;
	}
	/* From here on the disk belongs to the server, even if adding it fails:
	 * the server calls disk_release(). */
	if (ctgt_server_add_lu(srv, o->target, &params, &callbacks, d, err, sizeof(err)) < 0 ||
	    ctgt_server_add_portal(srv, o->host, o->port, 1, err, sizeof(err)) < 0) {
		fprintf(stderr, "callback_disk: %s\n", err);
		goto out;
	}
	ctgt_server_announce(srv, stdout);
	rc = ctgt_server_run(srv) < 0;
out:
	ctgt_server_destroy(srv);	/* calls disk_release() */
	return rc;
}

int main(int argc, char **argv)
{
	struct options o = {
		.host = "127.0.0.1",
		.port = 3260,
		.target = "iqn.2026-11.io.ctgt:callback-disk",
		.size = 64ull << 20,
		.block_size = 512,
		.threads = 4,
		.fail_lba = UINT64_MAX,
	};

	if (parse_args(argc, argv, &o) < 0) {
		usage(stderr);
		return 2;
	}
	if (o.block_size < PATTERN_UNIT || o.block_size % PATTERN_UNIT != 0) {
		fprintf(stderr, "callback_disk: block size must be a multiple of %d\n",
			PATTERN_UNIT);
		return 2;
	}
	return serve(&o);
}

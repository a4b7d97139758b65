// SPDX-License-Identifier: Apache-2.0
/*
 * loadgen: the load generator of `make bench` (tools/bench/run.sh).
 *
 * One thread drives S iSCSI sessions (libiscsi contexts, asynchronous API)
 * from one poll loop, keeping D commands in flight on each: READ(16) and
 * WRITE(16) of one block size at random or sequential offsets, a given
 * percentage of them reads. After an optional ramp, it measures for a fixed
 * time and prints one JSON object: IOPS, MB/s (10^6 bytes), latency
 * percentiles (from a histogram, tools/bench/hist.h), its own CPU time per
 * I/O (getrusage) and, with --server-pid, the target process's CPU time per
 * I/O (utime + stime of /proc/PID/stat over the same window).
 *
 * --verify checks data: every write carries a pattern naming its place and
 * generation (tools/bench/pattern.h), a chunk is never read and written at
 * once, every read of a chunk written in this run is compared, and after the
 * timed window every written chunk is read back once more.
 *
 * A command answered with UNIT ATTENTION (a LUN added, a LU resized) is
 * sent again, as an initiator does, and counted ("unit_attentions").
 * SIGINT ends the measured window early; the results cover what ran
 * (tests that change the target under a load stop it so; SIGTERM still
 * just ends the process). A run that
 * cannot finish (its target gone) gives up 20 s after the signal, or 120 s
 * after its planned end; a second signal ends it at once.
 *
 * Exit status: 0 when I/Os completed with no error (and no mismatch), 1 on
 * an I/O error, a mismatch, a lost session or no I/O at all, 2 on bad usage.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <iscsi/iscsi.h>
#include <iscsi/scsi-lowlevel.h>
#include <jansson.h>

#include "tools/bench/cputime.h"
#include "tools/bench/hist.h"
#include "tools/bench/opts.h"
#include "tools/bench/pattern.h"

#define MAX_VERIFY_CHUNKS (1u << 24)
#define DRAIN_TIMEOUT_NS (30ULL * 1000000000ULL)
#define PICK_TRIES 8
#define INITIATOR "iqn.2026-12.io.ctgt:loadgen"


enum phase { PH_RAMP, PH_MEASURE, PH_DRAIN, PH_READBACK, PH_DONE };

struct session;

/* One command slot: the buffer it owns (allocated once) and the command in
 * flight in it, if any. */
struct slot {
	struct session *s;
	uint8_t *buf;
	struct scsi_iovec iov;
	uint64_t start_ns;
	uint64_t chunk;
	uint32_t gen;
	unsigned ua_retries;	/* unit attentions in a row for this command */
	bool is_read;
	bool busy;
};

struct session {
	struct run *run;
	struct iscsi_context *ctx;
	const char *url;
	int lun;
	uint32_t lbsize;
	uint64_t bytes;
	struct slot slots[MAX_DEPTH];
	int inflight;
};

struct counters {
	uint64_t reads, writes, bytes;
	struct hist all, rd, wr;
};

/* What the window measured, taken when it ends. */
struct window {
	uint64_t t0_ns, t1_ns;
	uint64_t client_us0, client_us1;
	long long server_ticks0, server_ticks1;
};

struct run {
	struct opts o;
	struct session *sess[MAX_SESSIONS];
	int nsess;
	uint64_t nchunks;
	uint64_t seq_next;
	uint64_t rng;
	enum phase phase;
	/* Verify state, one entry per chunk: generation last written (0: not
	 * written in this run, or unknown after a failed write), in use. */
	uint32_t *gen;
	uint8_t *chunk_busy;
	uint64_t readback_next;
	struct counters c;
	struct window w;
	uint64_t errors, verified, mismatches, drain_start_ns;
	uint64_t unit_attentions;	/* answered with UNIT ATTENTION: sent again */
	uint64_t stop_ns;		/* when a stop signal was seen, or 0 */
	char first_error[256];
	bool fatal;
};

/* ------------------------------------------------------------ utilities */

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static uint64_t xorshift(uint64_t *s)
{
	uint64_t x = *s;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

static void note_error(struct run *r, const char *fmt, const char *what)
{
	r->errors++;
	if (!r->first_error[0])
		snprintf(r->first_error, sizeof(r->first_error), fmt, what);
}

/* -------------------------------------------------------- choosing I/Os */

static uint64_t next_chunk(struct run *r)
{
	if (r->o.random)
		return xorshift(&r->rng) % r->nchunks;
	return r->seq_next++ % r->nchunks;
}

/* Next chunk for the timed load; false when every try hit a chunk another
 * command holds (verify mode only), so the slot waits for the next round. */
static bool pick_load(struct run *r, struct slot *sl)
{
	sl->is_read = (int)(xorshift(&r->rng) % 100) < r->o.read_pct;
	for (int i = 0; i < PICK_TRIES; i++) {
		uint64_t c = next_chunk(r);
		if (!r->o.verify || !r->chunk_busy[c]) {
			sl->chunk = c;
			return true;
		}
	}
	return false;
}

/* Next written chunk of the read-back pass; false when none is left. */
static bool pick_readback(struct run *r, struct slot *sl)
{
	while (r->readback_next < r->nchunks && r->gen[r->readback_next] == 0)
		r->readback_next++;
	if (r->readback_next == r->nchunks)
		return false;
	sl->chunk = r->readback_next++;
	sl->is_read = true;
	return true;
}

/* ----------------------------------------------------------- commands */

static void io_done(struct iscsi_context *ctx, int status, void *data, void *priv);

static bool may_submit(const struct run *r)
{
	return r->phase == PH_RAMP || r->phase == PH_MEASURE || r->phase == PH_READBACK;
}

static void prepare_write(struct run *r, struct slot *sl)
{
	if (!r->o.verify)
		return;
	sl->gen = r->gen[sl->chunk] + 1;
	if (sl->gen == 0)
		sl->gen = 1;
	pattern_fill(sl->buf, r->o.bs, sl->chunk * r->o.bs, r->o.seed, sl->gen);
}

static struct scsi_task *issue(struct session *s, struct slot *sl)
{
	uint32_t bs = s->run->o.bs;
	uint64_t lba = sl->chunk * bs / s->lbsize;
	if (sl->is_read)
		return iscsi_read16_iov_task(s->ctx, s->lun, lba, bs, (int)s->lbsize, 0, 0, 0,
					     0, 0, io_done, sl, &sl->iov, 1);
	return iscsi_write16_iov_task(s->ctx, s->lun, lba, sl->buf, bs, (int)s->lbsize, 0, 0,
				      0, 0, 0, io_done, sl, &sl->iov, 1);
}

/* Start a command in a free slot, if the phase wants one and a chunk is
 * free. */
static void submit(struct slot *sl)
{
	struct session *s = sl->s;
	struct run *r = s->run;
	if (!may_submit(r) || sl->busy)
		return;
	bool ok = r->phase == PH_READBACK ? pick_readback(r, sl) : pick_load(r, sl);
	if (!ok)
		return;
	if (!sl->is_read)
		prepare_write(r, sl);
	sl->start_ns = now_ns();
	sl->ua_retries = 0;
	if (!issue(s, sl)) {
		note_error(r, "cannot queue a command: %s", iscsi_get_error(s->ctx));
		r->fatal = true;
		return;
	}
	sl->busy = true;
	s->inflight++;
	if (r->o.verify)
		r->chunk_busy[sl->chunk] = 1;
}

static void count_done(struct run *r, const struct slot *sl, uint64_t lat)
{
	if (r->phase != PH_MEASURE)
		return;
	hist_add(&r->c.all, lat);
	hist_add(sl->is_read ? &r->c.rd : &r->c.wr, lat);
	if (sl->is_read)
		r->c.reads++;
	else
		r->c.writes++;
	r->c.bytes += r->o.bs;
}

static void check_read(struct run *r, const struct slot *sl)
{
	uint32_t gen = r->gen[sl->chunk];
	if (gen == 0)
		return;
	uint64_t off = sl->chunk * r->o.bs;
	long bad = pattern_check(sl->buf, r->o.bs, off, r->o.seed, gen);
	r->verified++;
	if (bad < 0)
		return;
	r->mismatches++;
	char where[96];
	snprintf(where, sizeof(where), "byte %" PRIu64 " (generation %" PRIu32 ")",
		 off + (uint64_t)bad, gen);
	note_error(r, "data mismatch at disk %s", where);
}

static void verify_done(struct run *r, const struct slot *sl, bool good)
{
	if (!sl->is_read)
		r->gen[sl->chunk] = good ? sl->gen : 0;
	else if (good)
		check_read(r, sl);
	r->chunk_busy[sl->chunk] = 0;
}

/* More unit attentions in a row for one command than any target change
 * raises: an error, not a retry. */
#define UA_RETRIES_MAX 8

/*
 * A command answered with UNIT ATTENTION did not run (SAM-5: the target
 * reports a change, such as a LUN added or a resize, and the command is
 * to be sent again), as an initiator's SCSI layer retries it: count it and
 * send it again in the same slot (same chunk, same data). True when sent.
 */
static bool retry_unit_attention(struct slot *sl, int status, struct scsi_task *t)
{
	struct run *r = sl->s->run;

	if (status != SCSI_STATUS_CHECK_CONDITION || t->sense.key != SCSI_SENSE_UNIT_ATTENTION ||
	    sl->ua_retries >= UA_RETRIES_MAX || !may_submit(r))
		return false;
	r->unit_attentions++;
	sl->ua_retries++;
	if (!issue(sl->s, sl))
		return false;
	scsi_free_scsi_task(t);
	return true;
}

static void io_done(struct iscsi_context *ctx, int status, void *data, void *priv)
{
	struct slot *sl = priv;
	struct run *r = sl->s->run;
	uint64_t lat = now_ns() - sl->start_ns;
	bool good = status == SCSI_STATUS_GOOD;

	if (retry_unit_attention(sl, status, data))
		return;
	if (!good && status != SCSI_STATUS_CANCELLED)
		note_error(r, "command failed: %s", iscsi_get_error(ctx));
	if (r->o.verify)
		verify_done(r, sl, good);
	if (good)
		count_done(r, sl, lat);
	scsi_free_scsi_task(data);
	sl->busy = false;
	sl->s->inflight--;
	submit(sl);
}

/* ------------------------------------------------------------ sessions */

static int read_capacity(struct session *s)
{
	struct scsi_task *t = iscsi_readcapacity16_sync(s->ctx, s->lun);
	if (!t || t->status != SCSI_STATUS_GOOD) {
		fprintf(stderr, "loadgen: READ CAPACITY(16) of %s failed: %s\n", s->url,
			iscsi_get_error(s->ctx));
		if (t)
			scsi_free_scsi_task(t);
		return -1;
	}
	struct scsi_readcapacity16 *rc = scsi_datain_unmarshall(t);
	if (rc) {
		s->lbsize = rc->block_length;
		s->bytes = (rc->returned_lba + 1) * (uint64_t)rc->block_length;
	}
	scsi_free_scsi_task(t);
	return rc && s->lbsize ? 0 : -1;
}

static int login(struct session *s)
{
	struct iscsi_url *u = iscsi_parse_full_url(s->ctx, s->url);
	if (!u) {
		fprintf(stderr, "loadgen: bad URL %s: %s\n", s->url, iscsi_get_error(s->ctx));
		return -1;
	}
	iscsi_set_targetname(s->ctx, u->target);
	iscsi_set_session_type(s->ctx, ISCSI_SESSION_NORMAL);
	iscsi_set_header_digest(s->ctx, ISCSI_HEADER_DIGEST_NONE);
	/* A dropped connection is an error of the run, not something to hide
	 * behind a reconnect and a retry. */
	iscsi_set_noautoreconnect(s->ctx, 1);
	s->lun = u->lun;
	int rc = iscsi_full_connect_sync(s->ctx, u->portal, u->lun);
	iscsi_destroy_url(u);
	if (rc != 0) {
		fprintf(stderr, "loadgen: login to %s failed: %s\n", s->url,
			iscsi_get_error(s->ctx));
		return -1;
	}
	return read_capacity(s);
}

static int alloc_slots(struct session *s, int depth, uint32_t bs)
{
	for (int i = 0; i < depth; i++) {
		struct slot *sl = &s->slots[i];
		sl->s = s;
		if (posix_memalign((void **)&sl->buf, 4096, bs) != 0)
			return -1;
		/* Non-zero data for plain writes; verify mode rewrites it per write. */
		memset(sl->buf, 0xa5 ^ i, bs);
		sl->iov.iov_base = sl->buf;
		sl->iov.iov_len = bs;
	}
	return 0;
}

static struct session *session_open(struct run *r, const char *url)
{
	struct session *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->run = r;
	s->url = url;
	s->ctx = iscsi_create_context(INITIATOR);
	if (s->ctx && login(s) == 0 && alloc_slots(s, r->o.depth, r->o.bs) == 0)
		return s;
	if (s->ctx)
		iscsi_destroy_context(s->ctx);
	for (int i = 0; i < MAX_DEPTH; i++)
		free(s->slots[i].buf);
	free(s);
	return NULL;
}

static void session_close(struct session *s)
{
	if (iscsi_is_logged_in(s->ctx))
		iscsi_logout_sync(s->ctx);
	iscsi_destroy_context(s->ctx);
	for (int i = 0; i < MAX_DEPTH; i++)
		free(s->slots[i].buf);
	free(s);
}

/* The span (default: the smallest LU) in whole chunks; every LU's block size
 * must divide the I/O size. */
static int size_chunks(struct run *r)
{
	uint64_t span = r->o.span;
	for (int i = 0; i < r->nsess; i++) {
		struct session *s = r->sess[i];
		if (r->o.bs % s->lbsize) {
			fprintf(stderr, "loadgen: block size %u is not a multiple of %s's %u\n",
				r->o.bs, s->url, s->lbsize);
			return -1;
		}
		if (span == 0 || s->bytes < span)
			span = s->bytes;
	}
	r->nchunks = span / r->o.bs;
	if (r->nchunks == 0) {
		fprintf(stderr, "loadgen: the LU is smaller than one I/O\n");
		return -1;
	}
	return 0;
}

static int alloc_verify(struct run *r)
{
	if (!r->o.verify)
		return 0;
	if (r->nchunks > MAX_VERIFY_CHUNKS) {
		fprintf(stderr, "loadgen: --verify tracks at most %u chunks; use --span\n",
			MAX_VERIFY_CHUNKS);
		return -1;
	}
	r->gen = calloc(r->nchunks, sizeof(*r->gen));
	r->chunk_busy = calloc(r->nchunks, 1);
	return r->gen && r->chunk_busy ? 0 : -1;
}

static int open_all(struct run *r)
{
	for (int i = 0; i < r->o.sessions; i++) {
		struct session *s = session_open(r, r->o.urls[i % r->o.nurls]);
		if (!s)
			return -1;
		r->sess[r->nsess++] = s;
	}
	if (size_chunks(r) != 0 || alloc_verify(r) != 0)
		return -1;
	r->seq_next = 0;
	return 0;
}

/* ------------------------------------------------------------ the loop */

static int total_inflight(const struct run *r)
{
	int n = 0;
	for (int i = 0; i < r->nsess; i++)
		n += r->sess[i]->inflight;
	return n;
}

static void top_up(struct run *r)
{
	for (int i = 0; i < r->nsess && !r->fatal; i++)
		for (int d = 0; d < r->o.depth; d++)
			submit(&r->sess[i]->slots[d]);
}

static void window_open(struct run *r, uint64_t now)
{
	memset(&r->c, 0, sizeof(r->c));
	hist_reset(&r->c.all);
	hist_reset(&r->c.rd);
	hist_reset(&r->c.wr);
	r->w.t0_ns = now;
	r->w.client_us0 = self_cpu_us();
	r->w.server_ticks0 = r->o.server_pid ? proc_cpu_ticks(r->o.server_pid) : -1;
	r->phase = PH_MEASURE;
}

static void window_close(struct run *r, uint64_t now)
{
	r->w.t1_ns = now;
	r->w.client_us1 = self_cpu_us();
	r->w.server_ticks1 = r->o.server_pid ? proc_cpu_ticks(r->o.server_pid) : -1;
	r->phase = PH_DRAIN;
	r->drain_start_ns = now;
}

/* Set by SIGINT: end the measured window now. */
static volatile sig_atomic_t g_stop;

/* A second signal ends the process at once: a run that cannot finish
 * (its target gone, libiscsi reconnecting) must still be stoppable. */
static void on_stop_signal(int sig)
{
	(void)sig;
	if (g_stop)
		_exit(1);
	g_stop = 1;
}

/* After a stop signal, the drain and the read-back get this long; a run
 * still going this long after its planned end is given up. */
#define STOP_GRACE_NS (20ULL * 1000000000ULL)
#define OVERRUN_NS (120ULL * 1000000000ULL)

/* Without SA_RESTART: a signal during poll() ends it at once. */
static void catch_stop_signals(void)
{
	struct sigaction sa = { .sa_handler = on_stop_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);	/* SIGTERM keeps its default: it ends us */
}

/* Move through the phases by the clock and the commands in flight. */
static void advance(struct run *r, uint64_t start)
{
	uint64_t now = now_ns();
	uint64_t ramp_end = start + (uint64_t)(r->o.ramp_s * 1e9);
	uint64_t end = ramp_end + (uint64_t)(r->o.duration_s * 1e9);
	if (r->phase == PH_RAMP && (now >= ramp_end || g_stop))
		window_open(r, now);
	if (r->phase == PH_MEASURE && (now >= end || g_stop))
		window_close(r, now);
	if (r->phase == PH_DRAIN && total_inflight(r) == 0) {
		r->phase = r->o.verify ? PH_READBACK : PH_DONE;
		top_up(r);
	}
	if (r->phase == PH_READBACK && total_inflight(r) == 0)
		r->phase = PH_DONE;
	if (r->phase == PH_DRAIN && now - r->drain_start_ns > DRAIN_TIMEOUT_NS) {
		note_error(r, "%s", "commands still in flight 30 s after the end");
		r->fatal = true;
	}
	if (g_stop && r->stop_ns == 0)
		r->stop_ns = now;
	if (r->phase != PH_DONE && ((r->stop_ns && now - r->stop_ns > STOP_GRACE_NS) ||
				    now > end + OVERRUN_NS)) {
		note_error(r, "%s", "could not finish (its target gone?): given up");
		r->fatal = true;
	}
}

static int service_all(struct run *r)
{
	struct pollfd pfd[MAX_SESSIONS];
	for (int i = 0; i < r->nsess; i++) {
		pfd[i].fd = iscsi_get_fd(r->sess[i]->ctx);
		pfd[i].events = (short)iscsi_which_events(r->sess[i]->ctx);
		pfd[i].revents = 0;
	}
	if (poll(pfd, (nfds_t)r->nsess, 100) < 0 && errno != EINTR)
		return -1;
	for (int i = 0; i < r->nsess; i++) {
		if (iscsi_service(r->sess[i]->ctx, pfd[i].revents) < 0) {
			note_error(r, "session lost: %s", iscsi_get_error(r->sess[i]->ctx));
			return -1;
		}
	}
	return 0;
}

static void run_load(struct run *r)
{
	uint64_t start = now_ns();

	catch_stop_signals();
	r->phase = r->o.ramp_s > 0 ? PH_RAMP : PH_MEASURE;
	if (r->phase == PH_MEASURE)
		window_open(r, start);
	top_up(r);
	while (r->phase != PH_DONE && !r->fatal) {
		if (service_all(r) != 0) {
			r->fatal = true;
			break;
		}
		top_up(r);
		advance(r, start);
	}
	if (r->phase == PH_MEASURE)
		window_close(r, now_ns());
}

/* ------------------------------------------------------------ results */

static json_t *lat_json(const struct hist *h)
{
	return json_pack("{s:f, s:f, s:f, s:f, s:f}", "mean", hist_mean(h) / 1e3, "p50",
			 hist_percentile(h, 50) / 1e3, "p99", hist_percentile(h, 99) / 1e3,
			 "p999", hist_percentile(h, 99.9) / 1e3, "max",
			 (h->count ? h->max : 0) / 1e3);
}

static json_t *per_io(double total, uint64_t ios)
{
	return ios && total >= 0 ? json_real(total / (double)ios) : json_null();
}

static json_t *server_cpu(const struct run *r, uint64_t ios)
{
	if (r->w.server_ticks0 < 0 || r->w.server_ticks1 < 0)
		return json_null();
	double us = (double)(r->w.server_ticks1 - r->w.server_ticks0) * 1e6 /
		    (double)sysconf(_SC_CLK_TCK);
	return per_io(us, ios);
}

static json_t *config_json(const struct run *r)
{
	json_t *urls = json_array();
	for (int i = 0; i < r->o.nurls; i++)
		json_array_append_new(urls, json_string(r->o.urls[i]));
	return json_pack("{s:o, s:i, s:i, s:I, s:s, s:i, s:f, s:f, s:I, s:b}", "urls", urls,
			 "sessions", r->o.sessions, "depth", r->o.depth, "block_size",
			 (json_int_t)r->o.bs, "pattern", r->o.random ? "random" : "sequential",
			 "read_pct", r->o.read_pct, "duration_s", r->o.duration_s, "ramp_s",
			 r->o.ramp_s, "span", (json_int_t)(r->nchunks * r->o.bs), "verify",
			 r->o.verify);
}

static json_t *result_json(const struct run *r)
{
	uint64_t ios = r->c.reads + r->c.writes;
	double secs = (double)(r->w.t1_ns - r->w.t0_ns) / 1e9;
	json_t *j = json_pack(
		"{s:s, s:s?, s:o, s:f, s:I, s:I, s:I, s:f, s:f, s:o, s:o, s:o, s:o, s:o, s:I}",
		"tool", "ctgt-loadgen", "label", r->o.label, "config", config_json(r),
		"elapsed_s", secs, "ios", (json_int_t)ios, "reads", (json_int_t)r->c.reads,
		"writes", (json_int_t)r->c.writes, "iops", secs > 0 ? (double)ios / secs : 0.0,
		"mb_s", secs > 0 ? (double)r->c.bytes / secs / 1e6 : 0.0, "lat_us",
		lat_json(&r->c.all), "read_lat_us", lat_json(&r->c.rd), "write_lat_us",
		lat_json(&r->c.wr), "client_cpu_us_per_io",
		per_io((double)(r->w.client_us1 - r->w.client_us0), ios), "server_cpu_us_per_io",
		server_cpu(r, ios), "errors", (json_int_t)r->errors);
	json_object_set_new(j, "unit_attentions", json_integer((json_int_t)r->unit_attentions));
	if (r->o.verify)
		json_object_set_new(j, "verify",
				    json_pack("{s:I, s:I}", "checked", (json_int_t)r->verified,
					      "mismatches", (json_int_t)r->mismatches));
	if (r->first_error[0])
		json_object_set_new(j, "first_error", json_string(r->first_error));
	return j;
}

static int print_result(const struct run *r)
{
	json_t *j = result_json(r);
	char *s = j ? json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(6)) : NULL;
	json_decref(j);
	if (!s)
		return -1;
	printf("%s\n", s);
	free(s);
	return fflush(stdout) == 0 ? 0 : -1;
}

static void finish(struct run *r)
{
	r->phase = PH_DONE; /* the commands cancelled by a close start no others */
	for (int i = 0; i < r->nsess; i++)
		session_close(r->sess[i]);
	free(r->gen);
	free(r->chunk_busy);
}

int main(int argc, char **argv)
{
	static struct run r;
	int p = parse_args(argc, argv, &r.o);
	if (p != 0) {
		usage(p > 0 ? stdout : stderr);
		return p > 0 ? 0 : 2;
	}
	r.rng = r.o.seed * 0x9e3779b97f4a7c15ULL | 1;
	if (open_all(&r) != 0) {
		finish(&r);
		return 1;
	}
	run_load(&r);
	int rc = print_result(&r) == 0 && !r.fatal && r.errors == 0 &&
		 r.c.reads + r.c.writes > 0 ? 0 : 1;
	if (r.first_error[0])
		fprintf(stderr, "loadgen: %s\n", r.first_error);
	finish(&r);
	return rc;
}

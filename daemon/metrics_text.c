/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The exposition (daemon/metrics_text.h). Every family is written whole,
 * its HELP and TYPE lines first, as the format requires, so the LUs'
 * counters are gathered for every target before any is written.
 */
#include "daemon/metrics_text.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ctgt/admin.h"

/* ---- text ---------------------------------------------------------------- */

static bool mt_reserve(struct mtext *t, size_t more)
{
	size_t cap = t->cap ? t->cap : 4096;
	char *p;

	if (t->failed)
		return false;
	while (cap - t->len <= more)
		cap *= 2;
	if (cap == t->cap)
		return true;
	if ((p = realloc(t->p, cap)) == NULL) {
		t->failed = true;
		return false;
	}
	t->p = p;
	t->cap = cap;
	return true;
}

void mt_printf(struct mtext *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !mt_reserve(t, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(t->p + t->len, t->cap - t->len, fmt, ap);
	va_end(ap);
	t->len += (size_t)n;
}

void mt_label(struct mtext *t, const char *s)
{
	for (; *s; s++) {
		const char *esc = *s == '\\' ? "\\\\" : *s == '"' ? "\\\"" : *s == '\n' ? "\\n" : NULL;

		if (esc != NULL)
			mt_printf(t, "%s", esc);
		else if (mt_reserve(t, 1)) {
			t->p[t->len++] = *s;
			t->p[t->len] = '\0';
		}
	}
}

/* ---- what is gathered ---------------------------------------------------- */

struct target_lus {
	const char *name;
	struct ctgt_lu_stats *st;
	size_t n;
	uint64_t sessions, conns;
};

struct snapshot {
	struct ctgt_target_info *ti;
	size_t nt;
	struct target_lus *tl;		/* nt of them */
	uint64_t discovery_sessions;
	struct ctgt_server_counters c;
};

static void snapshot_free(struct snapshot *s)
{
	for (size_t k = 0; s->tl != NULL && k < s->nt; k++)
		free(s->tl[k].st);
	free(s->tl);
	free(s->ti);
}

/* Sessions and their connections per target, from one snapshot. */
static int count_sessions(struct ctgt_server *srv, struct snapshot *s)
{
	struct ctgt_sessions snap;
	int rc = ctgt_server_sessions(srv, &snap);

	for (size_t k = 0; rc == 0 && k < snap.nsessions; k++) {
		const struct ctgt_session_info *si = &snap.sessions[k];

		if (si->discovery)
			s->discovery_sessions++;
		for (size_t t = 0; !si->discovery && t < s->nt; t++) {
			if (strcasecmp(si->target, s->tl[t].name) == 0) {	/* as logins */
				s->tl[t].sessions++;
				s->tl[t].conns += si->nconns;
				break;
			}
		}
	}
	ctgt_sessions_free(&snap);
	return rc;
}

static int gather(struct ctgt_server *srv, struct snapshot *s)
{
	int rc = ctgt_server_targets(srv, &s->ti, &s->nt);

	if (rc < 0)
		return rc;
	if ((s->tl = calloc(s->nt ? s->nt : 1, sizeof(*s->tl))) == NULL)
		return -ENOMEM;
	for (size_t k = 0; rc == 0 && k < s->nt; k++) {
		s->tl[k].name = s->ti[k].name;
		rc = ctgt_server_lu_stats(srv, s->ti[k].name, &s->tl[k].st, &s->tl[k].n);
	}
	if (rc == 0)
		rc = count_sessions(srv, s);
	if (rc == 0)
		rc = ctgt_server_counters(srv, &s->c);
	return rc;
}

/* ---- writing ------------------------------------------------------------- */

static void family(struct mtext *t, const char *name, const char *type, const char *help)
{
	mt_printf(t, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* {target="...",lun="N" and the rest of the labels (@more, may be "") */
static void lu_labels(struct mtext *t, const char *target, uint64_t lun, const char *more)
{
	mt_printf(t, "{target=\"");
	mt_label(t, target);
	mt_printf(t, "\",lun=\"%llu\"%s}", (unsigned long long)lun, more);
}

/* A counter or gauge with one sample per LU, its value at @off in the stats. */
static void lu_family(struct mtext *t, const struct snapshot *s, const char *name,
		      const char *type, const char *help, size_t off)
{
	family(t, name, type, help);
	for (size_t k = 0; k < s->nt; k++) {
		for (size_t i = 0; i < s->tl[k].n; i++) {
			const struct ctgt_lu_stats *st = &s->tl[k].st[i];
			uint64_t v;

			memcpy(&v, (const char *)st + off, sizeof(v));
			mt_printf(t, "%s", name);
			lu_labels(t, s->tl[k].name, st->lun, "");
			mt_printf(t, " %llu\n", (unsigned long long)v);
		}
	}
}

static void lu_capacity(struct mtext *t, const struct snapshot *s)
{
	static const char name[] = "ctgt_lu_capacity_bytes";

	family(t, name, "gauge", "Capacity of the LU in bytes.");
	for (size_t k = 0; k < s->nt; k++) {
		for (size_t i = 0; i < s->tl[k].n; i++) {
			const struct ctgt_lu_stats *st = &s->tl[k].st[i];

			mt_printf(t, "%s", name);
			lu_labels(t, s->tl[k].name, st->lun, "");
			mt_printf(t, " %llu\n", (unsigned long long)(st->blocks * st->block_size));
		}
	}
}

/* One LU's histogram: bucket i of the LU counts commands under 2^i us, so
 * the cumulative count at le = 2^i us is the sum of buckets 0..i; the
 * last bucket (the rest) only reaches +Inf. */
static void lu_hist(struct mtext *t, const char *name, const char *target,
		    const struct ctgt_lu_stats *st, const uint64_t *h, uint64_t sum_us)
{
	char le[64];
	uint64_t cum = 0;

	for (int b = 0; b < CTGT_LAT_BUCKETS; b++) {
		cum += h[b];
		if (b == CTGT_LAT_BUCKETS - 1)
			snprintf(le, sizeof(le), ",le=\"+Inf\"");
		else
			snprintf(le, sizeof(le), ",le=\"%.6f\"", (double)(1ull << b) / 1e6);
		mt_printf(t, "%s_bucket", name);
		lu_labels(t, target, st->lun, le);
		mt_printf(t, " %llu\n", (unsigned long long)cum);
	}
	mt_printf(t, "%s_sum", name);
	lu_labels(t, target, st->lun, "");
	mt_printf(t, " %.6f\n", (double)sum_us / 1e6);
	mt_printf(t, "%s_count", name);
	lu_labels(t, target, st->lun, "");
	mt_printf(t, " %llu\n", (unsigned long long)cum);
}

static void lu_latency(struct mtext *t, const struct snapshot *s, bool write)
{
	const char *name = write ? "ctgt_lu_write_latency_seconds" : "ctgt_lu_read_latency_seconds";

	family(t, name, "histogram", write ? "Latency of WRITE commands, from execution to completion."
					   : "Latency of READ commands, from execution to completion.");
	for (size_t k = 0; k < s->nt; k++)
		for (size_t i = 0; i < s->tl[k].n; i++) {
			const struct ctgt_lu_stats *st = &s->tl[k].st[i];

			lu_hist(t, name, s->tl[k].name, st, write ? st->write_hist : st->read_hist,
				write ? st->write_us : st->read_us);
		}
}

#define LU_OFF(f) offsetof(struct ctgt_lu_stats, f)

/* The long work in progress: a SANITIZE or FORMAT UNIT (the fraction
 * done, labelled with its kind; only while one runs or has failed) and
 * the EXTENDED COPY commands running on each LU. */
static void lu_work(struct mtext *t, const struct snapshot *s)
{
	static const char job[] = "ctgt_lu_job_progress", copies[] = "ctgt_lu_copies_running";

	family(t, job, "gauge", "Fraction done of the SANITIZE or FORMAT UNIT in progress "
	       "(failed=\"1\": the LU is in failure mode).");
	for (size_t k = 0; k < s->nt; k++) {
		for (size_t i = 0; i < s->tl[k].n; i++) {
			const struct ctgt_lu_stats *st = &s->tl[k].st[i];
			char more[64];

			if (st->job == NULL)
				continue;
			snprintf(more, sizeof(more), ",kind=\"%s\",failed=\"%d\"", st->job,
				 st->job_failed ? 1 : 0);
			mt_printf(t, "%s", job);
			lu_labels(t, s->tl[k].name, st->lun, more);
			mt_printf(t, " %.4f\n", st->job_done);
		}
	}
	family(t, copies, "gauge", "EXTENDED COPY commands running on the LU.");
	for (size_t k = 0; k < s->nt; k++) {
		for (size_t i = 0; i < s->tl[k].n; i++) {
			const struct ctgt_lu_stats *st = &s->tl[k].st[i];

			mt_printf(t, "%s", copies);
			lu_labels(t, s->tl[k].name, st->lun, "");
			mt_printf(t, " %u\n", st->copies);
		}
	}
}

static void lus(struct mtext *t, const struct snapshot *s)
{
	lu_family(t, s, "ctgt_lu_reads_total", "counter", "READ(6..16) commands executed.",
		  LU_OFF(reads));
	lu_family(t, s, "ctgt_lu_writes_total", "counter", "WRITE(6..16) commands executed.",
		  LU_OFF(writes));
	lu_family(t, s, "ctgt_lu_other_commands_total", "counter",
		  "Other commands executed.", LU_OFF(others));
	lu_family(t, s, "ctgt_lu_read_bytes_total", "counter", "Bytes read.", LU_OFF(read_bytes));
	lu_family(t, s, "ctgt_lu_write_bytes_total", "counter", "Bytes written.",
		  LU_OFF(write_bytes));
	lu_family(t, s, "ctgt_lu_errors_total", "counter",
		  "Commands completed with a status other than GOOD.", LU_OFF(errors));
	lu_family(t, s, "ctgt_lu_aborted_total", "counter",
		  "Commands ended by task management or by the loss of their connection.",
		  LU_OFF(aborted));
	lu_latency(t, s, false);
	lu_latency(t, s, true);
	lu_capacity(t, s);
	lu_work(t, s);
}

static void targets(struct mtext *t, const struct snapshot *s)
{
	family(t, "ctgt_target_sessions", "gauge", "Logged-in sessions of the target.");
	for (size_t k = 0; k < s->nt; k++) {
		mt_printf(t, "ctgt_target_sessions{target=\"");
		mt_label(t, s->tl[k].name);
		mt_printf(t, "\"} %llu\n", (unsigned long long)s->tl[k].sessions);
	}
	family(t, "ctgt_target_connections", "gauge", "Connections of the target's sessions.");
	for (size_t k = 0; k < s->nt; k++) {
		mt_printf(t, "ctgt_target_connections{target=\"");
		mt_label(t, s->tl[k].name);
		mt_printf(t, "\"} %llu\n", (unsigned long long)s->tl[k].conns);
	}
	family(t, "ctgt_discovery_sessions", "gauge", "Logged-in discovery sessions.");
	mt_printf(t, "ctgt_discovery_sessions %llu\n", (unsigned long long)s->discovery_sessions);
}

static void one(struct mtext *t, const char *name, const char *help, uint64_t v)
{
	family(t, name, "counter", help);
	mt_printf(t, "%s %llu\n", name, (unsigned long long)v);
}

static void logins(struct mtext *t, const struct ctgt_server_counters *c)
{
	family(t, "ctgt_logins_total", "counter", "Logins that reached full feature phase.");
	mt_printf(t, "ctgt_logins_total{type=\"normal\"} %llu\n",
		  (unsigned long long)c->logins_normal);
	mt_printf(t, "ctgt_logins_total{type=\"discovery\"} %llu\n",
		  (unsigned long long)c->logins_discovery);
	family(t, "ctgt_login_failures_total", "counter",
	       "Logins refused, by the status of the Login Response.");
	for (unsigned k = 0; k < CTGT_LOGIN_FAILURE_KINDS; k++) {
		unsigned st = ctgt_login_failure_status(k);
		char status[16] = "";

		if (st)
			snprintf(status, sizeof(status), "%04x", st);
		mt_printf(t, "ctgt_login_failures_total{reason=\"%s\",status=\"%s\"} %llu\n",
			  ctgt_login_failure_name(k), status,
			  (unsigned long long)c->login_failures[k]);
	}
	one(t, "ctgt_chap_failures_total", "CHAP exchanges that failed.", c->chap_failures);
	one(t, "ctgt_chap_delays_total", "Login answers held back after earlier CHAP failures.",
	    c->chap_delays);
}

static void limits(struct mtext *t, const struct ctgt_server_counters *c)
{
	one(t, "ctgt_connections_accepted_total", "TCP connections accepted.",
	    c->connections_accepted);
	family(t, "ctgt_connections_refused_total", "counter",
	       "TCP connections closed at accept by a limit.");
	mt_printf(t, "ctgt_connections_refused_total{limit=\"connection_limit\"} %llu\n",
		  (unsigned long long)c->connections_refused_limit);
	mt_printf(t, "ctgt_connections_refused_total{limit=\"connection_limit_per_address\"} %llu\n",
		  (unsigned long long)c->connections_refused_per_address);
	one(t, "ctgt_accept_pauses_total", "Times accepting paused for want of descriptors.",
	    c->accept_pauses);
	one(t, "ctgt_sessions_refused_total", "Logins refused by --session-limit.",
	    c->sessions_refused);
	one(t, "ctgt_login_timeouts_total", "Connections closed by --login-timeout.",
	    c->login_timeouts);
	one(t, "ctgt_final_response_timeouts_total",
	    "Connections closed with a last Login or Logout Response unread.",
	    c->final_response_timeouts);
	one(t, "ctgt_nop_timeouts_total", "Connections closed with a NOP-In ping unanswered.",
	    c->nop_timeouts);
	one(t, "ctgt_tx_backpressure_total", "Times a connection was not read: --tx-backlog.",
	    c->tx_backpressure);
	one(t, "ctgt_buffer_full_total", "Commands refused TASK SET FULL: --connection-buffer.",
	    c->buffer_full);
	one(t, "ctgt_immediate_rejected_total", "Immediate commands or TMFs beyond the limit.",
	    c->immediate_rejected);
	one(t, "ctgt_pdu_rejects_total", "Reject PDUs sent.", c->pdu_rejects);
	one(t, "ctgt_cmdsn_dropped_total", "Commands ignored outside the CmdSN window.",
	    c->cmdsn_dropped);
	one(t, "ctgt_target_resets_refused_total", "TARGET WARM/COLD RESETs refused.",
	    c->resets_refused);
}

int metrics_render(struct ctgt_server *srv, const struct metrics_self *self, struct mtext *out)
{
	struct snapshot s = { 0 };
	int rc = gather(srv, &s);

	if (rc == 0) {
		lus(out, &s);
		targets(out, &s);
		logins(out, &s.c);
		limits(out, &s.c);
		one(out, "ctgt_metrics_requests_total", "Requests to this endpoint answered.",
		    self->requests);
		one(out, "ctgt_metrics_clients_refused_total",
		    "Clients of this endpoint refused beyond its limit.", self->clients_refused);
		if (out->failed)
			rc = -ENOMEM;
	}
	snapshot_free(&s);
	return rc;
}

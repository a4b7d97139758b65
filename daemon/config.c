/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The configuration model: building, checking, merging and freeing a
 * struct ctgt_config, and moving what the flags (flags.c) or a config.json
 * (config_json.c) said into it.
 *
 * Every loader builds into a scratch config and merges it only when it is
 * complete, so a caller's config is never left half-updated by an error.
 */
#include "daemon/config.h"
#include "daemon/config_internal.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "daemon/lu_options.h"
#include "daemon/target_options.h"
#include "iscsi/acl.h"
#include "util/iscsi_name.h"


void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* Grow a dynamic array by one element; returns the new slot or NULL. */
void *grow(void *arr, size_t *n, size_t elem)
{
	char *p = realloc(arr, (*n + 1) * elem);

	if (p == NULL)
		return NULL;
	memset(p + *n * elem, 0, elem);
	(*n)++;
	return p;
}

/* Decimal digits only (no sign, no spaces), at most @max. */
int parse_dec(const char *s, size_t len, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (len == 0)
		return -1;
	for (size_t i = 0; i < len; i++) {
		unsigned d;

		if (s[i] < '0' || s[i] > '9')
			return -1;
		d = (unsigned)(s[i] - '0');
		if (d > max || v > (max - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

/* ---- sizes -------------------------------------------------------------- */

int config_parse_size(const char *s, uint64_t *out)
{
	static const char units[] = "KMGTP";
	const char *end = s;
	unsigned shift = 0;
	uint64_t v = 0;

	if (s == NULL)
		return -1;
	while (*end >= '0' && *end <= '9')
		end++;
	if (parse_dec(s, (size_t)(end - s), UINT64_MAX, &v) < 0)
		return -1;
	if (*end != '\0') {
		const char *u = strchr(units, toupper((unsigned char)*end));

		if (u == NULL || end[1] != '\0')
			return -1;
		shift = 10u * (unsigned)(u - units + 1);
	}
	if (shift > 0 && v > (UINT64_MAX >> shift))
		return -1;
	*out = v << shift;
	return 0;
}

/* ---- portals ------------------------------------------------------------ */

/* Host text -> canonical numeric form in @out; NULL or a reason. */
static const char *canon_host(const char *h, size_t len, int family, char *out, size_t outlen)
{
	unsigned char bin[sizeof(struct in6_addr)];
	char tmp[INET6_ADDRSTRLEN];

	if (len == 0)
		return "missing host";
	if (len >= sizeof(tmp))
		return "bad host address (want a numeric IPv4 or [IPv6] address, or localhost)";
	memcpy(tmp, h, len);
	tmp[len] = '\0';
	if (family == AF_INET && strcmp(tmp, "localhost") == 0)
		snprintf(tmp, sizeof(tmp), "%s", DEFAULT_HOST);
	if (inet_pton(family, tmp, bin) != 1)
		return family == AF_INET6 ?
			"bad IPv6 address" :
			"bad host address (want a numeric IPv4 or [IPv6] address, or localhost)";
	/* Canonical text, so "::1" and "0::1" compare equal later on. */
	if (inet_ntop(family, bin, out, (socklen_t)outlen) == NULL)
		return "bad host address";
	return NULL;
}

/* Split "HOST[:PORT]" / "[V6][:PORT]"; NULL or a short reason. */
static const char *portal_split(const char *s, char *host, size_t hostlen, uint16_t *port)
{
	const char *h = s, *hend, *rest;
	int family = AF_INET;
	const char *why;
	uint64_t v = 0;

	if (s[0] == '[') {
		h = s + 1;
		hend = strchr(h, ']');
		if (hend == NULL)
			return "missing ']' after IPv6 address";
		rest = hend + 1;
		if (*rest != '\0' && *rest != ':')
			return "expected ':' after ']'";
		family = AF_INET6;
	} else {
		hend = strchr(s, ':');
		if (hend != NULL && strchr(hend + 1, ':') != NULL)
			return "IPv6 address needs brackets, as in [::1]:3260";
		if (hend == NULL)
			hend = s + strlen(s);
		rest = hend;
	}
	why = canon_host(h, (size_t)(hend - h), family, host, hostlen);
	if (why != NULL)
		return why;
	*port = DEFAULT_PORT;
	if (*rest == '\0')
		return NULL;
	if (rest[1] == '\0')
		return "missing port";
	if (parse_dec(rest + 1, strlen(rest + 1), 65535, &v) < 0)
		return "bad port";
	*port = (uint16_t)v;
	return NULL;
}

/* config_parse_portal, with the reason for a failure. */
const char *portal_parse(const char *s, char **host, uint16_t *port)
{
	char buf[INET6_ADDRSTRLEN];
	const char *why = portal_split(s, buf, sizeof(buf), port);

	if (why != NULL)
		return why;
	*host = strdup(buf);
	return *host == NULL ? "out of memory" : NULL;
}

const char *config_parse_metrics(const char *s, char **host, uint16_t *port)
{
	char buf[INET6_ADDRSTRLEN + 16];
	const char *why;
	uint64_t v;
	size_t n = strlen(s);

	/* A port alone, or after an empty host: loopback. */
	if (s[0] == ':' || strspn(s, "0123456789") == n) {
		const char *p = s[0] == ':' ? s + 1 : s;

		if (*p == '\0' || parse_dec(p, strlen(p), 65535, &v) < 0)
			return "bad port";
		*port = (uint16_t)v;
		*host = strdup(DEFAULT_HOST);
		return *host == NULL ? "out of memory" : NULL;
	}
	/* HOST:PORT as a portal, but the port is not optional. */
	if (n == 0 || s[n - 1] == ']' || strrchr(s, ':') == NULL ||
	    (s[0] == '[' && strstr(s, "]:") == NULL))
		return "missing port (HOST:PORT, [V6]:PORT or PORT)";
	if ((why = portal_split(s, buf, sizeof(buf), port)) != NULL)
		return why;
	*host = strdup(buf);
	return *host == NULL ? "out of memory" : NULL;
}

int config_parse_portal(const char *s, char **host, uint16_t *port)
{
	if (s == NULL)
		return -1;
	return portal_parse(s, host, port) == NULL ? 0 : -1;
}

const char *config_portal_text(char *buf, size_t len, const char *host, unsigned port)
{
	snprintf(buf, len, strchr(host, ':') != NULL ? "[%s]:%u" : "%s:%u", host, port);
	return buf;
}

/* Port 0 asks the kernel for a fresh port each time, so it never clashes. */
struct ctgt_portal_cfg *find_portal(const struct ctgt_config *cfg,
				    const char *host, uint16_t port)
{
	if (port == 0)
		return NULL;
	for (size_t i = 0; i < cfg->nportals; i++)
		if (cfg->portals[i].port == port && strcmp(cfg->portals[i].host, host) == 0)
			return &cfg->portals[i];
	return NULL;
}

/* Append a portal; takes ownership of @host even on failure. */
int add_portal(struct ctgt_config *cfg, char *host, uint16_t port, uint16_t tpgt)
{
	struct ctgt_portal_cfg *p = grow(cfg->portals, &cfg->nportals, sizeof(*p));

	if (p == NULL) {
		free(host);
		return -1;
	}
	cfg->portals = p;
	p[cfg->nportals - 1] = (struct ctgt_portal_cfg){ host, port, tpgt };
	return 0;
}

/* ---- names -------------------------------------------------------------- */

/* NULL when @name is a valid iSCSI target name, else why not. */
const char *name_problem(const char *name)
{
	return iscsi_name_problem(name, true);
}

/* ---- targets and LUNs --------------------------------------------------- */

struct ctgt_target_cfg *find_target(const struct ctgt_config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->ntargets; i++)
		if (strcmp(cfg->targets[i].name, name) == 0)
			return &cfg->targets[i];
	return NULL;
}

/* Append an empty target named @name (copied); NULL on no memory. */
struct ctgt_target_cfg *add_target(struct ctgt_config *cfg, const char *name)
{
	char *copy = strdup(name);
	struct ctgt_target_cfg *t;

	if (copy == NULL)
		return NULL;
	t = grow(cfg->targets, &cfg->ntargets, sizeof(*t));
	if (t == NULL) {
		free(copy);
		return NULL;
	}
	cfg->targets = t;
	t = &cfg->targets[cfg->ntargets - 1];
	t->name = copy;
	return t;
}

const struct ctgt_lun_cfg *find_lun(const struct ctgt_target_cfg *t, uint64_t lun)
{
	for (size_t i = 0; i < t->nluns; i++)
		if (t->luns[i].params.lun == lun)
			return &t->luns[i];
	return NULL;
}

/* Append a LUN; takes ownership of lun->path even on failure. */
int add_lun(struct ctgt_target_cfg *t, const struct ctgt_lun_cfg *lun)
{
	struct ctgt_lun_cfg *l = grow(t->luns, &t->nluns, sizeof(*l));

	if (l == NULL) {
		free(lun->path);
		return -1;
	}
	t->luns = l;
	l[t->nluns - 1] = *lun;
	return 0;
}

void free_target(struct ctgt_target_cfg *t)
{
	for (size_t i = 0; i < t->nluns; i++)
		free(t->luns[i].path);
	free(t->luns);
	free(t->name);
	for (const struct target_opt *o = target_options; o->key != NULL; o++)
		topt_free(o, t);
}

const char *add_rule(char ***rules, size_t *n, const char *rule)
{
	struct acl_rule r;
	const char *why = acl_rule_parse(&r, rule);
	char **a, *copy;

	if (why != NULL)
		return why;
	copy = strdup(rule);
	a = copy ? grow(*rules, n, sizeof(*a)) : NULL;
	if (a == NULL) {
		free(copy);
		return "out of memory";
	}
	*rules = a;
	a[*n - 1] = copy;
	return NULL;
}

/* Append access rule @rule (checked, copied) to @t; NULL or why not. */
const char *add_allow(struct ctgt_target_cfg *t, const char *rule)
{
	return add_rule(&t->allow, &t->nallow, rule);
}

/* ---- CHAP credentials ----------------------------------------------------- */

/* RFC 7143 12.1.3 wants secrets of at least 96 bits; iscsi/chap.h agrees. */
#define CHAP_SECRET_MIN_LEN 12
#define CHAP_SECRET_MAX_LEN 255

void config_chap_free(struct ctgt_chap_cfg *c)
{
	if (c->secret)
		OPENSSL_cleanse(c->secret, strlen(c->secret));
	free(c->secret);
	free(c->user);
	c->user = c->secret = NULL;
}

const char *config_set_chap(struct ctgt_chap_cfg *c, const char *user, size_t ulen,
			    const char *secret)
{
	size_t sl = strlen(secret);

	c->user = c->secret = NULL;
	if (ulen == 0)
		return "expected USER:SECRET";
	if (sl < CHAP_SECRET_MIN_LEN)
		return "the secret is shorter than 12 bytes (RFC 7143 12.1.3 asks for at least 96 bits)";
	if (sl > CHAP_SECRET_MAX_LEN || ulen > 255)
		return "the user name and the secret are each at most 255 bytes";
	c->user = strndup(user, ulen);
	c->secret = strdup(secret);
	if (c->user == NULL || c->secret == NULL) {
		config_chap_free(c);
		return "out of memory";
	}
	return NULL;
}

const char *config_parse_chap(const char *s, struct ctgt_chap_cfg *c)
{
	const char *colon = strchr(s, ':');

	c->user = c->secret = NULL;
	if (colon == NULL)
		return "expected USER:SECRET";
	return config_set_chap(c, s, (size_t)(colon - s), colon + 1);
}

const char *config_chap_problem(const struct ctgt_chap_cfg *chap,
				const struct ctgt_chap_cfg *mutual)
{
	if (mutual->user == NULL)
		return NULL;
	if (chap->user == NULL)
		return "mutual CHAP needs CHAP credentials for the initiators too (--chap)";
	if (strcmp(chap->secret, mutual->secret) == 0)
		return "the mutual CHAP secret must differ from the initiators' secret (RFC 7143 12.1.3)";
	return NULL;
}

/* Why the discovery credentials of @cfg are inconsistent, naming the
 * setting of the initiators' ones as @chap_name; NULL when they are not. */
const char *discovery_chap_problem(const struct ctgt_config *cfg, const char *chap_name,
				   char *buf, size_t len)
{
	if (cfg->discovery_mutual_chap.user != NULL && cfg->discovery_chap.user == NULL) {
		snprintf(buf, len, "mutual CHAP needs CHAP credentials for the initiators too (%s)",
			 chap_name);
		return buf;
	}
	return config_chap_problem(&cfg->discovery_chap, &cfg->discovery_mutual_chap);
}

void config_free(struct ctgt_config *cfg)
{
	if (cfg == NULL)
		return;
	for (size_t i = 0; i < cfg->nportals; i++)
		free(cfg->portals[i].host);
	free(cfg->portals);
	for (size_t i = 0; i < cfg->ntargets; i++)
		free_target(&cfg->targets[i]);
	free(cfg->targets);
	free(cfg->state_dir);
	free(cfg->control);
	free(cfg->metrics_host);
	free(cfg->config_file);
	for (int i = 0; i < cfg->nargs; i++) {
		OPENSSL_cleanse(cfg->args[i], strlen(cfg->args[i]));
		free(cfg->args[i]);
	}
	free(cfg->args);
	for (const struct target_opt *o = discovery_options; o->key != NULL; o++)
		topt_free(o, cfg);
	memset(cfg, 0, sizeof(*cfg));
	cfg->log_level = -1;
	cfg->nop_interval = -1;
}

static size_t count_luns(const struct ctgt_config *cfg)
{
	size_t n = 0;

	for (size_t i = 0; i < cfg->ntargets; i++)
		n += cfg->targets[i].nluns;
	return n;
}

int config_session_threads(const char *s, size_t n)
{
	if (n == 6 && memcmp(s, "spread", 6) == 0)
		return CONFIG_SESSIONS_SPREAD;
	if (n == 6 && memcmp(s, "target", 6) == 0)
		return CONFIG_SESSIONS_TARGET;
	return 0;
}

/* ---- resource limits ----------------------------------------------------- */

/* The offset of @field of struct ctgt_limits, which must be an unsigned
 * (uint32_t is one too): a field of another size does not build. */
#define LIMIT_FIELD(field) \
	(offsetof(struct ctgt_limits, field) + \
	 0 * sizeof(char[sizeof(((struct ctgt_limits *)0)->field) == sizeof(unsigned) ? 1 : -1]))
#define COUNT_LIMIT(flag, key, field, min, max) { flag, key, LIMIT_FIELD(field), min, max, false }
#define SIZE_LIMIT(flag, key, field, min, max) { flag, key, LIMIT_FIELD(field), min, max, true }

const struct config_limit config_limits[] = {
	COUNT_LIMIT("connection-limit", "connectionLimit", max_connections, 1, 65536),
	COUNT_LIMIT("connection-limit-per-address", "connectionLimitPerAddress",
		    max_connections_per_address, 1, 65536),
	COUNT_LIMIT("session-limit", "sessionLimit", max_sessions_per_target, 1, 65536),
	COUNT_LIMIT("login-timeout", "loginTimeout", login_timeout, 1, 3600),
	SIZE_LIMIT("connection-buffer", "connectionBuffer", connection_buffer, 1u << 20, 1ull << 31),
	SIZE_LIMIT("tx-backlog", "txBacklog", tx_backlog, 64u << 10, 1u << 30),
	SIZE_LIMIT("buffer-cache", "bufferCache", buffer_cache, 1u << 20, 1u << 31),
};
const size_t config_nlimits = sizeof(config_limits) / sizeof(config_limits[0]);

unsigned *limit_slot(struct ctgt_limits *lim, const struct config_limit *l)
{
	return (unsigned *)((char *)lim + l->offset);
}

unsigned limit_get(const struct ctgt_limits *lim, const struct config_limit *l)
{
	return *(const unsigned *)((const char *)lim + l->offset);
}

/* ---- merging a finished scratch config into the caller's ---------------- */

/*
 * Every check happens before anything moves, so a failed merge leaves @dst
 * as it was. @src is emptied either way. @what names @src in errors.
 */
static int merge_check(const struct ctgt_config *dst, const struct ctgt_config *src,
		       const char *what, char *err, size_t errlen)
{
	char addr[INET6_ADDRSTRLEN + 8];

	for (size_t i = 0; i < src->nportals; i++) {
		const struct ctgt_portal_cfg *p = &src->portals[i];
		const struct ctgt_portal_cfg *q = find_portal(dst, p->host, p->port);

		if (q != NULL && q->tpgt != p->tpgt) {
			config_portal_text(addr, sizeof(addr), p->host, p->port);
			set_err(err, errlen, "%s: portal %s has tag %u, but is already configured with tag %u",
				what, addr, p->tpgt, q->tpgt);
			return -1;
		}
	}
	for (size_t i = 0; i < src->ntargets; i++) {
		if (find_target(dst, src->targets[i].name) != NULL) {
			set_err(err, errlen, "%s: target %s is already configured",
				what, src->targets[i].name);
			return -1;
		}
	}
	return 0;
}

static int merge_move(struct ctgt_config *dst, struct ctgt_config *src)
{
	int rc = 0;

	for (size_t i = 0; i < src->nportals; i++) {
		struct ctgt_portal_cfg *p = &src->portals[i];

		/* Same address and tag twice is one listener. */
		if (find_portal(dst, p->host, p->port) != NULL)
			free(p->host);
		else if (add_portal(dst, p->host, p->port, p->tpgt) < 0)
			rc = -1;
		p->host = NULL;
	}
	src->nportals = 0;
	for (size_t i = 0; i < src->ntargets; i++) {
		struct ctgt_target_cfg *t = grow(dst->targets, &dst->ntargets, sizeof(*t));

		if (t == NULL) {
			free_target(&src->targets[i]);
			rc = -1;
			continue;
		}
		dst->targets = t;
		t[dst->ntargets - 1] = src->targets[i];
	}
	src->ntargets = 0;
	config_free(src);
	return rc;
}

int merge(struct ctgt_config *dst, struct ctgt_config *src, const char *what,
	  char *err, size_t errlen)
{
	if (merge_check(dst, src, what, err, errlen) < 0) {
		config_free(src);
		return -1;
	}
	if (merge_move(dst, src) < 0) {
		set_err(err, errlen, "%s: out of memory", what);
		return -1;
	}
	return 0;
}

/* Move @src's top-level settings that are set over @dst's. */
static void move_settings(struct ctgt_config *dst, struct ctgt_config *src)
{
	if (src->state_dir != NULL) {
		free(dst->state_dir);
		dst->state_dir = src->state_dir;
		src->state_dir = NULL;
	}
	for (size_t i = 0; i < config_nlimits; i++) {
		unsigned *v = limit_slot(&src->limits, &config_limits[i]);

		if (*v != 0)
			*limit_slot(&dst->limits, &config_limits[i]) = *v;
	}
	if (src->metrics_host != NULL) {
		free(dst->metrics_host);
		dst->metrics_host = src->metrics_host;
		dst->metrics_port = src->metrics_port;
		src->metrics_host = NULL;
	}
	if (src->max_connections != 0)
		dst->max_connections = src->max_connections;
	if (src->threads != 0)
		dst->threads = src->threads;
	if (src->session_threads != 0)
		dst->session_threads = src->session_threads;
	if (src->log_level >= 0)
		dst->log_level = src->log_level;
	if (src->nop_interval >= 0)
		dst->nop_interval = src->nop_interval;
	if (src->pr_max_regs != 0)
		dst->pr_max_regs = src->pr_max_regs;
	/* Only credentials so far, which never fail to move. */
	for (const struct target_opt *o = discovery_options; o->key != NULL; o++)
		(void)topt_move(o, dst, src);
}

int merge_with_settings(struct ctgt_config *dst, struct ctgt_config *src, const char *what,
			char *err, size_t errlen)
{
	struct ctgt_config settings = { .log_level = -1, .nop_interval = -1 };

	move_settings(&settings, src);
	if (merge(dst, src, what, err, errlen) < 0) {
		config_free(&settings);
		return -1;
	}
	move_settings(dst, &settings);
	config_free(&settings);
	return 0;
}

/* ---- moving parsed flags into a config ---------------------------------- */

/* Move @src's credentials, if any, over @dst's; @src is left empty. */
void move_chap(struct ctgt_chap_cfg *dst, struct ctgt_chap_cfg *src)
{
	if (src->user == NULL)
		return;
	config_chap_free(dst);
	*dst = *src;
	src->user = src->secret = NULL;
}

/* Put one group's LUNs and credentials into its target, which --config may define. */
/* Whether LUs @a and @b are configured alike (as `save` writes them). */
static bool same_lun(const struct ctgt_lun_cfg *a, const struct ctgt_lun_cfg *b)
{
	json_t *ja = lu_to_json(a), *jb = lu_to_json(b);
	bool same = ja != NULL && jb != NULL && json_equal(ja, jb);

	json_decref(ja);
	json_decref(jb);
	return same;
}

static bool has_rule(char **rules, size_t n, const char *rule)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(rules[i], rule) == 0)
			return true;
	return false;
}

/* Take out of rules @o of group @g those target @t has already. */
static void drop_rules(const struct target_opt *o, struct ctgt_target_cfg *t,
		       struct ctgt_target_cfg *g)
{
	char **have = *(char ***)topt_field(o, t), **given = *(char ***)topt_field(o, g);
	size_t nhave = *topt_count(o, t), *n = topt_count(o, g), keep = 0;

	for (size_t i = 0; i < *n; i++) {
		if (has_rule(have, nhave, given[i]))
			free(given[i]);
		else
			given[keep++] = given[i];
	}
	*n = keep;
}

/* Take out of group @g the LUs and rules target @t already has just so:
 * a file written by `save` holds what the flags next to it gave, and a
 * start (or a reload) with both must not see them twice. */
static void drop_repeats(struct ctgt_target_cfg *t, struct ctgt_target_cfg *g)
{
	size_t keep = 0;

	for (size_t i = 0; i < g->nluns; i++) {
		if (find_lun(t, g->luns[i].params.lun) != NULL)
			free(g->luns[i].path);	/* same_lun() held */
		else
			g->luns[keep++] = g->luns[i];
	}
	g->nluns = keep;
	for (const struct target_opt *o = target_options; o->key != NULL; o++)
		if (o->kind == TOPT_RULES)
			drop_rules(o, t, g);
}

/* The first setting of group @g that goes not with the one it needs:
 * NULL, or why. */
static const char *group_problem(const struct ctgt_target_cfg *g)
{
	const char *why = NULL;

	for (const struct target_opt *o = target_options; o->key != NULL && why == NULL; o++)
		why = topt_problem(target_options, o, g);
	return why;
}

int place_group(struct ctgt_config *cfg, struct ctgt_target_cfg *g, const char *config,
		char *err, size_t errlen)
{
	const char *name = g->name != NULL ? g->name : DEFAULT_TARGET;
	struct ctgt_target_cfg *t = find_target(cfg, name);
	const char *why = group_problem(g);

	if (why != NULL) {
		set_err(err, errlen, "--target %s: %s", name, why);
		return -1;
	}
	for (size_t i = 0; t != NULL && i < g->nluns; i++) {
		uint64_t n = g->luns[i].params.lun;
		const struct ctgt_lun_cfg *had = find_lun(t, n);

		if (had != NULL && !same_lun(had, &g->luns[i])) {
			set_err(err, errlen, "--lun %llu: %s already has LUN %llu in %s, with other "
				"settings", (unsigned long long)n, name, (unsigned long long)n, config);
			return -1;
		}
	}
	if (t != NULL)
		drop_repeats(t, g);
	if (t == NULL && g->nluns == 0 && g->name != NULL) {
		set_err(err, errlen, "--target %s: no --lun follows it", name);
		return -1;
	}
	if (t == NULL)
		t = add_target(cfg, name);
	if (t == NULL) {
		set_err(err, errlen, "out of memory");
		return -1;
	}
	for (const struct target_opt *o = target_options; o->key != NULL; o++) {
		if (topt_move(o, t, g) < 0) {
			set_err(err, errlen, "out of memory");
			return -1;
		}
	}
	for (size_t i = 0; i < g->nluns; i++) {
		if (add_lun(t, &g->luns[i]) < 0) {
			/* add_lun freed this path; the ones after it are still ours. */
			for (size_t k = i + 1; k < g->nluns; k++)
				free(g->luns[k].path);
			g->nluns = 0;
			set_err(err, errlen, "out of memory");
			return -1;
		}
	}
	g->nluns = 0;	/* the paths now belong to @cfg */
	return 0;
}

/* Each limit given as a flag wins over the config file's. */
void apply_limits(struct ctgt_limits *cfg, const struct ctgt_limits *fl)
{
	for (size_t i = 0; i < config_nlimits; i++) {
		unsigned v = limit_get(fl, &config_limits[i]);

		if (v != 0)
			*limit_slot(cfg, &config_limits[i]) = v;
	}
}

/* The defaults and the last checks of a config built from flags. */
int finish_config(struct ctgt_config *cfg, char *err, size_t errlen)
{
	if (count_luns(cfg) == 0) {
		set_err(err, errlen, "no LUN configured: use --lun 0=PATH,size=SIZE or --config FILE");
		return -1;
	}
	if (cfg->nportals == 0) {
		char *host = strdup(DEFAULT_HOST);

		if (host == NULL || add_portal(cfg, host, DEFAULT_PORT, DEFAULT_TPGT) < 0) {
			set_err(err, errlen, "out of memory");
			return -1;
		}
	}
	return 0;
}

int config_check_state_dir(const struct ctgt_config *cfg, char *err, size_t errlen)
{
	struct stat st;

	if (cfg->state_dir && (stat(cfg->state_dir, &st) < 0 || !S_ISDIR(st.st_mode) ||
			       access(cfg->state_dir, W_OK | X_OK) < 0)) {
		set_err(err, errlen, "--state-dir %s: not a writable directory", cfg->state_dir);
		return -1;
	}
	return 0;
}

int config_check_file(const char *path, struct ctgt_config *cfg, char *err, size_t errlen)
{
	/* An empty config whose caller may have set only log_level's "not
	 * given": a file without "nopInterval" must not turn keep-alive off. */
	cfg->log_level = -1;
	cfg->nop_interval = -1;
	if (config_load_json(path, cfg, err, errlen) < 0)
		return -1;
	if (count_luns(cfg) == 0) {
		set_err(err, errlen, "%s: no LUN configured (a target's \"luns\" names none, "
			"or only offline storages)", path);
		return -1;
	}
	/* As at start-up: a file without portals gets the default one, so a
	 * reload of the file a daemon started with compares equal. */
	if (finish_config(cfg, err, errlen) < 0)
		return -1;
	return config_check_state_dir(cfg, err, errlen);
}

int config_keep_args(struct ctgt_config *cfg, int argc, char *const *argv)
{
	cfg->args = calloc((size_t)argc + 1, sizeof(*cfg->args));
	if (cfg->args == NULL)
		return -1;
	for (cfg->nargs = 0; cfg->nargs < argc; cfg->nargs++)
		if ((cfg->args[cfg->nargs] = strdup(argv[cfg->nargs])) == NULL)
			return -1;	/* config_free() frees those made */
	return 0;
}

int config_reparse(const struct ctgt_config *have, struct ctgt_config *cfg, char *err,
		   size_t errlen)
{
	if (have->args == NULL)
		return config_check_file(have->config_file, cfg, err, errlen);
	if (config_parse_args(have->nargs, have->args, cfg, err, errlen) < 0)
		return -1;
	return config_check_state_dir(cfg, err, errlen);
}

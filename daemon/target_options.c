/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The tables of the target settings and the discovery credentials, and
 * what every kind of setting does to a struct whatever reads it (see
 * target_options.h): find, test, move, free, check, describe.
 */
#include "daemon/target_options.h"
#include "daemon/config_internal.h"

#include <stdlib.h>
#include <string.h>

/* The offset of @field of struct @s, which must be of @type (what the
 * setting's kind reads and writes): else no build. */
#define T_FIELD(s, field, type) \
	(offsetof(struct s, field) + \
	 0 * sizeof(char[__builtin_types_compatible_p(__typeof__(((struct s *)0)->field), type) ? 1 : -1]))
#define T_COUNT(s, field) T_FIELD(s, field, size_t)

#define F_BOOL(f)	.kind = TOPT_BOOL, .offset = T_FIELD(ctgt_target_cfg, f, bool)
#define F_CHAP(f)	.kind = TOPT_CHAP, .offset = T_FIELD(ctgt_target_cfg, f, struct ctgt_chap_cfg), \
			.arg = "USER:SECRET", .secret = true
#define F_RULES(f, n)	.kind = TOPT_RULES, .offset = T_FIELD(ctgt_target_cfg, f, char **), \
			.count = T_COUNT(ctgt_target_cfg, n), .arg = "IQN|CIDR"
#define F_INITIATORS(f, n) .kind = TOPT_INITIATORS, \
			.offset = T_FIELD(ctgt_target_cfg, f, struct ctgt_initiator_cfg *), \
			.count = T_COUNT(ctgt_target_cfg, n)
#define D_CHAP(f)	.kind = TOPT_CHAP, .offset = T_FIELD(ctgt_config, f, struct ctgt_chap_cfg), \
			.arg = "USER:SECRET", .secret = true

/* In the order `save` writes them (after "tpgts" and "luns"), the loader
 * reads them and the usage lists them. */
const struct target_opt target_options[] = {
	{ .flag = "allow-target-reset", .key = "allowTargetReset", F_BOOL(allow_target_reset),
	  .help = "let initiators run TARGET WARM RESET and TARGET COLD RESET" },
	{ .flag = "chap", .key = "chap", F_CHAP(chap), .access = true,
	  .help = "initiators log in with CHAP as USER with SECRET (12 to 255 bytes)" },
	{ .flag = "mutual-chap", .key = "mutualChap", F_CHAP(mutual_chap), .needs = "chap",
	  .access = true,
	  .help = "the target's own credentials for mutual CHAP, with another secret" },
	{ .flag = "allow", .key = "allow", F_RULES(allow, nallow), .access = true,
	  .help = "an initiator name or a source network that may log in; none: any" },
	/* Its own credentials are among its settings: secret too. */
	{ .key = "initiators", F_INITIATORS(initiators, ninitiators), .access = true,
	  .secret = true,
	  .help = "per initiator name: its own \"chap\" and the \"luns\" it sees" },
	{ 0 }
};

const struct target_opt discovery_options[] = {
	{ .flag = "discovery-chap", .key = "discoveryChap", D_CHAP(discovery_chap),
	  .access = true,
	  .help = "discovery sessions log in with CHAP as USER with SECRET" },
	{ .flag = "discovery-mutual-chap", .key = "discoveryMutualChap",
	  D_CHAP(discovery_mutual_chap), .needs = "discoveryChap", .access = true,
	  .help = "the target's own credentials in discovery sessions, with another secret" },
	{ 0 }
};

const struct target_opt *topt_find_flag(const struct target_opt *tab, const char *name,
					size_t len)
{
	for (; tab->key != NULL; tab++)
		if (tab->flag != NULL && strlen(tab->flag) == len && strncmp(tab->flag, name, len) == 0)
			return tab;
	return NULL;
}

const struct target_opt *topt_find_key(const struct target_opt *tab, const char *key)
{
	for (; tab->key != NULL; tab++)
		if (strcmp(tab->key, key) == 0)
			return tab;
	return NULL;
}

bool topt_is_set(const struct target_opt *o, const void *base)
{
	const void *f = topt_cfield(o, base);

	switch (o->kind) {
	case TOPT_BOOL:
		return *(const bool *)f;
	case TOPT_CHAP:
		return ((const struct ctgt_chap_cfg *)f)->user != NULL;
	case TOPT_RULES:
	case TOPT_INITIATORS:
		return topt_n(o, base) > 0;
	}
	return false;
}

/* Append the @*sn elements of size @elem at *@sp to those at *@dp (*@dn
 * of them); @src's array is freed. 0 or -1 (out of memory, nothing moved). */
static int append(void **dp, size_t *dn, void **sp, size_t *sn, size_t elem)
{
	char *a;

	if (*sn == 0)
		return 0;
	a = realloc(*dp, (*dn + *sn) * elem);
	if (a == NULL)
		return -1;
	memcpy(a + *dn * elem, *sp, *sn * elem);
	*dp = a;
	*dn += *sn;
	free(*sp);
	*sp = NULL;
	*sn = 0;
	return 0;
}

int topt_move(const struct target_opt *o, void *dst, void *src)
{
	void *d = topt_field(o, dst), *s = topt_field(o, src);

	switch (o->kind) {
	case TOPT_BOOL:
		*(bool *)d = *(bool *)d || *(bool *)s;
		*(bool *)s = false;
		return 0;
	case TOPT_CHAP:
		move_chap(d, s);
		return 0;
	case TOPT_RULES:
		return append(d, topt_count(o, dst), s, topt_count(o, src), sizeof(char *));
	case TOPT_INITIATORS:
		return append(d, topt_count(o, dst), s, topt_count(o, src),
			      sizeof(struct ctgt_initiator_cfg));
	}
	return 0;
}

static void free_initiator(struct ctgt_initiator_cfg *ic)
{
	free(ic->name);
	config_chap_free(&ic->chap);
	free(ic->luns);
}

void topt_free(const struct target_opt *o, void *base)
{
	void *f = topt_field(o, base);
	size_t *n = o->kind == TOPT_RULES || o->kind == TOPT_INITIATORS ? topt_count(o, base) : NULL;

	switch (o->kind) {
	case TOPT_BOOL:
		*(bool *)f = false;
		return;
	case TOPT_CHAP:
		config_chap_free(f);
		return;
	case TOPT_RULES:
		for (size_t i = 0; i < *n; i++)
			free((*(char ***)f)[i]);
		break;
	case TOPT_INITIATORS:
		for (size_t i = 0; i < *n; i++)
			free_initiator(&(*(struct ctgt_initiator_cfg **)f)[i]);
		break;
	}
	free(*(void **)f);
	*(void **)f = NULL;
	*n = 0;
}

const char *topt_problem(const struct target_opt *tab, const struct target_opt *o,
			 const void *base)
{
	const struct target_opt *need = o->needs ? topt_find_key(tab, o->needs) : NULL;

	/* Only mutual CHAP needs another setting so far. */
	if (need == NULL || o->kind != TOPT_CHAP || need->kind != TOPT_CHAP)
		return NULL;
	return config_chap_problem(topt_cfield(need, base), topt_cfield(o, base));
}

/* ---- usage text ---------------------------------------------------------- */

/* The settings that need @o, nested after it (a flag only). */
static size_t synopsis_of(const struct target_opt *tab, const struct target_opt *o,
			  char *buf, size_t len);

/* " [--FLAG ARG" and what nests in it, "]" and "..." when repeatable. */
static size_t group_of(const struct target_opt *tab, const struct target_opt *o, char *buf,
		       size_t len)
{
	size_t n = (size_t)snprintf(buf, len, " [--%s%s%s", o->flag, o->arg ? " " : "",
				    o->arg ? o->arg : "");

	n += synopsis_of(tab, o, buf + (n < len ? n : len), n < len ? len - n : 0);
	n += (size_t)snprintf(buf + (n < len ? n : len), n < len ? len - n : 0, "]%s",
			      o->kind == TOPT_RULES ? "..." : "");
	return n;
}

static size_t synopsis_of(const struct target_opt *tab, const struct target_opt *o,
			  char *buf, size_t len)
{
	size_t n = 0;

	for (const struct target_opt *p = tab; p->key != NULL; p++) {
		bool nested = p->needs != NULL && o != NULL && strcmp(p->needs, o->key) == 0;

		if (p->flag != NULL && (o == NULL ? p->needs == NULL : nested))
			n += group_of(tab, p, buf + (n < len ? n : len), n < len ? len - n : 0);
	}
	return n;
}

/* The length of the piece at @s up to the next " [" (a place to break). */
static size_t piece_len(const char *s)
{
	const char *next = strstr(s + 1, " [");

	return next ? (size_t)(next - s) : strlen(s);
}

void topt_usage(FILE *out, const struct target_opt *tab, int *col, int indent)
{
	char syn[512];

	synopsis_of(tab, NULL, syn, sizeof(syn));
	for (const char *s = syn; *s != '\0';) {
		size_t n = piece_len(s);

		/* A new line drops the space before the group. */
		if (*col + (int)n > 80) {
			fprintf(out, "\n%*s", indent, "");
			*col = indent;
			s++;
			n--;
		}
		fprintf(out, "%.*s", (int)n, s);
		*col += (int)n;
		s += n;
	}
}

void topt_help(FILE *out, const char *title, const struct target_opt *tab)
{
	fprintf(out, "%s\n", title);
	for (; tab->key != NULL; tab++) {
		char form[64] = "(config.json only)";

		if (tab->flag != NULL)
			snprintf(form, sizeof(form), "--%s%s%s", tab->flag, tab->arg ? " " : "",
				 tab->arg ? tab->arg : "");
		fprintf(out, "  %-36s \"%s\"\n      %s\n", form, tab->key, tab->help);
	}
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The LU option table and everything that reads or writes LU options
 * through it (see lu_options.h): the --lun parser, the storages' keys of
 * config.json, lu_check(), the writers and the usage text.
 */
#include "daemon/lu_options.h"
#include "daemon/config_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The offset of @field of struct ctgt_lu_params, which must have the size
 * of @type (what the option's type reads and writes): else no build. */
#define LU_FIELD(field, type) \
	(offsetof(struct ctgt_lu_params, field) + \
	 0 * sizeof(char[sizeof(((struct ctgt_lu_params *)0)->field) == sizeof(type) ? 1 : -1]))
#define F_SIZE(f)	.type = LU_OPT_SIZE, .offset = LU_FIELD(f, uint64_t)
#define F_POW2(f)	.type = LU_OPT_POW2, .offset = LU_FIELD(f, uint32_t)
#define F_SHIFT(f)	.type = LU_OPT_SHIFT, .offset = LU_FIELD(f, uint32_t)
#define F_BOOL(f)	.type = LU_OPT_BOOL, .offset = LU_FIELD(f, bool)
#define F_ENUM(f)	.type = LU_OPT_ENUM, .offset = LU_FIELD(f, bool)

/*
 * In the order of the synopsis, the writers' output and the JSON checks.
 * The block size has no --lun key (the flags have always served 512-byte
 * blocks); physical_block_size reaches 2^24, so with 512-byte blocks the
 * ratio READ CAPACITY(16) reports fits its four bits.
 */
const struct lu_opt lu_options[] = {
	{ .key = "blockShift", F_SHIFT(block_size), .min = 9, .max = 12,
	  .help = "logical block size as a power of two: 9 (512 bytes, also 0) to 12 (4096)" },
	{ .flag = "size", .key = "size", F_SIZE(size), .once = true,
	  .want = "a number of bytes or one like 512M, 10G",
	  .help = "bytes (512K, 64M, 1G, 1T); creates a missing file; mem: and null: need it" },
	{ .flag = "physical_block_size", .key = "physicalBlockSize", F_POW2(phys_block_size),
	  .min = 512, .max = 1u << 24, .want = "a power of two such as 4096",
	  .help = "physical block reported, a power-of-two multiple of the block size" },
	{ .flag = "max_bandwidth", .key = "maxBandwidth", F_SIZE(max_bandwidth),
	  .want = "bytes per second, e.g. 100M",
	  .help = "cap reads and writes at SIZE bytes per second (files and devices, io=pool)" },
	{ .flag = "thin", .key = "thinProvisioning", F_BOOL(thin),
	  .help = "thin provisioned: UNMAP punches holes, GET LBA STATUS reports them" },
	{ .flag = "readonly", .key = "readonly", F_BOOL(readonly),
	  .help = "write protected; the store is opened read-only" },
	{ .flag = "removable", .key = "removable", F_BOOL(removable),
	  .help = "removable medium: START STOP UNIT ejects and loads" },
	{ .flag = "io", .key = "io", F_ENUM(io_uring), .on = "uring", .off = "pool",
	  .want = "uring or pool",
	  .help = "uring: I/O through io_uring on the network thread; pool (default): workers" },
	{ .flag = "direct", .key = "direct", F_BOOL(direct), .nested = true,
	  .help = "with io=uring: O_DIRECT, bypassing the page cache" },
};
const size_t lu_noptions = sizeof(lu_options) / sizeof(lu_options[0]);
/* lu_parse_flag() keeps one bit per option. */
_Static_assert(sizeof(lu_options) / sizeof(lu_options[0]) <= 32, "too many LU options");

/* ---- the table ---------------------------------------------------------- */

static int say(char *why, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Why something is wrong into @why; returns -1 for the caller to return. */
static int say(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	return -1;
}

static const char *opt_name(const struct lu_opt *o, enum lu_syntax syn)
{
	return syn == LU_SYNTAX_FLAG ? o->flag : o->key;
}

const struct lu_opt *lu_opt_find(enum lu_syntax syn, const char *name, size_t len)
{
	for (size_t i = 0; i < lu_noptions; i++) {
		const char *n = opt_name(&lu_options[i], syn);

		if (n != NULL && strlen(n) == len && strncmp(n, name, len) == 0)
			return &lu_options[i];
	}
	return NULL;
}

/* The entry of the field at @offset (one exists: lu_check() names them). */
static const struct lu_opt *opt_at(size_t offset)
{
	for (size_t i = 0; i < lu_noptions; i++)
		if (lu_options[i].offset == offset)
			return &lu_options[i];
	abort();
}
#define OPT(field) opt_at(offsetof(struct ctgt_lu_params, field))

static uint64_t opt_get(const struct ctgt_lu_params *p, const struct lu_opt *o)
{
	const char *f = (const char *)p + o->offset;

	if (o->type == LU_OPT_SIZE)
		return *(const uint64_t *)f;
	if (o->type == LU_OPT_POW2 || o->type == LU_OPT_SHIFT)
		return *(const uint32_t *)f;
	return *(const bool *)f;
}

/* @v fits the field: the parsers check the range first. */
static void opt_set(struct ctgt_lu_params *p, const struct lu_opt *o, uint64_t v)
{
	char *f = (char *)p + o->offset;

	if (o->type == LU_OPT_SIZE)
		*(uint64_t *)f = v;
	else if (o->type == LU_OPT_POW2 || o->type == LU_OPT_SHIFT)
		*(uint32_t *)f = (uint32_t)v;
	else
		*(bool *)f = v != 0;
}

/* A block size of 0 means the default in struct ctgt_lu_params too. */
static bool opt_is_default(const struct ctgt_lu_params *p, const struct lu_opt *o)
{
	uint64_t v = opt_get(p, o);

	return v == 0 || (o->type == LU_OPT_SHIFT && v == DEFAULT_BLOCK);
}

void lu_defaults(struct ctgt_lun_cfg *lun)
{
	memset(lun, 0, sizeof(*lun));
	lun->params.block_size = DEFAULT_BLOCK;
}

static bool pow2(uint64_t v)
{
	return v != 0 && (v & (v - 1)) == 0;
}

static unsigned log2_of(uint64_t v)
{
	unsigned n = 0;

	while (v > 1) {
		v >>= 1;
		n++;
	}
	return n;
}

/* "512M" for a multiple of 1 KiB (the largest unit that divides it),
 * else the number of bytes; what config_parse_size() reads back. */
static void fmt_size(uint64_t v, char *buf, size_t len)
{
	static const char units[] = "KMGTP";
	int u = -1;

	while (v != 0 && u < 4 && v % (1024ull << (10 * (u + 1))) == 0)
		u++;
	if (u < 0)
		snprintf(buf, len, "%llu", (unsigned long long)v);
	else
		snprintf(buf, len, "%llu%c", (unsigned long long)(v >> (10 * (u + 1))), units[u]);
}

/* ---- --lun -------------------------------------------------------------- */

/* How @o looks in --lun, as the synopsis and the errors show it. */
static void opt_form(const struct lu_opt *o, char *buf, size_t len)
{
	if (o->type == LU_OPT_BOOL)
		snprintf(buf, len, "%s", o->flag);
	else if (o->type == LU_OPT_ENUM)
		snprintf(buf, len, "%s=%s", o->flag, o->on);
	else
		snprintf(buf, len, "%s=SIZE", o->flag);
}

/* The next option after @i that --lun has, or lu_noptions. */
static size_t next_flag(size_t i)
{
	while (++i < lu_noptions && lu_options[i].flag == NULL)
		;
	return i;
}

size_t lu_synopsis(char *buf, size_t len)
{
	size_t n = 0;
	int depth = 0;	/* brackets open */

	for (size_t i = next_flag((size_t)-1); i < lu_noptions; i = next_flag(i)) {
		char form[64];
		size_t k = next_flag(i);

		opt_form(&lu_options[i], form, sizeof(form));
		n += (size_t)snprintf(buf + (n < len ? n : len), n < len ? len - n : 0, "[,%s", form);
		depth++;
		if (k < lu_noptions && lu_options[k].nested)
			continue;
		for (; depth > 0; depth--)
			n += (size_t)snprintf(buf + (n < len ? n : len), n < len ? len - n : 0, "]");
	}
	return n;
}

/* "unknown option (want size=SIZE, ..., io=uring or direct)" */
static void unknown_option(char *why, size_t len)
{
	size_t n = (size_t)snprintf(why, len, "unknown option (want ");
	const char *sep = "";

	for (size_t i = next_flag((size_t)-1); i < lu_noptions && n < len; i = next_flag(i)) {
		char form[64];

		opt_form(&lu_options[i], form, sizeof(form));
		n += (size_t)snprintf(why + n, len - n, "%s%s", sep, form);
		sep = next_flag(next_flag(i)) == lu_noptions ? " or " : ", ";
	}
	if (n < len)
		snprintf(why + n, len - n, ")");
}

/* The value of option @o (@v, @n bytes; NULL: none given) into @p. */
static int flag_value(const struct lu_opt *o, const char *v, size_t n,
		      struct ctgt_lu_params *p, char *why, size_t len)
{
	char buf[32];
	uint64_t x = 0;

	if (o->type == LU_OPT_BOOL && v != NULL)
		return say(why, len, "%s takes no value", o->flag);
	if (o->type == LU_OPT_BOOL) {
		opt_set(p, o, 1);
		return 0;
	}
	if (v != NULL && n < sizeof(buf)) {
		memcpy(buf, v, n);
		buf[n] = '\0';
		if (o->type == LU_OPT_ENUM && (strcmp(buf, o->on) == 0 || strcmp(buf, o->off) == 0)) {
			opt_set(p, o, strcmp(buf, o->on) == 0);
			return 0;
		}
		if (o->type != LU_OPT_ENUM && config_parse_size(buf, &x) < 0)
			x = 0;
	}
	if (x == 0 || (o->type == LU_OPT_POW2 && (!pow2(x) || x < o->min || x > o->max)))
		return say(why, len, "bad %s (want %s)", o->flag, o->want);
	opt_set(p, o, x);
	return 0;
}

/* One ",NAME[=VALUE]" of --lun (@opt, @n bytes); @seen: the options so far. */
static int flag_option(const char *opt, size_t n, struct ctgt_lu_params *p, uint32_t *seen,
		       char *why, size_t len)
{
	const char *eq = memchr(opt, '=', n);
	const struct lu_opt *o = lu_opt_find(LU_SYNTAX_FLAG, opt, eq ? (size_t)(eq - opt) : n);
	uint32_t bit;

	/* "size=" with nothing after it names no option either. */
	if (o == NULL || (eq != NULL && eq + 1 == opt + n)) {
		unknown_option(why, len);
		return -1;
	}
	bit = 1u << (o - lu_options);
	if (o->once && (*seen & bit))
		return say(why, len, "%s given twice", o->flag);
	*seen |= bit;
	return flag_value(o, eq ? eq + 1 : NULL, eq ? (size_t)(opt + n - eq - 1) : 0, p, why, len);
}

int lu_parse_flag(const char *val, struct ctgt_lun_cfg *lun, char *why, size_t len)
{
	const char *eq = strchr(val, '='), *path, *p;
	uint32_t seen = 0;
	char syn[256];

	lu_defaults(lun);
	if (eq == NULL) {
		lu_synopsis(syn, sizeof(syn));
		snprintf(why, len, "expected N=PATH%s", syn);
		return -1;
	}
	if (parse_dec(val, (size_t)(eq - val), MAX_LUN, &lun->params.lun) < 0)
		return say(why, len, "LUN number must be 0 to %d", MAX_LUN);
	path = eq + 1;
	p = strchrnul(path, ',');
	if (p == path)
		return say(why, len, "missing path");
	while (*p == ',') {
		const char *opt = p + 1;

		p = strchrnul(opt, ',');
		if (flag_option(opt, (size_t)(p - opt), &lun->params, &seen, why, len) < 0)
			return -1;
	}
	lun->path = strndup(path, (size_t)(strchrnul(path, ',') - path));
	if (lun->path == NULL)
		return say(why, len, "out of memory");
	if (lu_check(lun, LU_SYNTAX_FLAG, why, len) == 0)
		return 0;
	free(lun->path);
	lun->path = NULL;
	return -1;
}

/* ---- config.json -------------------------------------------------------- */

/* A size: a positive integer, or a string config_parse_size() reads. */
static bool json_size(json_t *v, uint64_t *out)
{
	if (json_is_integer(v) && json_integer_value(v) > 0) {
		*out = (uint64_t)json_integer_value(v);
		return true;
	}
	return json_is_string(v) && config_parse_size(json_string_value(v), out) == 0 && *out > 0;
}

/* blockShift: 0 (gotgt's "not given") is the default. */
static int json_shift(const struct lu_opt *o, json_t *v, struct ctgt_lu_params *p,
		      char *why, size_t len)
{
	json_int_t s = json_is_integer(v) ? json_integer_value(v) : -1;

	if (s == 0 || (s >= (json_int_t)o->min && s <= (json_int_t)o->max)) {
		opt_set(p, o, s == 0 ? DEFAULT_BLOCK : 1u << s);
		return 0;
	}
	snprintf(why, len, "%s must be %llu (%u bytes) to %llu (%u bytes)", o->key,
		 (unsigned long long)o->min, 1u << o->min, (unsigned long long)o->max, 1u << o->max);
	return -1;
}

static int json_value(const struct lu_opt *o, json_t *v, struct ctgt_lu_params *p,
		      char *why, size_t len)
{
	const char *s = json_is_string(v) ? json_string_value(v) : "";
	uint64_t x = 0;

	switch (o->type) {
	case LU_OPT_SHIFT:
		return json_shift(o, v, p, why, len);
	case LU_OPT_BOOL:
		if (!json_is_boolean(v))
			return say(why, len, "%s must be true or false", o->key);
		opt_set(p, o, json_is_true(v));
		return 0;
	case LU_OPT_ENUM:
		if (strcmp(s, o->on) != 0 && strcmp(s, o->off) != 0)
			return say(why, len, "%s must be \"%s\" or \"%s\"", o->key, o->on, o->off);
		opt_set(p, o, strcmp(s, o->on) == 0);
		return 0;
	case LU_OPT_POW2:
		if (!json_size(v, &x) || !pow2(x) || x < o->min || x > o->max)
			return say(why, len, "%s must be a power of two from %llu to %llu", o->key,
					(unsigned long long)o->min, (unsigned long long)o->max);
		break;
	case LU_OPT_SIZE:
		if (!json_size(v, &x))
			return say(why, len, "%s must be a positive number of bytes or a string "
					"like \"10G\"", o->key);
		break;
	}
	opt_set(p, o, x);
	return 0;
}

int lu_load_json(json_t *obj, struct ctgt_lun_cfg *lun, char *why, size_t len)
{
	for (size_t i = 0; i < lu_noptions; i++) {
		json_t *v = json_object_get(obj, lu_options[i].key);

		if (v != NULL && json_value(&lu_options[i], v, &lun->params, why, len) < 0)
			return -1;
	}
	return lu_check(lun, LU_SYNTAX_JSON, why, len);
}

/* ---- checks of a LU as a whole ------------------------------------------ */

/* The setting "io=uring" / "\"io\": \"uring\"" of ENUM option @o. */
static void setting_on(const struct lu_opt *o, enum lu_syntax syn, char *buf, size_t len)
{
	if (syn == LU_SYNTAX_FLAG)
		snprintf(buf, len, "%s=%s", o->flag, o->on);
	else
		snprintf(buf, len, "\"%s\": \"%s\"", o->key, o->on);
}

/* The store type of a spec that has no storage behind it ("mem", "null"),
 * as backend/backend.c tells them apart; NULL for a file or device. */
static const char *ram_store(const char *path)
{
	if (path != NULL && strncmp(path, "mem:", 4) == 0)
		return "mem:";
	if (path != NULL && strncmp(path, "null:", 5) == 0)
		return "null:";
	return NULL;
}

/* The block sizes and the size; the library checks them again (embed/,
 * scsi/), but a user should hear of them with the option's name. */
static int check_blocks(const struct ctgt_lu_params *p, enum lu_syntax syn, char *why, size_t len)
{
	uint32_t bs = p->block_size ? p->block_size : DEFAULT_BLOCK, pbs = p->phys_block_size;
	const char *size = opt_name(OPT(size), syn);

	if (bs < 512 || bs > 65536 || !pow2(bs))
		return say(why, len, "block size %u is not a power of two from 512 to 65536", bs);
	/* READ CAPACITY(16) has four bits for the exponent of the ratio. */
	if (pbs != 0 && (!pow2(pbs) || pbs < bs || pbs / bs > (1u << 15)))
		return say(why, len, "%s must be a power of two and at least the block size",
				opt_name(OPT(phys_block_size), syn));
	if (p->size % bs == 0)
		return 0;
	/* Where the block size cannot be set, say what it is. */
	if (opt_name(OPT(block_size), syn) == NULL)
		snprintf(why, len, "%s is not a multiple of %u bytes", size, bs);
	else
		snprintf(why, len, "%s is not a multiple of the block size (%u)", size, bs);
	return -1;
}

/* io and direct, and what the store type allows. */
static int check_store(const struct ctgt_lun_cfg *lun, enum lu_syntax syn, char *why, size_t len)
{
	const struct ctgt_lu_params *p = &lun->params;
	const char *ram = ram_store(lun->path), *bw = opt_name(OPT(max_bandwidth), syn);
	char uring[32];

	setting_on(OPT(io_uring), syn, uring, sizeof(uring));
	if (p->direct && !p->io_uring)
		return say(why, len, "%s needs %s", opt_name(OPT(direct), syn), uring);
	if (ram != NULL && p->size == 0)
		return say(why, len, "%s needs a size", ram);
	if (ram != NULL && p->io_uring)
		return say(why, len, "%s needs a file or block device", uring);
	/* io_uring starts I/O on the network thread, which must never wait. */
	if (p->max_bandwidth && p->io_uring)
		return say(why, len, "%s: an %s LU cannot be given a bandwidth limit "
				"(it has no worker threads to wait on)", bw, uring);
	if (p->max_bandwidth && ram != NULL)
		return say(why, len, "%s: a %s store cannot be given a bandwidth limit",
				bw, ram);
	return 0;
}

int lu_check(const struct ctgt_lun_cfg *lun, enum lu_syntax syn, char *why, size_t len)
{
	if (check_blocks(&lun->params, syn, why, len) < 0)
		return -1;
	return check_store(lun, syn, why, len);
}

/* ---- writing a LU back -------------------------------------------------- */

/* ",NAME[=VALUE]" of an option that is set; snprintf()'s length. */
static int flag_setting(const struct lu_opt *o, uint64_t v, char *buf, size_t len)
{
	char num[32];

	if (o->type == LU_OPT_BOOL)
		return snprintf(buf, len, ",%s", o->flag);
	if (o->type == LU_OPT_ENUM)
		return snprintf(buf, len, ",%s=%s", o->flag, v ? o->on : o->off);
	fmt_size(v, num, sizeof(num));
	return snprintf(buf, len, ",%s=%s", o->flag, num);
}

int lu_format_flag(const struct ctgt_lun_cfg *lun, char *buf, size_t len)
{
	int n;

	/* --lun ends the path at the first comma. */
	if (lun->path == NULL || strchr(lun->path, ',') != NULL)
		return say(buf, len, "a path with a comma (or none) cannot be a --lun value");
	n = snprintf(buf, len, "%llu=%s", (unsigned long long)lun->params.lun, lun->path);
	for (size_t i = 0; i < lu_noptions && n >= 0 && (size_t)n < len; i++) {
		const struct lu_opt *o = &lu_options[i];

		if (opt_is_default(&lun->params, o))
			continue;
		if (o->flag == NULL)
			return say(buf, len, "%s %u has no --lun option", o->key,
				   o->type == LU_OPT_SHIFT ? log2_of(opt_get(&lun->params, o)) :
				   (unsigned)opt_get(&lun->params, o));
		n += flag_setting(o, opt_get(&lun->params, o), buf + n, len - (size_t)n);
	}
	if (n < 0 || (size_t)n >= len)
		return say(buf, len, "too long");
	return n;
}

/* The JSON value of an option that is set: sizes as "512M" where a unit
 * fits (else a number), block sizes as numbers, gotgt's blockShift. */
static json_t *json_setting(const struct lu_opt *o, uint64_t v)
{
	char num[32];

	switch (o->type) {
	case LU_OPT_SIZE:
		fmt_size(v, num, sizeof(num));
		return v % 1024 == 0 ? json_string(num) : json_integer((json_int_t)v);
	case LU_OPT_POW2:
		return json_integer((json_int_t)v);
	case LU_OPT_SHIFT:
		return json_integer(log2_of(v));
	case LU_OPT_BOOL:
		return json_boolean(v);
	case LU_OPT_ENUM:
		return json_string(v ? o->on : o->off);
	}
	return NULL;
}

json_t *lu_to_json(const struct ctgt_lun_cfg *lun)
{
	json_t *obj = json_object();
	bool ok = obj != NULL &&
		  json_object_set_new(obj, "path", json_string(lun->path ? lun->path : "")) == 0;

	for (size_t i = 0; ok && i < lu_noptions; i++) {
		const struct lu_opt *o = &lu_options[i];

		if (!opt_is_default(&lun->params, o))
			ok = json_object_set_new(obj, o->key,
						 json_setting(o, opt_get(&lun->params, o))) == 0;
	}
	if (!ok)
		json_decref(obj);
	return ok ? obj : NULL;
}

/* ---- usage text ---------------------------------------------------------- */

size_t lu_json_keys(char *buf, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < lu_noptions; i++)
		n += (size_t)snprintf(buf + (n < len ? n : len), n < len ? len - n : 0, "%s%s",
				      i ? ", " : "", lu_options[i].key);
	return n;
}

/* The length of the bracketed group at @s ("[,io=uring[,direct]]"). */
static size_t group_len(const char *s)
{
	size_t n = 0;
	int depth = 0;

	do {
		depth += s[n] == '[' ? 1 : s[n] == ']' ? -1 : 0;
		n++;
	} while (s[n] != '\0' && depth > 0);
	return n;
}

void lu_usage(FILE *out, int indent)
{
	char syn[256];
	int col = indent + (int)strlen("[--lun N=PATH");

	lu_synopsis(syn, sizeof(syn));
	fprintf(out, "%*s[--lun N=PATH", indent, "");
	for (const char *s = syn; *s != '\0';) {
		size_t n = group_len(s);

		if (col + (int)n > 80) {
			fprintf(out, "\n%*s", indent + 9, "");
			col = indent + 9;
		}
		fprintf(out, "%.*s", (int)n, s);
		col += (int)n;
		s += n;
	}
	fprintf(out, "]...\n");
}

void lu_help(FILE *out)
{
	fprintf(out, "LU options (--lun N=PATH,OPTION,...; the key of a config.json storage):\n");
	for (size_t i = 0; i < lu_noptions; i++) {
		const struct lu_opt *o = &lu_options[i];
		char form[64] = "(config.json only)";

		if (o->flag != NULL)
			opt_form(o, form, sizeof(form));
		fprintf(out, "  %-26s \"%s\"\n      %s\n", form, o->key, o->help);
	}
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * iSCSI text-key negotiation (RFC 7143 sections 6 and 13; RFC 7144).
 *
 * Every key this target knows is one row of key_table[]: its name, how it is
 * negotiated (type), when it may be sent (use), its legal range, our own
 * value or limit, and where the result lands in struct iscsi_params. The
 * code below only interprets rows; adding a key means adding a row.
 *
 * The target is always the responder here: the initiator offers, we answer
 * each key in the order received (RFC 7143 section 6.2), and our own
 * declarations are appended by iscsi_param_declare().
 */
#include "iscsi/param.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"

#define COMP "param"

/* RFC 7143 section 6.1: a key name is at most 63 characters. */
#define KEY_NAME_MAX 63
/*
 * RFC 7143 section 6.1 caps a simple value at 255 bytes, but some values are
 * larger (TargetAddress lists, CHAP_C/CHAP_R binaries, up to 8192 for
 * large-binary-value). One overall cap keeps the parser simple; keys that
 * land in a fixed buffer check their own size.
 */
#define VALUE_MAX 8192
/* RFC 7143 section 13.12/13.13/13.14: 512 .. 2**24 - 1. */
#define LEN_MIN 512u
#define LEN_MAX 16777215u

/* iSCSIProtocolLevel this implementation speaks: RFC 7143 defines 1; RFC
 * 7144 (level 2) features are not implemented. */
#define OUR_PROTOCOL_LEVEL 1u

enum key_type {
	KT_NUM_MIN,	/* numerical, result function Minimum (RFC 7143 6.2.2) */
	KT_NUM_MAX,	/* numerical, result function Maximum */
	KT_BOOL_AND,	/* boolean, result function AND */
	KT_BOOL_OR,	/* boolean, result function OR */
	KT_LIST,	/* list: first value of the offer we accept (6.2.1) */
	KT_NUM_DECL,	/* numerical declaration (MaxRecvDataSegmentLength) */
	KT_STR_DECL,	/* string declaration landing in a char array */
	KT_SESSION_TYPE,	/* SessionType=Discovery|Normal (13.21) */
	KT_TARGET_ONLY,	/* only a target may send it: the initiator gets Reject */
	KT_MARKER,	/* IFMarker/OFMarker, obsolete ("Obsoleted Keys", 13): answer No */
	KT_MARKINT,	/* IFMarkInt/OFMarkInt, obsolete ("Obsoleted Keys", 13): Reject */
	KT_CALLER,	/* handled by the login/text/auth code: skipped here */
};

enum key_use {
	USE_IO,		/* "IO": login only, any connection */
	USE_LO,		/* "LO": login of the leading connection only */
	USE_ALL,	/* "ALL": login or full feature phase */
	USE_CALLER,	/* not ours to judge */
};

/* Row flags. */
#define KF_DISC_IRRELEVANT 0x1u	/* "Irrelevant when: SessionType=Discovery" */
#define KF_NONEMPTY	   0x2u	/* a string declaration that must not be empty */
#define KF_CAP_BY_BURST	   0x4u	/* result must not exceed MaxBurstLength (13.14) */
#define KF_CLAMP_FIRST	   0x8u	/* this is MaxBurstLength: keep FirstBurst below it */

#define NO_OFF (-1)

/* One id per row of key_table[]; also the row's bit in seen/declared. */
enum key_id {
	K_HEADER_DIGEST,
	K_DATA_DIGEST,
	K_AUTH_METHOD,
	K_MAX_CONNECTIONS,
	K_SEND_TARGETS,
	K_TARGET_NAME,
	K_INITIATOR_NAME,
	K_TARGET_ALIAS,
	K_INITIATOR_ALIAS,
	K_TARGET_ADDRESS,
	K_TARGET_PORTAL_GROUP_TAG,
	K_INITIAL_R2T,
	K_IMMEDIATE_DATA,
	K_MAX_RECV_DSL,
	K_MAX_BURST,
	K_FIRST_BURST,
	K_TIME2WAIT,
	K_TIME2RETAIN,
	K_MAX_OUTSTANDING_R2T,
	K_DATA_PDU_IN_ORDER,
	K_DATA_SEQ_IN_ORDER,
	K_ERL,
	K_SESSION_TYPE,
	K_IF_MARKER,
	K_OF_MARKER,
	K_IF_MARK_INT,
	K_OF_MARK_INT,
	K_TASK_REPORTING,
	K_PROTOCOL_LEVEL,
	K_CHAP_A,
	K_CHAP_I,
	K_CHAP_C,
	K_CHAP_N,
	K_CHAP_R,
	K_COUNT
};

struct key_def;
typedef bool (*list_accept_fn)(const struct iscsi_neg *n, const char *v, size_t vl);
typedef void (*list_land_fn)(struct iscsi_params *p, const struct key_def *d, const char *v,
			     size_t vl);

struct key_def {
	const char *name;
	enum key_type type;
	enum key_use use;
	unsigned flags;
	uint32_t min, max;	/* legal range of a numerical value */
	uint32_t ours;		/* our value when lim_off is NO_OFF */
	int lim_off;		/* our value/limit in struct iscsi_target_limits */
	int p_off;		/* where the result lands in struct iscsi_params */
	size_t p_size;		/* KT_STR_DECL: size of the char array at p_off */
	list_accept_fn accept;	/* KT_LIST: may we use this value? */
	list_land_fn land;	/* KT_LIST: record the choice (NULL value = none) */
};

/* ---- list keys: what we accept and where the choice lands ---------------- */

static bool tok_is(const char *v, size_t vl, const char *lit)
{
	return vl == strlen(lit) && memcmp(v, lit, vl) == 0;
}

static bool accept_header_digest(const struct iscsi_neg *n, const char *v, size_t vl)
{
	return tok_is(v, vl, "None") || (n->lim->allow_header_digest && tok_is(v, vl, "CRC32C"));
}

static bool accept_data_digest(const struct iscsi_neg *n, const char *v, size_t vl)
{
	return tok_is(v, vl, "None") || (n->lim->allow_data_digest && tok_is(v, vl, "CRC32C"));
}

/*
 * RFC 7143 section 12.1: AuthMethod values KRB5, SRP, CHAP, None. The login
 * layer says which of CHAP and None this login may use (n->auth_chap,
 * n->auth_none) once it knows the target; the CHAP_* exchange itself is the
 * login/auth code's (KT_CALLER rows below).
 */
static bool accept_auth_method(const struct iscsi_neg *n, const char *v, size_t vl)
{
	return (n->auth_none && tok_is(v, vl, "None")) || (n->auth_chap && tok_is(v, vl, "CHAP"));
}

/* RFC 7143 section 13.23: we give the RFC 3720 task reporting semantics only. */
static bool accept_task_reporting(const struct iscsi_neg *n, const char *v, size_t vl)
{
	(void)n;
	return tok_is(v, vl, "RFC3720");
}

static void land_digest(struct iscsi_params *p, const struct key_def *d, const char *v, size_t vl)
{
	bool *field = (bool *)((char *)p + d->p_off);

	*field = v != NULL && tok_is(v, vl, "CRC32C");
}

/* p->auth_method == "" tells the login layer no method was agreed. */
static void land_auth_method(struct iscsi_params *p, const struct key_def *d, const char *v,
			     size_t vl)
{
	(void)d;
	p->auth_method[0] = '\0';
	if (v != NULL && vl < sizeof(p->auth_method)) {
		memcpy(p->auth_method, v, vl);
		p->auth_method[vl] = '\0';
	}
}

/* ---- the table ------------------------------------------------------------ */

#define P(f) ((int)offsetof(struct iscsi_params, f))
#define L(f) ((int)offsetof(struct iscsi_target_limits, f))

#define NUM(n, t, u, fl, lo, hi, our, lim, field) \
	{ .name = n, .type = t, .use = u, .flags = fl, .min = lo, .max = hi, \
	  .ours = our, .lim_off = lim, .p_off = field }
#define BOOL(n, t, u, fl, our, lim, field) \
	{ .name = n, .type = t, .use = u, .flags = fl, .ours = our, \
	  .lim_off = lim, .p_off = field }
#define LIST(n, u, fl, acc, lnd, field) \
	{ .name = n, .type = KT_LIST, .use = u, .flags = fl, .lim_off = NO_OFF, \
	  .p_off = field, .accept = acc, .land = lnd }
#define STR(n, u, fl, field) \
	{ .name = n, .type = KT_STR_DECL, .use = u, .flags = fl, .lim_off = NO_OFF, \
	  .p_off = P(field), .p_size = sizeof(((struct iscsi_params *)0)->field) }
#define OTHER(n, t, u) \
	{ .name = n, .type = t, .use = u, .lim_off = NO_OFF, .p_off = NO_OFF }

static const struct key_def key_table[K_COUNT] = {
	/* 13.1 */
	[K_HEADER_DIGEST] = LIST("HeaderDigest", USE_IO, 0,
				 accept_header_digest, land_digest, P(header_digest)),
	[K_DATA_DIGEST] = LIST("DataDigest", USE_IO, 0,
			       accept_data_digest, land_digest, P(data_digest)),
	/* 12.1 (security stage; stage checks are the login layer's) */
	[K_AUTH_METHOD] = LIST("AuthMethod", USE_IO, 0,
			       accept_auth_method, land_auth_method, P(auth_method)),
	/* 13.2 */
	[K_MAX_CONNECTIONS] = NUM("MaxConnections", KT_NUM_MIN, USE_LO, KF_DISC_IRRELEVANT,
				  1, 65535, 0, L(max_connections), P(max_connections)),
	/* 13.3: SendTargets is answered by the discovery code. */
	[K_SEND_TARGETS] = OTHER("SendTargets", KT_CALLER, USE_CALLER),
	/* 13.4-13.7: IO by the initiator (the target sends TargetName only
	 * in SendTargets responses); the aliases may change at any time. */
	[K_TARGET_NAME] = STR("TargetName", USE_IO, KF_NONEMPTY, target_name),
	[K_INITIATOR_NAME] = STR("InitiatorName", USE_IO, KF_NONEMPTY, initiator_name),
	[K_TARGET_ALIAS] = OTHER("TargetAlias", KT_TARGET_ONLY, USE_ALL),
	[K_INITIATOR_ALIAS] = STR("InitiatorAlias", USE_ALL, 0, initiator_alias),
	/* 13.8, 13.9 */
	[K_TARGET_ADDRESS] = OTHER("TargetAddress", KT_TARGET_ONLY, USE_ALL),
	[K_TARGET_PORTAL_GROUP_TAG] = OTHER("TargetPortalGroupTag", KT_TARGET_ONLY, USE_IO),
	/* 13.10, 13.11 */
	[K_INITIAL_R2T] = BOOL("InitialR2T", KT_BOOL_OR, USE_LO, KF_DISC_IRRELEVANT,
			       0, L(initial_r2t), P(initial_r2t)),
	[K_IMMEDIATE_DATA] = BOOL("ImmediateData", KT_BOOL_AND, USE_LO, KF_DISC_IRRELEVANT,
				  0, L(immediate_data), P(immediate_data)),
	/* 13.12: each side declares what it receives; the initiator's value
	 * is our send limit. */
	[K_MAX_RECV_DSL] = NUM("MaxRecvDataSegmentLength", KT_NUM_DECL, USE_ALL, 0,
			       LEN_MIN, LEN_MAX, 0, NO_OFF, P(max_xmit_dlen)),
	/* 13.13, 13.14 */
	[K_MAX_BURST] = NUM("MaxBurstLength", KT_NUM_MIN, USE_LO,
			    KF_DISC_IRRELEVANT | KF_CLAMP_FIRST,
			    LEN_MIN, LEN_MAX, 0, L(max_burst), P(max_burst)),
	[K_FIRST_BURST] = NUM("FirstBurstLength", KT_NUM_MIN, USE_LO,
			      KF_DISC_IRRELEVANT | KF_CAP_BY_BURST,
			      LEN_MIN, LEN_MAX, 0, L(first_burst), P(first_burst)),
	/* 13.15: Maximum; we ask for no more than the RFC default. */
	[K_TIME2WAIT] = NUM("DefaultTime2Wait", KT_NUM_MAX, USE_LO, 0,
			    0, 3600, 2, NO_OFF, P(default_time2wait)),
	/* 13.16: with ErrorRecoveryLevel 0 nothing is reassigned, so the RFC
	 * default is as long as we ever need to keep state. */
	[K_TIME2RETAIN] = NUM("DefaultTime2Retain", KT_NUM_MIN, USE_LO, 0,
			      0, 3600, 20, NO_OFF, P(default_time2retain)),
	/* 13.17 */
	[K_MAX_OUTSTANDING_R2T] = NUM("MaxOutstandingR2T", KT_NUM_MIN, USE_LO, KF_DISC_IRRELEVANT,
				      1, 65535, 0, L(max_outstanding_r2t),
				      P(max_outstanding_r2t)),
	/* 13.18, 13.19: OR, and we need in-order data (our value is Yes). */
	[K_DATA_PDU_IN_ORDER] = BOOL("DataPDUInOrder", KT_BOOL_OR, USE_LO, KF_DISC_IRRELEVANT,
				     1, NO_OFF, P(data_pdu_in_order)),
	[K_DATA_SEQ_IN_ORDER] = BOOL("DataSequenceInOrder", KT_BOOL_OR, USE_LO,
				     KF_DISC_IRRELEVANT, 1, NO_OFF, P(data_seq_in_order)),
	/* 13.20: we implement session recovery (level 0) only. */
	[K_ERL] = NUM("ErrorRecoveryLevel", KT_NUM_MIN, USE_LO, 0,
		      0, 2, 0, NO_OFF, P(error_recovery_level)),
	/* 13.21 */
	[K_SESSION_TYPE] = OTHER("SessionType", KT_SESSION_TYPE, USE_LO),
	/* 13, "Obsoleted Keys": markers are obsolete. For IFMarker/OFMarker "No" is the
	 * allowed alternative to Reject and is what RFC 3720 initiators
	 * (open-iscsi and libiscsi offer "No") expect; the intervals MUST be
	 * rejected. Their use was IO in RFC 3720. */
	[K_IF_MARKER] = OTHER("IFMarker", KT_MARKER, USE_IO),
	[K_OF_MARKER] = OTHER("OFMarker", KT_MARKER, USE_IO),
	[K_IF_MARK_INT] = OTHER("IFMarkInt", KT_MARKINT, USE_IO),
	[K_OF_MARK_INT] = OTHER("OFMarkInt", KT_MARKINT, USE_IO),
	/* 13.23 */
	[K_TASK_REPORTING] = LIST("TaskReporting", USE_LO, KF_DISC_IRRELEVANT,
				  accept_task_reporting, NULL, NO_OFF),
	/* 13.24 and RFC 7144: Minimum of 0..31. */
	[K_PROTOCOL_LEVEL] = NUM("iSCSIProtocolLevel", KT_NUM_MIN, USE_LO, KF_DISC_IRRELEVANT,
				 0, 31, OUR_PROTOCOL_LEVEL, NO_OFF, NO_OFF),
	/* 12.1.3: the CHAP exchange belongs to the authentication code. */
	[K_CHAP_A] = OTHER("CHAP_A", KT_CALLER, USE_CALLER),
	[K_CHAP_I] = OTHER("CHAP_I", KT_CALLER, USE_CALLER),
	[K_CHAP_C] = OTHER("CHAP_C", KT_CALLER, USE_CALLER),
	[K_CHAP_N] = OTHER("CHAP_N", KT_CALLER, USE_CALLER),
	[K_CHAP_R] = OTHER("CHAP_R", KT_CALLER, USE_CALLER),
};

#define N_KEYS ((size_t)K_COUNT)

/* struct iscsi_neg keeps one bit per row in a uint64_t. */
_Static_assert(K_COUNT <= 64, "seen/declared are 64-bit masks");

static uint64_t key_bit(const struct key_def *d)
{
	return UINT64_C(1) << (unsigned)(d - key_table);
}

/* Exact, full-length match only: "MaxBurstLengthX" is not MaxBurstLength. */
static const struct key_def *key_lookup(const char *k, size_t kl)
{
	for (size_t i = 0; i < N_KEYS; i++)
		if (tok_is(k, kl, key_table[i].name))
			return &key_table[i];
	return NULL;
}

static uint32_t lim_u32(const struct iscsi_target_limits *lim, const struct key_def *d)
{
	if (d->lim_off == NO_OFF)
		return d->ours;
	return *(const uint32_t *)((const char *)lim + d->lim_off);
}

static bool lim_bool(const struct iscsi_target_limits *lim, const struct key_def *d)
{
	if (d->lim_off == NO_OFF)
		return d->ours != 0;
	return *(const bool *)((const char *)lim + d->lim_off);
}

static void set_u32(struct iscsi_params *p, const struct key_def *d, uint32_t v)
{
	if (d->p_off != NO_OFF)
		*(uint32_t *)((char *)p + d->p_off) = v;
}

static void set_bool(struct iscsi_params *p, const struct key_def *d, bool v)
{
	if (d->p_off != NO_OFF)
		*(bool *)((char *)p + d->p_off) = v;
}

static uint32_t min_u32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

/* ---- limits, defaults, kvbuf ---------------------------------------------- */

void iscsi_target_limits_default(struct iscsi_target_limits *lim)
{
	*lim = (struct iscsi_target_limits){
		.max_recv_dlen = 262144,
		.max_burst = 1048576,
		.first_burst = 65536,
		.max_outstanding_r2t = 8,
		.max_connections = 4,
		.initial_r2t = false,
		.immediate_data = true,
		.allow_header_digest = true,
		.allow_data_digest = true,
	};
}

/*
 * RFC 7143 section 13 defaults, i.e. what holds for a key never sent. Where
 * our limit is below the default the limit wins: the initiator would have
 * had to negotiate to exceed it, and we would have answered with the limit.
 */
void iscsi_params_init(struct iscsi_params *p, const struct iscsi_target_limits *lim)
{
	*p = (struct iscsi_params){
		.header_digest = false,
		.data_digest = false,
		.max_connections = min_u32(1, lim->max_connections),
		.initial_r2t = true,
		.immediate_data = lim->immediate_data,
		.max_xmit_dlen = 8192,
		.max_recv_dlen = lim->max_recv_dlen,
		.max_burst = min_u32(262144, lim->max_burst),
		.default_time2wait = 2,
		.default_time2retain = 20,
		.max_outstanding_r2t = min_u32(1, lim->max_outstanding_r2t),
		.data_pdu_in_order = true,
		.data_seq_in_order = true,
		.error_recovery_level = 0,
		.discovery = false,
		.have_session_type = false,
	};
	/* 13.14: FirstBurstLength MUST NOT exceed MaxBurstLength. */
	p->first_burst = min_u32(min_u32(65536, lim->first_burst), p->max_burst);
}

int kv_append(struct kvbuf *kv, const char *key, const char *value)
{
	size_t kl = strlen(key), vl = strlen(value);
	size_t need = kl + 1 + vl + 1;

	if (need > SIZE_MAX - kv->len)
		return -ENOMEM;
	if (kv->len + need > kv->cap) {
		size_t cap = kv->cap ? kv->cap : 256;
		char *data;

		while (cap < kv->len + need) {
			if (cap > SIZE_MAX / 2)
				return -ENOMEM;
			cap *= 2;
		}
		data = realloc(kv->data, cap);
		if (!data)
			return -ENOMEM;
		kv->data = data;
		kv->cap = cap;
	}
	memcpy(kv->data + kv->len, key, kl);
	kv->data[kv->len + kl] = '=';
	memcpy(kv->data + kv->len + kl + 1, value, vl);
	kv->data[kv->len + need - 1] = '\0';
	kv->len += need;
	return 0;
}

void kv_free(struct kvbuf *kv)
{
	free(kv->data);
	kv->data = NULL;
	kv->len = 0;
	kv->cap = 0;
}

/* Find @key in data[0..len); sets *vlen. The value need not be terminated. */
static const char *find_pair(const char *data, size_t len, const char *key, size_t *vlen)
{
	size_t kl = strlen(key), pos = 0;

	while (pos < len) {
		const char *chunk = data + pos;
		size_t cl = strnlen(chunk, len - pos);

		if (cl > kl && chunk[kl] == '=' && memcmp(chunk, key, kl) == 0) {
			*vlen = cl - kl - 1;
			return chunk + kl + 1;
		}
		pos += cl + 1;
	}
	return NULL;
}

/*
 * A value is returned only if its NUL lies inside data[0..len), so callers
 * can use it as a C string; a final pair missing its NUL is not found.
 */
const char *kv_find(const char *data, size_t len, const char *key)
{
	size_t vl;
	const char *v = find_pair(data, len, key, &vl);

	if (!v || (size_t)(v - data) + vl >= len)
		return NULL;
	return v;
}

void iscsi_neg_init(struct iscsi_neg *n, struct iscsi_params *p,
		    const struct iscsi_target_limits *lim, bool leading, bool login)
{
	*n = (struct iscsi_neg){ .p = p, .lim = lim, .leading = leading, .login = login,
				 .auth_none = true };
}

/* ---- value syntax (RFC 7143 section 6.1) ---------------------------------- */

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * numerical-value: decimal-constant (0, or digits not starting with 0) or
 * hex-constant ("0x"/"0X" and one or more hex digits), below 2**64.
 */
static bool parse_num(const char *v, size_t vl, uint64_t *out)
{
	uint64_t n = 0;
	unsigned base = 10;
	size_t i = 0;

	if (vl == 0)
		return false;
	if (vl >= 2 && v[0] == '0' && (v[1] == 'x' || v[1] == 'X')) {
		base = 16;
		i = 2;
		if (vl == 2)
			return false;
	} else if (v[0] == '0' && vl > 1) {
		return false;
	}
	for (; i < vl; i++) {
		int d = base == 16 ? hex_digit(v[i]) : (v[i] >= '0' && v[i] <= '9' ? v[i] - '0' : -1);

		if (d < 0)
			return false;
		if (n > (UINT64_MAX - (uint64_t)d) / base)
			return false;
		n = n * base + (uint64_t)d;
	}
	*out = n;
	return true;
}

/* Parse and range-check a numerical value of row @d. */
static bool parse_in_range(const struct key_def *d, const char *v, size_t vl, uint32_t *out)
{
	uint64_t n;

	if (!parse_num(v, vl, &n) || n < d->min || n > d->max)
		return false;
	*out = (uint32_t)n;
	return true;
}

/*
 * standard-label: letters, digits, '.', '-', '+', '@', '_', at most 63
 * characters. "X#" opens the IANA-registered extension keys (6.1).
 */
static bool key_syntax_ok(const char *k, size_t kl)
{
	if (kl == 0 || kl > KEY_NAME_MAX)
		return false;
	for (size_t i = 0; i < kl; i++) {
		char c = k[i];

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
			continue;
		if (c == '.' || c == '-' || c == '+' || c == '@' || c == '_')
			continue;
		if (c == '#' && i == 1 && k[0] == 'X')
			continue;
		return false;
	}
	return true;
}

/* RFC 7143 section 6.2: these are answers, never offers. */
static bool is_reserved_answer(const char *v, size_t vl)
{
	return tok_is(v, vl, "NotUnderstood") || tok_is(v, vl, "Irrelevant") ||
	       tok_is(v, vl, "Reject");
}

/* ---- negotiation ----------------------------------------------------------- */

struct neg_ctx {
	struct iscsi_neg *n;
	const char *data;	/* the whole request, for integrity look-ahead */
	size_t len;
	bool discovery;
	struct kvbuf *out;
	uint64_t seen_here;	/* keys of this request (a repeat in it is a duplicate) */
};

static int answer(struct neg_ctx *c, const char *key, const char *value)
{
	if (kv_append(c->out, key, value) != 0)
		return NEG_ERR_NOMEM;
	LOG_DEBUG(COMP, "answer %s=%s", key, value);
	return NEG_OK;
}

static int answer_u32(struct neg_ctx *c, const char *key, uint32_t v)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%" PRIu32, v);
	return answer(c, key, buf);
}

static bool is_negotiated(const struct key_def *d)
{
	switch (d->type) {
	case KT_NUM_MIN:
	case KT_NUM_MAX:
	case KT_BOOL_AND:
	case KT_BOOL_OR:
	case KT_LIST:
		return true;
	default:
		return false;
	}
}

/*
 * The answer that context alone forces, or NULL to go on with the value.
 *  - Keys only a target may send are refused from the initiator.
 *  - 13 "Use": IO and LO keys belong to the login; in a full-feature Text
 *    Request they are refused.
 *  - LO keys are settled by the leading login (6.3); on a connection added
 *    to the session the session's values stand, so a negotiated LO key is
 *    answered Irrelevant (declarations such as SessionType are recorded).
 *  - 13 "Irrelevant when: SessionType=Discovery".
 */
static const char *context_answer(const struct neg_ctx *c, const struct key_def *d)
{
	if (d->type == KT_TARGET_ONLY)
		return "Reject";
	if (!c->n->login && d->use != USE_ALL)
		return "Reject";
	if (c->n->login && !c->n->leading && d->use == USE_LO && is_negotiated(d))
		return "Irrelevant";
	if (c->discovery && (d->flags & KF_DISC_IRRELEVANT))
		return "Irrelevant";
	return NULL;
}

/*
 * 13.14 and 6.2 (integrity rules are checked once all values are known):
 * FirstBurstLength must not exceed MaxBurstLength, so cap it by the
 * MaxBurstLength result, looking ahead if the initiator sent it later.
 */
static uint32_t burst_cap(const struct neg_ctx *c)
{
	const struct key_def *mb = &key_table[K_MAX_BURST];
	size_t vl;
	const char *v = find_pair(c->data, c->len, mb->name, &vl);
	uint32_t off;

	if (v && parse_in_range(mb, v, vl, &off))
		return min_u32(off, lim_u32(c->n->lim, mb));
	return c->n->p->max_burst;
}

static int neg_num(struct neg_ctx *c, const struct key_def *d, const char *v, size_t vl)
{
	struct iscsi_params *p = c->n->p;
	uint32_t off, ours = lim_u32(c->n->lim, d), res;

	if (!parse_in_range(d, v, vl, &off))
		return answer(c, d->name, "Reject");
	if (d->type == KT_NUM_MIN)
		res = min_u32(off, ours);
	else
		res = off > ours ? off : ours;
	if (d->flags & KF_CAP_BY_BURST)
		res = min_u32(res, burst_cap(c));
	set_u32(p, d, res);
	if ((d->flags & KF_CLAMP_FIRST) && p->first_burst > p->max_burst)
		p->first_burst = p->max_burst;
	return answer_u32(c, d->name, res);
}

static int neg_bool(struct neg_ctx *c, const struct key_def *d, const char *v, size_t vl)
{
	bool off, ours = lim_bool(c->n->lim, d), res;

	if (tok_is(v, vl, "Yes"))
		off = true;
	else if (tok_is(v, vl, "No"))
		off = false;
	else
		return answer(c, d->name, "Reject");
	res = d->type == KT_BOOL_AND ? (off && ours) : (off || ours);
	set_bool(c->n->p, d, res);
	return answer(c, d->name, res ? "Yes" : "No");
}

/* 6.2.1: the first offered value we accept; unknown values are skipped. */
static int neg_list(struct neg_ctx *c, const struct key_def *d, const char *v, size_t vl)
{
	size_t pos = 0;

	while (pos <= vl) {
		const char *tok = v + pos;
		const char *comma = memchr(tok, ',', vl - pos);
		size_t tl = comma ? (size_t)(comma - tok) : vl - pos;

		if (d->accept(c->n, tok, tl)) {
			char buf[32];

			/* Accepted values are short literals of ours. */
			if (tl >= sizeof(buf))
				break;
			memcpy(buf, tok, tl);
			buf[tl] = '\0';
			if (d->land)
				d->land(c->n->p, d, tok, tl);
			return answer(c, d->name, buf);
		}
		pos += tl + 1;
	}
	if (d->land)
		d->land(c->n->p, d, NULL, 0);
	return answer(c, d->name, "Reject");
}

/* 13.12: a declaration, answered only when its value is not admissible. */
static int neg_num_decl(struct neg_ctx *c, const struct key_def *d, const char *v, size_t vl)
{
	uint32_t off;

	if (!parse_in_range(d, v, vl, &off))
		return answer(c, d->name, "Reject");
	set_u32(c->n->p, d, off);
	return NEG_OK;
}

/* 13.4-13.6: names and aliases; RFC 7143 4.2.7.1 caps names at 223 bytes. */
static int neg_str_decl(struct neg_ctx *c, const struct key_def *d, const char *v, size_t vl)
{
	char *field = (char *)c->n->p + d->p_off;

	if (vl >= d->p_size || ((d->flags & KF_NONEMPTY) && vl == 0)) {
		LOG_WARN(COMP, "%s of %zu bytes is not acceptable", d->name, vl);
		return NEG_ERR_SYNTAX;
	}
	memcpy(field, v, vl);
	field[vl] = '\0';
	return NEG_OK;
}

static int neg_session_type(struct neg_ctx *c, const struct key_def *d, const char *v, size_t vl)
{
	struct iscsi_params *p = c->n->p;

	if (tok_is(v, vl, "Discovery"))
		p->discovery = true;
	else if (tok_is(v, vl, "Normal"))
		p->discovery = false;
	else {
		LOG_WARN(COMP, "%s: unknown session type", d->name);
		return NEG_ERR_SYNTAX;
	}
	p->have_session_type = true;
	c->discovery = p->discovery;
	return NEG_OK;
}

static int neg_marker(struct neg_ctx *c, const struct key_def *d, const char *v, size_t vl)
{
	if (tok_is(v, vl, "Yes") || tok_is(v, vl, "No"))
		return answer(c, d->name, "No");
	return answer(c, d->name, "Reject");
}

static int neg_known(struct neg_ctx *c, const struct key_def *d, const char *v, size_t vl)
{
	const char *forced = context_answer(c, d);

	if (forced)
		return answer(c, d->name, forced);
	switch (d->type) {
	case KT_NUM_MIN:
	case KT_NUM_MAX:
		return neg_num(c, d, v, vl);
	case KT_BOOL_AND:
	case KT_BOOL_OR:
		return neg_bool(c, d, v, vl);
	case KT_LIST:
		return neg_list(c, d, v, vl);
	case KT_NUM_DECL:
		return neg_num_decl(c, d, v, vl);
	case KT_STR_DECL:
		return neg_str_decl(c, d, v, vl);
	case KT_SESSION_TYPE:
		return neg_session_type(c, d, v, vl);
	case KT_MARKER:
		return neg_marker(c, d, v, vl);
	case KT_MARKINT:
	case KT_TARGET_ONLY:
		return answer(c, d->name, "Reject");
	case KT_CALLER:
		break;
	}
	return NEG_OK;
}

static bool same_declaration(const struct iscsi_params *p, const struct key_def *d,
			     const char *v, size_t vl)
{
	const char *field = (const char *)p + d->p_off;

	if (d->type == KT_SESSION_TYPE)
		return p->have_session_type &&
		       tok_is(v, vl, p->discovery ? "Discovery" : "Normal");
	return d->type == KT_STR_DECL && strnlen(field, d->p_size) == vl &&
	       memcmp(field, v, vl) == 0;
}

static int neg_pair(struct neg_ctx *c, const char *pair, size_t plen)
{
	const char *eq = memchr(pair, '=', plen);
	const struct key_def *d;
	size_t kl, vl;
	const char *v;
	char key[KEY_NAME_MAX + 1];

	if (!eq) {
		LOG_WARN(COMP, "text pair without '='");
		return NEG_ERR_SYNTAX;
	}
	kl = (size_t)(eq - pair);
	v = eq + 1;
	vl = plen - kl - 1;
	if (!key_syntax_ok(pair, kl) || vl > VALUE_MAX) {
		LOG_WARN(COMP, "malformed key or value (key %zu, value %zu bytes)", kl, vl);
		return NEG_ERR_SYNTAX;
	}
	memcpy(key, pair, kl);
	key[kl] = '\0';

	d = key_lookup(key, kl);
	if (!d) {
		/* 6.2: unknown keys (X-, X# and anything else) are NotUnderstood,
		 * unless the initiator itself is answering. */
		if (is_reserved_answer(v, vl))
			return NEG_OK;
		return answer(c, key, "NotUnderstood");
	}
	if (d->type == KT_CALLER)
		return NEG_OK;
	/* 6.3: a key may be negotiated or declared only once per login. libiscsi
	 * repeats InitiatorName and TargetName in the request after an
	 * AuthMethod=None answer: the same value again changes nothing and is
	 * let through; a different one is still a duplicate. */
	if ((c->n->seen & key_bit(d)) && !(c->seen_here & key_bit(d)) &&
	    same_declaration(c->n->p, d, v, vl))
		return NEG_OK;
	c->seen_here |= key_bit(d);
	if (c->n->seen & key_bit(d)) {
		LOG_WARN(COMP, "%s sent twice", d->name);
		return NEG_ERR_DUPLICATE;
	}
	c->n->seen |= key_bit(d);
	if (is_reserved_answer(v, vl))
		return NEG_OK;
	return neg_known(c, d, v, vl);
}

/*
 * "Irrelevant when: SessionType=Discovery" must hold for keys that precede
 * SessionType in the same request too, so look for it first.
 */
static bool request_is_discovery(const struct iscsi_neg *n, const char *data, size_t len)
{
	size_t vl;
	const char *v;

	if (n->p->have_session_type)
		return n->p->discovery;
	v = find_pair(data, len, "SessionType", &vl);
	return v && tok_is(v, vl, "Discovery");
}

int iscsi_param_negotiate(struct iscsi_neg *n, const char *data, size_t len, struct kvbuf *out)
{
	struct neg_ctx c = {
		.n = n,
		.data = data,
		.len = len,
		.discovery = request_is_discovery(n, data, len),
		.out = out,
	};
	size_t pos = 0;

	/* 6.1: every pair, the last included, ends in a NUL. kv_find() and the
	 * security stage's lookups see only terminated pairs: accepting an
	 * unterminated one here would let the two disagree about the names. */
	if (len && data[len - 1] != '\0') {
		LOG_WARN(COMP, "text data does not end in a NUL delimiter");
		return NEG_ERR_SYNTAX;
	}
	while (pos < len) {
		const char *pair = data + pos;
		size_t plen = strnlen(pair, len - pos);
		int rc;

		pos += plen + 1;
		if (plen == 0)	/* padding or an empty pair: nothing to answer */
			continue;
		rc = neg_pair(&c, pair, plen);
		if (rc != NEG_OK)
			return rc;
	}
	return NEG_OK;
}

/* 13.12: in a login the target declares what it receives, once. */
int iscsi_param_declare(struct iscsi_neg *n, struct kvbuf *out)
{
	const struct key_def *d = &key_table[K_MAX_RECV_DSL];
	char buf[16];

	if (!n->login || (n->declared & key_bit(d)))
		return NEG_OK;
	snprintf(buf, sizeof(buf), "%" PRIu32, n->lim->max_recv_dlen);
	if (kv_append(out, d->name, buf) != 0)
		return NEG_ERR_NOMEM;
	n->declared |= key_bit(d);
	return NEG_OK;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The mode pages of a LU (SPC-4 7.5, SBC-3 6.4): their layout, current and
 * default values, and which fields MODE SELECT may change. MODE SENSE
 * (modesense.c) and MODE SELECT (modeselect.c) both work from this table, so
 * what one reports as changeable is exactly what the other accepts.
 *
 * Changeable fields and what they do:
 *   caching page      WCE: with WCE=0 every write is durable before it
 *                     completes (sbc_submit() forces FUA).
 *   control page      SWP: the medium is write protected (DATA PROTECT,
 *                     WRITE PROTECTED; MODE SENSE reports WP).
 *                     D_SENSE: CHECK CONDITION sense data in descriptor
 *                     format (sense_desc.c).
 *   informational     PERF, EWASC, DEXCPT, LOGERR, MRIE, INTERVAL TIMER,
 *   exceptions page   REPORT COUNT: stored and reported. No informational
 *                     exception condition is ever detected, so none is
 *                     reported whatever the method; TEST (a simulated
 *                     failure) is not changeable.
 * Nothing is saveable (PS=0): the values last until the daemon stops.
 */
#include <string.h>

#include "scsi/internal.h"
#include "util/endian.h"

/* Caching page byte 2 */
#define CACHING_WCE		0x04
/* Control page */
#define CONTROL_D_SENSE		0x04	/* byte 2: descriptor format sense */
#define CONTROL_GLTSD		0x02	/* byte 2: no log parameters are saved */
#define CONTROL_QAM_UNRESTRICTED 0x10	/* byte 3: QUEUE ALGORITHM MODIFIER 1 */
#define CONTROL_SWP		0x08	/* byte 4 */
/* Informational exceptions control page byte 2 */
#define IEC_PERF		0x80
#define IEC_EWASC		0x10
#define IEC_DEXCPT		0x08
#define IEC_LOGERR		0x01
#define IEC_FLAGS_CHANGEABLE	(IEC_PERF | IEC_EWASC | IEC_DEXCPT | IEC_LOGERR)
#define IEC_MRIE_MASK		0x0f

static void fill_caching(const struct lu_mode *m, uint8_t *p)
{
	if (m->wce)
		p[2] |= CACHING_WCE;
}

static void apply_caching(struct lu_mode *m, const uint8_t *p)
{
	m->wce = p[2] & CACHING_WCE;
}

static const uint8_t caching_changeable[20] = { [2] = CACHING_WCE };

static void fill_control(const struct lu_mode *m, uint8_t *p)
{
	/* TST 0 (one task set), QERR 0, TAS 0: the behaviour ctgt has, so
	 * none of it is changeable. */
	p[2] = CONTROL_GLTSD;
	if (m->d_sense)
		p[2] |= CONTROL_D_SENSE;
	p[3] = CONTROL_QAM_UNRESTRICTED;
	if (m->swp)
		p[4] |= CONTROL_SWP;
	put_be16(&p[8], 0xffff);	/* BUSY TIMEOUT PERIOD: unlimited */
}

static void apply_control(struct lu_mode *m, const uint8_t *p)
{
	m->swp = p[4] & CONTROL_SWP;
	m->d_sense = p[2] & CONTROL_D_SENSE;
}

static const uint8_t control_changeable[12] = { [2] = CONTROL_D_SENSE, [4] = CONTROL_SWP };

static void fill_iec(const struct lu_mode *m, uint8_t *p)
{
	p[2] = m->iec_flags;
	p[3] = m->mrie;
	put_be32(&p[4], m->interval_timer);
	put_be32(&p[8], m->report_count);
}

/* MRIE: 0 none, 2..6 the standard methods; 1 is obsolete, 7..Bh reserved
 * and Ch..Fh vendor specific. */
static int check_iec(const uint8_t *p)
{
	uint8_t mrie = p[3] & IEC_MRIE_MASK;

	return (mrie == 0 || (mrie >= 2 && mrie <= 6)) ? -1 : 3;
}

static void apply_iec(struct lu_mode *m, const uint8_t *p)
{
	m->iec_flags = p[2] & IEC_FLAGS_CHANGEABLE;
	m->mrie = p[3] & IEC_MRIE_MASK;
	m->interval_timer = get_be32(&p[4]);
	m->report_count = get_be32(&p[8]);
}

static const uint8_t iec_changeable[12] = {
	[2] = IEC_FLAGS_CHANGEABLE, [3] = IEC_MRIE_MASK,
	[4] = 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
};

/* In MODE SENSE order: ascending page code, subpages after their page. */
static const struct mode_page mode_pages[] = {
	{ 0x02, 0, 16, NULL, NULL, NULL, NULL },		/* disconnect-reconnect */
	{ 0x08, 0, 20, fill_caching, caching_changeable, NULL, apply_caching },
	{ 0x0a, 0, 12, fill_control, control_changeable, NULL, apply_control },
	{ 0x0a, 1, 32, NULL, NULL, NULL, NULL },		/* control extension */
	{ 0x1c, 0, 12, fill_iec, iec_changeable, check_iec, apply_iec },
};
#define NUM_MODE_PAGES (sizeof(mode_pages) / sizeof(mode_pages[0]))

void mode_init(struct scsi_lu *lu, bool write_cache)
{
	struct lu_mode m = {
		.wce = write_cache,
		.iec_flags = IEC_DEXCPT,	/* informational exceptions off */
	};

	lu->mode_default = m;
	lu->mode = m;
}

const struct mode_page *mode_page_find(uint8_t code, uint8_t subpage)
{
	for (size_t i = 0; i < NUM_MODE_PAGES; i++) {
		if (mode_pages[i].code == code && mode_pages[i].subpage == subpage)
			return &mode_pages[i];
	}
	return NULL;
}

const struct mode_page *mode_page_at(size_t i)
{
	return i < NUM_MODE_PAGES ? &mode_pages[i] : NULL;
}

uint32_t mode_page_put(const struct scsi_lu *lu, const struct mode_page *mp,
		       uint8_t pc, uint8_t *p)
{
	memset(p, 0, mp->len);
	/* PS 0: no page can be saved. */
	if (mp->subpage) {
		p[0] = mp->code | 0x40;		/* SPF */
		p[1] = mp->subpage;
		put_be16(&p[2], (uint16_t)(mp->len - 4));
	} else {
		p[0] = mp->code;
		p[1] = (uint8_t)(mp->len - 2);
	}
	if (pc == MP_CHANGEABLE) {
		unsigned hdr = mp->subpage ? 4 : 2;

		if (mp->changeable)
			memcpy(p + hdr, mp->changeable + hdr, mp->len - hdr);
	} else if (mp->fill) {
		mp->fill(pc == MP_DEFAULT ? &lu->mode_default : &lu->mode, p);
	}
	return mp->len;
}

bool mode_write_protected(const struct scsi_lu *lu)
{
	return lu->readonly || lu->mode.swp;
}

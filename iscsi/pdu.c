/* SPDX-License-Identifier: Apache-2.0 */
#include "iscsi/pdu.h"

#include <errno.h>
#include <isa-l/crc.h>
#include <stdlib.h>
#include <string.h>

static const uint8_t zero_pad[4];

uint32_t iscsi_crc32c(const struct iovec *iov, int iovcnt)
{
	/* ISA-L's crc32_iscsi takes and returns the raw register: seed ~0, invert at the end. */
	uint32_t crc = 0xffffffffu;

	for (int i = 0; i < iovcnt; i++)
		if (iov[i].iov_len)
			crc = crc32_iscsi(iov[i].iov_base, (int)iov[i].iov_len, crc);
	return ~crc;
}

uint32_t iscsi_crc32c_update(uint32_t crc, const void *p, size_t len)
{
	return len ? crc32_iscsi((unsigned char *)(uintptr_t)p, (int)len, crc) : crc;
}

void iscsi_digest_put(uint8_t out[ISCSI_DIGEST_LEN], uint32_t crc)
{
	out[0] = (uint8_t)crc;
	out[1] = (uint8_t)(crc >> 8);
	out[2] = (uint8_t)(crc >> 16);
	out[3] = (uint8_t)(crc >> 24);
}

uint32_t iscsi_digest_get(const uint8_t in[ISCSI_DIGEST_LEN])
{
	return (uint32_t)in[0] | ((uint32_t)in[1] << 8) | ((uint32_t)in[2] << 16) |
	       ((uint32_t)in[3] << 24);
}

struct iscsi_pdu *pdu_alloc_from(struct bufpool *pool, uint8_t op)
{
	struct iscsi_pdu *pdu = bufpool_get(pool, sizeof(*pdu));

	if (!pdu)
		return NULL;
	memset(pdu, 0, sizeof(*pdu));
	pdu->pool = pool;
	list_init(&pdu->link);
	pdu->bhs[BHS_OPCODE] = op;
	return pdu;
}

struct iscsi_pdu *pdu_alloc(uint8_t op)
{
	return pdu_alloc_from(NULL, op);
}

int pdu_set_data_copy(struct iscsi_pdu *pdu, const void *data, uint32_t len)
{
	uint8_t *copy = NULL;

	if (len) {
		copy = malloc(len);
		if (!copy)
			return -ENOMEM;
		memcpy(copy, data, len);
	}
	if (pdu->data_owned)
		free(pdu->data);
	pdu->data = copy;
	pdu->data_len = len;
	pdu->data_owned = true;
	bhs_set_data_len(pdu->bhs, len);
	return 0;
}

void pdu_set_data_ref(struct iscsi_pdu *pdu, uint8_t *data, uint32_t len)
{
	if (pdu->data_owned)
		free(pdu->data);
	pdu->data = data;
	pdu->data_len = len;
	pdu->data_owned = false;
	bhs_set_data_len(pdu->bhs, len);
}

void pdu_free(struct iscsi_pdu *pdu)
{
	if (!pdu)
		return;
	if (pdu->data_owned)
		free(pdu->data);
	bufpool_put(pdu->pool, pdu, sizeof(*pdu));
}

static void pdu_fix_wire(struct iscsi_pdu *pdu, bool hdr_digest, bool data_digest)
{
	uint32_t pad = iscsi_pad(pdu->data_len);

	if (hdr_digest) {
		struct iovec h = { pdu->bhs, ISCSI_BHS_LEN };

		iscsi_digest_put(pdu->hdr_digest, iscsi_crc32c(&h, 1));
	}
	if (data_digest && pdu->data_len) {
		struct iovec d[2] = { { pdu->data, pdu->data_len }, { (void *)zero_pad, pad } };

		iscsi_digest_put(pdu->data_digest, iscsi_crc32c(d, 2));
	}
	pdu->tx_total = ISCSI_BHS_LEN + (hdr_digest ? ISCSI_DIGEST_LEN : 0) + pdu->data_len + pad +
			(data_digest && pdu->data_len ? ISCSI_DIGEST_LEN : 0);
}

int pdu_tx_iov(struct iscsi_pdu *pdu, bool hdr_digest, bool data_digest, struct iovec iov[5])
{
	struct iovec all[5];
	int n = 0, out = 0;
	size_t skip = pdu->tx_done;

	if (!pdu->tx_total)
		pdu_fix_wire(pdu, hdr_digest, data_digest);
	all[n++] = (struct iovec){ pdu->bhs, ISCSI_BHS_LEN };
	if (hdr_digest)
		all[n++] = (struct iovec){ pdu->hdr_digest, ISCSI_DIGEST_LEN };
	if (pdu->data_len) {
		all[n++] = (struct iovec){ pdu->data, pdu->data_len };
		if (iscsi_pad(pdu->data_len))
			all[n++] = (struct iovec){ (void *)zero_pad, iscsi_pad(pdu->data_len) };
		if (data_digest)
			all[n++] = (struct iovec){ pdu->data_digest, ISCSI_DIGEST_LEN };
	}
	for (int i = 0; i < n; i++) {
		if (skip >= all[i].iov_len) {
			skip -= all[i].iov_len;
			continue;
		}
		iov[out].iov_base = (uint8_t *)all[i].iov_base + skip;
		iov[out].iov_len = all[i].iov_len - skip;
		skip = 0;
		out++;
	}
	return out;
}

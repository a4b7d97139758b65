/* SPDX-License-Identifier: Apache-2.0 */
/* PDU codec: CRC32C known answers, digest byte order, wire framing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "iscsi/pdu.h"

static void test_crc32c_known_answers(void **state)
{
	uint8_t zeros[32] = { 0 }, ones[32], inc[32];
	struct iovec iov;

	(void)state;
	memset(ones, 0xff, sizeof(ones));
	for (int i = 0; i < 32; i++)
		inc[i] = (uint8_t)i;
	iov = (struct iovec){ (void *)"123456789", 9 };
	assert_int_equal(iscsi_crc32c(&iov, 1), 0xe3069283);
	/* RFC 3720 appendix B.4 vectors */
	iov = (struct iovec){ zeros, 32 };
	assert_int_equal(iscsi_crc32c(&iov, 1), 0x8a9136aa);
	iov = (struct iovec){ ones, 32 };
	assert_int_equal(iscsi_crc32c(&iov, 1), 0x62a8ab43);
	iov = (struct iovec){ inc, 32 };
	assert_int_equal(iscsi_crc32c(&iov, 1), 0x46dd794e);
}

static void test_crc32c_split_iovec(void **state)
{
	uint8_t buf[64];
	struct iovec whole = { buf, sizeof(buf) };

	(void)state;
	for (unsigned i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 7 + 3);
	for (size_t cut = 0; cut <= sizeof(buf); cut++) {
		struct iovec parts[3] = { { buf, cut }, { buf + cut, 0 },
					  { buf + cut, sizeof(buf) - cut } };

		assert_int_equal(iscsi_crc32c(parts, 3), iscsi_crc32c(&whole, 1));
	}
}

static void test_digest_little_endian(void **state)
{
	uint8_t d[4];

	(void)state;
	/* RFC 3720 B.4: the 32-zero-byte CRC is sent as aa 36 91 8a. */
	iscsi_digest_put(d, 0x8a9136aa);
	assert_int_equal(d[0], 0xaa);
	assert_int_equal(d[1], 0x36);
	assert_int_equal(d[2], 0x91);
	assert_int_equal(d[3], 0x8a);
	assert_int_equal(iscsi_digest_get(d), 0x8a9136aa);
}

static void test_bhs_fields(void **state)
{
	uint8_t bhs[ISCSI_BHS_LEN] = { 0 };

	(void)state;
	bhs[BHS_OPCODE] = ISCSI_OP_SCSI_CMD | ISCSI_OP_IMMEDIATE;
	assert_int_equal(bhs_opcode(bhs), ISCSI_OP_SCSI_CMD);
	assert_true(bhs_immediate(bhs));
	bhs_set_data_len(bhs, 0xabcdef);
	assert_int_equal(bhs[5], 0xab);
	assert_int_equal(bhs[7], 0xef);
	assert_int_equal(bhs_data_len(bhs), 0xabcdef);
	bhs[BHS_TOTAL_AHS_LEN] = 3;
	assert_int_equal(bhs_ahs_len(bhs), 12);
	bhs_set_u32(bhs, BHS_ITT, 0x01020304);
	assert_int_equal(bhs[16], 1);
	assert_int_equal(bhs[19], 4);
	assert_int_equal(iscsi_pad(0), 0);
	assert_int_equal(iscsi_pad(1), 3);
	assert_int_equal(iscsi_pad(4), 0);
	assert_int_equal(iscsi_pad(7), 1);
}

static void test_serial_arithmetic(void **state)
{
	(void)state;
	assert_true(sn_lt(1, 2));
	assert_false(sn_lt(2, 2));
	assert_true(sn_le(2, 2));
	assert_true(sn_lt(0xfffffff0u, 5));	/* wraps */
	assert_false(sn_lt(5, 0xfffffff0u));
}

static size_t iov_total(const struct iovec *iov, int n)
{
	size_t t = 0;

	for (int i = 0; i < n; i++)
		t += iov[i].iov_len;
	return t;
}

static void test_tx_iov_layout_and_skip(void **state)
{
	struct iscsi_pdu *pdu = pdu_alloc(ISCSI_OP_NOP_IN);
	struct iovec iov[5];
	uint8_t data[5] = { 1, 2, 3, 4, 5 };
	int n;

	(void)state;
	assert_non_null(pdu);
	assert_int_equal(pdu_set_data_copy(pdu, data, sizeof(data)), 0);
	assert_int_equal(bhs_data_len(pdu->bhs), 5);
	/* header + hdigest + data + 3 pad + ddigest */
	n = pdu_tx_iov(pdu, true, true, iov);
	assert_int_equal(n, 5);
	assert_int_equal(iov_total(iov, n), 48 + 4 + 5 + 3 + 4);
	assert_int_equal(pdu->tx_total, 64);
	/* the header digest is over the header */
	{
		struct iovec h = { pdu->bhs, ISCSI_BHS_LEN };

		assert_int_equal(iscsi_digest_get(pdu->hdr_digest), iscsi_crc32c(&h, 1));
	}
	/* resume in the middle of the data segment */
	pdu->tx_done = 48 + 4 + 2;
	n = pdu_tx_iov(pdu, true, true, iov);
	assert_int_equal(n, 3);
	assert_int_equal(iov_total(iov, n), 64 - 54);
	assert_int_equal(((uint8_t *)iov[0].iov_base)[0], 3);
	pdu_free(pdu);
}

static void test_tx_iov_no_data_no_digest(void **state)
{
	struct iscsi_pdu *pdu = pdu_alloc(ISCSI_OP_SCSI_RSP);
	struct iovec iov[5];

	(void)state;
	assert_int_equal(pdu_tx_iov(pdu, false, true, iov), 1);
	assert_int_equal(pdu->tx_total, ISCSI_BHS_LEN);
	pdu_free(pdu);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crc32c_known_answers),
		cmocka_unit_test(test_crc32c_split_iovec),
		cmocka_unit_test(test_digest_little_endian),
		cmocka_unit_test(test_bhs_fields),
		cmocka_unit_test(test_serial_arithmetic),
		cmocka_unit_test(test_tx_iov_layout_and_skip),
		cmocka_unit_test(test_tx_iov_no_data_no_digest),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

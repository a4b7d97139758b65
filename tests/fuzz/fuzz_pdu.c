/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: the PDU receive path, fed the bytes an initiator sends
 * on one connection (BHS, AHS, header and data digests, data segments),
 * through a real server (tests/fuzz/server_harness.h): framing, login,
 * SCSI commands with immediate, unsolicited and solicited data, text, NOP,
 * task management, logout.
 *
 * Input: two control bytes, then the byte stream.
 *   byte 0, bits 0-2: the largest read() the stream is cut into:
 *           whole stream, 1, 3, 47, 48, 49, 512, 4096 bytes
 *   byte 1: seed of the chunk sizes (each 1..largest, xorshift)
 * After each chunk the loop runs until the server is idle, so a PDU split
 * anywhere (inside the BHS, the AHS, a digest, padding) is parsed across
 * wake-ups. At the end the initiator hangs up and the server shuts down;
 * LeakSanitizer then checks that every task, session and buffer is freed.
 */
#include "tests/fuzz/server_harness.h"

static const size_t max_chunk[8] = { SIZE_MAX, 1, 3, 47, 48, 49, 512, 4096 };

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	log_set_level(getenv("FUZZ_TRACE") ? LOG_LVL_DEBUG : LOG_LVL_ERROR);
	return 0;
}

/* FUZZ_TRACE=1: print each PDU the server sends (digests are not
 * followed: the trace of a digest session goes wrong after login). */
static void trace_pdu(const uint8_t *bhs, const uint8_t *data, size_t dlen, void *arg)
{
	(void)data;
	(void)arg;
	fprintf(stderr, "<- op %02x flags %02x rsp %02x status %02x itt %08x ttt %08x"
		" dlen %zu sn %08x/%08x/%08x\n", bhs[0], bhs[1], bhs[2], bhs[3],
		bhs_u32(bhs, BHS_ITT), bhs_u32(bhs, BHS_TTT), dlen, bhs_u32(bhs, BHS_STATSN),
		bhs_u32(bhs, BHS_EXPCMDSN), bhs_u32(bhs, BHS_MAXCMDSN));
}

static uint32_t xorshift(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fz_server fz;
	static struct fz_pdus trace = { .on_pdu = trace_pdu };
	uint32_t rnd;
	size_t most;

	if (size < 2)
		return 0;
	most = max_chunk[data[0] & 7];
	rnd = 0x9e3779b9u ^ data[1];
	data += 2;
	size -= 2;
	fz_open(&fz, NULL);
	if (getenv("FUZZ_TRACE")) {
		fz.on_rx = fz_pdus_rx;
		fz.on_rx_arg = &trace;
	}
	while (size) {
		size_t n = most == SIZE_MAX ? size : 1 + xorshift(&rnd) % most;

		if (n > size)
			n = size;
		if (!fz_feed(&fz, data, n))
			break;
		data += n;
		size -= n;
	}
	fz_close(&fz);
	fz_pdus_free(&trace);
	trace.got = 0;
	return 0;
}

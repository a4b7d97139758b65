/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for iscsi/param.c: RFC 7143 text-key negotiation.
 *
 * Requests and expected answers are written as byte strings with their NULs
 * ("Key=Value\0" pieces joined by C string concatenation, so an escape never
 * swallows the digit that follows), and answers are compared byte for byte.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "iscsi/param.h"
#include "tests/unit/param_fixture.h"
#include "util/log.h"

/* ---- defaults and kvbuf ----------------------------------------------------- */

static void test_limits_default(void **state)
{
	struct iscsi_target_limits lim;

	(void)state;
	memset(&lim, 0xff, sizeof(lim));
	iscsi_target_limits_default(&lim);
	assert_int_equal(lim.max_recv_dlen, 262144);
	assert_int_equal(lim.max_burst, 1048576);
	assert_int_equal(lim.first_burst, 65536);
	assert_int_equal(lim.max_outstanding_r2t, 8);
	assert_int_equal(lim.max_connections, 4);
	assert_false(lim.initial_r2t);
	assert_true(lim.immediate_data);
	assert_true(lim.allow_header_digest);
	assert_true(lim.allow_data_digest);
}

static void test_params_init_defaults(void **state)
{
	struct fx *f = *state;
	const struct iscsi_params *p = &f->p;

	assert_false(p->header_digest);
	assert_false(p->data_digest);
	assert_int_equal(p->max_connections, 1);
	assert_true(p->initial_r2t);
	assert_true(p->immediate_data);
	assert_int_equal(p->max_xmit_dlen, 8192);
	assert_int_equal(p->max_recv_dlen, 262144);
	assert_int_equal(p->max_burst, 262144);
	assert_int_equal(p->first_burst, 65536);
	assert_int_equal(p->default_time2wait, 2);
	assert_int_equal(p->default_time2retain, 20);
	assert_int_equal(p->max_outstanding_r2t, 1);
	assert_true(p->data_pdu_in_order);
	assert_true(p->data_seq_in_order);
	assert_int_equal(p->error_recovery_level, 0);
	assert_false(p->discovery);
	assert_false(p->have_session_type);
	assert_string_equal(p->initiator_name, "");
	assert_string_equal(p->initiator_alias, "");
	assert_string_equal(p->target_name, "");
	assert_string_equal(p->auth_method, "");
}

static void test_params_init_clamped(void **state)
{
	struct iscsi_target_limits lim;
	struct iscsi_params p;

	(void)state;
	iscsi_target_limits_default(&lim);
	lim.max_burst = 16384;
	lim.first_burst = 32768;	/* above max_burst: still capped by it */
	lim.immediate_data = false;
	lim.max_recv_dlen = 8192;
	iscsi_params_init(&p, &lim);
	assert_int_equal(p.max_burst, 16384);
	assert_int_equal(p.first_burst, 16384);
	assert_false(p.immediate_data);
	assert_int_equal(p.max_recv_dlen, 8192);

	lim.first_burst = 4096;
	iscsi_params_init(&p, &lim);
	assert_int_equal(p.first_burst, 4096);
}

static void test_kv_append_find(void **state)
{
	struct kvbuf kv = { 0 };
	static const char exp[] = "A=1\0" "MaxBurstLength=2\0" "Empty=\0";

	(void)state;
	assert_int_equal(kv_append(&kv, "A", "1"), 0);
	assert_int_equal(kv_append(&kv, "MaxBurstLength", "2"), 0);
	assert_int_equal(kv_append(&kv, "Empty", ""), 0);
	assert_int_equal(kv.len, sizeof(exp) - 1);
	assert_memory_equal(kv.data, exp, kv.len);

	assert_string_equal(kv_find(kv.data, kv.len, "A"), "1");
	assert_string_equal(kv_find(kv.data, kv.len, "MaxBurstLength"), "2");
	assert_string_equal(kv_find(kv.data, kv.len, "Empty"), "");
	/* Exact names only: no prefixes, no suffixes. */
	assert_null(kv_find(kv.data, kv.len, "Max"));
	assert_null(kv_find(kv.data, kv.len, "MaxBurstLengthX"));
	assert_null(kv_find(kv.data, kv.len, "BurstLength"));
	kv_free(&kv);
	assert_null(kv.data);
	assert_int_equal(kv.len, 0);

	/* Growth well past the first allocation keeps every byte. */
	for (int i = 0; i < 1000; i++)
		assert_int_equal(kv_append(&kv, "Key", "0123456789"), 0);
	assert_int_equal(kv.len, 1000 * sizeof("Key=0123456789"));
	assert_memory_equal(kv.data + 999 * sizeof("Key=0123456789"), "Key=0123456789",
			    sizeof("Key=0123456789"));
	kv_free(&kv);
}

static void test_kv_find_unterminated(void **state)
{
	static const char d[] = "A=1\0" "B=2";

	(void)state;
	assert_string_equal(kv_find(d, sizeof(d) - 1, "A"), "1");
	/* The final pair has no NUL inside len: not returned as a C string. */
	assert_null(kv_find(d, sizeof(d) - 1, "B"));
	assert_string_equal(kv_find(d, sizeof(d), "B"), "2");
}

/* ---- numerical keys ---------------------------------------------------------- */

static void test_numeric_min(void **state)
{
	struct fx *f = *state;

	CHECK(f, "MaxBurstLength=4096\0", "MaxBurstLength=4096\0");
	assert_int_equal(f->p.max_burst, 4096);
	CHECK(f, "MaxBurstLength=16777215\0", "MaxBurstLength=1048576\0");
	assert_int_equal(f->p.max_burst, 1048576);
	CHECK(f, "MaxConnections=8\0", "MaxConnections=4\0");
	assert_int_equal(f->p.max_connections, 4);
	CHECK(f, "MaxOutstandingR2T=16\0", "MaxOutstandingR2T=8\0");
	assert_int_equal(f->p.max_outstanding_r2t, 8);
	CHECK(f, "MaxOutstandingR2T=2\0", "MaxOutstandingR2T=2\0");
	CHECK(f, "DefaultTime2Retain=30\0", "DefaultTime2Retain=20\0");
	CHECK(f, "DefaultTime2Retain=0\0", "DefaultTime2Retain=0\0");
	assert_int_equal(f->p.default_time2retain, 0);
	CHECK(f, "ErrorRecoveryLevel=2\0", "ErrorRecoveryLevel=0\0");
	CHECK(f, "ErrorRecoveryLevel=0\0", "ErrorRecoveryLevel=0\0");
	CHECK(f, "FirstBurstLength=512\0", "FirstBurstLength=512\0");
	assert_int_equal(f->p.first_burst, 512);
	CHECK(f, "FirstBurstLength=262144\0", "FirstBurstLength=65536\0");

	f->lim.max_connections = 4;
	CHECK(f, "MaxConnections=8\0", "MaxConnections=4\0");
	CHECK(f, "MaxConnections=2\0", "MaxConnections=2\0");
	assert_int_equal(f->p.max_connections, 2);
}

static void test_numeric_max(void **state)
{
	struct fx *f = *state;

	CHECK(f, "DefaultTime2Wait=0\0", "DefaultTime2Wait=2\0");
	assert_int_equal(f->p.default_time2wait, 2);
	CHECK(f, "DefaultTime2Wait=10\0", "DefaultTime2Wait=10\0");
	assert_int_equal(f->p.default_time2wait, 10);
	CHECK(f, "DefaultTime2Wait=3600\0", "DefaultTime2Wait=3600\0");
	CHECK(f, "DefaultTime2Wait=3601\0", "DefaultTime2Wait=Reject\0");
	assert_int_equal(f->p.default_time2wait, 2);
}

/* RFC 7143 13.24 (and RFC 7144): Minimum of 0..31; we speak 1. */
static void test_protocol_level(void **state)
{
	struct fx *f = *state;

	CHECK(f, "iSCSIProtocolLevel=2\0", "iSCSIProtocolLevel=1\0");
	CHECK(f, "iSCSIProtocolLevel=1\0", "iSCSIProtocolLevel=1\0");
	CHECK(f, "iSCSIProtocolLevel=0\0", "iSCSIProtocolLevel=0\0");
	CHECK(f, "iSCSIProtocolLevel=31\0", "iSCSIProtocolLevel=1\0");
	CHECK(f, "iSCSIProtocolLevel=32\0", "iSCSIProtocolLevel=Reject\0");
}

/* RFC 7143 section 6.1: decimal-constant or hex-constant, below 2**64. */
static void test_numeric_encodings(void **state)
{
	struct fx *f = *state;

	CHECK(f, "MaxBurstLength=0x1000\0", "MaxBurstLength=4096\0");
	CHECK(f, "MaxBurstLength=0X10000\0", "MaxBurstLength=65536\0");
	CHECK(f, "MaxBurstLength=0xfFfF\0", "MaxBurstLength=65535\0");
	CHECK(f, "MaxBurstLength=0x00001000\0", "MaxBurstLength=4096\0");
	CHECK(f, "ErrorRecoveryLevel=0x0\0", "ErrorRecoveryLevel=0\0");
	CHECK(f, "DefaultTime2Wait=0\0", "DefaultTime2Wait=2\0");

	CHECK(f, "MaxBurstLength=0x\0", "MaxBurstLength=Reject\0");
	CHECK(f, "MaxBurstLength=0x1g00\0", "MaxBurstLength=Reject\0");
	CHECK(f, "MaxBurstLength=04096\0", "MaxBurstLength=Reject\0");
	CHECK(f, "MaxBurstLength=\0", "MaxBurstLength=Reject\0");
	CHECK(f, "MaxBurstLength=-4096\0", "MaxBurstLength=Reject\0");
	CHECK(f, "MaxBurstLength=+4096\0", "MaxBurstLength=Reject\0");
	CHECK(f, "MaxBurstLength= 4096\0", "MaxBurstLength=Reject\0");
	CHECK(f, "MaxBurstLength=4096 \0", "MaxBurstLength=Reject\0");
	CHECK(f, "MaxBurstLength=4k\0", "MaxBurstLength=Reject\0");
	CHECK(f, "MaxBurstLength=0b1000\0", "MaxBurstLength=Reject\0");
	/* 2**64 and beyond, in both encodings. */
	CHECK(f, "MaxBurstLength=18446744073709551616\0", "MaxBurstLength=Reject\0");
	CHECK(f, "MaxBurstLength=0x10000000000000000\0", "MaxBurstLength=Reject\0");
	/* Fits 64 bits but not the key's range. */
	CHECK(f, "MaxBurstLength=18446744073709551615\0", "MaxBurstLength=Reject\0");
	CHECK(f, "MaxBurstLength=4294967808\0", "MaxBurstLength=Reject\0");
	assert_int_equal(f->p.max_burst, 262144);
}

static void test_numeric_out_of_range(void **state)
{
	struct fx *f = *state;

	CHECK(f, "MaxRecvDataSegmentLength=511\0", "MaxRecvDataSegmentLength=Reject\0");
	assert_int_equal(f->p.max_xmit_dlen, 8192);
	CHECK(f, "MaxRecvDataSegmentLength=16777216\0", "MaxRecvDataSegmentLength=Reject\0");
	CHECK(f, "MaxRecvDataSegmentLength=fast\0", "MaxRecvDataSegmentLength=Reject\0");
	CHECK(f, "MaxBurstLength=511\0", "MaxBurstLength=Reject\0");
	CHECK(f, "MaxBurstLength=16777216\0", "MaxBurstLength=Reject\0");
	CHECK(f, "FirstBurstLength=511\0", "FirstBurstLength=Reject\0");
	CHECK(f, "FirstBurstLength=16777216\0", "FirstBurstLength=Reject\0");
	CHECK(f, "MaxConnections=0\0", "MaxConnections=Reject\0");
	CHECK(f, "MaxConnections=65536\0", "MaxConnections=Reject\0");
	CHECK(f, "MaxOutstandingR2T=0\0", "MaxOutstandingR2T=Reject\0");
	CHECK(f, "MaxOutstandingR2T=65536\0", "MaxOutstandingR2T=Reject\0");
	CHECK(f, "DefaultTime2Retain=3601\0", "DefaultTime2Retain=Reject\0");
	CHECK(f, "ErrorRecoveryLevel=3\0", "ErrorRecoveryLevel=Reject\0");

	/* Limits of each range are accepted. */
	CHECK(f, "MaxRecvDataSegmentLength=512\0", "");
	assert_int_equal(f->p.max_xmit_dlen, 512);
	CHECK(f, "MaxRecvDataSegmentLength=16777215\0", "");
	assert_int_equal(f->p.max_xmit_dlen, 16777215);
	CHECK(f, "MaxConnections=65535\0", "MaxConnections=4\0");
	CHECK(f, "MaxOutstandingR2T=65535\0", "MaxOutstandingR2T=8\0");
	CHECK(f, "DefaultTime2Retain=3600\0", "DefaultTime2Retain=20\0");
}

/* RFC 7143 13.14: FirstBurstLength never exceeds MaxBurstLength. */
static void test_first_burst_integrity(void **state)
{
	struct fx *f = *state;

	CHECK(f, "MaxBurstLength=4096\0" "FirstBurstLength=65536\0",
	      "MaxBurstLength=4096\0" "FirstBurstLength=4096\0");
	assert_int_equal(f->p.max_burst, 4096);
	assert_int_equal(f->p.first_burst, 4096);

	/* MaxBurstLength after FirstBurstLength in the same request. */
	CHECK(f, "FirstBurstLength=65536\0" "MaxBurstLength=0x1000\0",
	      "FirstBurstLength=4096\0" "MaxBurstLength=4096\0");
	assert_int_equal(f->p.first_burst, 4096);

	/* Our MaxBurstLength limit caps it too. */
	f->lim.max_burst = 8192;
	CHECK(f, "FirstBurstLength=65536\0" "MaxBurstLength=262144\0",
	      "FirstBurstLength=8192\0" "MaxBurstLength=8192\0");
	iscsi_target_limits_default(&f->lim);

	/* A rejected MaxBurstLength leaves the current value as the cap. */
	CHECK(f, "FirstBurstLength=65536\0" "MaxBurstLength=100\0",
	      "FirstBurstLength=65536\0" "MaxBurstLength=Reject\0");

	/* MaxBurstLength alone, below the default FirstBurstLength: the
	 * default is pulled down with it. */
	CHECK(f, "MaxBurstLength=1024\0", "MaxBurstLength=1024\0");
	assert_int_equal(f->p.first_burst, 1024);

	/* MaxBurstLength negotiated in an earlier request of the login. */
	fx_reset(f, true, true);
	assert_int_equal(NEG(f, "MaxBurstLength=2048\0"), NEG_OK);
	kv_free(&f->out);
	assert_int_equal(NEG(f, "FirstBurstLength=65536\0"), NEG_OK);
	EXPECT_OUT(f, "FirstBurstLength=2048\0");
}

/* ---- boolean keys -------------------------------------------------------------- */

static void test_boolean_or(void **state)
{
	struct fx *f = *state;

	/* InitialR2T: OR with ours (No by default: unsolicited data allowed). */
	CHECK(f, "InitialR2T=No\0", "InitialR2T=No\0");
	assert_false(f->p.initial_r2t);
	CHECK(f, "InitialR2T=Yes\0", "InitialR2T=Yes\0");
	assert_true(f->p.initial_r2t);
	f->lim.initial_r2t = true;
	CHECK(f, "InitialR2T=No\0", "InitialR2T=Yes\0");
	assert_true(f->p.initial_r2t);
	iscsi_target_limits_default(&f->lim);

	/* Data ordering: we require in-order data, so the OR is always Yes. */
	CHECK(f, "DataPDUInOrder=No\0", "DataPDUInOrder=Yes\0");
	assert_true(f->p.data_pdu_in_order);
	CHECK(f, "DataSequenceInOrder=No\0", "DataSequenceInOrder=Yes\0");
	assert_true(f->p.data_seq_in_order);
	CHECK(f, "DataPDUInOrder=Yes\0" "DataSequenceInOrder=Yes\0",
	      "DataPDUInOrder=Yes\0" "DataSequenceInOrder=Yes\0");
}

static void test_boolean_and(void **state)
{
	struct fx *f = *state;

	CHECK(f, "ImmediateData=Yes\0", "ImmediateData=Yes\0");
	assert_true(f->p.immediate_data);
	CHECK(f, "ImmediateData=No\0", "ImmediateData=No\0");
	assert_false(f->p.immediate_data);
	f->lim.immediate_data = false;
	CHECK(f, "ImmediateData=Yes\0", "ImmediateData=No\0");
	assert_false(f->p.immediate_data);
}

static void test_boolean_bad_values(void **state)
{
	struct fx *f = *state;

	CHECK(f, "ImmediateData=yes\0", "ImmediateData=Reject\0");
	CHECK(f, "ImmediateData=YES\0", "ImmediateData=Reject\0");
	CHECK(f, "InitialR2T=Maybe\0", "InitialR2T=Reject\0");
	CHECK(f, "InitialR2T=\0", "InitialR2T=Reject\0");
	CHECK(f, "DataPDUInOrder=1\0", "DataPDUInOrder=Reject\0");
	CHECK(f, "DataSequenceInOrder=Yes,No\0", "DataSequenceInOrder=Reject\0");
	assert_true(f->p.data_seq_in_order);
}

/* ---- list keys ------------------------------------------------------------------- */

static void test_digest_lists(void **state)
{
	struct fx *f = *state;

	CHECK(f, "HeaderDigest=None,CRC32C\0", "HeaderDigest=None\0");
	assert_false(f->p.header_digest);
	CHECK(f, "HeaderDigest=CRC32C,None\0", "HeaderDigest=CRC32C\0");
	assert_true(f->p.header_digest);
	CHECK(f, "HeaderDigest=CRC32C\0", "HeaderDigest=CRC32C\0");
	CHECK(f, "DataDigest=CRC32C,None\0", "DataDigest=CRC32C\0");
	assert_true(f->p.data_digest);
	assert_false(f->p.header_digest);
	/* Values unknown to us are skipped, in order. */
	CHECK(f, "HeaderDigest=Y-com.example.md5,CRC32C,None\0", "HeaderDigest=CRC32C\0");
	CHECK(f, "HeaderDigest=crc32c,None\0", "HeaderDigest=None\0");
	CHECK(f, "HeaderDigest=,None\0", "HeaderDigest=None\0");
	CHECK(f, "HeaderDigest=Y-foo\0", "HeaderDigest=Reject\0");
	CHECK(f, "HeaderDigest=\0", "HeaderDigest=Reject\0");
	/* "CRC32" is not a prefix match for CRC32C, nor "None2" for None. */
	CHECK(f, "DataDigest=CRC32,None2\0", "DataDigest=Reject\0");

	/* Digests not allowed by the limits. */
	f->lim.allow_header_digest = false;
	CHECK(f, "HeaderDigest=CRC32C\0", "HeaderDigest=Reject\0");
	assert_false(f->p.header_digest);
	CHECK(f, "HeaderDigest=CRC32C,None\0", "HeaderDigest=None\0");
	CHECK(f, "DataDigest=CRC32C,None\0", "DataDigest=CRC32C\0");
	f->lim.allow_data_digest = false;
	CHECK(f, "DataDigest=CRC32C\0", "DataDigest=Reject\0");
	assert_false(f->p.data_digest);
}

static void test_auth_method(void **state)
{
	struct fx *f = *state;

	CHECK(f, "AuthMethod=CHAP,None\0", "AuthMethod=None\0");
	assert_string_equal(f->p.auth_method, "None");
	CHECK(f, "AuthMethod=None\0", "AuthMethod=None\0");
	assert_string_equal(f->p.auth_method, "None");
	CHECK(f, "AuthMethod=KRB5,SRP,CHAP,None\0", "AuthMethod=None\0");
	/* CHAP only: nothing agreed, the login layer fails the login. */
	CHECK(f, "AuthMethod=CHAP\0", "AuthMethod=Reject\0");
	assert_string_equal(f->p.auth_method, "");
	CHECK(f, "AuthMethod=CHAP,SRP\0", "AuthMethod=Reject\0");
	assert_string_equal(f->p.auth_method, "");
}

/* RFC 7143 13.23. */
static void test_task_reporting(void **state)
{
	struct fx *f = *state;

	CHECK(f, "TaskReporting=RFC3720\0", "TaskReporting=RFC3720\0");
	CHECK(f, "TaskReporting=ResponseFence,RFC3720\0", "TaskReporting=RFC3720\0");
	CHECK(f, "TaskReporting=FastAbort,ResponseFence,RFC3720\0", "TaskReporting=RFC3720\0");
	CHECK(f, "TaskReporting=FastAbort\0", "TaskReporting=Reject\0");
}

/* RFC 7143 section 13, "Obsoleted Keys": the marker keys of RFC 3720. */
static void test_markers(void **state)
{
	struct fx *f = *state;

	CHECK(f, "IFMarker=No\0" "OFMarker=No\0", "IFMarker=No\0" "OFMarker=No\0");
	CHECK(f, "IFMarker=Yes\0" "OFMarker=Yes\0", "IFMarker=No\0" "OFMarker=No\0");
	CHECK(f, "IFMarker=Sometimes\0", "IFMarker=Reject\0");
	CHECK(f, "OFMarkInt=2048~8192\0" "IFMarkInt=2048~8192\0",
	      "OFMarkInt=Reject\0" "IFMarkInt=Reject\0");
}

/* ---- unknown keys and reserved answers ------------------------------------------ */

static void test_not_understood(void **state)
{
	struct fx *f = *state;

	CHECK(f, "X-com.example.feature=on\0", "X-com.example.feature=NotUnderstood\0");
	CHECK(f, "X#NodeArchitecture=ExampleOS/1.0\0", "X#NodeArchitecture=NotUnderstood\0");
	CHECK(f, "RDMAExtensions=Yes\0", "RDMAExtensions=NotUnderstood\0");
	CHECK(f, "FooBar=1\0", "FooBar=NotUnderstood\0");
	/* Names are case sensitive and matched in full. */
	CHECK(f, "maxburstlength=4096\0", "maxburstlength=NotUnderstood\0");
	CHECK(f, "MaxBurst=4096\0", "MaxBurst=NotUnderstood\0");
	CHECK(f, "MaxBurstLengthX=4096\0", "MaxBurstLengthX=NotUnderstood\0");
	CHECK(f, "CHAP_X=1\0", "CHAP_X=NotUnderstood\0");
	/* Unknown keys are not duplicate-checked: each gets its answer. */
	CHECK(f, "X-a=1\0" "X-a=2\0", "X-a=NotUnderstood\0" "X-a=NotUnderstood\0");
}

static void test_reserved_values_recorded(void **state)
{
	struct fx *f = *state;

	CHECK(f, "MaxBurstLength=Reject\0" "X-foo=NotUnderstood\0" "ImmediateData=Irrelevant\0",
	      "");
	assert_int_equal(f->p.max_burst, 262144);
	assert_true(f->p.immediate_data);
	/* Recorded: sending the key again is a duplicate. */
	assert_int_equal(NEG(f, "MaxBurstLength=4096\0"), NEG_ERR_DUPLICATE);
}

/* ---- syntax ------------------------------------------------------------------------ */

static void test_syntax_errors(void **state)
{
	struct fx *f = *state;

	fx_reset(f, true, true);
	assert_int_equal(NEG(f, "InitiatorName\0"), NEG_ERR_SYNTAX);
	fx_reset(f, true, true);
	assert_int_equal(NEG(f, "ImmediateData=Yes\0" "garbage\0"), NEG_ERR_SYNTAX);
	fx_reset(f, true, true);
	assert_int_equal(NEG(f, "=Yes\0"), NEG_ERR_SYNTAX);
	fx_reset(f, true, true);
	assert_int_equal(NEG(f, "Max Burst=1\0"), NEG_ERR_SYNTAX);
	fx_reset(f, true, true);
	assert_int_equal(NEG(f, "Key/1=1\0"), NEG_ERR_SYNTAX);
	fx_reset(f, true, true);
	assert_int_equal(NEG(f, "Y#foo=1\0"), NEG_ERR_SYNTAX);
	fx_reset(f, true, true);
	assert_int_equal(NEG(f, "X-#foo=1\0"), NEG_ERR_SYNTAX);
	fx_reset(f, true, true);
	assert_int_equal(NEG(f, "SessionType=Bogus\0"), NEG_ERR_SYNTAX);
	fx_reset(f, true, true);
	assert_int_equal(NEG(f, "InitiatorName=\0"), NEG_ERR_SYNTAX);
	fx_reset(f, true, true);
	assert_int_equal(NEG(f, "TargetName=\0"), NEG_ERR_SYNTAX);
	/* Answers already made for earlier pairs stay; the caller fails the login. */
	fx_reset(f, true, true);
	assert_int_equal(NEG(f, "ImmediateData=Yes\0" "=x\0"), NEG_ERR_SYNTAX);
}

static void test_key_length(void **state)
{
	struct fx *f = *state;
	char req[128];
	char ans[128];
	int n;

	/* 63 characters: fine, and unknown. */
	memset(req, 'K', 63);
	memcpy(req + 63, "=1", 3);
	fx_reset(f, true, true);
	assert_int_equal(iscsi_param_negotiate(&f->n, req, 66, &f->out), NEG_OK);
	n = snprintf(ans, sizeof(ans), "%.63s=NotUnderstood", req);
	expect_out_(f, ans, (size_t)n + 1);

	/* 64 characters: malformed. */
	memset(req, 'K', 64);
	memcpy(req + 64, "=1", 3);
	fx_reset(f, true, true);
	assert_int_equal(iscsi_param_negotiate(&f->n, req, 67, &f->out), NEG_ERR_SYNTAX);
}

static void test_value_length(void **state)
{
	struct fx *f = *state;
	size_t cap = 16 + 8193 + 1;
	char *req = malloc(cap);
	size_t len;

	assert_non_null(req);
	/* 8192-byte value: accepted (and not understood). */
	memcpy(req, "X-big=", 6);
	memset(req + 6, 'v', 8192);
	req[6 + 8192] = '\0';
	len = 6 + 8192 + 1;
	fx_reset(f, true, true);
	assert_int_equal(iscsi_param_negotiate(&f->n, req, len, &f->out), NEG_OK);
	EXPECT_OUT(f, "X-big=NotUnderstood\0");

	/* 8193 bytes: malformed. */
	memset(req + 6, 'v', 8193);
	req[6 + 8193] = '\0';
	len = 6 + 8193 + 1;
	fx_reset(f, true, true);
	assert_int_equal(iscsi_param_negotiate(&f->n, req, len, &f->out), NEG_ERR_SYNTAX);
	free(req);
}

/* RFC 7143 4.2.7.1: iSCSI names are at most 223 bytes. */
static void test_name_length(void **state)
{
	struct fx *f = *state;
	char req[512];
	size_t len;

	len = (size_t)snprintf(req, sizeof(req), "InitiatorName=iqn.2024-01.io.example:");
	memset(req + len, 'a', 223 - (len - 14));
	len = 14 + 223;
	req[len++] = '\0';
	fx_reset(f, true, true);
	assert_int_equal(iscsi_param_negotiate(&f->n, req, len, &f->out), NEG_OK);
	EXPECT_NONE(f);
	assert_int_equal(strlen(f->p.initiator_name), 223);

	/* One byte more. */
	len = (size_t)snprintf(req, sizeof(req), "InitiatorName=iqn.2024-01.io.example:");
	memset(req + len, 'a', 224 - (len - 14));
	len = 14 + 224;
	req[len++] = '\0';
	fx_reset(f, true, true);
	assert_int_equal(iscsi_param_negotiate(&f->n, req, len, &f->out), NEG_ERR_SYNTAX);

	len = (size_t)snprintf(req, sizeof(req), "TargetName=iqn.2024-01.io.example:");
	memset(req + len, 'a', 224 - (len - 11));
	len = 11 + 224;
	req[len++] = '\0';
	fx_reset(f, true, true);
	assert_int_equal(iscsi_param_negotiate(&f->n, req, len, &f->out), NEG_ERR_SYNTAX);

	/* InitiatorAlias: 255 bytes fit, 256 do not. */
	memcpy(req, "InitiatorAlias=", 15);
	memset(req + 15, 'h', 255);
	req[15 + 255] = '\0';
	fx_reset(f, true, true);
	assert_int_equal(iscsi_param_negotiate(&f->n, req, 15 + 256, &f->out), NEG_OK);
	assert_int_equal(strlen(f->p.initiator_alias), 255);
	memset(req + 15, 'h', 256);
	req[15 + 256] = '\0';
	fx_reset(f, true, true);
	assert_int_equal(iscsi_param_negotiate(&f->n, req, 15 + 257, &f->out), NEG_ERR_SYNTAX);
}

static void test_padding_and_missing_nul(void **state)
{
	struct fx *f = *state;

	/* Trailing padding NULs are ignored. */
	CHECK(f, "ImmediateData=Yes\0\0\0\0", "ImmediateData=Yes\0");
	/* A missing final NUL is malformed (6.1): kv_find() would not see the
	 * pair the negotiation took. */
	fx_reset(f, true, true);
	assert_int_equal(NEG(f, "ImmediateData=No\0" "InitialR2T=Yes"), NEG_ERR_SYNTAX);
	/* Nothing at all. */
	CHECK(f, "", "");
	CHECK(f, "\0\0\0", "");
}

static void test_duplicate_key(void **state)
{
	struct fx *f = *state;

	fx_reset(f, true, true);
	assert_int_equal(NEG(f, "MaxBurstLength=4096\0" "MaxBurstLength=8192\0"),
			 NEG_ERR_DUPLICATE);
	fx_reset(f, true, true);
	assert_int_equal(NEG(f, "InitiatorName=iqn.a:b\0" "InitiatorName=iqn.a:b\0"),
			 NEG_ERR_DUPLICATE);

	/* Across requests of the same login. */
	fx_reset(f, true, true);
	assert_int_equal(NEG(f, "HeaderDigest=None\0"), NEG_OK);
	assert_int_equal(NEG(f, "HeaderDigest=None\0"), NEG_ERR_DUPLICATE);

	/* A declaration repeated with the same value in a later request (what
	 * libiscsi does after AuthMethod=None) is harmless; another value is not. */
	fx_reset(f, true, true);
	assert_int_equal(NEG(f, "InitiatorName=iqn.a:b\0" "SessionType=Normal\0"), NEG_OK);
	assert_int_equal(NEG(f, "InitiatorName=iqn.a:b\0" "SessionType=Normal\0"), NEG_OK);
	assert_int_equal(NEG(f, "InitiatorName=iqn.a:c\0"), NEG_ERR_DUPLICATE);
	fx_reset(f, true, true);
	assert_int_equal(NEG(f, "SessionType=Normal\0"), NEG_OK);
	assert_int_equal(NEG(f, "SessionType=Discovery\0"), NEG_ERR_DUPLICATE);

	/* A rejected value still counts as sent. */
	fx_reset(f, true, true);
	assert_int_equal(NEG(f, "MaxConnections=0\0"), NEG_OK);
	assert_int_equal(NEG(f, "MaxConnections=1\0"), NEG_ERR_DUPLICATE);

	/* A new negotiation starts afresh. */
	fx_reset(f, true, true);
	assert_int_equal(NEG(f, "HeaderDigest=None\0"), NEG_OK);
}

/* SendTargets and CHAP_* belong to the callers: no answer, no duplicate mark. */
static void test_caller_keys_skipped(void **state)
{
	struct fx *f = *state;

	CHECK(f, "SendTargets=All\0" "CHAP_A=5\0" "CHAP_N=user\0" "CHAP_R=0x0123\0"
		 "CHAP_I=1\0" "CHAP_C=0xabcdef\0", "");
	CHECK(f, "SendTargets=All\0" "SendTargets=iqn.a:b\0", "");
	assert_int_equal(f->n.seen, 0);

	fx_reset(f, true, false);
	assert_int_equal(NEG(f, "SendTargets=All\0"), NEG_OK);
	EXPECT_NONE(f);
}

/* RFC 7143 13.7-13.9: keys only the target sends. */
static void test_target_only_keys(void **state)
{
	struct fx *f = *state;

	CHECK(f, "TargetAlias=disk\0" "TargetAddress=10.0.0.1:3260,1\0" "TargetPortalGroupTag=1\0",
	      "TargetAlias=Reject\0" "TargetAddress=Reject\0" "TargetPortalGroupTag=Reject\0");
}

static void test_declaratives_recorded(void **state)
{
	struct fx *f = *state;

	CHECK(f, "InitiatorName=iqn.1994-05.com.redhat:abc\0" "InitiatorAlias=host1\0"
		 "TargetName=iqn.2024-01.io.ctgt:disk0\0" "SessionType=Normal\0"
		 "MaxRecvDataSegmentLength=0x10000\0", "");
	assert_string_equal(f->p.initiator_name, "iqn.1994-05.com.redhat:abc");
	assert_string_equal(f->p.initiator_alias, "host1");
	assert_string_equal(f->p.target_name, "iqn.2024-01.io.ctgt:disk0");
	assert_true(f->p.have_session_type);
	assert_false(f->p.discovery);
	assert_int_equal(f->p.max_xmit_dlen, 65536);
	assert_int_equal(f->p.max_recv_dlen, 262144);
}

/* ---- context: discovery, non-leading logins, full feature phase ------------------ */

static void test_discovery_irrelevant(void **state)
{
	struct fx *f = *state;

	CHECK(f, "InitiatorName=iqn.a:b\0" "SessionType=Discovery\0"
		 "MaxConnections=1\0" "InitialR2T=Yes\0" "ImmediateData=Yes\0"
		 "MaxBurstLength=262144\0" "FirstBurstLength=65536\0" "MaxOutstandingR2T=1\0"
		 "DataPDUInOrder=Yes\0" "DataSequenceInOrder=Yes\0" "TaskReporting=RFC3720\0"
		 "iSCSIProtocolLevel=1\0"
		 /* still relevant in discovery: */
		 "HeaderDigest=None\0" "DataDigest=None\0" "DefaultTime2Wait=2\0"
		 "DefaultTime2Retain=0\0" "ErrorRecoveryLevel=0\0" "IFMarker=No\0"
		 "MaxRecvDataSegmentLength=32768\0",
	      "MaxConnections=Irrelevant\0" "InitialR2T=Irrelevant\0" "ImmediateData=Irrelevant\0"
	      "MaxBurstLength=Irrelevant\0" "FirstBurstLength=Irrelevant\0"
	      "MaxOutstandingR2T=Irrelevant\0" "DataPDUInOrder=Irrelevant\0"
	      "DataSequenceInOrder=Irrelevant\0" "TaskReporting=Irrelevant\0"
	      "iSCSIProtocolLevel=Irrelevant\0"
	      "HeaderDigest=None\0" "DataDigest=None\0" "DefaultTime2Wait=2\0"
	      "DefaultTime2Retain=0\0" "ErrorRecoveryLevel=0\0" "IFMarker=No\0");
	assert_true(f->p.discovery);
	assert_true(f->p.have_session_type);
	assert_int_equal(f->p.max_xmit_dlen, 32768);
	assert_int_equal(f->p.max_burst, 262144);	/* untouched */

	/* Keys before SessionType in the same request count as discovery too. */
	CHECK(f, "MaxBurstLength=4096\0" "SessionType=Discovery\0",
	      "MaxBurstLength=Irrelevant\0");

	/* And in a later request of the same login. */
	fx_reset(f, true, true);
	assert_int_equal(NEG(f, "SessionType=Discovery\0"), NEG_OK);
	assert_int_equal(NEG(f, "ImmediateData=No\0"), NEG_OK);
	EXPECT_OUT(f, "ImmediateData=Irrelevant\0");
}

static void test_non_leading_login(void **state)
{
	struct fx *f = *state;

	fx_reset(f, false, true);
	assert_int_equal(NEG(f, "InitiatorName=iqn.a:b\0" "TargetName=iqn.c:d\0"
				"SessionType=Normal\0" "HeaderDigest=CRC32C,None\0"
				"MaxBurstLength=4096\0" "InitialR2T=Yes\0" "ErrorRecoveryLevel=0\0"
				"MaxConnections=2\0" "MaxRecvDataSegmentLength=65536\0"
				"IFMarker=No\0"),
			 NEG_OK);
	EXPECT_OUT(f, "HeaderDigest=CRC32C\0" "MaxBurstLength=Irrelevant\0"
		      "InitialR2T=Irrelevant\0" "ErrorRecoveryLevel=Irrelevant\0"
		      "MaxConnections=Irrelevant\0" "IFMarker=No\0");
	assert_string_equal(f->p.initiator_name, "iqn.a:b");
	assert_true(f->p.have_session_type);
	assert_int_equal(f->p.max_burst, 262144);
	assert_int_equal(f->p.max_xmit_dlen, 65536);
	assert_true(f->p.header_digest);
}

static void test_ffp_text(void **state)
{
	struct fx *f = *state;

	fx_reset(f, true, false);
	assert_int_equal(NEG(f, "MaxBurstLength=4096\0" "HeaderDigest=None\0" "InitiatorName=iqn.a:b\0"
				"SessionType=Normal\0" "AuthMethod=None\0" "IFMarker=No\0"
				"TaskReporting=RFC3720\0" "InitiatorAlias=newname\0"
				"MaxRecvDataSegmentLength=65536\0" "TargetAlias=x\0" "X-foo=1\0"
				"SendTargets=All\0"),
			 NEG_OK);
	EXPECT_OUT(f, "MaxBurstLength=Reject\0" "HeaderDigest=Reject\0" "InitiatorName=Reject\0"
		      "SessionType=Reject\0" "AuthMethod=Reject\0" "IFMarker=Reject\0"
		      "TaskReporting=Reject\0" "TargetAlias=Reject\0" "X-foo=NotUnderstood\0");
	assert_int_equal(f->p.max_burst, 262144);
	assert_string_equal(f->p.initiator_name, "");
	assert_string_equal(f->p.initiator_alias, "newname");
	assert_int_equal(f->p.max_xmit_dlen, 65536);

	/* Nothing to declare outside a login. */
	kv_free(&f->out);
	assert_int_equal(iscsi_param_declare(&f->n, &f->out), NEG_OK);
	EXPECT_NONE(f);
}

static void test_declare_once(void **state)
{
	struct fx *f = *state;

	fx_reset(f, true, true);
	assert_int_equal(iscsi_param_declare(&f->n, &f->out), NEG_OK);
	EXPECT_OUT(f, "MaxRecvDataSegmentLength=262144\0");
	assert_int_equal(iscsi_param_declare(&f->n, &f->out), NEG_OK);
	EXPECT_OUT(f, "MaxRecvDataSegmentLength=262144\0");

	/* After the answers, in a discovery login too, with other limits. */
	f->lim.max_recv_dlen = 8192;
	fx_reset(f, true, true);
	assert_int_equal(NEG(f, "SessionType=Discovery\0" "HeaderDigest=None\0"), NEG_OK);
	assert_int_equal(iscsi_param_declare(&f->n, &f->out), NEG_OK);
	EXPECT_OUT(f, "HeaderDigest=None\0" "MaxRecvDataSegmentLength=8192\0");
	kv_free(&f->out);
	assert_int_equal(iscsi_param_declare(&f->n, &f->out), NEG_OK);
	EXPECT_NONE(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_limits_default),
		cmocka_unit_test_setup_teardown(test_params_init_defaults, setup, teardown),
		cmocka_unit_test(test_params_init_clamped),
		cmocka_unit_test(test_kv_append_find),
		cmocka_unit_test(test_kv_find_unterminated),
		cmocka_unit_test_setup_teardown(test_numeric_min, setup, teardown),
		cmocka_unit_test_setup_teardown(test_numeric_max, setup, teardown),
		cmocka_unit_test_setup_teardown(test_protocol_level, setup, teardown),
		cmocka_unit_test_setup_teardown(test_numeric_encodings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_numeric_out_of_range, setup, teardown),
		cmocka_unit_test_setup_teardown(test_first_burst_integrity, setup, teardown),
		cmocka_unit_test_setup_teardown(test_boolean_or, setup, teardown),
		cmocka_unit_test_setup_teardown(test_boolean_and, setup, teardown),
		cmocka_unit_test_setup_teardown(test_boolean_bad_values, setup, teardown),
		cmocka_unit_test_setup_teardown(test_digest_lists, setup, teardown),
		cmocka_unit_test_setup_teardown(test_auth_method, setup, teardown),
		cmocka_unit_test_setup_teardown(test_task_reporting, setup, teardown),
		cmocka_unit_test_setup_teardown(test_markers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_understood, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reserved_values_recorded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_syntax_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_key_length, setup, teardown),
		cmocka_unit_test_setup_teardown(test_value_length, setup, teardown),
		cmocka_unit_test_setup_teardown(test_name_length, setup, teardown),
		cmocka_unit_test_setup_teardown(test_padding_and_missing_nul, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicate_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_caller_keys_skipped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_target_only_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_declaratives_recorded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_discovery_irrelevant, setup, teardown),
		cmocka_unit_test_setup_teardown(test_non_leading_login, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ffp_text, setup, teardown),
		cmocka_unit_test_setup_teardown(test_declare_once, setup, teardown),
	};

	/* Malformed requests are logged as warnings; keep the test output clean. */
	log_set_level(LOG_LVL_ERROR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}

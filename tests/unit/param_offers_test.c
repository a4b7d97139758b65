/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Negotiation of whole login and discovery offers as real initiators
 * (libiscsi, open-iscsi) send them, answered byte for byte.
 */
#include "tests/unit/param_fixture.h"

/* ---- whole offers of real initiators ------------------------------------------------ */

/* libiscsi (iscsi-test-cu, iscsi-inq, QEMU) without CHAP: one PDU, straight to
 * operational negotiation, keys in lib/login.c order with its defaults. */
static void test_libiscsi_login(void **state)
{
	struct fx *f = *state;

	fx_reset(f, true, true);
	assert_int_equal(NEG(f, "InitiatorName=iqn.2007-10.com.github:sahlberg:libiscsi:iscsi-test\0"
				"TargetName=iqn.2024-01.io.ctgt:disk0\0"
				"SessionType=Normal\0"
				"HeaderDigest=None,CRC32C\0"
				"DataDigest=None\0"
				"InitialR2T=No\0"
				"ImmediateData=Yes\0"
				"MaxBurstLength=262144\0"
				"FirstBurstLength=262144\0"
				"DefaultTime2Wait=2\0"
				"DefaultTime2Retain=0\0"
				"MaxOutstandingR2T=1\0"
				"ErrorRecoveryLevel=0\0"
				"IFMarker=No\0"
				"OFMarker=No\0"
				"MaxConnections=1\0"
				"MaxRecvDataSegmentLength=262144\0"
				"DataPDUInOrder=Yes\0"
				"DataSequenceInOrder=Yes\0"),
			 NEG_OK);
	assert_int_equal(iscsi_param_declare(&f->n, &f->out), NEG_OK);
	EXPECT_OUT(f, "HeaderDigest=None\0"
		      "DataDigest=None\0"
		      "InitialR2T=No\0"
		      "ImmediateData=Yes\0"
		      "MaxBurstLength=262144\0"
		      "FirstBurstLength=65536\0"
		      "DefaultTime2Wait=2\0"
		      "DefaultTime2Retain=0\0"
		      "MaxOutstandingR2T=1\0"
		      "ErrorRecoveryLevel=0\0"
		      "IFMarker=No\0"
		      "OFMarker=No\0"
		      "MaxConnections=1\0"
		      "DataPDUInOrder=Yes\0"
		      "DataSequenceInOrder=Yes\0"
		      "MaxRecvDataSegmentLength=262144\0");
	assert_string_equal(f->p.initiator_name,
			    "iqn.2007-10.com.github:sahlberg:libiscsi:iscsi-test");
	assert_string_equal(f->p.target_name, "iqn.2024-01.io.ctgt:disk0");
	assert_false(f->p.initial_r2t);
	assert_true(f->p.immediate_data);
	assert_int_equal(f->p.max_burst, 262144);
	assert_int_equal(f->p.first_burst, 65536);
	assert_int_equal(f->p.max_xmit_dlen, 262144);
	assert_int_equal(f->p.default_time2retain, 0);
	assert_false(f->p.header_digest);
}

/* iscsi-ls: the same offer in a discovery session. */
static void test_libiscsi_discovery(void **state)
{
	struct fx *f = *state;

	fx_reset(f, true, true);
	assert_int_equal(NEG(f, "InitiatorName=iqn.2007-10.com.github:sahlberg:libiscsi:iscsi-ls\0"
				"SessionType=Discovery\0"
				"HeaderDigest=None,CRC32C\0"
				"DataDigest=None\0"
				"InitialR2T=No\0"
				"ImmediateData=Yes\0"
				"MaxBurstLength=262144\0"
				"FirstBurstLength=262144\0"
				"DefaultTime2Wait=2\0"
				"DefaultTime2Retain=0\0"
				"MaxOutstandingR2T=1\0"
				"ErrorRecoveryLevel=0\0"
				"IFMarker=No\0"
				"OFMarker=No\0"
				"MaxConnections=1\0"
				"MaxRecvDataSegmentLength=262144\0"
				"DataPDUInOrder=Yes\0"
				"DataSequenceInOrder=Yes\0"),
			 NEG_OK);
	assert_int_equal(iscsi_param_declare(&f->n, &f->out), NEG_OK);
	EXPECT_OUT(f, "HeaderDigest=None\0"
		      "DataDigest=None\0"
		      "InitialR2T=Irrelevant\0"
		      "ImmediateData=Irrelevant\0"
		      "MaxBurstLength=Irrelevant\0"
		      "FirstBurstLength=Irrelevant\0"
		      "DefaultTime2Wait=2\0"
		      "DefaultTime2Retain=0\0"
		      "MaxOutstandingR2T=Irrelevant\0"
		      "ErrorRecoveryLevel=0\0"
		      "IFMarker=No\0"
		      "OFMarker=No\0"
		      "MaxConnections=Irrelevant\0"
		      "DataPDUInOrder=Irrelevant\0"
		      "DataSequenceInOrder=Irrelevant\0"
		      "MaxRecvDataSegmentLength=262144\0");
	assert_true(f->p.discovery);
}

/* Linux open-iscsi (iscsid, usr/login.c) without CHAP, iscsid.conf defaults. */
static void test_open_iscsi_login(void **state)
{
	struct fx *f = *state;

	fx_reset(f, true, true);
	assert_int_equal(NEG(f, "InitiatorName=iqn.1993-08.org.debian:01:8e6a3c1d2f4b\0"
				"InitiatorAlias=host1\0"
				"TargetName=iqn.2024-01.io.ctgt:disk0\0"
				"SessionType=Normal\0"
				"HeaderDigest=None\0"
				"DataDigest=None\0"
				"DefaultTime2Wait=2\0"
				"DefaultTime2Retain=0\0"
				"IFMarker=No\0"
				"OFMarker=No\0"
				"ErrorRecoveryLevel=0\0"
				"InitialR2T=No\0"
				"ImmediateData=Yes\0"
				"MaxBurstLength=16776192\0"
				"FirstBurstLength=262144\0"
				"MaxOutstandingR2T=1\0"
				"MaxConnections=1\0"
				"DataPDUInOrder=Yes\0"
				"DataSequenceInOrder=Yes\0"
				"MaxRecvDataSegmentLength=262144\0"),
			 NEG_OK);
	assert_int_equal(iscsi_param_declare(&f->n, &f->out), NEG_OK);
	EXPECT_OUT(f, "HeaderDigest=None\0"
		      "DataDigest=None\0"
		      "DefaultTime2Wait=2\0"
		      "DefaultTime2Retain=0\0"
		      "IFMarker=No\0"
		      "OFMarker=No\0"
		      "ErrorRecoveryLevel=0\0"
		      "InitialR2T=No\0"
		      "ImmediateData=Yes\0"
		      "MaxBurstLength=1048576\0"
		      "FirstBurstLength=65536\0"
		      "MaxOutstandingR2T=1\0"
		      "MaxConnections=1\0"
		      "DataPDUInOrder=Yes\0"
		      "DataSequenceInOrder=Yes\0"
		      "MaxRecvDataSegmentLength=262144\0");
	assert_string_equal(f->p.initiator_alias, "host1");
	assert_int_equal(f->p.max_burst, 1048576);
	assert_int_equal(f->p.first_burst, 65536);
}

/* open-iscsi discovery: it leaves out the keys irrelevant to discovery. */
static void test_open_iscsi_discovery(void **state)
{
	struct fx *f = *state;

	fx_reset(f, true, true);
	assert_int_equal(NEG(f, "InitiatorName=iqn.1993-08.org.debian:01:8e6a3c1d2f4b\0"
				"SessionType=Discovery\0"
				"HeaderDigest=None\0"
				"DataDigest=None\0"
				"DefaultTime2Wait=2\0"
				"DefaultTime2Retain=0\0"
				"IFMarker=No\0"
				"OFMarker=No\0"
				"ErrorRecoveryLevel=0\0"
				"MaxRecvDataSegmentLength=32768\0"),
			 NEG_OK);
	assert_int_equal(iscsi_param_declare(&f->n, &f->out), NEG_OK);
	EXPECT_OUT(f, "HeaderDigest=None\0"
		      "DataDigest=None\0"
		      "DefaultTime2Wait=2\0"
		      "DefaultTime2Retain=0\0"
		      "IFMarker=No\0"
		      "OFMarker=No\0"
		      "ErrorRecoveryLevel=0\0"
		      "MaxRecvDataSegmentLength=262144\0");
	assert_int_equal(f->p.max_xmit_dlen, 32768);
}

/* A login split over stages: security (AuthMethod), then operational. */
static void test_login_in_stages(void **state)
{
	struct fx *f = *state;

	fx_reset(f, true, true);
	assert_int_equal(NEG(f, "InitiatorName=iqn.a:b\0" "SessionType=Normal\0"
				"TargetName=iqn.c:d\0" "AuthMethod=CHAP,None\0"),
			 NEG_OK);
	EXPECT_OUT(f, "AuthMethod=None\0");
	kv_free(&f->out);
	assert_int_equal(NEG(f, "HeaderDigest=CRC32C,None\0" "DataDigest=CRC32C,None\0"
				"MaxRecvDataSegmentLength=8192\0"),
			 NEG_OK);
	assert_int_equal(iscsi_param_declare(&f->n, &f->out), NEG_OK);
	EXPECT_OUT(f, "HeaderDigest=CRC32C\0" "DataDigest=CRC32C\0"
		      "MaxRecvDataSegmentLength=262144\0");
	assert_true(f->p.header_digest);
	assert_true(f->p.data_digest);
	assert_string_equal(f->p.auth_method, "None");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_libiscsi_login, setup, teardown),
		cmocka_unit_test_setup_teardown(test_libiscsi_discovery, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_iscsi_login, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_iscsi_discovery, setup, teardown),
		cmocka_unit_test_setup_teardown(test_login_in_stages, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests of the CHAP and access settings: the flags (--chap,
 * --mutual-chap, --discovery-chap, --discovery-mutual-chap) and the
 * config.json keys ("chap", "mutualChap", "allow", "initiators",
 * "discoveryChap", "discoveryMutualChap"), and the secrets they refuse.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/config.h"
#include "tests/unit/config_fixture.h"

/* ctgt's access keys: "chap", "mutualChap", "allow", "initiators", "discoveryChap". */
static void test_config_access(void **state)
{
	struct fixture *f = *state;
	const struct ctgt_target_cfg *t;
	const struct ctgt_initiator_cfg *ic;

	assert_int_equal(load(f, "{\"storages\": [{\"deviceID\": 1, \"path\": \"mem:\", \"size\": \"1M\"}],"
			      "\"discoveryChap\": {\"user\": \"d\", \"secret\": \"discoverysecret\"},"
			      "\"iscsitargets\": {\"iqn.2020-01.a.b\": {\"luns\": {\"0\": 1},"
			      "\"chap\": {\"user\": \"u\", \"secret\": \"usersecret123\"},"
			      "\"mutualChap\": {\"user\": \"t\", \"secret\": \"targetsecret1\"},"
			      "\"allow\": [\"iqn.2020-01.a.i\", \"10.0.0.0/8\"],"
			      "\"initiators\": {\"iqn.2020-01.a.i\": {\"chap\": {\"user\": \"i\","
			      "\"secret\": \"initsecret123\"}, \"luns\": [{\"lun\": 4, \"targetLun\": 0,"
			      "\"readonly\": true}, {\"lun\": 0}]}, \"iqn.2020-01.a.j\": {}}}}}"), 0);
	assert_string_equal(f->cfg.discovery_chap.user, "d");
	t = &f->cfg.targets[0];
	assert_string_equal(t->chap.secret, "usersecret123");
	assert_string_equal(t->mutual_chap.user, "t");
	assert_int_equal(t->nallow, 2);
	assert_string_equal(t->allow[1], "10.0.0.0/8");
	assert_int_equal(t->ninitiators, 2);
	ic = &t->initiators[0];
	assert_string_equal(ic->name, "iqn.2020-01.a.i");
	assert_string_equal(ic->chap.user, "i");
	assert_true(ic->map_luns);
	assert_int_equal(ic->nluns, 2);
	assert_int_equal(ic->luns[0].lun, 4);
	assert_int_equal(ic->luns[0].target_lun, 0);
	assert_true(ic->luns[0].readonly);
	assert_int_equal(ic->luns[1].target_lun, 0);	/* defaults to "lun" */
	assert_false(ic->luns[1].readonly);
	assert_false(t->initiators[1].map_luns);	/* no "luns": sees every LU */
	config_free(&f->cfg);

	load_fails(f, "{\"iscsitargets\": {\"iqn.2020-01.a.b\": {\"allow\": [\"10.0.0.0/40\"]}}}",
		   ": iscsitargets.iqn.2020-01.a.b.allow[0]: IPv4 prefix longer than 32");
	load_fails(f, "{\"iscsitargets\": {\"iqn.2020-01.a.b\": {\"chap\": {\"user\": \"u\","
		   "\"secret\": \"short\"}}}}",
		   ": iscsitargets.iqn.2020-01.a.b.chap: the secret is shorter than 12 bytes "
		   "(RFC 7143 12.1.3 asks for at least 96 bits)");
	load_fails(f, "{\"iscsitargets\": {\"iqn.2020-01.a.b\": {\"chap\": \"u:secretsecret\"}}}",
		   ": iscsitargets.iqn.2020-01.a.b.chap: must be an object with \"user\" and \"secret\" strings");
	load_fails(f, "{\"iscsitargets\": {\"iqn.2020-01.a.b\": {\"initiators\": {\"bad\": {}}}}}",
		   ": iscsitargets.iqn.2020-01.a.b.initiators.bad: not an iqn./eui./naa. name");
	load_fails(f, "{\"iscsitargets\": {\"iqn.2020-01.a.b\": {\"initiators\": {\"iqn.2020-01.a.i\":"
		   "{\"luns\": [{\"lun\": 256}]}}}}}",
		   ": iscsitargets.iqn.2020-01.a.b.initiators.iqn.2020-01.a.i.luns[0]: lun must be an integer from 0 to 255");
	load_fails(f, "{\"iscsitargets\": {\"iqn.2020-01.a.b\": {"
		   "\"chap\": {\"user\": \"u\", \"secret\": \"samesecret123\"},"
		   "\"mutualChap\": {\"user\": \"t\", \"secret\": \"samesecret123\"}}}}",
		   ": iscsitargets.iqn.2020-01.a.b: the mutual CHAP secret must differ from the "
		   "initiators' secret (RFC 7143 12.1.3)");
}

/* Weak or inconsistent secrets stop the daemon before it serves, and the
 * message never shows the secret. */
static void test_chap_refused(void **state)
{
	struct fixture *f = *state;

	PARSE_FAILS(f, "--chap alice:...: the secret is shorter than 12 bytes "
		    "(RFC 7143 12.1.3 asks for at least 96 bits)",
		    "--lun", "0=a", "--chap", "alice:short12345");
	PARSE_FAILS(f, "--chap :...: expected USER:SECRET", "--lun", "0=a", "--chap", ":abcdefghijklmn");
	PARSE_FAILS(f, "--chap nocolon:...: expected USER:SECRET", "--lun", "0=a", "--chap", "nocolon");
	PARSE_FAILS(f, "--discovery-chap d:...: the secret is shorter than 12 bytes "
		    "(RFC 7143 12.1.3 asks for at least 96 bits)",
		    "--lun", "0=a", "--discovery-chap", "d:12345678901");
	PARSE_FAILS(f, "--target iqn.2026-11.io.ctgt:disk0: the mutual CHAP secret must differ from "
		    "the initiators' secret (RFC 7143 12.1.3)", "--lun", "0=a",
		    "--chap", "a:samesecret123", "--mutual-chap", "t:samesecret123");
	PARSE_FAILS(f, "--target iqn.2020-01.a.b: mutual CHAP needs CHAP credentials for the "
		    "initiators too (--chap)", "--target", "iqn.2020-01.a.b", "--lun", "0=a",
		    "--mutual-chap", "t:targetsecret12");
	PARSE_FAILS(f, "--chap given twice for one target", "--lun", "0=a",
		    "--chap", "a:alicesecret12", "--chap", "b:alicesecret12");
	/* Exactly 12 bytes is enough. */
	assert_int_equal(parse(f, "--lun", "0=a", "--chap", "a:123456789012", NULL), 0);
}

/* --discovery-mutual-chap / "discoveryMutualChap": the target's own
 * credentials in discovery sessions, checked like a target's mutual ones
 * (wherever the two discovery credentials come from). */
static void test_discovery_mutual_chap(void **state)
{
	struct fixture *f = *state;
	const struct ctgt_config *c = &f->cfg;

	assert_int_equal(parse(f, "--lun", "0=a", "--discovery-chap", "d:discoverysecret",
			       "--discovery-mutual-chap=dt:disctargetsecret", NULL), 0);
	assert_string_equal(c->discovery_chap.user, "d");
	assert_string_equal(c->discovery_chap.secret, "discoverysecret");
	assert_string_equal(c->discovery_mutual_chap.user, "dt");
	assert_string_equal(c->discovery_mutual_chap.secret, "disctargetsecret");
	/* A target's credentials are not the discovery sessions'. */
	assert_null(c->targets[0].chap.user);
	assert_null(c->targets[0].mutual_chap.user);
	assert_int_equal(parse(f, "--lun", "0=a", "--mutual-chap", "t:targetsecret12",
			       "--chap", "a:alicesecret12", NULL), 0);
	assert_null(c->discovery_mutual_chap.user);

	PARSE_FAILS(f, "--discovery-mutual-chap: mutual CHAP needs CHAP credentials for the "
		    "initiators too (--discovery-chap)", "--lun", "0=a",
		    "--discovery-mutual-chap", "dt:disctargetsecret");
	/* A target's --chap is not the discovery sessions' either. */
	PARSE_FAILS(f, "--discovery-mutual-chap: mutual CHAP needs CHAP credentials for the "
		    "initiators too (--discovery-chap)", "--lun", "0=a", "--chap", "a:alicesecret12",
		    "--discovery-mutual-chap", "dt:disctargetsecret");
	PARSE_FAILS(f, "--discovery-mutual-chap: the mutual CHAP secret must differ from the "
		    "initiators' secret (RFC 7143 12.1.3)", "--lun", "0=a",
		    "--discovery-chap", "d:samesecret123", "--discovery-mutual-chap", "dt:samesecret123");
	PARSE_FAILS(f, "--discovery-mutual-chap dt:...: the secret is shorter than 12 bytes "
		    "(RFC 7143 12.1.3 asks for at least 96 bits)", "--lun", "0=a",
		    "--discovery-chap", "d:discoverysecret", "--discovery-mutual-chap", "dt:12345678901");
	PARSE_FAILS(f, "--discovery-mutual-chap nocolon:...: expected USER:SECRET", "--lun", "0=a",
		    "--discovery-chap", "d:discoverysecret", "--discovery-mutual-chap", "nocolon");
	PARSE_FAILS(f, "--discovery-mutual-chap given twice", "--lun", "0=a",
		    "--discovery-chap", "d:discoverysecret", "--discovery-mutual-chap",
		    "dt:disctargetsecret", "--discovery-mutual-chap", "du:disctargetsecret");
	PARSE_FAILS(f, "--discovery-chap given twice", "--lun", "0=a", "--discovery-chap",
		    "d:discoverysecret", "--discovery-chap", "e:discoverysecret");
	PARSE_FAILS(f, "--discovery-mutual-chap: missing value", "--lun", "0=a",
		    "--discovery-mutual-chap");

	/* The file's keys, the same checks. */
	assert_int_equal(load(f, "{\"discoveryChap\": {\"user\": \"d\", \"secret\": \"discoverysecret\"},"
			      "\"discoveryMutualChap\": {\"user\": \"dt\", \"secret\": \"disctargetsecret\"}}"), 0);
	assert_string_equal(c->discovery_chap.user, "d");
	assert_string_equal(c->discovery_mutual_chap.user, "dt");
	assert_string_equal(c->discovery_mutual_chap.secret, "disctargetsecret");
	config_free(&f->cfg);
	load_fails(f, "{\"discoveryMutualChap\": {\"user\": \"dt\", \"secret\": \"disctargetsecret\"}}",
		   ": discoveryMutualChap: mutual CHAP needs CHAP credentials for the initiators too "
		   "(discoveryChap)");
	load_fails(f, "{\"discoveryChap\": {\"user\": \"d\", \"secret\": \"samesecret123\"},"
		   "\"discoveryMutualChap\": {\"user\": \"dt\", \"secret\": \"samesecret123\"}}",
		   ": discoveryMutualChap: the mutual CHAP secret must differ from the initiators' "
		   "secret (RFC 7143 12.1.3)");
	load_fails(f, "{\"discoveryChap\": {\"user\": \"d\", \"secret\": \"discoverysecret\"},"
		   "\"discoveryMutualChap\": {\"user\": \"dt\", \"secret\": \"short\"}}",
		   ": discoveryMutualChap: the secret is shorter than 12 bytes (RFC 7143 12.1.3 asks "
		   "for at least 96 bits)");
	load_fails(f, "{\"discoveryChap\": {\"user\": \"d\", \"secret\": \"discoverysecret\"},"
		   "\"discoveryMutualChap\": \"dt:disctargetsecret\"}",
		   ": discoveryMutualChap: must be an object with \"user\" and \"secret\" strings");

	/* The file's discoveryChap with the flag's mutual credentials; the
	 * flag's discovery credentials replace the file's and are checked
	 * against its mutual ones. */
	write_config(f, "{\"discoveryChap\": {\"user\": \"d\", \"secret\": \"discoverysecret\"},"
		     "\"storages\": [{\"deviceID\": 1, \"path\": \"mem:\", \"size\": \"1M\"}],"
		     "\"iscsitargets\": {\"iqn.2020-01.a.b\": {\"luns\": {\"0\": 1}}}}");
	assert_int_equal(parse(f, "--config", f->path, "--discovery-mutual-chap",
			       "dt:disctargetsecret", NULL), 0);
	assert_string_equal(c->discovery_chap.secret, "discoverysecret");
	assert_string_equal(c->discovery_mutual_chap.secret, "disctargetsecret");
	write_config(f, "{\"discoveryChap\": {\"user\": \"d\", \"secret\": \"discoverysecret\"},"
		     "\"discoveryMutualChap\": {\"user\": \"dt\", \"secret\": \"disctargetsecret\"},"
		     "\"storages\": [{\"deviceID\": 1, \"path\": \"mem:\", \"size\": \"1M\"}],"
		     "\"iscsitargets\": {\"iqn.2020-01.a.b\": {\"luns\": {\"0\": 1}}}}");
	assert_int_equal(parse(f, "--config", f->path, "--discovery-chap", "e:othersecret123", NULL), 0);
	assert_string_equal(c->discovery_chap.user, "e");
	assert_string_equal(c->discovery_mutual_chap.user, "dt");
	PARSE_FAILS(f, "--discovery-mutual-chap: the mutual CHAP secret must differ from the "
		    "initiators' secret (RFC 7143 12.1.3)",
		    "--config", f->path, "--discovery-chap", "e:disctargetsecret");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_config_access),
		T(test_chap_refused),
		T(test_discovery_mutual_chap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The seeds of fuzz_control (gen_corpus.h): one request line each, every
 * command with good and bad arguments, and the malformed requests the
 * handler answers with an error.
 */
#include "tests/fuzz/gen_corpus.h"

static void req(const char *name, const char *line)
{
	struct buf b = { .len = 0 };

	put_str(&b, line);
	save("control", name, &b);
}

void gen_control(void)
{
	req("version", "{\"version\": 1, \"command\": \"version\", \"args\": {}}");
	req("target-list", "{\"version\":1,\"command\":\"target list\"}");
	req("session-list", "{\"version\":1,\"command\":\"session list\",\"args\":{}}");
	req("lun-list", "{\"version\":1,\"command\":\"lun list\","
	    "\"args\":{\"target\":\"iqn.2026-12.io.ctgt.fuzz:b\"}}");
	req("lun-list-case", "{\"version\":1,\"command\":\"lun list\","
	    "\"args\":{\"target\":\"IQN.2026-12.io.ctgt.fuzz:A\"}}");
	req("lun-list-none", "{\"version\":1,\"command\":\"lun list\",\"args\":{}}");
	req("lun-list-unknown", "{\"version\":1,\"command\":\"lun list\","
	    "\"args\":{\"target\":\"iqn.2026-12.io.ctgt.fuzz:zz\"}}");
	req("lun-list-number", "{\"version\":1,\"command\":\"lun list\",\"args\":{\"target\":7}}");
	req("lun-stats", "{\"version\":1,\"command\":\"lun stats\",\"args\":{}}");
	req("lun-stats-one", "{\"version\":1,\"command\":\"lun stats\","
	    "\"args\":{\"target\":\"iqn.2026-12.io.ctgt.fuzz:c\"}}");
	req("lun-stats-bad", "{\"version\":1,\"command\":\"lun stats\",\"args\":{\"target\":[]}}");
	req("acl-list", "{\"version\":1,\"command\":\"acl list\","
	    "\"args\":{\"target\":\"iqn.2026-12.io.ctgt.fuzz:a\"}}");
	req("acl-add-name", "{\"version\":1,\"command\":\"acl add\",\"args\":{\"target\":"
	    "\"iqn.2026-12.io.ctgt.fuzz:a\",\"rule\":\"iqn.2026-12.io.ctgt.fuzz:ini\","
	    "\"options\":[\"chap=u:initiator-secret\",\"luns=0=1:ro,1\"]}}");
	req("acl-add-net", "{\"version\":1,\"command\":\"acl add\",\"args\":{\"target\":"
	    "\"iqn.2026-12.io.ctgt.fuzz:b\",\"rule\":\"fd00::/8\"}}");
	req("acl-remove-open", "{\"version\":1,\"command\":\"acl remove\",\"args\":{\"target\":"
	    "\"iqn.2026-12.io.ctgt.fuzz:b\",\"rule\":\"fd00::/8\",\"options\":[\"--open\"]}}");
	req("chap-set", "{\"version\":1,\"command\":\"chap set\",\"args\":{\"target\":"
	    "\"iqn.2026-12.io.ctgt.fuzz:c\",\"chap\":\"user:target-secret\","
	    "\"options\":[\"mutual=me:mutual-secret\"]}}");
	req("chap-set-discovery-off", "{\"version\":1,\"command\":\"chap set\",\"args\":"
	    "{\"target\":\"discovery\",\"chap\":\"off\"}}");
	req("old-version", "{\"version\":0,\"command\":\"version\"}");
	req("unknown", "{\"version\":1,\"command\":\"reboot\"}");
	req("args-array", "{\"version\":1,\"command\":\"version\",\"args\":[]}");
	req("duplicate", "{\"version\":1,\"version\":1,\"command\":\"version\"}");
	req("not-object", "[1,2,3]");
	req("not-json", "target list");
	/* fuzz_control, seconds: a parse error quoting bytes that are not
	 * UTF-8 lost the reply (json_pack() refused the error text). */
	req("regress-error-not-utf8", "{\"lun \\\xdd\x8b\x94rget\":\"i:c\"}}");
	req("unicode", "{\"version\":1,\"command\":\"lun list\",\"args\":{\"target\":\"\\u0000x\"}}");
}

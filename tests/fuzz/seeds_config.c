/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The seeds of fuzz_config (gen_corpus.h): byte 0 even, a config.json;
 * odd, the arguments of "ctgt serve".
 */
#include <stdint.h>

#include "tests/fuzz/gen_corpus.h"

static void config_json(const char *name, const char *json)
{
	struct buf b = { .len = 0 };

	put_u8(&b, 0);
	put_str(&b, json);
	save("config", name, &b);
}

/* @args (ended by NULL): NUL-separated in the seed (the target splits at
 * NUL and newline). A list, not a count and varargs: a wrong count read
 * past the arguments (UB) or dropped the last ones. */
static void config_argv(const char *name, const char *const *args)
{
	struct buf b = { .len = 0 };

	put_u8(&b, 1);
	for (int i = 0; args[i]; i++) {
		if (i)
			put_u8(&b, 0);
		put_str(&b, args[i]);
	}
	save("config", name, &b);
}

#define config_args(name, ...) config_argv(name, (const char *const[]){ __VA_ARGS__, NULL })

void gen_config(void)
{
	config_json("gotgt.json",
		"{\"storages\":[{\"deviceID\":1000,\"path\":\"file:/tmp/x.img\",\"online\":true,"
		"\"thinProvisioning\":false,\"blockShift\":9}],"
		"\"iscsiportals\":[{\"id\":0,\"portal\":\"127.0.0.1:3260\"}],"
		"\"iscsitargets\":{\"iqn.2016-09.com.gotgt.gostor:02:example-tgt-0\":"
		"{\"tpgts\":{\"1\":[0]},\"luns\":{\"0\":1000}}}}");
	config_json("ext.json",
		"{\"storages\":[{\"deviceID\":1,\"path\":\"mem:\",\"online\":true,"
		"\"thinProvisioning\":true,\"blockShift\":12,\"size\":\"32M\",\"readonly\":true,"
		"\"removable\":true,\"physicalBlockSize\":8192,\"maxBandwidth\":1048576},"
		"{\"deviceID\":2,\"path\":\"mem:b\",\"size\":1073741824}],"
		"\"iscsiportals\":[{\"id\":0,\"portal\":\"[::1]:3261\"},{\"id\":1,\"portal\":\"127.0.0.1\"}],"
		"\"stateDir\":\"/tmp/state\","
		"\"iscsitargets\":{\"iqn.2026-11.io.ctgt.test:json-a\":{\"tpgts\":{\"1\":[0,1]},"
		"\"luns\":{\"0\":1,\"1\":2}},\"iqn.2026-11.io.ctgt.test:json-b\":"
		"{\"tpgts\":{\"2\":[1]},\"luns\":{\"3\":2}}}}");
	config_json("empty.json", "{}");
	config_json("bad-types.json",
		"{\"storages\":{\"deviceID\":\"x\"},\"iscsiportals\":[1,null,{\"id\":-1}],"
		"\"iscsitargets\":[],\"unknown\":true}");
	config_args("quick", "--portal", "127.0.0.1:3260", "--target",
		    "iqn.2026-11.io.ctgt:disk0", "--lun", "0=mem:,size=1G,thin");
	config_args("luns", "--lun=0=file:/tmp/d.img,size=512M,block_size=4096,"
		    "physical_block_size=8192,readonly,removable,max_bandwidth=10M",
		    "--lun", "1=mem:x,size=64K", "--portal=[::1]:0", "--portal", "0.0.0.0",
		    "--log-level", "debug", "--nop-interval", "30");
	config_json("discovery-chap.json",
		"{\"discoveryChap\":{\"user\":\"d\",\"secret\":\"discoverysecret\"},"
		"\"discoveryMutualChap\":{\"user\":\"dt\",\"secret\":\"disctargetsecret\"}}");
	config_args("discovery-chap", "--lun", "0=mem:,size=1M", "--discovery-chap",
		    "d:discoverysecret", "--discovery-mutual-chap=dt:disctargetsecret");
	config_args("state", "--state-dir", "/tmp/s", "--config", "/nonexistent.json");
	config_args("bad", "-x", "--lun", "--target=eui.0123456789ABCDEF");
}

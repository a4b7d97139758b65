# SPDX-License-Identifier: Apache-2.0
#
# make          build build/ctgt, the libraries, the example and the test programs
# make run      install what is missing, build, serve a 1 GiB sparse disk
# make test     install what is missing, build, run every test

CC      ?= gcc
CFLAGS  ?= -O2 -g
CFLAGS  += -std=gnu11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
           -Wvla -D_GNU_SOURCE -pthread -I. -Iinclude -MMD -MP
LDLIBS  := -lisal -ljansson -lcrypto -pthread

LIB_SRC := $(wildcard util/*.c backend/*.c scsi/*.c iscsi/*.c) \
           $(filter-out daemon/main.c,$(wildcard daemon/*.c))
LIB_OBJ := $(LIB_SRC:%.c=build/obj/%.o)
# The SCSI layer alone, for applications with their own transport: scsi/ and
# the backend/ and util/ code under it (no iSCSI, no event loop, no config).
SCSI_LIB_OBJ := $(filter build/obj/scsi/% build/obj/backend/% build/obj/util/%,$(LIB_OBJ))
# Each example is one program (its own main), never part of a library.
EXAMPLE_SRC := $(wildcard examples/*.c)
EXAMPLE_BIN := $(EXAMPLE_SRC:examples/%.c=build/examples/%)
UNIT_SRC := $(wildcard tests/unit/*_test.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=build/tests/%)
WIRE_BIN := build/tests/wire_test build/tests/dataflow_test build/tests/xcopy_wire_test build/tests/pr_client build/tests/tmf_test

.PHONY: all deps run test unit integration conformance clean
all: build/ctgt build/libctgt-scsi.a $(EXAMPLE_BIN) $(UNIT_BIN) $(WIRE_BIN)

build/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

build/libctgt.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

build/libctgt-scsi.a: $(SCSI_LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

build/ctgt: build/obj/daemon/main.o build/libctgt.a
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

# Examples see only the public headers (include/), as an application would.
build/obj/examples/%.o: examples/%.c
	@mkdir -p $(dir $@)
	$(CC) $(filter-out -I.,$(CFLAGS)) -c $< -o $@

.SECONDARY: $(EXAMPLE_SRC:%.c=build/obj/%.o)
build/examples/%: build/obj/examples/%.o build/libctgt.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

# Linked against the SCSI library alone: proves it needs nothing else.
build/tests/callback_test: tests/unit/callback_test.c build/libctgt-scsi.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< build/libctgt-scsi.a -pthread -lcmocka

build/tests/%: tests/unit/%.c build/libctgt.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< build/libctgt.a $(LDLIBS) -lcmocka

# Every wire program links the shared client (PDUs) and session (login,
# sequence numbers, commands) layers.
WIRE_LIB := tests/wire/client.c tests/wire/client.h tests/wire/session.c tests/wire/session.h
$(WIRE_BIN): build/tests/%: tests/wire/%.c $(WIRE_LIB) build/libctgt.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $(filter %.c,$^) build/libctgt.a $(LDLIBS) -lcmocka

deps:
	@tools/install-deps.sh

run: deps
	@$(MAKE) --no-print-directory build/ctgt
	@mkdir -p var
	build/ctgt serve --portal 127.0.0.1:3260 --lun 0=var/disk0.img,size=1G

test: deps
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory unit integration conformance

unit: $(UNIT_BIN)
	@tests/run-unit.sh $(UNIT_BIN)

integration: build/ctgt $(WIRE_BIN) $(EXAMPLE_BIN)
	@tests/run-integration.sh

conformance: build/ctgt
	@tests/conformance/run.sh

clean:
	rm -rf build


# ---- fuzzing (libFuzzer; tests/fuzz/README.md) ----
# Self-contained: its own compiler, flags and build directory, so the
# daemon's CFLAGS (and whatever `make CFLAGS=...` says) never reach it.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_SMOKE_SECONDS ?= 15
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=undefined
# -Werror for the harnesses only: a clang-only warning in the library must
# not stop `make test` (gcc's build of the same code has -Werror).
FUZZ_CFLAGS  := -O1 -g -fno-omit-frame-pointer $(FUZZ_SAN) -std=gnu11 -Wall -Wextra \
                -Wno-unused-command-line-argument -D_GNU_SOURCE -pthread \
                -I. -Iinclude -MMD -MP
FUZZ_TARGETS := fuzz_pdu fuzz_login fuzz_scsi fuzz_config
FUZZ_BIN     := $(FUZZ_TARGETS:%=build/fuzz/%)
FUZZ_LIB_OBJ := $(LIB_SRC:%.c=build/fuzz/obj/%.o)
# libFuzzer's flags: inputs up to 64 KiB, at most 10 s and 2 GiB for one input.
FUZZ_RUN      = -max_len=65536 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1

.PHONY: fuzz fuzz-build fuzz-smoke fuzz-corpus
fuzz-build: $(FUZZ_BIN) build/fuzz/gen_corpus

build/fuzz/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

build/fuzz/libctgt.a: $(FUZZ_LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c build/fuzz/libctgt.a
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Werror -fsanitize=fuzzer -o $@ $< build/fuzz/libctgt.a $(LDLIBS)

build/fuzz/gen_corpus: tests/fuzz/gen_corpus.c build/fuzz/libctgt.a
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Werror -o $@ $< build/fuzz/libctgt.a $(LDLIBS)

# Rewrite the checked-in seed corpora from tests/fuzz/gen_corpus.c.
fuzz-corpus: build/fuzz/gen_corpus
	build/fuzz/gen_corpus tests/fuzz/corpus

# Each target in turn for FUZZ_SECONDS (one at a time: the machine is
# shared). New inputs go to build/fuzz/corpus/, crashes to build/fuzz/crash/.
fuzz-run-%: build/fuzz/fuzz_%
	@mkdir -p build/fuzz/corpus/$* build/fuzz/crash
	nice build/fuzz/fuzz_$* $(FUZZ_RUN) -max_total_time=$(FUZZ_TIME) \
		$(if $(wildcard tests/fuzz/$*.dict),-dict=tests/fuzz/$*.dict) \
		-artifact_prefix=build/fuzz/crash/$*- \
		build/fuzz/corpus/$* tests/fuzz/corpus/$*

fuzz: fuzz-build
	@for t in $(FUZZ_TARGETS:fuzz_%=%); do \
		$(MAKE) --no-print-directory fuzz-run-$$t FUZZ_TIME=$(FUZZ_SECONDS) || exit 1; done

# The short run of `make test`: every target from its corpus, briefly.
fuzz-smoke: fuzz-build
	@for t in $(FUZZ_TARGETS:fuzz_%=%); do \
		$(MAKE) --no-print-directory fuzz-run-$$t FUZZ_TIME=$(FUZZ_SMOKE_SECONDS) \
			>build/fuzz/$$t-smoke.log 2>&1 || \
			{ tail -50 build/fuzz/$$t-smoke.log; echo "fuzz-smoke: $$t failed"; exit 1; }; \
		echo "fuzz-smoke: $$t: $$(grep -o 'stat::number_of_executed_units: *[0-9]*' \
			build/fuzz/$$t-smoke.log | grep -o '[0-9]*$$') runs, no crash"; done
test: fuzz-smoke

-include $(FUZZ_LIB_OBJ:.o=.d) $(FUZZ_BIN:=.d) build/fuzz/gen_corpus.d

-include $(LIB_OBJ:.o=.d) build/obj/daemon/main.d $(EXAMPLE_SRC:%.c=build/obj/%.d)
-include $(UNIT_BIN:=.d) $(WIRE_BIN:=.d)

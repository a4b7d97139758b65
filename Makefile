# SPDX-License-Identifier: Apache-2.0
#
# make          build build/ctgt, the libraries, the example and the test programs
# make run      install what is missing, build, serve a 1 GiB sparse disk
# make test     install what is missing, build, run every test (the unit tests,
#               the integration tests and the conformance matrix, on the
#               plain build, then on the sanitized build)
# make asan     the same programs built with ASan+UBSan into build/asan/
# make bench    ctgt against Debian's tgt, same machine, same data
#               (tools/bench/run.sh; BENCH_ARGS=--quick for a short run)
# make soak     10 minutes of verified mixed I/O on ctgt while connections
#               come and go, its RSS watched (tools/bench/soak.sh;
#               SOAK_ARGS="--duration S" for another length)
# make check-layers  every #include follows the layering (tools/check-layers.sh)
# make unit-tsan     the unit tests built with ThreadSanitizer (build/tsan/);
#               any report fails the test (not part of make test yet)
# make install      the programs, the systemd unit, the man pages and an
#               example configuration under PREFIX (/usr/local), in DESTDIR;
#               make uninstall removes them (see "install" below)
#
# BUILD is the output directory (default build/). CFLAGS is the user's
# (optimisation, debug info; "make CFLAGS=-O0" keeps every flag the code
# needs, which are in REQ_CFLAGS). SANITIZE=1 adds SAN_FLAGS, SANITIZE=thread
# TSAN_FLAGS.

CC      ?= gcc
CFLAGS  ?= -O2 -g
BUILD   ?= build
REQ_CFLAGS := -std=gnu11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
              -Wvla -D_GNU_SOURCE -pthread -I. -Iinclude -MMD -MP
SAN_FLAGS  := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
TSAN_FLAGS := -fsanitize=thread -fno-omit-frame-pointer
ifeq ($(SANITIZE),1)
REQ_CFLAGS += $(SAN_FLAGS)
endif
ifeq ($(SANITIZE),thread)
REQ_CFLAGS += $(TSAN_FLAGS)
endif
ALL_CFLAGS = $(REQ_CFLAGS) $(CFLAGS)
LDLIBS  := -lisal -ljansson -lcrypto -luring -pthread

# Every layer but the program itself (daemon/main.c); tools/check-layers.sh
# says which layer may include which.
LIB_SRC := $(wildcard util/*.c event/*.c backend/*.c scsi/*.c iscsi/*.c embed/*.c) \
           $(filter-out daemon/main.c,$(wildcard daemon/*.c))
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
# The SCSI layer alone, for applications with their own transport: scsi/ and
# the backend/ and util/ code under it (no iSCSI, no event loop, no config).
SCSI_LIB_OBJ := $(filter $(BUILD)/obj/scsi/% $(BUILD)/obj/backend/% $(BUILD)/obj/util/%,$(LIB_OBJ))
# Each example is one program (its own main), never part of a library.
EXAMPLE_SRC := $(wildcard examples/*.c)
EXAMPLE_BIN := $(EXAMPLE_SRC:examples/%.c=$(BUILD)/examples/%)
UNIT_SRC := $(wildcard tests/unit/*_test.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
# The benchmark's programs (tools/bench/): the libiscsi load generator, the
# loopback TCP bandwidth probe and the idle-connection meter. Small, so
# `all` builds them (and the integration tests bench_smoke.sh,
# idle_conns.sh and soak.sh run them).
BENCH_SRC := tools/bench/hist.c tools/bench/pattern.c
LOADGEN_SRC := tools/bench/loadgen.c tools/bench/opts.c tools/bench/numarg.c tools/bench/cputime.c $(BENCH_SRC)
BENCH_BIN := $(BUILD)/bench/loadgen $(BUILD)/bench/tcpbw $(BUILD)/bench/idleconn
# <iscsi/iscsi.h> is libiscsi's, so the checkout's iscsi/ must not shadow it:
# the project's own headers are found as "..." (-iquote) only.
BENCH_CFLAGS = $(filter-out -I.,$(ALL_CFLAGS)) -iquote .
WIRE_BIN := $(BUILD)/tests/wire_test $(BUILD)/tests/dataflow_test $(BUILD)/tests/xcopy_wire_test $(BUILD)/tests/pr_client $(BUILD)/tests/tmf_test \
            $(BUILD)/tests/limits_test $(BUILD)/tests/limits_wait_test $(BUILD)/tests/mcs_test $(BUILD)/tests/auth_test $(BUILD)/tests/null_test \
            $(BUILD)/tests/rx_test $(BUILD)/tests/xthread_test $(BUILD)/tests/probe

.PHONY: all deps run test unit integration conformance check-layers clean
# LD_PRELOAD'ed allocation counter of no_malloc.sh, never sanitized (a
# sanitizer runtime owns malloc; no_malloc.sh runs on the plain build only).
MALLOC_COUNT := $(BUILD)/tests/malloc_count.so
# Control-socket peers that do not read their replies, or read them
# slowly (control.sh).
UNIX_FLOOD := $(BUILD)/tests/unix_flood
# A stand-in for systemd listening on NOTIFY_SOCKET (service.sh).
NOTIFY_LISTEN := $(BUILD)/tests/notify_listen
all: $(BUILD)/ctgt $(BUILD)/ctgtadm $(BUILD)/libctgt-scsi.a $(EXAMPLE_BIN) $(UNIT_BIN) $(WIRE_BIN) $(BENCH_BIN) $(MALLOC_COUNT) $(UNIX_FLOOD) $(NOTIFY_LISTEN)

$(UNIX_FLOOD): tests/tools/unix_flood.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $<

$(NOTIFY_LISTEN): tests/tools/notify_listen.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $<

$(MALLOC_COUNT): tests/tools/malloc_count.c
	@mkdir -p $(dir $@)
	$(CC) $(filter-out $(SAN_FLAGS) $(TSAN_FLAGS),$(ALL_CFLAGS)) -fPIC -shared -o $@ $<

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/libctgt.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/libctgt-scsi.a: $(SCSI_LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/ctgt: $(BUILD)/obj/daemon/main.o $(BUILD)/libctgt.a
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

# The control socket's client: the protocol header and util/sock.c, none of
# the daemon.
CTGTADM_SRC := tools/ctgtadm/ctgtadm.c tools/ctgtadm/client.c tools/ctgtadm/print.c tools/ctgtadm/stats.c \
               util/sock.c
$(BUILD)/ctgtadm: $(CTGTADM_SRC) tools/ctgtadm/ctgtadm.h daemon/control_proto.h util/sock.h
	$(CC) $(ALL_CFLAGS) -o $@ $(CTGTADM_SRC) -ljansson

# Examples see only the public headers (include/), as an application would.
$(BUILD)/obj/examples/%.o: examples/%.c
	@mkdir -p $(dir $@)
	$(CC) $(filter-out -I.,$(ALL_CFLAGS)) -c $< -o $@

.SECONDARY: $(EXAMPLE_SRC:%.c=$(BUILD)/obj/%.o)
$(BUILD)/examples/%: $(BUILD)/obj/examples/%.o $(BUILD)/libctgt.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

# Linked against the SCSI library alone: proves it needs nothing else.
$(BUILD)/tests/callback_test: tests/unit/callback_test.c $(BUILD)/libctgt-scsi.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(BUILD)/libctgt-scsi.a -luring -pthread -lcmocka

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libctgt.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(BUILD)/libctgt.a $(LDLIBS) -lcmocka

# Every wire program links the shared client (PDUs) and session (login,
# sequence numbers, commands) layers.
WIRE_LIB := tests/wire/client.c tests/wire/client.h tests/wire/session.c tests/wire/session.h
$(WIRE_BIN): $(BUILD)/tests/%: tests/wire/%.c $(WIRE_LIB) $(BUILD)/libctgt.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $(filter %.c,$^) $(BUILD)/libctgt.a $(LDLIBS) -lcmocka

$(BUILD)/bench/loadgen: $(LOADGEN_SRC) $(wildcard tools/bench/*.h) util/endian.h
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_CFLAGS) -o $@ $(filter %.c,$^) -liscsi -ljansson -lm

# What an idle logged-in connection costs the target (the daemon's VmRSS).
$(BUILD)/bench/idleconn: tools/bench/idleconn.c tools/bench/numarg.c tools/bench/numarg.h tools/bench/procmem.c tools/bench/procmem.h
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_CFLAGS) -o $@ $(filter %.c,$^) -liscsi

$(BUILD)/bench/tcpbw: tools/bench/tcpbw.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< -pthread

# The histogram, the verify pattern and the command line of the load
# generator, and idleconn's reading of VmRSS, unit-tested.
$(BUILD)/tests/bench_test: tests/unit/bench_test.c $(BENCH_SRC) tools/bench/opts.c tools/bench/numarg.c tools/bench/procmem.c \
			   $(wildcard tools/bench/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $(filter %.c,$^) -lm -lcmocka

deps:
	@tools/install-deps.sh

.PHONY: bench
bench:
	@tools/install-deps.sh bench
	@$(MAKE) --no-print-directory $(BUILD)/ctgt $(BENCH_BIN)
	@CTGT_BUILD=$(BUILD) tools/bench/run.sh $(BENCH_ARGS)

.PHONY: soak
soak:
	@$(MAKE) --no-print-directory $(BUILD)/ctgt $(BENCH_BIN)
	@CTGT_BUILD=$(BUILD) tools/bench/soak.sh $(SOAK_ARGS)

run: deps
	@$(MAKE) --no-print-directory $(BUILD)/ctgt
	@mkdir -p var
	$(BUILD)/ctgt serve --portal 127.0.0.1:3260 --lun 0=var/disk0.img,size=1G

test: deps check-layers
	@$(MAKE) --no-print-directory all asan tsan
	@$(MAKE) --no-print-directory unit integration conformance
	@$(MAKE) --no-print-directory unit-asan integration-asan conformance-asan
	@$(MAKE) --no-print-directory unit-tsan integration-tsan

check-layers:
	@tools/check-layers.sh

unit: $(UNIT_BIN)
	@tests/run-unit.sh $(UNIT_BIN)

integration: $(BUILD)/ctgt $(WIRE_BIN) $(EXAMPLE_BIN) $(BENCH_BIN) $(MALLOC_COUNT) $(NOTIFY_LISTEN)
	@CTGT_BUILD=$(BUILD) tests/run-integration.sh

# The matrix runs with two network threads and the tested target on thread
# 1 (a first target takes thread 0), so every login migrates and every
# command runs off the portals' thread; then the removable and read-only
# profiles again on one thread (one event loop, no migration).
CONFORMANCE_THREADS := CTGT_EXTRA_FLAGS="--threads 2" \
	CTGT_PRE_FLAGS="--target iqn.2026-11.io.ctgt.test:thread0 --lun 255=null:,size=1M --target iqn.2026-11.io.ctgt:disk0"
conformance: $(BUILD)/ctgt
	@CTGT_BUILD=$(BUILD) CONFORMANCE_OUT=$(BUILD)/conformance $(CONFORMANCE_THREADS) \
		tests/conformance/run.sh
	@grep -q "target iqn.2026-11.io.ctgt:disk0: thread 1" $(BUILD)/conformance/ctgt.*.log || \
		{ echo "conformance: the tested target was not on thread 1" >&2; exit 1; }
	@CTGT_BUILD=$(BUILD) CONFORMANCE_OUT=$(BUILD)/conformance-threads \
		CONFORMANCE_PROFILES="removable readonly" CTGT_EXTRA_FLAGS="--threads 1" tests/conformance/run.sh

# Every program again with ASan+UBSan, and the unit tests, the integration
# tests and the conformance matrix on them; any sanitizer report fails the
# run (tests/run-sanitized.sh).
ASAN_BUILD := build/asan
ASAN_UNIT_BIN := $(UNIT_BIN:$(BUILD)/%=$(ASAN_BUILD)/%)
.PHONY: asan unit-asan integration-asan conformance-asan
asan:
	@$(MAKE) --no-print-directory BUILD=$(ASAN_BUILD) SANITIZE=1 all

unit-asan: asan
	@CTGT_BUILD=$(ASAN_BUILD) tests/run-sanitized.sh tests/run-unit.sh $(ASAN_UNIT_BIN)

# no_malloc.sh is left out of the sanitized runs: a sanitizer's runtime
# owns malloc, so the allocation counter cannot be preloaded.
ASAN_INTEGRATION := $(filter-out tests/integration/no_malloc.sh,$(wildcard tests/integration/*.sh))
integration-asan: asan
	@CTGT_BUILD=$(ASAN_BUILD) tests/run-sanitized.sh tests/run-integration.sh \
		$(ASAN_INTEGRATION)

conformance-asan: asan
	@CTGT_BUILD=$(ASAN_BUILD) CONFORMANCE_OUT=$(ASAN_BUILD)/conformance $(CONFORMANCE_THREADS) \
		tests/run-sanitized.sh tests/conformance/run.sh

# Every program again with ThreadSanitizer, and the unit and integration
# tests on them: the backend worker pools, the completion queue, the
# callback store and the throttle run real threads there (scsi/scsi.h,
# "Threads"). Any report fails the run (tests/run-sanitized.sh), even when
# the tests passed. limits.sh is left out: its bound on the daemon's memory
# does not hold under TSan's shadow memory; so is no_malloc.sh (above).
TSAN_BUILD := build/tsan
TSAN_UNIT_BIN := $(UNIT_BIN:$(BUILD)/%=$(TSAN_BUILD)/%)
TSAN_INTEGRATION := $(filter-out tests/integration/limits.sh tests/integration/no_malloc.sh,\
                      $(wildcard tests/integration/*.sh))
.PHONY: tsan unit-tsan integration-tsan
tsan:
	@$(MAKE) --no-print-directory BUILD=$(TSAN_BUILD) SANITIZE=thread all

unit-tsan: tsan
	@CTGT_BUILD=$(TSAN_BUILD) tests/run-sanitized.sh tests/run-unit.sh $(TSAN_UNIT_BIN)

integration-tsan: tsan
	@CTGT_BUILD=$(TSAN_BUILD) tests/run-sanitized.sh tests/run-integration.sh \
		$(TSAN_INTEGRATION)

# The dependency files of the programs of this BUILD (build/asan/ too).
-include $(BUILD)/obj/daemon/main.d $(EXAMPLE_SRC:%.c=$(BUILD)/obj/%.d)

clean:
	rm -rf build

# ---- install (README "Running as a service") ----
# make install [PREFIX=/usr/local] [DESTDIR=] puts the two programs in
# $(SBINDIR) (ctgtadm too: an administrator's tool, its page is in section
# 8), the systemd unit in $(UNITDIR) (its ExecStart names $(SBINDIR)), the
# man pages in $(MANDIR) and an example configuration in $(DOCDIR).
# `make uninstall` with the same variables removes exactly those files.
# install needs only the built programs: after `make`, `sudo make install`
# builds nothing (so root leaves no file in build/).
PREFIX  ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
MANDIR  ?= $(PREFIX)/share/man
UNITDIR ?= $(PREFIX)/lib/systemd/system
DOCDIR  ?= $(PREFIX)/share/doc/ctgt
INSTALL ?= install
MAN8 := ctgt.8 ctgtadm.8
MAN5 := ctgt.json.5
INSTALLED := $(SBINDIR)/ctgt $(SBINDIR)/ctgtadm $(UNITDIR)/ctgt.service \
             $(MAN8:%=$(MANDIR)/man8/%) $(MAN5:%=$(MANDIR)/man5/%) $(DOCDIR)/ctgt.json.example

.PHONY: install uninstall
install: $(BUILD)/ctgt $(BUILD)/ctgtadm
	$(INSTALL) -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(UNITDIR) $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(DOCDIR)
	$(INSTALL) -m 0755 $(BUILD)/ctgt $(BUILD)/ctgtadm $(DESTDIR)$(SBINDIR)/
	sed 's|@SBINDIR@|$(SBINDIR)|g' dist/ctgt.service.in >$(DESTDIR)$(UNITDIR)/ctgt.service.tmp
	chmod 0644 $(DESTDIR)$(UNITDIR)/ctgt.service.tmp
	mv -f $(DESTDIR)$(UNITDIR)/ctgt.service.tmp $(DESTDIR)$(UNITDIR)/ctgt.service
	$(INSTALL) -m 0644 $(MAN8:%=dist/man/%) $(DESTDIR)$(MANDIR)/man8/
	$(INSTALL) -m 0644 $(MAN5:%=dist/man/%) $(DESTDIR)$(MANDIR)/man5/
	$(INSTALL) -m 0644 dist/ctgt.json $(DESTDIR)$(DOCDIR)/ctgt.json.example

# The directory of ours goes too when it is empty; the shared ones stay.
uninstall:
	rm -f $(INSTALLED:%=$(DESTDIR)%)
	rmdir $(DESTDIR)$(DOCDIR) 2>/dev/null || true


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
FUZZ_TARGETS := fuzz_pdu fuzz_login fuzz_chap fuzz_scsi fuzz_config fuzz_http fuzz_control
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

# gen_corpus: its main (gen_corpus.c) and the seeds of each target
# (seeds_<target>.c), one object each (so each has its .d file), not
# instrumented for fuzzing.
GEN_CORPUS_OBJ := $(patsubst %.c,build/fuzz/gen/%.o,\
                  tests/fuzz/gen_corpus.c $(wildcard tests/fuzz/seeds_*.c))

build/fuzz/gen/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Werror -c $< -o $@

build/fuzz/gen_corpus: $(GEN_CORPUS_OBJ) build/fuzz/libctgt.a
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $^ $(LDLIBS)

# Rewrite the checked-in seed corpora from tests/fuzz/seeds_*.c.
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

-include $(FUZZ_LIB_OBJ:.o=.d) $(FUZZ_BIN:=.d) $(GEN_CORPUS_OBJ:.o=.d)

-include $(LIB_OBJ:.o=.d) build/obj/daemon/main.d $(EXAMPLE_SRC:%.c=build/obj/%.d)
-include $(UNIT_BIN:=.d) $(WIRE_BIN:=.d)

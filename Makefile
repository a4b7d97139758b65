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
WIRE_BIN := build/tests/wire_test build/tests/dataflow_test build/tests/xcopy_wire_test build/tests/pr_client build/tests/tmf_test build/tests/auth_test

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

-include $(LIB_OBJ:.o=.d) build/obj/daemon/main.d $(EXAMPLE_SRC:%.c=build/obj/%.d)
-include $(UNIT_BIN:=.d) $(WIRE_BIN:=.d)

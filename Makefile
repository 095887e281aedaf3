# SPDX-License-Identifier: GPL-2.0
#
# kvm-memattr: conformance tests for KVM/arm64 memory attributes.
#
#   make                  build the aarch64 suite binary ($(O)/memattr)
#   make unit             build and run the host unit tests (native, no KVM)
#   make check            unit tests, runner tests + the suite under QEMU on the CI profiles
#   make runner-check     tests of run_tests.sh itself (fake QEMU, ~20 s)
#   make bench            boot and suite timings per profile (scripts/bench.sh)
#   make mutate           break each expectation in turn, check the suite notices
#   make kmod             the test kernel module, $(O)/kmod/memattr_pfnmap.ko
#   make install INSTALL_PATH=DIR
#   make docs             regenerate docs/RULES.md from the suite's listing

O ?= build
HOST_ARCH := $(shell uname -m)
ifeq ($(HOST_ARCH),aarch64)
CROSS_COMPILE ?=
else
CROSS_COMPILE ?= aarch64-linux-gnu-
endif
CC_T := $(CROSS_COMPILE)gcc
OBJCOPY_T := $(CROSS_COMPILE)objcopy
HOSTCC ?= cc
INSTALL_PATH ?= $(O)/install
# VHE+FWB, no FWB, nVHE with erratum 834220, pKVM, NUMA: the KVM modes and
# the CPU and memory features the rules branch on (make bench for the times).
CHECK_PROFILES ?= max,neoverse-n1,cortex-a57,max-pkvm,max-numa

WARN := -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers
CFLAGS_COMMON := -std=gnu11 -O2 -g $(WARN) -D_GNU_SOURCE -Ilib -Iguest
CFLAGS_T := $(CFLAGS_COMMON) $(EXTRA_CFLAGS)
LDFLAGS_T := -static

# Static libnuma for the NUMA tests: libnuma-dev:arm64, which scripts/setup.sh
# fetches into the cache.  Override LIBNUMA_DIR to use another copy.  Linking
# it statically warns about getaddrinfo (its affinity.o, never called here).
KM_CACHE ?= $(if $(XDG_CACHE_HOME),$(XDG_CACHE_HOME),$(HOME)/.cache)/kvm-memattr
LIBNUMA_DIR ?= $(KM_CACHE)/libnuma/usr
LIBNUMA_A := $(LIBNUMA_DIR)/lib/aarch64-linux-gnu/libnuma.a
LIBNUMA_H := $(LIBNUMA_DIR)/include/numa.h
CFLAGS_T += -I$(LIBNUMA_DIR)/include

# The freestanding guest agent: no libc, no FP/SIMD, linked at its load IPA.
GUEST_CFLAGS := -std=gnu11 -O2 -Wall -ffreestanding -fno-builtin -nostdlib \
	-mgeneral-regs-only -fno-pic -fno-pie -fno-stack-protector \
	-fno-asynchronous-unwind-tables -mstrict-align -Iguest

LIB_SRCS := $(sort $(wildcard lib/*.c))
LIB_HDRS := $(wildcard lib/*.h) $(wildcard guest/*.h) $(wildcard kmod/*.h)
TEST_SRCS := $(sort $(wildcard tests/*.c))
UNIT_SRCS := $(sort $(wildcard tests/unit/*.c))
# Pure-logic library modules the host unit tests link (no KVM, no arm64).
UNIT_LIB_SRCS := lib/harness.c lib/s1pt.c lib/expect.c lib/known_issues.c lib/s2prot.c \
		 lib/pfnmap_expect.c lib/kversion.c lib/contract.c

GUEST_OBJS := $(O)/guest/entry.o $(O)/guest/agent.o
T_OBJS := $(patsubst %.c,$(O)/t/%.o,$(LIB_SRCS) $(TEST_SRCS)) $(O)/t/blobs.o

.PHONY: all unit check install clean kmod docs runner-check bench mutate
all: $(O)/memattr

$(O)/guest/%.o: guest/%.S $(LIB_HDRS)
	@mkdir -p $(dir $@)
	$(CC_T) $(GUEST_CFLAGS) -c -o $@ $<
$(O)/guest/%.o: guest/%.c $(LIB_HDRS)
	@mkdir -p $(dir $@)
	$(CC_T) $(GUEST_CFLAGS) -c -o $@ $<
$(O)/guest/agent.elf: $(GUEST_OBJS) guest/agent.lds
	$(CC_T) $(GUEST_CFLAGS) -T guest/agent.lds -Wl,--build-id=none -Wl,--no-warn-rwx-segments -o $@ $(GUEST_OBJS)
$(O)/guest/agent.bin: $(O)/guest/agent.elf
	$(OBJCOPY_T) -O binary $< $@

$(O)/t/blobs.o: lib/blobs.S $(O)/guest/agent.bin known-issues contracts
	@mkdir -p $(dir $@)
	$(CC_T) -c -I$(O)/guest -I. -o $@ $<
$(O)/t/%.o: %.c $(LIB_HDRS)
	@mkdir -p $(dir $@)
	$(CC_T) $(CFLAGS_T) -c -o $@ $<
$(O)/memattr: $(T_OBJS) $(LIBNUMA_A)
	$(CC_T) $(LDFLAGS_T) -o $@ $(T_OBJS) $(LIBNUMA_A)
$(O)/t/tests/gmem_numa.o: $(LIBNUMA_H)
$(patsubst %.c,$(O)/t/%.o,$(wildcard tests/gmem_*.c)): tests/gmem_common.h
$(LIBNUMA_A) $(LIBNUMA_H):
	@echo "static arm64 libnuma not found ($@): run scripts/setup.sh (it fetches libnuma-dev:arm64), or set LIBNUMA_DIR" >&2; exit 1

$(O)/host/unit_tests: $(UNIT_SRCS) $(UNIT_LIB_SRCS) $(LIB_HDRS)
	@mkdir -p $(dir $@)
	$(HOSTCC) $(CFLAGS_COMMON) -o $@ $(UNIT_SRCS) $(UNIT_LIB_SRCS)

# A suite with deliberately failing cases that the harness unit tests run.
$(O)/host/harness_demo: tests/unit/fixtures/harness_demo.c lib/harness.c lib/harness.h
	@mkdir -p $(dir $@)
	$(HOSTCC) $(CFLAGS_COMMON) -o $@ tests/unit/fixtures/harness_demo.c lib/harness.c
$(O)/host/unit_tests: $(O)/host/harness_demo

unit: $(O)/host/unit_tests
	$(O)/host/unit_tests

# The test kernel module, for the kernel under test (scripts/build-kmod.sh:
# natively the running kernel's build tree, else Debian's packages that
# `scripts/setup.sh --kmod` fetched).  Once built it is kept in step with its
# sources by `make`, which run_tests.sh calls.
KMOD_SRCS := $(wildcard kmod/*.c kmod/*.h) kmod/Kbuild
kmod: $(O)/kmod/memattr_pfnmap.ko
$(O)/kmod/memattr_pfnmap.ko: $(KMOD_SRCS) scripts/build-kmod.sh
	scripts/build-kmod.sh -o $(O)/kmod
ifneq ($(wildcard $(O)/kmod/memattr_pfnmap.ko),)
all: kmod
endif

# A profile that skips everything (exit 4) is not a failure; any FAIL is.
runner-check: all
	tests/runner/run.sh

bench: all
	scripts/bench.sh $(BENCH_ARGS)

# Mutations of lib/pfnmap_expect.c and lib/expect.c, each built in a copy of
# the tree and run on MUTATE_PROFILES one at a time (scripts/mutate.sh).
MUTATE_PROFILES ?= max,neoverse-n1
mutate: all
	scripts/mutate.sh -p $(MUTATE_PROFILES) $(MUTATE_ARGS)

check: unit all kmod runner-check
	@rc=0; ./run_tests.sh --no-build --profiles $(CHECK_PROFILES) || rc=$$?; \
	 if [ $$rc -ne 0 ] && [ $$rc -ne 4 ]; then echo "make check: suite exit $$rc" >&2; exit 1; fi

# The listing comes from the aarch64 suite itself (-l -v): run directly on an
# arm64 host, else in one QEMU boot.
docs: all
	@mkdir -p docs
	@if [ "$(HOST_ARCH)" = aarch64 ]; then $(O)/memattr -l -v; \
	 else ./run_tests.sh --no-build --profile max -- -l -v; fi > $(O)/rules.list
	scripts/gen-rules.sh < $(O)/rules.list > docs/RULES.md.tmp
	mv docs/RULES.md.tmp docs/RULES.md

install: all
	install -d $(INSTALL_PATH)
	install -d $(INSTALL_PATH)/scripts
	install -m 0755 $(O)/memattr run_tests.sh $(INSTALL_PATH)/
	install -m 0644 settings config profiles known-issues contracts $(INSTALL_PATH)/
	install -m 0755 scripts/*.sh scripts/report.py $(INSTALL_PATH)/scripts/

clean:
	rm -rf $(O)

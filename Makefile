# SPDX-License-Identifier: GPL-2.0
#
# kvm-memattr: conformance tests for KVM/arm64 memory attributes.
#
#   make                  build the aarch64 suite binary ($(O)/memattr)
#   make unit             build and run the host unit tests (native, no KVM)
#   make check            unit tests, runner tests, docs-check + the suite under
#                         QEMU on the kernel x profile matrix (CHECK_MATRIX)
#   make runner-check     tests of run_tests.sh itself (fake QEMU, ~20 s)
#   make bench            boot and suite timings per profile (scripts/bench.sh)
#   make kmod             the test kernel modules for one kernel, in
#                         $(O)/kmod/<its uname -r>/ (KVER=VER or KDIR=DIR; see below)
#   make kmod-matrix      the test modules for every kernel in CHECK_KERNELS
#   make mutate           break each expectation in turn, check the suite notices
#   make install INSTALL_PATH=DIR
#   make docs             regenerate docs/RULES.md from the suite's listing
#   make docs-check       fail when docs/RULES.md is not what make docs writes

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
# The kernel x profile matrix of make check (scripts/check-matrix.sh), each
# entry KERNEL:PROFILES: the default kernel on CHECK_PROFILES, trixie's 6.12
# (whose cortex-a57 has no S1PTW livelock) and bookworm's 6.1, each checked
# against its own contract.
CHECK_MATRIX ?= 7.3.4+deb13:$(CHECK_PROFILES) 6.12.117+deb13:max,neoverse-n1,cortex-a57 \
		6.1.0-50:max,neoverse-n1
# The Debian kernels CI builds the test modules for (.ci/run fetches them:
# make -s print-check-kernels).
CHECK_KERNELS ?= $(foreach e,$(CHECK_MATRIX),$(firstword $(subst :, ,$(e))))

# A call without its header's prototype is an int-returning guess: an error.
WARN := -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers \
	-Werror=implicit-function-declaration -Werror=format
# lib/'s folders, one a layer, bottom up (docs/ARCHITECTURE.md); each is on
# the include path, so a header is named without its folder.
LIB_DIRS := harness facts expect kvm mem oracle
CFLAGS_COMMON := -std=gnu11 -O2 -g $(WARN) -D_GNU_SOURCE $(addprefix -Ilib/,$(LIB_DIRS)) -Iguest
CFLAGS_T := $(CFLAGS_COMMON) $(EXTRA_CFLAGS)
LDFLAGS_T := -static

# No libnuma: the NUMA tests make the system calls themselves (lib/mem/numa.c),
# since a static libnuma drags in glibc's getaddrinfo and a link warning.

# The freestanding guest agent: no libc, no FP/SIMD, linked at its load IPA.
GUEST_CFLAGS := -std=gnu11 -O2 -Wall -ffreestanding -fno-builtin -nostdlib \
	-mgeneral-regs-only -fno-pic -fno-pie -fno-stack-protector \
	-fno-asynchronous-unwind-tables -mstrict-align -Iguest

LIB_SRCS := $(sort $(foreach d,$(LIB_DIRS),$(wildcard lib/$(d)/*.c)))
LIB_HDRS := $(foreach d,$(LIB_DIRS),$(wildcard lib/$(d)/*.h)) $(wildcard guest/*.h) $(wildcard kmod/*.h)
TEST_SRCS := $(sort $(wildcard tests/*.c))
UNIT_SRCS := $(sort $(wildcard tests/unit/*.c))
# Pure-logic library modules the host unit tests link (no KVM, no arm64).
UNIT_LIB_SRCS := $(addprefix lib/harness/,harness.c hoststate.c util.c sysfs.c procfs.c) \
		 $(addprefix lib/facts/,kversion.c contract.c) \
		 $(addprefix lib/expect/,expect.c pfnmap_expect.c known_issues.c) \
		 lib/kvm/s1pt.c lib/mem/numa.c $(addprefix lib/oracle/,s2prot.c s2desc.c)

GUEST_OBJS := $(O)/guest/entry.o $(O)/guest/agent.o
T_OBJS := $(patsubst %.c,$(O)/t/%.o,$(LIB_SRCS) $(TEST_SRCS)) $(O)/t/blobs.o

.PHONY: all unit check install clean kmod kmod-matrix print-check-kernels docs docs-check rules-md \
	runner-check bench mutate
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
$(O)/memattr: $(T_OBJS)
	$(CC_T) $(LDFLAGS_T) -o $@ $(T_OBJS)
$(patsubst %.c,$(O)/t/%.o,$(wildcard tests/gmem_*.c)): tests/gmem_common.h

$(O)/host/unit_tests: $(UNIT_SRCS) $(UNIT_LIB_SRCS) $(LIB_HDRS)
	@mkdir -p $(dir $@)
	$(HOSTCC) $(CFLAGS_COMMON) -o $@ $(UNIT_SRCS) $(UNIT_LIB_SRCS)

# A suite with deliberately failing cases that the harness unit tests run.
DEMO_LIB_SRCS := $(addprefix lib/harness/,harness.c hoststate.c util.c sysfs.c)
$(O)/host/harness_demo: tests/unit/fixtures/harness_demo.c $(DEMO_LIB_SRCS) $(LIB_HDRS)
	@mkdir -p $(dir $@)
	$(HOSTCC) $(CFLAGS_COMMON) -o $@ tests/unit/fixtures/harness_demo.c $(DEMO_LIB_SRCS)
$(O)/host/unit_tests: $(O)/host/harness_demo

unit: $(O)/host/unit_tests
	$(O)/host/unit_tests

# The test kernel modules (every obj-m of kmod/Kbuild) for one kernel, in
# $(O)/kmod/<that kernel's uname -r>/ (scripts/build-kmod.sh, which only
# checks when nothing changed): KVER=VER a Debian arm64 kernel (default: the
# running kernel on arm64, else Debian's default, whose headers
# scripts/setup.sh fetches), KDIR=DIR a kernel build directory.
# run_tests.sh builds them itself for the kernel it boots.
KMOD_ARGS := $(if $(KDIR),--kdir $(KDIR)) $(if $(KVER),--kernel-version $(KVER))
kmod:
	@scripts/build-kmod.sh -o $(O)/kmod $(KMOD_ARGS) >/dev/null
kmod-matrix:
	@for v in $(CHECK_KERNELS); do scripts/build-kmod.sh -o $(O)/kmod --kernel-version $$v >/dev/null || exit 1; done
print-check-kernels:
	@echo $(CHECK_KERNELS)

# A profile that skips everything (exit 4) is not a failure; any FAIL is.
runner-check: all
	tests/runner/run.sh

bench: all
	scripts/bench.sh $(BENCH_ARGS)

# Mutations of lib/expect/pfnmap_expect.c and lib/expect/expect.c, each built
# in a copy of the tree and run on MUTATE_PROFILES one at a time
# (scripts/mutate.sh).
MUTATE_PROFILES ?= max,neoverse-n1
mutate: all
	scripts/mutate.sh -p $(MUTATE_PROFILES) $(MUTATE_ARGS)

check: unit all kmod-matrix runner-check docs-check
	@scripts/check-matrix.sh --no-build $(CHECK_MATRIX) || \
	 { echo "make check: the kernel matrix failed (see the lines above)" >&2; exit 1; }

# The listing comes from the aarch64 suite itself (-l -v): run directly on an
# arm64 host, else in one QEMU boot.  make docs-check (part of make check)
# fails when docs/RULES.md is not what make docs would write.
rules-md: all
	@if [ "$(HOST_ARCH)" = aarch64 ]; then $(O)/memattr -l -v; \
	 else ./run_tests.sh --no-build --profile max -- -l -v; fi > $(O)/rules.list
	@scripts/gen-rules.sh < $(O)/rules.list > $(O)/RULES.md
docs: rules-md
	@mkdir -p docs
	cp $(O)/RULES.md docs/RULES.md
docs-check: rules-md
	@diff -u docs/RULES.md $(O)/RULES.md || \
	 { echo "docs-check: docs/RULES.md differs from what make docs generates (above): run make docs and commit it" >&2; exit 1; }

install: all
	install -d $(INSTALL_PATH)
	install -d $(INSTALL_PATH)/scripts
	install -m 0755 $(O)/memattr run_tests.sh $(INSTALL_PATH)/
	install -m 0644 settings config profiles known-issues contracts $(INSTALL_PATH)/
	install -m 0755 scripts/*.sh scripts/report.py $(INSTALL_PATH)/scripts/
	install -d $(INSTALL_PATH)/scripts/run
	install -m 0644 scripts/run/*.bash $(INSTALL_PATH)/scripts/run/

clean:
	rm -rf $(O)

# ringbox - one Makefile for the stub, the library, the command and the tests.
#
#   make              libringbox.a, libringbox.so, ringbox.pc, ringbox
#   make check        unit tests, integration tests, the seccomp allowlist check
#                     (tests/seccomp_strace), then the tests again under ASan+UBSan
#   make check SANITIZE=1  the whole suite under ASan+UBSan only (into build/san)
#   make check-unit   unit tests only (no /dev/kvm needed)
#   make check-svm    the integration suite, linked statically, on SVM under QEMU
#                     TCG (docs/tcg.md); check-tcg is the same target
#   make fuzz         the libFuzzer harnesses in fuzz/, FUZZ_SECONDS=60 each (clang),
#                     and fuzz-guest: random syscalls from inside (docs/fuzz.md)
#   make bench        benchmarks (figures, never pass/fail)
#   make install      PREFIX=/usr/local DESTDIR=
#   V=1               show commands;  SAN=1  sanitizer build (into build/san)

VERSION := 0.1.0
PREFIX ?= /usr/local
DESTDIR ?=

ifeq ($(SAN),1)
BUILD ?= build/san
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
else
BUILD ?= build
SANFLAGS :=
endif

ifeq ($(V),1)
Q :=
else
Q := @
endif

CC ?= cc
MUSL_CC ?= musl-gcc
PKG_CONFIG ?= pkg-config

WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 -Wvla
CFLAGS ?= -O2 -g
CFLAGS += -std=gnu11 $(WARN) -fPIC -fvisibility=hidden $(SANFLAGS) -MMD -MP \
          -Iinclude -iquote vmm -I$(BUILD)/gen
LDFLAGS += $(SANFLAGS)
LIBS := $(shell $(PKG_CONFIG) --libs libseccomp capstone 2>/dev/null || echo -lseccomp -lcapstone)
CHECK_LIBS := $(shell $(PKG_CONFIG) --libs check 2>/dev/null || echo -lcheck -lsubunit -lm -lrt -lpthread)

# ---- the ring-0 stub: freestanding, linked at its upper-half address -------
STUB_SRCS := $(wildcard guest/*.S)
STUB_OBJS := $(patsubst guest/%.S,$(BUILD)/guest/%.o,$(STUB_SRCS))
# The same sources with RB_STUB_TIMED: TSC stamps for the trace's summary.
STUB_TIMED_OBJS := $(patsubst guest/%.S,$(BUILD)/guest-timed/%.o,$(STUB_SRCS))
STUB_CFLAGS := -ffreestanding -nostdlib -fno-pic -fno-asynchronous-unwind-tables -Iinclude -MMD -MP

$(BUILD)/guest/%.o: guest/%.S include/ringbox_abi.h | $(BUILD)/guest
	@echo "  AS      $@"
	$(Q)$(CC) $(STUB_CFLAGS) -c -o $@ $<

$(BUILD)/guest-timed/%.o: guest/%.S include/ringbox_abi.h | $(BUILD)/guest-timed
	@echo "  AS      $@"
	$(Q)$(CC) $(STUB_CFLAGS) -DRB_STUB_TIMED -c -o $@ $<

$(BUILD)/guest.lds: guest.ld include/ringbox_abi.h | $(BUILD)
	$(Q)$(CC) -E -P -x c -undef -D__ASSEMBLER__ -Iinclude -o $@ $<

$(BUILD)/stub.elf: $(STUB_OBJS) $(BUILD)/guest.lds
	@echo "  LD      $@"
	$(Q)ld -nostdlib -static --no-dynamic-linker -T $(BUILD)/guest.lds -o $@ $(STUB_OBJS)

$(BUILD)/stub-timed.elf: $(STUB_TIMED_OBJS) $(BUILD)/guest.lds
	@echo "  LD      $@"
	$(Q)ld -nostdlib -static --no-dynamic-linker -T $(BUILD)/guest.lds -o $@ $(STUB_TIMED_OBJS)

# The budget check: the linker script asserts it too, this prints the figure.
$(BUILD)/stub.bin $(BUILD)/stub-timed.bin: $(BUILD)/%.bin: $(BUILD)/%.elf
	$(Q)objcopy -O binary $< $@
	$(Q)size=$$(size -A $< | awk '$$1 == ".text" { print $$2 }'); \
	 budget=$$(echo RB_STUB_TEXT_BUDGET | $(CC) -E -P -x c -include include/ringbox_abi.h - | tail -n1); \
	 echo "  STUB    $(notdir $@): $$size of $$budget bytes"; \
	 if [ $$size -gt $$budget ]; then echo "stub: text is $$size bytes, over its budget of $$budget" >&2; rm -f $@; exit 1; fi

# ---- the library ------------------------------------------------------------
LIB_SRCS := $(filter-out vmm/cli.c,$(wildcard vmm/*.c))
LIB_OBJS := $(patsubst vmm/%.c,$(BUILD)/vmm/%.o,$(LIB_SRCS)) $(BUILD)/vmm/stub_blob.o

$(BUILD)/gen/sysnames.h: | $(BUILD)/gen
	@echo "  GEN     $@"
	$(Q)echo '#include <asm/unistd_64.h>' | $(CC) -E -dM -x c - | \
	  awk '$$2 ~ /^__NR_/ { n = substr($$2, 6); printf "[%s] = \"%s\",\n", $$3, n }' | sort -t'[' -k2 -n > $@.tmp
	$(Q)mv $@.tmp $@

$(BUILD)/vmm/%.o: vmm/%.c | $(BUILD)/vmm $(BUILD)/gen/sysnames.h
	@echo "  CC      $@"
	$(Q)$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/vmm/stub_blob.o: vmm/stub_blob.S $(BUILD)/stub.bin $(BUILD)/stub-timed.bin | $(BUILD)/vmm
	@echo "  AS      $@"
	$(Q)$(CC) -c -DSTUB_BIN='"$(BUILD)/stub.bin"' -DSTUB_TIMED_BIN='"$(BUILD)/stub-timed.bin"' -o $@ $<

$(BUILD)/libringbox.a: $(LIB_OBJS)
	@echo "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/libringbox.so: $(LIB_OBJS)
	@echo "  LD      $@"
	$(Q)$(CC) -shared -Wl,-soname,libringbox.so.0 $(LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/ringbox.pc: ringbox.pc.in | $(BUILD)
	$(Q)sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' $< > $@

$(BUILD)/ringbox: $(BUILD)/vmm/cli.o $(BUILD)/libringbox.a
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

all: $(BUILD)/libringbox.a $(BUILD)/libringbox.so $(BUILD)/ringbox.pc $(BUILD)/ringbox
.DEFAULT_GOAL := all

# ---- the test build: test-only hooks, never installed -----------------------
# The library sources that mention RB_TEST_HOOKS are compiled a second time
# with it into $(BUILD)/test/vmm/, and $(BUILD)/test/ringbox is the command
# linked with those objects in place of the shipped ones.  The shipped
# library and command never contain a hook (tests/integ_seccomp.c checks).
HOOK_SRCS := $(shell grep -l RB_TEST_HOOKS $(LIB_SRCS))
HOOK_OBJS := $(patsubst vmm/%.c,$(BUILD)/test/vmm/%.o,$(HOOK_SRCS))
TEST_LIB_OBJS := $(filter-out $(patsubst vmm/%.c,$(BUILD)/vmm/%.o,$(HOOK_SRCS)),$(LIB_OBJS)) $(HOOK_OBJS)

$(BUILD)/test/vmm/%.o: vmm/%.c | $(BUILD)/test/vmm $(BUILD)/gen/sysnames.h
	@echo "  CC      $@"
	$(Q)$(CC) $(CFLAGS) -DRB_TEST_HOOKS -c -o $@ $<

$(BUILD)/test/ringbox: $(BUILD)/vmm/cli.o $(TEST_LIB_OBJS)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

# ---- tests --------------------------------------------------------------------
# Unit suites: every tests/unit_*.c defines `Suite *NAME_suite(void)`; the
# list is generated so no file has to enumerate them.
UNIT_SRCS := $(wildcard tests/unit_*.c)
UNIT_OBJS := $(patsubst tests/%.c,$(BUILD)/tests/%.o,$(UNIT_SRCS))
INTEG_SRCS := $(wildcard tests/integ_*.c)
INTEG_OBJS := $(patsubst tests/%.c,$(BUILD)/tests/%.o,$(INTEG_SRCS))
TEST_CFLAGS := $(filter-out -fvisibility=hidden -Wmissing-prototypes,$(CFLAGS)) -Itests

# Regenerated on every run but rewritten only when the list changed, so a
# deleted test file (or a branch switch) cannot leave a stale list behind.
SUITE_LIST = grep -ho 'Suite \*[a-z0-9_]*_suite(void)' $(1) | sed 's/Suite \*\(.*\)(void)/RB_SUITE(\1)/' > $@.tmp; \
	cmp -s $@.tmp $@ && rm -f $@.tmp || mv $@.tmp $@
$(BUILD)/gen/unit_suites.h: FORCE | $(BUILD)/gen
	$(Q)$(call SUITE_LIST,$(UNIT_SRCS))
$(BUILD)/gen/integ_suites.h: FORCE | $(BUILD)/gen
	$(Q)$(call SUITE_LIST,$(INTEG_SRCS))
FORCE:

$(BUILD)/tests/%.o: tests/%.c | $(BUILD)/tests $(BUILD)/gen/sysnames.h
	@echo "  CC      $@"
	$(Q)$(CC) $(TEST_CFLAGS) -DRB_BUILD='"$(BUILD)"' -c -o $@ $<

$(BUILD)/tests/unit_main.o: tests/main.c $(BUILD)/gen/unit_suites.h | $(BUILD)/tests
	$(Q)$(CC) $(TEST_CFLAGS) -DSUITES='"unit_suites.h"' -c -o $@ $<
$(BUILD)/tests/integ_main.o: tests/main.c $(BUILD)/gen/integ_suites.h | $(BUILD)/tests
	$(Q)$(CC) $(TEST_CFLAGS) -DSUITES='"integ_suites.h"' -c -o $@ $<

$(BUILD)/tests/unit: $(BUILD)/tests/unit_main.o $(UNIT_OBJS) $(BUILD)/libringbox.a
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LIBS) $(CHECK_LIBS)
$(BUILD)/tests/integration: $(BUILD)/tests/integ_main.o $(INTEG_OBJS) $(BUILD)/libringbox.a
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LIBS) $(CHECK_LIBS)
# The allowlist as the filter has it, one name a line (tests/seccomp_strace).
$(BUILD)/tests/seccomp_allowlist: tests/seccomp_allowlist.c $(BUILD)/libringbox.a | $(BUILD)/tests
	@echo "  LD      $@"
	$(Q)$(CC) $(TEST_CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS)

# Static twins of the suite and the command for the SVM lane's initramfs,
# which then needs no host shared library to run them.
STATIC_LIBS := $(shell $(PKG_CONFIG) --static --libs libseccomp capstone check 2>/dev/null || \
                 echo -lseccomp -lcapstone -lcheck -lsubunit -lm -lrt) -lpthread
$(BUILD)/tests/integration.static: $(BUILD)/tests/integ_main.o $(INTEG_OBJS) $(BUILD)/libringbox.a
	@echo "  LD      $@"
	$(Q)$(CC) -static $(LDFLAGS) -o $@ $^ $(STATIC_LIBS)
$(BUILD)/ringbox.static: $(BUILD)/vmm/cli.o $(BUILD)/libringbox.a
	@echo "  LD      $@"
	$(Q)$(CC) -static $(LDFLAGS) -o $@ $^ $(STATIC_LIBS)
$(BUILD)/test/ringbox.static: $(BUILD)/vmm/cli.o $(TEST_LIB_OBJS)
	@echo "  LD      $@"
	$(Q)$(CC) -static $(LDFLAGS) -o $@ $^ $(STATIC_LIBS)

# Guest programs, compiled at test time with both C libraries.
PROG_SRCS := $(filter-out tests/progs/dyn_%.c,$(wildcard tests/progs/*.c)) $(wildcard examples/*.c)
PROGS := $(foreach s,$(PROG_SRCS),$(BUILD)/progs/$(basename $(notdir $(s))).glibc \
                                 $(BUILD)/progs/$(basename $(notdir $(s))).musl)
PROG_CFLAGS := -O1 -g -static -Wall -Wextra -Werror -Wno-unused-parameter
$(BUILD)/progs/%.glibc: tests/progs/%.c | $(BUILD)/progs
	$(Q)$(CC) $(PROG_CFLAGS) -o $@ $<
$(BUILD)/progs/%.musl: tests/progs/%.c | $(BUILD)/progs
	$(Q)$(MUSL_CC) $(PROG_CFLAGS) -o $@ $<
$(BUILD)/progs/%.glibc: examples/%.c | $(BUILD)/progs
	$(Q)$(CC) $(PROG_CFLAGS) -o $@ $<
$(BUILD)/progs/%.musl: examples/%.c | $(BUILD)/progs
	$(Q)$(MUSL_CC) $(PROG_CFLAGS) -o $@ $<
# Hostile guest programs (tests/hostile/): each attacks the sandbox, and
# reads the addresses it attacks from the ABI header.
HOSTILE_PROGS := $(foreach s,$(wildcard tests/hostile/*.c),$(BUILD)/hostile/$(basename $(notdir $(s))).glibc \
                                                          $(BUILD)/hostile/$(basename $(notdir $(s))).musl)
$(BUILD)/hostile/%.glibc: tests/hostile/%.c include/ringbox_abi.h | $(BUILD)/hostile
	$(Q)$(CC) $(PROG_CFLAGS) -Iinclude -o $@ $<
$(BUILD)/hostile/%.musl: tests/hostile/%.c include/ringbox_abi.h | $(BUILD)/hostile
	$(Q)$(MUSL_CC) $(PROG_CFLAGS) -Iinclude -o $@ $<
# A static-PIE build of hello, to cover ET_DYN without PT_INTERP.
$(BUILD)/progs/hello.spie: examples/hello.c | $(BUILD)/progs
	$(Q)$(CC) -O1 -static-pie -fPIE -o $@ $<

# Dynamically linked guest programs: tests/progs/dyn_NAME.c -> NAME.dyn, as
# the host's gcc links by default (PIE, glibc's ld.so and libc.so.6).
DYN_PROGS := $(patsubst tests/progs/dyn_%.c,$(BUILD)/progs/%.dyn,$(wildcard tests/progs/dyn_*.c))
$(BUILD)/progs/%.dyn: tests/progs/dyn_%.c | $(BUILD)/progs
	$(Q)$(CC) -O1 -g -Wall -Wextra -Werror -Wno-unused-parameter -Wno-unused-result -o $@ $< -ldl

progs: $(PROGS) $(HOSTILE_PROGS) $(BUILD)/progs/hello.spie $(DYN_PROGS)

check-unit: $(BUILD)/tests/unit
	$(Q)$(BUILD)/tests/unit

check-integration: $(BUILD)/tests/integration $(BUILD)/ringbox $(BUILD)/test/ringbox progs
	$(Q)RB_BUILD=$(BUILD) $(BUILD)/tests/integration

# The integration suite again under strace -f: every syscall a confined
# ringbox makes after installing its filter must be on the allowlist.
# Status 77: strace is missing, the check skipped itself.
check-seccomp: $(BUILD)/tests/integration $(BUILD)/tests/seccomp_allowlist $(BUILD)/ringbox \
               $(BUILD)/test/ringbox progs
	$(Q)tests/seccomp_strace $(BUILD) || { rc=$$?; [ $$rc -eq 77 ] || exit $$rc; }

# SANITIZE=1 is the documented switch; SAN=1 is what it passes down.
ifeq ($(SAN),1)
check: check-unit check-integration
else ifeq ($(SANITIZE),1)
check:
	$(Q)$(MAKE) --no-print-directory SAN=1 BUILD=$(BUILD)/san check-unit check-integration
else
check: check-unit check-integration check-seccomp
	$(Q)$(MAKE) --no-print-directory SAN=1 BUILD=$(BUILD)/san check-unit check-integration
endif

# ---- fuzzing: libFuzzer harnesses over the pure parts (fuzz/, docs/fuzz.md) --
# The library is rebuilt with clang's coverage and sanitizers; clang's
# stricter warnings about two kernel-header idioms are not ours to fix.
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_HARNESSES := elf guestmem path
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_CFLAGS := -std=gnu11 -O1 -g $(WARN) -Wno-gnu-variable-sized-type-not-at-end \
               -Wno-missing-field-initializers $(FUZZ_SAN) -Iinclude -iquote vmm -iquote fuzz \
               -I$(BUILD)/gen
FUZZ_LIB_OBJS := $(patsubst vmm/%.c,$(BUILD)/fuzz/vmm/%.o,$(LIB_SRCS)) $(BUILD)/vmm/stub_blob.o
FUZZ_BINS := $(patsubst %,$(BUILD)/fuzz/%,$(FUZZ_HARNESSES))

$(BUILD)/fuzz/vmm/%.o: vmm/%.c | $(BUILD)/fuzz/vmm $(BUILD)/gen/sysnames.h
	@echo "  CC      $@"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c -o $@ $<
$(BUILD)/fuzz/libringbox.a: $(FUZZ_LIB_OBJS)
	$(Q)rm -f $@ && ar rcs $@ $^
# The harnesses' own checks are left without coverage instrumentation: it
# would only slow them, and what guides the fuzzer is the library's coverage.
$(BUILD)/fuzz/%: fuzz/%.c fuzz/fuzz.c fuzz/fuzz.h $(BUILD)/fuzz/libringbox.a
	@echo "  FUZZ    $@"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -fno-sanitize-coverage=trace-pc-guard,inline-8bit-counters,trace-cmp,pc-table \
	  -o $@ fuzz/$*.c fuzz/fuzz.c $(BUILD)/fuzz/libringbox.a $(LIBS)

# Seed corpora, generated: the built guest programs and the unit suite's
# malformed ELF images; guest-memory inputs and path lists from fuzz/seeds.
$(BUILD)/fuzz/seeds: fuzz/seeds $(BUILD)/tests/unit progs | $(BUILD)/fuzz/vmm
	@echo "  SEEDS   $@"
	$(Q)rm -rf $@ && mkdir -p $@/elf
	$(Q)cp $(BUILD)/progs/* $@/elf/
	$(Q)RB_ELF_SEEDS=$(abspath $@/elf) CK_RUN_SUITE=elf $(BUILD)/tests/unit >/dev/null
	$(Q)fuzz/seeds $@

fuzz-build: $(FUZZ_BINS) $(BUILD)/fuzz/seeds

# Each harness for FUZZ_SECONDS, growing its corpus in $(BUILD)/fuzz/corpus,
# with TMPDIR inside the build (the path harness's tree and the file view's
# private directory live there; libFuzzer exits without running atexit).
# A failing input is saved in $(BUILD)/fuzz/crash/HARNESS/.
fuzz: fuzz-build fuzz-guest
	$(Q)for h in $(FUZZ_HARNESSES); do \
	  mkdir -p $(BUILD)/fuzz/corpus/$$h $(BUILD)/fuzz/crash/$$h; \
	  echo "  FUZZ    $$h for $(FUZZ_SECONDS) s"; \
	  rm -rf $(BUILD)/fuzz/tmp && mkdir -p $(BUILD)/fuzz/tmp; \
	  (cd $(BUILD)/fuzz && TMPDIR=$$PWD/tmp ./$$h -max_total_time=$(FUZZ_SECONDS) \
	     -print_final_stats=1 -artifact_prefix=crash/$$h/ corpus/$$h seeds/$$h) \
	     >$(BUILD)/fuzz/$$h.log 2>&1 || \
	    { tail -n 40 $(BUILD)/fuzz/$$h.log; echo "fuzz: $$h failed; see $(BUILD)/fuzz/$$h.log" >&2; exit 1; }; \
	  rm -rf $(BUILD)/fuzz/tmp; \
	  grep -E '^stat::number_of_executed_units|^stat::peak_rss' $(BUILD)/fuzz/$$h.log | sed "s/^/  $$h /"; \
	done

# The guest-side fuzzer (tests/hostile/sysfuzz.c) under the command: each
# libc without and with the SIGALRM storm, FUZZ_GUEST_CALLS calls a run
# (about FUZZ_SECONDS on kvm_pvm), seeds from FUZZ_GUEST_SEED, its /data a
# fresh directory.  A run fails on any status but 0 or any line from
# ringbox; its report is $(BUILD)/fuzz/sysfuzz-LIBC-MODE.log.
FUZZ_GUEST_SEED ?= 1
FUZZ_GUEST_CALLS ?= $(shell echo $$(($(FUZZ_SECONDS) * 4000)))
fuzz-guest: $(BUILD)/ringbox progs
	$(Q)seed=$(FUZZ_GUEST_SEED); g=$(BUILD)/fuzz/guest; \
	for libc in glibc musl; do for mode in quiet storm; do \
	  log=$(BUILD)/fuzz/sysfuzz-$$libc-$$mode.log; \
	  rm -rf $$g && mkdir -p $$g/data $$g/ro && echo ro > $$g/ro/file; \
	  echo "  FUZZ    sysfuzz.$$libc $$seed $(FUZZ_GUEST_CALLS) $$mode"; \
	  $(BUILD)/ringbox run --rw $$g/data:/data --ro $$g/ro:/ro --cwd /data $(BUILD)/hostile/sysfuzz.$$libc \
	    $$seed $(FUZZ_GUEST_CALLS) $${mode#quiet} >$$log 2>$$log.err </dev/null; rc=$$?; \
	  chmod -R u+rwX $$g; rm -rf $$g; \
	  if [ $$rc -ne 0 ] || [ -s $$log.err ]; then cat $$log $$log.err; \
	    echo "fuzz: sysfuzz.$$libc $$seed $(FUZZ_GUEST_CALLS) $$mode: status $$rc" >&2; exit 1; fi; \
	  grep -E '^(calls|calls_per_s)=' $$log | tr '\n' ' ' | sed "s/^/  sysfuzz.$$libc $$mode /; s/ $$/\n/"; \
	  seed=$$((seed + 1)); \
	done; done

# ---- benchmarks: figures only, never pass/fail ------------------------------
BENCH_BINS := $(BUILD)/bench/harness $(BUILD)/bench/hypercall $(BUILD)/bench/syscalls.glibc \
              $(BUILD)/bench/touch.glibc $(BUILD)/bench/hello.dyn $(BUILD)/bench/limits
$(BUILD)/bench/harness: bench/harness.c | $(BUILD)/bench
	$(Q)$(CC) -O2 -Wall -Wextra -Werror -o $@ $<
$(BUILD)/bench/hypercall: bench/hypercall.c $(BUILD)/libringbox.a | $(BUILD)/bench
	$(Q)$(CC) $(filter-out -fvisibility=hidden -Wmissing-prototypes,$(CFLAGS)) $(LDFLAGS) -o $@ $^ $(LIBS)
$(BUILD)/bench/limits: bench/limits.c $(BUILD)/libringbox.a | $(BUILD)/bench
	$(Q)$(CC) $(filter-out -fvisibility=hidden -Wmissing-prototypes,$(CFLAGS)) $(LDFLAGS) -o $@ $^ $(LIBS)
# examples/hello.c linked as gcc links by default: dynamic, PIE.
$(BUILD)/bench/hello.dyn: examples/hello.c | $(BUILD)/bench
	$(Q)$(CC) -O1 -o $@ $<
$(BUILD)/bench/%.glibc: bench/%.c | $(BUILD)/bench
	$(Q)$(CC) $(PROG_CFLAGS) -o $@ $<

# The architecture-faithful lane (docs/tcg.md); status 77 means it skipped
# itself (no qemu or kernel image).  check-tcg is its older name.
check-svm check-tcg: $(BUILD)/tests/integration.static $(BUILD)/ringbox.static \
                     $(BUILD)/test/ringbox.static progs
	$(Q)tests/tcg/run $(BUILD)

bench: all progs $(BENCH_BINS)
	$(Q)bench/run $(BUILD)

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/include
	install -m 755 $(BUILD)/ringbox $(DESTDIR)$(PREFIX)/bin/
	install -m 644 $(BUILD)/libringbox.a $(DESTDIR)$(PREFIX)/lib/
	install -m 755 $(BUILD)/libringbox.so $(DESTDIR)$(PREFIX)/lib/libringbox.so.0
	ln -sf libringbox.so.0 $(DESTDIR)$(PREFIX)/lib/libringbox.so
	install -m 644 include/ringbox.h $(DESTDIR)$(PREFIX)/include/
	install -m 644 $(BUILD)/ringbox.pc $(DESTDIR)$(PREFIX)/lib/pkgconfig/

clean:
	rm -rf build

$(BUILD) $(BUILD)/guest $(BUILD)/guest-timed $(BUILD)/vmm $(BUILD)/gen $(BUILD)/tests $(BUILD)/progs $(BUILD)/hostile $(BUILD)/bench \
$(BUILD)/test/vmm $(BUILD)/fuzz/vmm:
	$(Q)mkdir -p $@

.PHONY: all check check-unit check-integration check-seccomp check-svm check-tcg fuzz fuzz-build fuzz-guest progs bench install clean FORCE
.SECONDARY:

-include $(wildcard $(BUILD)/*/*.d $(BUILD)/test/vmm/*.d $(BUILD)/fuzz/vmm/*.d)

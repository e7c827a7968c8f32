# Top-level build for the kernel, the user-level runtime, the root tasks and the tests.
#
# Everything is found by wildcard, so a new source file is picked up without editing this file;
# every output lands under build/.  The four kernel variants are built from the same sources
# into their own object directories:
#
#   build/kernel/kernel.elf            debug, fastpath on      (make run, make test)
#   build/kernel-nofp/kernel.elf       debug, fastpath off     (make test: same results required)
#   build/kernel-bench/kernel.elf      release, benchmarking   (make bench)
#   build/kernel-bench-irq/kernel.elf  the same, interrupt-latency tracking (make bench: one row)
#   build/kernel-bench-iommu/kernel.elf the same, seL4's KernelIOMMU labels (make bench: sel4bench)
#
# docs/building-and-testing.md explains the targets, the file conventions and the serial-console
# protocol between test root tasks and tools/run-system-test.py.  `make help` lists the targets.

.SUFFIXES:
.DELETE_ON_ERROR:
MAKEFLAGS += --no-builtin-rules --no-builtin-variables

SHELL := /bin/bash

BUILD     := build
CC        := gcc
HOSTCC    := gcc
LD        := ld
AR        := ar
# Debian's python3 (python3-matplotlib is installed for it), not whatever is first in PATH.
PYTHON    := $(firstword $(wildcard /usr/bin/python3) python3)
QEMU      := qemu-system-i386

# Parallelism for the builds and test runs that `run`, `test` and `bench` start themselves.
JOBS            ?= $(shell nproc 2>/dev/null || echo 2)
ROOT_CNODE_BITS ?= 13
# What `make run` and `make debug` boot, e.g. RUN_ROOT=build/tests/system/<suite>.elf.
RUN_KERNEL      ?= $(BUILD)/kernel/kernel.elf
RUN_ROOT        ?= $(BUILD)/vmm/vmm.elf
# Boot modules after the root task for `make run`: the VMM's configuration (RUN_CONFIG names one
# of vmm/examples/*.dts; `make run RUN_CONFIG=interactive RUN_TIMEOUT=0` keeps the console open,
# `make run RUN_CONFIG=shell RUN_TIMEOUT=0` offers busybox's shell in a Linux guest on it)
# and the guest kernel it names (module names are the last component of each path).
RUN_CONFIG      ?= default
RUN_MODULES     ?= $(if $(filter $(BUILD)/vmm/vmm.elf,$(RUN_ROOT)),$(BUILD)/vmm/examples/$(RUN_CONFIG).dtb \
                   $(BUILD)/guest-stub/guest-stub.elf $(BUILD)/guest-stub/initramfs.cpio)
# Seconds before `make run` gives up on QEMU; per-suite timeouts live in suite.conf.
RUN_TIMEOUT     ?= 60
BENCH_TIMEOUT   ?= 600
# Only these system-test suites (space-separated names), default all.
SUITES          ?=
# Sanitizers for host unit tests; `make unit UNIT_SANITIZE=` turns them off.
UNIT_SANITIZE   ?= -fsanitize=address,undefined -fno-sanitize-recover=all
# Where CI keeps the shared reference figures (shared/ sits beside the repository).
SEL4_ICOUNT     ?= ../shared/bench/sel4-icount.tsv

V ?= 0
ifeq ($(V),0)
Q    := @
msg   = @printf '  %-6s %s\n' '$(1)' '$(2)';
else
Q    :=
msg   =
endif

# gcc's own freestanding headers (stdint.h, stddef.h, stdbool.h, stdarg.h) and libgcc for the
# 64-bit division helpers.  Errors are silenced: before `make deps` gcc-multilib may be missing.
GCC_INCLUDE := $(shell $(CC) -m32 -print-file-name=include 2>/dev/null)
LIBGCC      := $(shell $(CC) -m32 -print-libgcc-file-name 2>/dev/null)
# libfdt for i386 (libfdt-dev:i386); linked into the VMM only, and only what it references.
LIBFDT      := $(wildcard /usr/lib/i386-linux-gnu/libfdt.a)

# ---------------------------------------------------------------------------------------------
# Flags

FREESTANDING := -m32 -ffreestanding -fno-pic -fno-pie -fno-stack-protector -fno-builtin \
                -nostdlib -nostdinc -isystem $(GCC_INCLUDE)
WARNINGS     := -Wall -Wextra -Werror
COMMON_FLAGS := -std=gnu11 -O2 -g $(WARNINGS) -fno-omit-frame-pointer \
                -fno-asynchronous-unwind-tables -MMD -MP
ASFLAGS_ALL  := -Wa,--noexecstack

# The kernel's C never touches FPU, MMX or SSE state: only the context-switch assembly saves it.
# The kernel is optimised as one program (-flto): a system call crosses a dozen small functions
# in as many files (lookup, decode, transfer, scheduler), and whole-program optimisation inlines
# them and passes arguments in registers between functions no assembly calls, about a fifth of
# the instructions of every slowpath (docs/bench/method.md).  Functions entry.S and multiboot.S
# call keep the normal stack convention, because those objects are not LTO objects.
KERNEL_LTO    := -flto=auto
KERNEL_CFLAGS := $(FREESTANDING) $(COMMON_FLAGS) $(KERNEL_LTO) \
                 -mno-sse -mno-sse2 -mno-mmx -mno-80387 -mgeneral-regs-only \
                 -Ikernel/include -Iarch/ia32/include -Ilib/include \
                 -DCONFIG_ROOT_CNODE_SIZE_BITS=$(ROOT_CNODE_BITS)
KERNEL_LDS     := arch/ia32/linker.ld
# Linked by gcc, which runs the link-time optimisation; it gets the compile flags too.
KERNEL_LDFLAGS := -no-pie -nostdlib -static -Wl,-m,elf_i386 -Wl,--build-id=none \
                  -Wl,-z,noexecstack -Wl,--no-warn-rwx-segments -T $(KERNEL_LDS)

VARIANT_kernel       := -DCONFIG_DEBUG=1 -DCONFIG_FASTPATH=1 -DCONFIG_BENCHMARK=0
VARIANT_kernel-nofp  := -DCONFIG_DEBUG=1 -DCONFIG_FASTPATH=0 -DCONFIG_BENCHMARK=0
VARIANT_kernel-bench := -DCONFIG_DEBUG=0 -DCONFIG_FASTPATH=1 -DCONFIG_BENCHMARK=1
# The bench kernel plus interrupt-latency tracking (kernel/benchmark.h): booted by `make bench`
# for irq_latency_max_revoke only, so that no counted path pays for the tracking.
VARIANT_kernel-bench-irq := $(VARIANT_kernel-bench) -DCONFIG_BENCHMARK_IRQ_LATENCY=1
# The bench kernel with seL4's KernelIOMMU invocation labels (kernel/include/abi/invocation.h):
# seL4's prebuilt sel4bench images are built that way, so `make bench` runs them on this one.
VARIANT_kernel-bench-iommu := $(VARIANT_kernel-bench) -DCONFIG_IOMMU_LABELS=1
KERNEL_VARIANTS      := kernel kernel-nofp kernel-bench kernel-bench-irq kernel-bench-iommu

USER_CFLAGS  := $(FREESTANDING) $(COMMON_FLAGS)
USER_LDS     := user/user.ld
USER_LDFLAGS := -m elf_i386 -nostdlib -static --build-id=none -z noexecstack \
                --no-warn-rwx-segments -T $(USER_LDS)

# Include paths per layer: each builds against its own and lower layers only.  User level sees
# the kernel only through kernel/include/abi/ (by convention: #include <abi/...>), and lib/ (pure
# code no layer owns, lib/README) through lib/include/lib/.
INC_USER   := -Iuser/include -Ilib/include -Ikernel/include
INC_MEMMGR := -Imemmgr/include $(INC_USER)
INC_VMM    := -Ivmm/include $(INC_MEMMGR)
INC_SYSTEST := -Itests/system/include -Itests/system/common $(INC_MEMMGR)
INC_BENCH  := -Itests/bench/include -Itests/system/include $(INC_MEMMGR)

UNIT_CFLAGS := -std=gnu11 -Wall -Wextra -Werror -g -DHOST_TEST=1 -MMD -MP \
               -Ilib/include -Ikernel/include -Iarch/ia32/include -Imemmgr/include -Ivmm/include \
               -Itests/unit/include -iquote guest-stub/include $(UNIT_SANITIZE)
# libfdt for the VMM's configuration tests: the runtime library by path, because Debian's
# libfdt-dev cannot be installed for amd64 and i386 at once (the VMM needs the i386 one).
UNIT_LIBS   := -lcmocka $(wildcard /usr/lib/x86_64-linux-gnu/libfdt.so.1)

# ---------------------------------------------------------------------------------------------
# Helpers

comma := ,
empty :=
space := $(empty) $(empty)
# QEMU's -initrd takes the modules as one comma-separated list.
RUN_INITRD = $(subst $(space),$(comma),$(strip $(RUN_ROOT) $(RUN_MODULES)))

# All C and assembly sources under a directory, recursively; nothing if it does not exist.
find_srcs = $(sort $(shell find $(1) -type f \( -name '*.c' -o -name '*.S' \) 2>/dev/null))
# Object for a source in an object tree: build/<tree>/obj/<path>.o (foo.c and foo.S can coexist).
objs_in = $(patsubst %,$(BUILD)/$(1)/obj/%.o,$(2))

# Rewrites a file only when its content changes, so objects depending on it rebuild exactly
# when their flags changed (e.g. `make ROOT_CNODE_BITS=12`).
define write_if_changed
	@mkdir -p $(dir $(1))
	@printf '%s\n' '$(2)' > $(1).tmp; \
	 if cmp -s $(1).tmp $(1); then rm -f $(1).tmp; else mv -f $(1).tmp $(1); fi
endef

.PHONY: FORCE
FORCE:

# ---------------------------------------------------------------------------------------------
# Kernel variants

# lib/*.c: pure code the kernel shares with user level (lib/README), built with the kernel's flags.
KERNEL_SRCS := $(sort $(wildcard kernel/*.c arch/ia32/*.c arch/ia32/*.S lib/*.c))

define kernel_variant
$(1)_OBJS   := $$(call objs_in,$(1),$$(KERNEL_SRCS))
$(1)_CFLAGS := $$(KERNEL_CFLAGS) $$(VARIANT_$(1))

$(BUILD)/$(1)/obj/%.c.o: %.c $(BUILD)/$(1)/flags
	$$(call msg,CC,$$< [$(1)])
	$(Q)mkdir -p $$(@D)
	$(Q)$$(CC) $$($(1)_CFLAGS) -c $$< -o $$@

$(BUILD)/$(1)/obj/%.S.o: %.S $(BUILD)/$(1)/flags
	$$(call msg,AS,$$< [$(1)])
	$(Q)mkdir -p $$(@D)
	$(Q)$$(CC) $$($(1)_CFLAGS) $$(ASFLAGS_ALL) -c $$< -o $$@

$(BUILD)/$(1)/kernel.elf: $$($(1)_OBJS) $$(KERNEL_LDS) $(BUILD)/$(1)/flags
	$$(if $$(KERNEL_SRCS),,@echo 'error: no kernel sources (kernel/*.c arch/ia32/*.[cS])' >&2; exit 1)
	$$(call msg,LD,$$@)
	$(Q)$$(CC) $$(filter-out -MMD -MP,$$($(1)_CFLAGS)) $$(KERNEL_LDFLAGS) -o $$@ \
	    $$($(1)_OBJS) $$(LIBGCC)

$(BUILD)/$(1)/flags: FORCE
	$$(call write_if_changed,$$@,$$($(1)_CFLAGS) $$(KERNEL_LDFLAGS) $$(LIBGCC))

-include $$($(1)_OBJS:.o=.d)
endef

$(foreach v,$(KERNEL_VARIANTS),$(eval $(call kernel_variant,$(v))))

KERNEL_ELFS := $(foreach v,$(KERNEL_VARIANTS),$(BUILD)/$(v)/kernel.elf)

# ---------------------------------------------------------------------------------------------
# User level: one object tree (build/uobj/) with per-layer include paths.

USER_FLAGS_FILE := $(BUILD)/uobj/flags

$(BUILD)/uobj/obj/%.c.o: %.c $(USER_FLAGS_FILE)
	$(call msg,CC,$<)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(USER_CFLAGS) $(LAYER_INC) -c $< -o $@

$(BUILD)/uobj/obj/%.S.o: %.S $(USER_FLAGS_FILE)
	$(call msg,AS,$<)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(USER_CFLAGS) $(ASFLAGS_ALL) $(LAYER_INC) -c $< -o $@

$(USER_FLAGS_FILE): FORCE
	$(call write_if_changed,$@,$(USER_CFLAGS) $(USER_LDFLAGS) $(LIBGCC) $(LIBFDT))

# Runtime library: user/*.c user/*.S -> build/user/libuser.a (holds _start and the syscall stubs).
USER_SRCS := $(sort $(wildcard user/*.c user/*.S))
USER_OBJS := $(call objs_in,uobj,$(USER_SRCS))
LIBUSER   := $(BUILD)/user/libuser.a
$(USER_OBJS): LAYER_INC := $(INC_USER)

# Optional resource-manager library: memmgr/*.c -> build/memmgr/libmemmgr.a.
MEMMGR_SRCS := $(sort $(wildcard memmgr/*.c memmgr/*.S))
MEMMGR_OBJS := $(call objs_in,uobj,$(MEMMGR_SRCS))
LIBMEMMGR   := $(if $(MEMMGR_SRCS),$(BUILD)/memmgr/libmemmgr.a)
$(MEMMGR_OBJS): LAYER_INC := $(INC_MEMMGR)

$(BUILD)/user/libuser.a: $(USER_OBJS)
$(BUILD)/memmgr/libmemmgr.a: $(MEMMGR_OBJS)
# Pure code no layer owns (lib/README: no system calls, no kernel state, no allocation):
# lib/*.c -> build/lib/libpure.a, linked into every user program (the VMM and the guest kernel
# use its ELF reader, lib/elf.c, the one the kernel boots the root task with).
PURE_SRCS := $(sort $(wildcard lib/*.c))
PURE_OBJS := $(call objs_in,uobj,$(PURE_SRCS))
LIBPURE   := $(if $(PURE_SRCS),$(BUILD)/lib/libpure.a)
$(PURE_OBJS): LAYER_INC := -Ilib/include
$(BUILD)/lib/libpure.a: $(PURE_OBJS)
# The guest kernel's Linux personality, pure code with no kernel calls: guest-stub/linux/*.c ->
# build/guest-stub/liblinux.a, for the guest kernel to link.  Its host tests link the same
# sources (tests/unit/guest/) and lib/elf.c.
LINUX_SRCS    := $(sort $(wildcard guest-stub/linux/*.c))
LINUX_OBJS    := $(call objs_in,uobj,$(LINUX_SRCS))
LIBLINUX      := $(if $(LINUX_SRCS),$(BUILD)/guest-stub/liblinux.a)
$(LINUX_OBJS): LAYER_INC := -Iguest-stub/include $(INC_USER)
$(BUILD)/guest-stub/liblinux.a: $(LINUX_OBJS)

$(BUILD)/user/libuser.a $(BUILD)/memmgr/libmemmgr.a $(BUILD)/lib/libpure.a \
$(BUILD)/guest-stub/liblinux.a:
	$(call msg,AR,$@)
	$(Q)mkdir -p $(@D)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

# A user program: $(1) ELF, $(2) objects, $(3) extra archives.  Libraries in a group, so memmgr
# and libuser may call each other (and lib/ code may use libuser's memcpy).
define user_program
$(1): $(2) $(3) $(LIBMEMMGR) $(LIBUSER) $(LIBPURE) $(USER_LDS) $(USER_FLAGS_FILE)
	$$(call msg,LD,$$@)
	$(Q)mkdir -p $$(@D)
	$(Q)$$(LD) $$(USER_LDFLAGS) -o $$@ $(2) --start-group $(3) $(LIBMEMMGR) $(LIBUSER) $(LIBPURE) $$(LIBGCC) --end-group
endef

# The VMM (root task): vmm/ -> build/vmm/vmm.elf, with libfdt and the ELF reader of lib/ (one
# parser for the kernel's boot, the VMM's guests and the guests' programs).
# libfdt's three headers are reached through symlinks in build/fdt-include, so that the VMM,
# built with -nostdinc, sees them and nothing else of /usr/include.
FDT_HEADERS := libfdt.h libfdt_env.h fdt.h
FDT_INCLUDE := $(BUILD)/fdt-include
$(FDT_INCLUDE)/%.h:
	$(Q)mkdir -p $(@D)
	$(Q)ln -sf /usr/include/$*.h $@
VMM_SRCS := $(call find_srcs,vmm)
VMM_OBJS := $(call objs_in,uobj,$(VMM_SRCS))
VMM_ELF  := $(BUILD)/vmm/vmm.elf
$(VMM_OBJS): LAYER_INC := $(INC_VMM) -I$(FDT_INCLUDE)
$(VMM_OBJS): | $(addprefix $(FDT_INCLUDE)/,$(FDT_HEADERS))
$(eval $(call user_program,$(VMM_ELF),$(VMM_OBJS),$(LIBFDT)))

# The paravirtual guest kernel, first form: guest-stub/ -> build/guest-stub/guest-stub.elf.
# Its Linux personality (guest-stub/linux/) is the library above, not part of this list.
GUEST_SRCS := $(filter-out guest-stub/linux/%,$(call find_srcs,guest-stub))
GUEST_OBJS := $(call objs_in,uobj,$(GUEST_SRCS))
GUEST_ELF  := $(if $(GUEST_SRCS),$(BUILD)/guest-stub/guest-stub.elf)
$(GUEST_OBJS): LAYER_INC := -Iguest-stub/include -Ivmm/include $(INC_MEMMGR)
$(if $(GUEST_SRCS),$(eval $(call user_program,$(GUEST_ELF),$(GUEST_OBJS),$(LIBLINUX))))

# The guest kernel's initramfs (docs/guest.md): static i386 Linux programs built here from
# tests/guest/progs/*.c (gcc -m32 -static against glibc; *-nolibc.c with -nostdlib) and Debian's
# busybox-static:i386 (make deps unpacks it), staged under build/guest-stub/rootfs/ and archived
# by Debian's cpio as build/guest-stub/initramfs.cpio: the boot module a configuration names with
# `initrd = "initramfs.cpio"`.  A build output, never committed.
GUEST_PROG_SRCS := $(sort $(wildcard tests/guest/progs/*.c))
GUEST_PROGS     := $(patsubst tests/guest/progs/%.c,$(BUILD)/guest-stub/rootfs/bin/%,$(GUEST_PROG_SRCS))
GUEST_BUSYBOX   := $(BUILD)/debs/busybox-static-i386/bin/busybox
GUEST_INITRAMFS := $(BUILD)/guest-stub/initramfs.cpio
# What of bin/ the system's initramfs holds (make run, the VMM's scenarios, a user's
# configurations): busybox and one glibc program. Every guest copies its initramfs into its own
# file system, so the test programs (about 0.7 MB each, static) go only into the difference
# tests' archive, build/guest-stub/tests/initramfs.cpio, with everything else.
GUEST_SYSTEM_BIN := busybox hello
GUEST_TEST_INITRAMFS := $(BUILD)/guest-stub/tests/initramfs.cpio
GUEST_SCRIPTS   := $(sort $(wildcard tests/guest/scripts/*.sh))
# Stripped (-s): each guest keeps a copy of the whole initramfs in its file system, so symbols
# nobody reads there would only take the guest's memory.
GUEST_PROG_CFLAGS := -m32 -static -O2 -s -Wall -Wextra -Werror
# Threads: glibc's pthreads (in libc since 2.34; -pthread as the brief for such programs says).
$(BUILD)/guest-stub/rootfs/bin/threads: GUEST_PROG_CFLAGS += -pthread
$(BUILD)/guest-stub/rootfs/bin/%-nolibc: tests/guest/progs/%-nolibc.c
	$(call msg,CC32,$<)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(GUEST_PROG_CFLAGS) -nostdlib -fno-pic -fno-pie -no-pie -fno-stack-protector -o $@ $<
$(BUILD)/guest-stub/rootfs/bin/%: tests/guest/progs/%.c
	$(call msg,CC32,$<)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(GUEST_PROG_CFLAGS) -o $@ $<
# The libc comparison (docs/guest.md, "Two libcs"): the same programs built against musl as
# bin/<name>-musl, and tests/guest/libc/*.c against both libcs, staged in an archive of their
# own, build/guest-stub/libc/initramfs.cpio (with bin/hello, busybox, the scripts and the small
# files they use), so that the initramfs every other guest copies does not grow.  musl is
# musl-dev:i386 unpacked under build/debs/ by tools/install-deps.sh (it cannot be installed
# beside gcc-multilib), used through its own musl-gcc.specs with the package's paths pointed
# there, plus the kernel's uapi headers (<linux/...>, <asm/...> of linux-libc-dev, as the glibc
# build sees them), which musl does not carry.  The specs' link spec drops gcc's -m elf_i386,
# hence -Wl,-m,elf_i386.  *-nolibc.c has no libc to change; GUEST_MUSL_SKIP names the programs
# that are glibc's only: calls2 (branch lxcalls) calls renameat2 with RENAME_*, which musl
# 1.2.3 does not declare.
GUEST_MUSL_ROOT  := $(BUILD)/debs/musl-dev-i386
GUEST_MUSL_LIBC  := $(GUEST_MUSL_ROOT)/usr/lib/i386-linux-musl/libc.a
GUEST_MUSL_DIR   := $(BUILD)/guest-stub/musl
GUEST_MUSL_SPECS := $(GUEST_MUSL_DIR)/musl-gcc.specs
GUEST_MUSL_SKIP  := calls2
GUEST_LIBC_SRCS  := $(sort $(wildcard tests/guest/libc/*.c))
GUEST_LIBC_ROOT  := $(BUILD)/guest-stub/libc/rootfs
GUEST_LIBC_INITRAMFS := $(BUILD)/guest-stub/libc/initramfs.cpio
GUEST_MUSL_SRCS  := $(filter-out %-nolibc.c $(addprefix tests/guest/progs/,$(addsuffix .c,$(GUEST_MUSL_SKIP))),$(GUEST_PROG_SRCS)) \
                    $(GUEST_LIBC_SRCS)
GUEST_LIBC_PROGS := $(patsubst %.c,$(GUEST_LIBC_ROOT)/bin/%-musl,$(notdir $(GUEST_MUSL_SRCS))) \
                    $(patsubst tests/guest/libc/%.c,$(GUEST_LIBC_ROOT)/bin/%,$(GUEST_LIBC_SRCS))
GUEST_MUSL_CFLAGS = -specs $(GUEST_MUSL_SPECS) -isystem $(GUEST_MUSL_DIR)/include -Wl,-m,elf_i386 \
                    $(GUEST_PROG_CFLAGS)
$(GUEST_MUSL_LIBC):
	$(Q)tools/install-deps.sh
$(GUEST_MUSL_SPECS): $(GUEST_MUSL_LIBC)
	$(call msg,GEN,$@)
	$(Q)mkdir -p $(@D)/include
	$(Q)for d in linux asm asm-generic; do ln -sfn /usr/include/$$d $(@D)/include/$$d; done
	$(Q)sed -e 's#/usr/include/i386-linux-musl#$(abspath $(GUEST_MUSL_ROOT))/usr/include/i386-linux-musl#g' \
	    -e 's#/usr/lib/i386-linux-musl#$(abspath $(GUEST_MUSL_ROOT))/usr/lib/i386-linux-musl#g' \
	    $(GUEST_MUSL_ROOT)/usr/lib/i386-linux-musl/musl-gcc.specs > $@.tmp
	$(Q)mv -f $@.tmp $@
$(GUEST_LIBC_ROOT)/bin/threads-musl: GUEST_PROG_CFLAGS += -pthread
$(GUEST_LIBC_ROOT)/bin/%-musl: tests/guest/progs/%.c $(GUEST_MUSL_SPECS)
	$(call msg,CC32-MUSL,$<)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(GUEST_MUSL_CFLAGS) -o $@ $<
$(GUEST_LIBC_ROOT)/bin/%-musl: tests/guest/libc/%.c $(GUEST_MUSL_SPECS)
	$(call msg,CC32-MUSL,$<)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(GUEST_MUSL_CFLAGS) -o $@ $<
$(GUEST_LIBC_ROOT)/bin/%: tests/guest/libc/%.c
	$(call msg,CC32,$<)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(GUEST_PROG_CFLAGS) -o $@ $<
# Everything of the main staging tree but bin/, and of bin/ what the programs run: hello
# (procs' posix_spawn) and busybox.
$(GUEST_LIBC_INITRAMFS): $(GUEST_LIBC_PROGS) $(GUEST_INITRAMFS)
	$(call msg,CPIO,$@)
	$(Q)cd $(BUILD)/guest-stub/rootfs && find . -mindepth 1 ! -path './bin' ! -path './bin/*' | \
	    cpio -pdmu --quiet $(abspath $(GUEST_LIBC_ROOT))
	$(Q)cp -f $(addprefix $(BUILD)/guest-stub/rootfs/bin/,hello busybox) $(GUEST_LIBC_ROOT)/bin/
	$(Q)cd $(GUEST_LIBC_ROOT) && find . -mindepth 1 | LC_ALL=C sort | \
	    cpio -o -H newc -R 0:0 --quiet > $(abspath $@).tmp
	$(Q)mv -f $@.tmp $@
$(GUEST_INITRAMFS): $(GUEST_PROGS) $(GUEST_BUSYBOX) tests/guest/rootfs.txt $(GUEST_SCRIPTS)
	$(call msg,CPIO,$@)
	$(Q)mkdir -p $(addprefix $(BUILD)/guest-stub/rootfs/,bin dev tmp scripts)
	$(Q)cp -f $(GUEST_BUSYBOX) $(BUILD)/guest-stub/rootfs/bin/busybox
	$(Q)$(if $(GUEST_SCRIPTS),cp -f $(GUEST_SCRIPTS) $(BUILD)/guest-stub/rootfs/scripts/)
	$(Q)while read -r dst text; do case "$$dst" in ''|'#'*) continue;; esac; \
	    mkdir -p "$(BUILD)/guest-stub/rootfs/$$(dirname $$dst)"; \
	    printf '%s\n' "$$text" > "$(BUILD)/guest-stub/rootfs/$$dst"; done < tests/guest/rootfs.txt
	$(Q)cd $(BUILD)/guest-stub/rootfs && find . -mindepth 1 | LC_ALL=C sort | \
	    grep -v -E '^\./bin/.' | { cat; printf './bin/%s\n' $(GUEST_SYSTEM_BIN); } | \
	    cpio -o -H newc -R 0:0 --quiet > ../initramfs.cpio.tmp
	$(Q)mv -f $@.tmp $@
# The difference tests' archive: the whole staging tree, every test program with it.
$(GUEST_TEST_INITRAMFS): $(GUEST_INITRAMFS)
	$(call msg,CPIO,$@)
	$(Q)mkdir -p $(@D)
	$(Q)cd $(BUILD)/guest-stub/rootfs && find . -mindepth 1 | LC_ALL=C sort | \
	    cpio -o -H newc -R 0:0 --quiet > $(abspath $@).tmp
	$(Q)mv -f $@.tmp $@
$(GUEST_BUSYBOX):
	$(Q)tools/install-deps.sh
# Small archives for the memory-pressure cases (tests/guest/diff.tsv, rule initrd:NAME, beside the
# difference tests' archive): what an
# 8 or 12 MiB guest can hold, since its initrd is in its own memory and its files again in its
# page cache.  pressure.cpio: the pressure programs; pressure-sh.cpio: pressure and busybox.
GUEST_SMALL_CPIOS := $(BUILD)/guest-stub/tests/pressure.cpio $(BUILD)/guest-stub/tests/pressure-sh.cpio
$(BUILD)/guest-stub/tests/pressure.cpio: CPIO_FILES := bin/pressure bin/oom bin/forkbomb
$(BUILD)/guest-stub/tests/pressure-sh.cpio: CPIO_FILES := bin/pressure bin/busybox
$(GUEST_SMALL_CPIOS): $(GUEST_INITRAMFS)
	$(call msg,CPIO,$@)
	$(Q)mkdir -p $(@D)
	$(Q)cd $(BUILD)/guest-stub/rootfs && printf '%s\n' bin $(CPIO_FILES) | \
	    cpio -o -H newc -R 0:0 --quiet > $(abspath $@).tmp
	$(Q)mv -f $@.tmp $@

# Partition configurations: vmm/examples/*.dts -> build/vmm/examples/*.dtb (the default one is
# what `make run` boots), and the refused configurations of tests/vmm/configs/ ->
# build/tests/vmm/configs/*.dtb.  Warnings are errors; -@ is not needed (no overlays).
DTC := dtc
VMM_EXAMPLE_DTBS := $(patsubst vmm/examples/%.dts,$(BUILD)/vmm/examples/%.dtb,$(wildcard vmm/examples/*.dts))
VMM_CONFIG_DTBS  := $(patsubst tests/vmm/configs/%.dts,$(BUILD)/tests/vmm/configs/%.dtb,$(wildcard tests/vmm/configs/*.dts))
$(BUILD)/vmm/examples/%.dtb: vmm/examples/%.dts
	$(call msg,DTC,$<)
	$(Q)mkdir -p $(@D)
	$(Q)$(DTC) -q -I dts -O dtb -o $@ $<
# Whole configurations the system tests boot: tests/vmm/systems/*.dts.
VMM_SYSTEM_DTBS := $(patsubst tests/vmm/systems/%.dts,$(BUILD)/tests/vmm/systems/%.dtb,$(wildcard tests/vmm/systems/*.dts))
$(BUILD)/tests/vmm/systems/%.dtb: tests/vmm/systems/%.dts
	$(call msg,DTC,$<)
	$(Q)mkdir -p $(@D)
	$(Q)$(DTC) -q -I dts -O dtb -o $@ $<
# Some refused trees are refused by dtc too (it is the point): -f forces output.
$(BUILD)/tests/vmm/configs/%.dtb: tests/vmm/configs/%.dts
	$(call msg,DTC,$<)
	$(Q)mkdir -p $(@D)
	$(Q)$(DTC) -q -f -I dts -O dtb -o $@ $< 2>/dev/null
# The refusal table's broken modules (guest images, trees dtc cannot write, an initrd).
VMM_TEST_MODULES := $(addprefix $(BUILD)/tests/vmm/modules/,truncated.elf kernel-space.elf \
                    overlap.elf 64bit.elf rootfs.cpio tree-truncated.dtb tree-corrupt.dtb)
$(VMM_TEST_MODULES) &: $(GUEST_ELF) $(BUILD)/vmm/examples/default.dtb tools/vmm-test-modules.py
	$(call msg,GEN,$(BUILD)/tests/vmm/modules/)
	$(Q)$(PYTHON) tools/vmm-test-modules.py $(GUEST_ELF) $(BUILD)/vmm/examples/default.dtb \
	    $(BUILD)/tests/vmm/modules
VMM_DATA := $(VMM_EXAMPLE_DTBS) $(VMM_CONFIG_DTBS) $(VMM_SYSTEM_DTBS) \
            $(if $(GUEST_ELF),$(VMM_TEST_MODULES) $(GUEST_INITRAMFS))

# System-test suites: tests/system/<suite>/ (recursively) plus tests/system/common/ ->
# build/tests/system/<suite>.elf.  `common` and `include` are not suites.
SYSTEST_COMMON_SRCS := $(call find_srcs,tests/system/common)
SYSTEST_COMMON_OBJS := $(call objs_in,uobj,$(SYSTEST_COMMON_SRCS))
SYSTEST_ALL_SRCS    := $(call find_srcs,tests/system)
ALL_SUITES := $(sort $(filter-out common include, \
                $(foreach s,$(SYSTEST_ALL_SRCS),$(if $(word 4,$(subst /, ,$(s))),$(word 3,$(subst /, ,$(s)))))))
RUN_SUITES := $(if $(SUITES),$(filter $(SUITES),$(ALL_SUITES)),$(ALL_SUITES))
SUITE_ELFS := $(patsubst %,$(BUILD)/tests/system/%.elf,$(ALL_SUITES))
$(call objs_in,uobj,$(SYSTEST_ALL_SRCS)): LAYER_INC := $(INC_SYSTEST)

define system_suite
SUITE_OBJS_$(1) := $$(call objs_in,uobj,$$(call find_srcs,tests/system/$(1)))
$$(eval $$(call user_program,$(BUILD)/tests/system/$(1).elf,$$(SUITE_OBJS_$(1)) $$(SYSTEST_COMMON_OBJS)))
endef
$(foreach s,$(ALL_SUITES),$(eval $(call system_suite,$(s))))

# Benchmark root task: tests/bench/ -> build/tests/bench/bench.elf, when there are sources.
# It takes its memory the way the suites do (tests/system/common/root.c: memmgr over bootinfo).
BENCH_SRCS := $(call find_srcs,tests/bench)
BENCH_OBJS := $(call objs_in,uobj,$(BENCH_SRCS))
BENCH_ELF  := $(if $(BENCH_SRCS),$(BUILD)/tests/bench/bench.elf)
$(BENCH_OBJS): LAYER_INC := $(INC_BENCH)
$(if $(BENCH_SRCS),$(eval $(call user_program,$(BENCH_ELF),$(BENCH_OBJS) \
    $(call objs_in,uobj,tests/system/common/root.c))))

ALL_USER_OBJS := $(USER_OBJS) $(MEMMGR_OBJS) $(PURE_OBJS) $(LINUX_OBJS) $(VMM_OBJS) $(GUEST_OBJS) \
                 $(call objs_in,uobj,$(SYSTEST_ALL_SRCS)) $(BENCH_OBJS)
-include $(ALL_USER_OBJS:.o=.d)

# ---------------------------------------------------------------------------------------------
# Host unit tests: tests/unit/**/*_test.c -> build/unit/**/*_test, each linked with the real
# sources its first line names:  /* unit-test-sources: kernel/cdt.c kernel/cap_lookup.c */

UNIT_TEST_SRCS := $(sort $(shell find tests/unit -type f -name '*_test.c' 2>/dev/null))
UNIT_FLAGS_FILE := $(BUILD)/unit/flags
unit_bin     = $(patsubst tests/unit/%.c,$(BUILD)/unit/%,$(1))
unit_sources = $(shell sed -n '1{/unit-test-sources:/{s/.*unit-test-sources://;s/\*\/.*//;p;};}' $(1))

$(BUILD)/unit/obj/%.c.o: %.c $(UNIT_FLAGS_FILE)
	$(call msg,HOSTCC,$<)
	$(Q)mkdir -p $(@D)
	$(Q)$(HOSTCC) $(UNIT_CFLAGS) -c $< -o $@

$(UNIT_FLAGS_FILE): FORCE
	$(call write_if_changed,$@,$(UNIT_CFLAGS) $(UNIT_LIBS))

define unit_test
UT_SRCS_$(1)    := $$(strip $$(call unit_sources,$(1)))
UT_MISSING_$(1) := $$(filter-out $$(wildcard $$(UT_SRCS_$(1))),$$(UT_SRCS_$(1)))
UT_OBJS_$(1)    := $$(call objs_in,unit,$(1) $$(filter-out $$(UT_MISSING_$(1)),$$(UT_SRCS_$(1))))
$(call unit_bin,$(1)): $$(UT_OBJS_$(1))
	$$(if $$(UT_MISSING_$(1)),@echo 'error: $(1) names missing source(s): $$(UT_MISSING_$(1))' >&2; exit 1)
	$$(call msg,HOSTLD,$$@)
	$(Q)mkdir -p $$(@D)
	$(Q)$$(HOSTCC) $$(UNIT_CFLAGS) -o $$@ $$(UT_OBJS_$(1)) $$(UNIT_LIBS)
-include $$(UT_OBJS_$(1):.o=.d)
endef
$(foreach t,$(UNIT_TEST_SRCS),$(eval $(call unit_test,$(t))))

UNIT_BINS := $(foreach t,$(UNIT_TEST_SRCS),$(call unit_bin,$(t)))

# ---------------------------------------------------------------------------------------------
# Build targets

.DEFAULT_GOAL := all
.PHONY: all kernels user vmm systests bench-elf unit-tests build-run build-bench

all: $(KERNEL_ELFS) $(LIBUSER) $(LIBMEMMGR) $(LIBPURE) $(LIBLINUX) $(if $(VMM_SRCS),$(VMM_ELF)) $(SUITE_ELFS) \
     $(BENCH_ELF) $(UNIT_BINS) $(GUEST_ELF) $(VMM_DATA)
kernels: $(KERNEL_ELFS)
user: $(LIBUSER) $(LIBMEMMGR) $(LIBPURE) $(LIBLINUX)
vmm: $(VMM_ELF) $(GUEST_ELF) $(VMM_DATA)
systests: $(SUITE_ELFS)
unit-tests: $(UNIT_BINS) $(VMM_DATA)
build-run: $(RUN_KERNEL) $(RUN_ROOT) $(RUN_MODULES)
build-bench: $(BUILD)/kernel-bench/kernel.elf $(BUILD)/kernel-bench-irq/kernel.elf $(BENCH_ELF) \
             $(BUILD)/kernel-bench-iommu/kernel.elf

# ---------------------------------------------------------------------------------------------
# Running: each of these installs missing packages, builds what it needs in parallel, then runs.

# Sub-make with -j unless we already run under a jobserver (`make -j8 test`).
# ($(MAKE) must appear literally in the recipe for make to pass its jobserver on.)
SUBMAKE_FLAGS = --no-print-directory $(if $(findstring jobserver,$(MAKEFLAGS)),,-j$(JOBS))

# No -nographic: with it SeaBIOS and iPXE also print on the serial port and the guest's first
# line would be glued to "Booting from ROM..".  -display none alone keeps the console clean.
QEMU_BASE := -display none -serial stdio -monitor none -no-reboot \
             -device isa-debug-exit,iobase=0xf4,iosize=0x04
QEMU_RUN_ARGS   := -m 128M $(QEMU_BASE)
QEMU_BENCH_ARGS := -machine pc \
  -cpu Nehalem,-vme,-pdpe1gb,-xsave,-xsaveopt,-xsavec,-fsgsbase,-invpcid,-syscall,-lm,enforce \
  -m 512M -icount shift=0,sleep=off $(QEMU_BASE)
# isa-debug-exit: the guest writes v to port 0xf4 and QEMU exits with (v << 1) | 1.
EXIT_OK    := 33
EXIT_PANIC := 253

.PHONY: deps run debug gdb test unit systest sel4test bench clean help

deps:
	$(Q)tools/install-deps.sh

run: deps
	$(if $(VMM_SRCS)$(filter-out $(VMM_ELF),$(RUN_ROOT)),,@echo 'run: no root task yet (vmm/*.c)' >&2; exit 1)
	$(Q)$(MAKE) $(SUBMAKE_FLAGS) build-run
	@echo '== booting $(RUN_KERNEL) with $(RUN_ROOT) (timeout $(RUN_TIMEOUT)s)'
	$(Q)timeout --foreground -k 5 $(RUN_TIMEOUT) $(QEMU) -kernel $(RUN_KERNEL) \
	    -initrd "$(RUN_INITRD)" $(QEMU_RUN_ARGS); st=$$?; \
	case $$st in \
	  $(EXIT_OK)) echo '== run: guest halted cleanly (exit status $(EXIT_OK))';; \
	  124|137)    echo '== run: timed out after $(RUN_TIMEOUT)s (RUN_TIMEOUT=...)' >&2; exit 1;; \
	  $(EXIT_PANIC)) echo '== run: kernel panic (exit status $(EXIT_PANIC))' >&2; exit 1;; \
	  *)          echo "== run: QEMU exited with status $$st, expected $(EXIT_OK)" >&2; exit 1;; \
	esac

# QEMU stopped at the first instruction, gdb stub on tcp::1234; attach with `make gdb`.
debug: deps
	$(if $(VMM_SRCS)$(filter-out $(VMM_ELF),$(RUN_ROOT)),,@echo 'debug: no root task yet (vmm/*.c)' >&2; exit 1)
	$(Q)$(MAKE) $(SUBMAKE_FLAGS) build-run
	@echo '== QEMU waits for gdb on :1234 -- in another shell: make gdb'
	$(Q)$(QEMU) -kernel $(RUN_KERNEL) -initrd "$(RUN_INITRD)" $(QEMU_RUN_ARGS) -s -S

gdb:
	@command -v gdb >/dev/null || { echo 'gdb is not installed: apt-get install gdb' >&2; exit 1; }
	gdb $(RUN_KERNEL) -ex 'target remote :1234'

LOGS := $(BUILD)/logs
UNIT_COUNTS := $(LOGS)/unit/counts
SYS_VARIANTS := kernel kernel-nofp
# The release benchmark kernel runs the system suites too (--release: no DebugHalt, suites
# with `release = <why not>` in suite.conf are counted as skipped); its logs stay apart from
# make bench's build/logs/kernel-bench/.
SYS_RELEASE_LOGS := $(LOGS)/kernel-bench-systest
SYS_COUNTS := $(foreach v,$(SYS_VARIANTS),$(LOGS)/$(v)/counts) $(SYS_RELEASE_LOGS)/counts
RUN_SUITE_ELFS := $(patsubst %,$(BUILD)/tests/system/%.elf,$(RUN_SUITES))

# Sums the counts files ("passed failed skipped") of the runners; a missing file means a runner
# died and counts as a failure.  Last line exactly "N passed, M failed"; fails if M > 0 or
# nothing ran.
define summarize
	@p=0; f=0; s=0; \
	for c in $(1); do \
	  if [ -r "$$c" ] && read cp cf cs < "$$c"; then \
	    p=$$((p+cp)); f=$$((f+cf)); s=$$((s+cs)); \
	  else echo "error: no results in $$c (runner crashed?)" >&2; f=$$((f+1)); fi; \
	done; \
	echo "=========================================================="; \
	[ $$s -eq 0 ] || echo "($$s skipped)"; \
	[ $$((p+f)) -gt 0 ] || echo "error: no tests ran" >&2; \
	echo "$$p passed, $$f failed"; \
	[ $$f -eq 0 ] && [ $$((p+f)) -gt 0 ]
endef

define run_unit
	@rm -rf $(LOGS)/unit
	$(Q)$(PYTHON) tools/unit-test-runner.py --jobs $(JOBS) --log-dir $(LOGS)/unit \
	    --counts $(UNIT_COUNTS) $(UNIT_BINS) || true
endef

# One runner per kernel variant; each runs JOBS QEMUs at once.
define run_systests
	@rm -rf $(foreach v,$(SYS_VARIANTS),$(LOGS)/$(v)) $(SYS_RELEASE_LOGS)
	$(Q)$(PYTHON) tools/run-system-test.py --jobs $(JOBS) --log-dir $(LOGS)/kernel \
	    --counts $(LOGS)/kernel/counts $(BUILD)/kernel/kernel.elf $(RUN_SUITE_ELFS) || true
	$(Q)$(PYTHON) tools/run-system-test.py --jobs $(JOBS) --log-dir $(LOGS)/kernel-nofp \
	    --counts $(LOGS)/kernel-nofp/counts $(BUILD)/kernel-nofp/kernel.elf $(RUN_SUITE_ELFS) || true
	$(Q)$(PYTHON) tools/run-system-test.py --release --jobs $(JOBS) --log-dir $(SYS_RELEASE_LOGS) \
	    --counts $(SYS_RELEASE_LOGS)/counts $(BUILD)/kernel-bench/kernel.elf $(RUN_SUITE_ELFS) || true
endef

# seL4's own test suite (sel4test, prebuilt in $(SEL4_SHARED), not part of this repository) on
# three of our kernels; each of its tests counts as one of ours (tools/run-sel4test.py).  Where
# $(SEL4_SHARED) is absent it says so in one line and counts one skip.  `make test` runs it in
# the background, one QEMU at a time, while the unit and system tests run.
SEL4_SHARED      ?= ../shared/sel4
SEL4TEST_KERNELS := $(foreach v,kernel kernel-nofp kernel-bench,$(BUILD)/$(v)/kernel.elf)
SEL4TEST_LOGS    := $(LOGS)/sel4test
SEL4TEST_COUNTS  := $(SEL4TEST_LOGS)/counts
SEL4TEST_RUN      = $(PYTHON) tools/run-sel4test.py --shared $(SEL4_SHARED) --jobs 1 \
                    --log-dir $(SEL4TEST_LOGS) --counts $(SEL4TEST_COUNTS) $(SEL4TEST_KERNELS)

define start_sel4test
	@rm -rf $(SEL4TEST_LOGS) && mkdir -p $(SEL4TEST_LOGS)
	$(Q)$(SEL4TEST_RUN) > $(SEL4TEST_LOGS)/output.txt 2>&1 & echo $$! > $(SEL4TEST_LOGS)/pid
endef

define finish_sel4test
	$(Q)while kill -0 $$(cat $(SEL4TEST_LOGS)/pid) 2>/dev/null; do sleep 1; done; \
	  cat $(SEL4TEST_LOGS)/output.txt
endef

# Builds everything, not only what it runs, so that CI also catches a broken release kernel.
test: deps
	$(Q)$(MAKE) $(SUBMAKE_FLAGS) all
	$(start_sel4test)
	$(run_unit)
	$(run_systests)
	$(finish_sel4test)
	$(call summarize,$(UNIT_COUNTS) $(SYS_COUNTS) $(SEL4TEST_COUNTS))

# sel4test alone, on the three kernels (a skip, not a failure, without $(SEL4_SHARED)).
.PHONY: sel4test-summary
sel4test: deps
	$(Q)$(MAKE) $(SUBMAKE_FLAGS) $(SEL4TEST_KERNELS)
	@rm -rf $(SEL4TEST_LOGS) && mkdir -p $(SEL4TEST_LOGS)
	$(Q)$(SEL4TEST_RUN) || true
	$(Q)[ ! -x $(SEL4_SHARED)/run.sh ] || $(MAKE) --no-print-directory sel4test-summary
sel4test-summary:
	$(call summarize,$(SEL4TEST_COUNTS))

unit: deps
	$(Q)$(MAKE) $(SUBMAKE_FLAGS) unit-tests
	$(run_unit)
	$(call summarize,$(UNIT_COUNTS))

systest: deps
	$(Q)$(MAKE) $(SUBMAKE_FLAGS) $(BUILD)/kernel/kernel.elf $(BUILD)/kernel-nofp/kernel.elf \
	    $(BUILD)/kernel-bench/kernel.elf $(RUN_SUITE_ELFS)
	$(run_systests)
	$(call summarize,$(SYS_COUNTS))

BENCH_LOG := $(LOGS)/kernel-bench/bench.log

bench: deps
ifeq ($(BENCH_SRCS),)
	@echo 'bench: no benchmark sources yet (tests/bench/*.c); nothing to measure'
else
	$(Q)$(MAKE) $(SUBMAKE_FLAGS) build-bench
	$(Q)$(PYTHON) tools/bench-report.py --kernel $(BUILD)/kernel-bench/kernel.elf \
	    --kernel-irq $(BUILD)/kernel-bench-irq/kernel.elf --root-task $(BENCH_ELF) \
	    --qemu $(QEMU) --qemu-args "$(QEMU_BENCH_ARGS)" \
	    --timeout $(BENCH_TIMEOUT) --log $(BENCH_LOG) --sel4 $(SEL4_ICOUNT) \
	    --sel4-shared $(SEL4_SHARED) --sel4bench-kernel $(BUILD)/kernel-bench-iommu/kernel.elf \
	    --commit "$$(git rev-parse --short HEAD 2>/dev/null)$$(git diff --quiet HEAD 2>/dev/null || echo +changes)" \
	    --out docs/bench/results.csv
endif
	$(Q)$(MAKE) $(SUBMAKE_FLAGS) bench-vmm
	$(Q)$(MAKE) --no-print-directory bench-native
	$(Q)$(MAKE) --no-print-directory bench-guest

# The VMM's benchmarks (issue 22): tools/run-vmm-bench.py -> docs/bench/vmm-results.csv.
VMM_BENCH_DTB := $(BUILD)/tests/vmm/bench/bench.dtb
$(VMM_BENCH_DTB): tests/vmm/bench/bench.dts
	$(call msg,DTC,$<)
	$(Q)mkdir -p $(@D)
	$(Q)$(DTC) -q -I dts -O dtb -o $@ $<
.PHONY: bench-vmm build-bench-vmm
VMM_AUDIT_BENCH_DTB := $(BUILD)/tests/vmm/bench/audit.dtb
$(VMM_AUDIT_BENCH_DTB): tests/vmm/bench/audit.dts
	$(call msg,DTC,$<)
	$(Q)mkdir -p $(@D)
	$(Q)$(DTC) -q -I dts -O dtb -o $@ $<
VMM_FAULT_BENCH_DTB := $(BUILD)/tests/vmm/bench/linux-fault.dtb
$(VMM_FAULT_BENCH_DTB): tests/vmm/bench/linux-fault.dts
	$(call msg,DTC,$<)
	$(Q)mkdir -p $(@D)
	$(Q)$(DTC) -q -I dts -O dtb -o $@ $<
build-bench-vmm: $(BUILD)/kernel-bench/kernel.elf $(VMM_ELF) $(GUEST_ELF) $(VMM_BENCH_DTB) \
                 $(VMM_AUDIT_BENCH_DTB) $(BUILD)/tools/isocheck $(BUILD)/vmm/examples/default.dtb \
                 $(VMM_FAULT_BENCH_DTB) $(GUEST_INITRAMFS)
bench-vmm: deps
	$(Q)$(MAKE) $(SUBMAKE_FLAGS) build-bench-vmm
	@mkdir -p $(LOGS)/kernel-bench
	$(Q)$(PYTHON) tools/run-vmm-bench.py --kernel $(BUILD)/kernel-bench/kernel.elf \
	    --vmm $(VMM_ELF) --guest $(GUEST_ELF) --dtb $(VMM_BENCH_DTB) --qemu $(QEMU) \
	    --qemu-args "$(QEMU_BENCH_ARGS)" --timeout $(BENCH_TIMEOUT) \
	    --log $(LOGS)/kernel-bench/vmm-bench.log --out docs/bench/vmm-results.csv
	$(Q)$(PYTHON) tools/run-vmm-bench.py --kernel $(BUILD)/kernel-bench/kernel.elf \
	    --vmm $(VMM_ELF) --guest $(GUEST_ELF) --dtb $(VMM_AUDIT_BENCH_DTB) --qemu $(QEMU) \
	    --qemu-args "$(QEMU_BENCH_ARGS)" --timeout $(BENCH_TIMEOUT) \
	    --rows audit_full,audit_per_cap \
	    --log $(LOGS)/kernel-bench/audit-bench.log --out docs/bench/audit-results.csv
	$(Q)$(PYTHON) tools/run-vmm-bench.py --kernel $(BUILD)/kernel-bench/kernel.elf \
	    --vmm $(VMM_ELF) --guest $(GUEST_ELF) --dtb $(VMM_FAULT_BENCH_DTB) --qemu $(QEMU) \
	    --qemu-args "$(QEMU_BENCH_ARGS)" --timeout $(BENCH_TIMEOUT) \
	    --initrd $(GUEST_INITRAMFS) --rows delegated_linux_fault,mediated_linux_fault \
	    --log $(LOGS)/kernel-bench/linux-fault-bench.log --out docs/bench/linux-fault-results.csv
	$(Q)$(ISOCHECK) --module $(GUEST_ELF) --bench 2000 $(BUILD)/vmm/examples/default.dtb | \
	    sed -n 's/^BENCH \([a-z_]*\) \([0-9]*\)$$/\1,\2/p' | \
	    { echo name,ns; cat; } > docs/bench/isocheck-results.csv
	@cat docs/bench/isocheck-results.csv

# `make test` and `make systest` also boot the benchmark root task once on the debug kernel: a
# smoke test, pseudo suite `bench` (one test, no figure checked; tests/bench/suite.conf).
BENCH_SMOKE := $(if $(BENCH_ELF),$(if $(SUITES),$(filter bench,$(SUITES)),bench))
SYS_COUNTS += $(if $(BENCH_SMOKE),$(LOGS)/bench-smoke/counts)
systest: $(if $(BENCH_SMOKE),bench-smoke-build)
.PHONY: bench-smoke-build
bench-smoke-build: deps
	$(Q)$(MAKE) $(SUBMAKE_FLAGS) $(BUILD)/kernel/kernel.elf $(BENCH_ELF)

define run_systests +=

	@rm -rf $(LOGS)/bench-smoke
	$(if $(BENCH_SMOKE),$(Q)$(PYTHON) tools/run-system-test.py --jobs 1 --conf-dir tests \
	    --log-dir $(LOGS)/bench-smoke --counts $(LOGS)/bench-smoke/counts \
	    $(BUILD)/kernel/kernel.elf $(BENCH_ELF) || true)
endef

# `make test` and `make systest` boot the real VMM with the refusal table's QEMU rows and the
# default configuration (tools/run-vmm-refusals.py), and with the whole configurations of
# tests/vmm/systems/ (tools/run-vmm-systests.py): pseudo suite `vmm`.
VMM_SMOKE := $(if $(GUEST_ELF),$(if $(SUITES),$(filter vmm,$(SUITES)),vmm))
SYS_COUNTS += $(if $(VMM_SMOKE),$(LOGS)/vmm-refusals/counts $(LOGS)/vmm-system/counts)
systest: $(if $(VMM_SMOKE),vmm-smoke-build)
.PHONY: vmm-smoke-build
vmm-smoke-build: deps
	$(Q)$(MAKE) $(SUBMAKE_FLAGS) $(BUILD)/kernel/kernel.elf $(VMM_ELF) $(GUEST_ELF) $(VMM_DATA) \
	    $(GUEST_INITRAMFS)

define run_systests +=

	@rm -rf $(LOGS)/vmm-refusals
	$(if $(VMM_SMOKE),$(Q)$(PYTHON) tools/run-vmm-refusals.py --jobs $(JOBS) \
	    --kernel $(BUILD)/kernel/kernel.elf --vmm $(VMM_ELF) --guest $(GUEST_ELF) \
	    --default $(BUILD)/vmm/examples/default.dtb --table tests/vmm/refusals.tsv \
	    --build-dir $(BUILD)/tests/vmm --log-dir $(LOGS)/vmm-refusals \
	    --counts $(LOGS)/vmm-refusals/counts || true)
	@rm -rf $(LOGS)/vmm-system
	$(if $(VMM_SMOKE),$(Q)$(PYTHON) tools/run-vmm-systests.py --jobs $(JOBS) \
	    --kernel $(BUILD)/kernel/kernel.elf --vmm $(VMM_ELF) --guest $(GUEST_ELF) \
	    --dir tests/vmm/systems --build-dir $(BUILD)/tests/vmm/systems --initrd $(GUEST_INITRAMFS) \
	    --log-dir $(LOGS)/vmm-system --counts $(LOGS)/vmm-system/counts || true)
endef

# The guest kernel's differential tests (tools/run-guest-difftests.py): tests/guest/diff.tsv's
# programs run natively and in guests booted with the initramfs, outputs compared line for line:
# pseudo suite `guest` (SUITES=guest runs only these).
GUEST_DIFF := $(if $(GUEST_ELF),$(if $(SUITES),$(filter guest,$(SUITES)),guest))
all: $(if $(GUEST_ELF),$(GUEST_TEST_INITRAMFS) $(GUEST_SMALL_CPIOS))
SYS_COUNTS += $(if $(GUEST_DIFF),$(LOGS)/guest-diff/counts)
systest: $(if $(GUEST_DIFF),guest-diff-build)
.PHONY: guest-diff-build
guest-diff-build: deps
	$(Q)$(MAKE) $(SUBMAKE_FLAGS) $(BUILD)/kernel/kernel.elf $(VMM_ELF) $(GUEST_ELF) $(GUEST_TEST_INITRAMFS) \
	    $(GUEST_SMALL_CPIOS)

define run_systests +=

	@rm -rf $(LOGS)/guest-diff
	$(if $(GUEST_DIFF),$(Q)$(PYTHON) tools/run-guest-difftests.py --jobs $(JOBS) \
	    --kernel $(BUILD)/kernel/kernel.elf --vmm $(VMM_ELF) --guest $(GUEST_ELF) \
	    --initrd $(GUEST_TEST_INITRAMFS) --rootfs $(BUILD)/guest-stub/rootfs \
	    --cases tests/guest/diff.tsv --build-dir $(BUILD)/tests/guest \
	    --log-dir $(LOGS)/guest-diff --counts $(LOGS)/guest-diff/counts || true)
endef

# The libc comparison (tests/guest/diff-libc.tsv: glibc and musl builds of the same programs) runs
# with its own archive and staging tree, in the same pseudo suite `guest`.
all: $(if $(GUEST_ELF),$(GUEST_LIBC_INITRAMFS))
SYS_COUNTS += $(if $(GUEST_DIFF),$(LOGS)/guest-diff-libc/counts)
systest: $(if $(GUEST_DIFF),guest-libc-build)
.PHONY: guest-libc-build
guest-libc-build: guest-diff-build
	$(Q)$(MAKE) $(SUBMAKE_FLAGS) $(GUEST_LIBC_INITRAMFS)
define run_systests +=

	@rm -rf $(LOGS)/guest-diff-libc
	$(if $(GUEST_DIFF),$(Q)$(PYTHON) tools/run-guest-difftests.py --jobs $(JOBS) \
	    --kernel $(BUILD)/kernel/kernel.elf --vmm $(VMM_ELF) --guest $(GUEST_ELF) \
	    --initrd $(GUEST_LIBC_INITRAMFS) --rootfs $(GUEST_LIBC_ROOT) \
	    --cases tests/guest/diff-libc.tsv --build-dir $(BUILD)/tests/guest-libc \
	    --log-dir $(LOGS)/guest-diff-libc --counts $(LOGS)/guest-diff-libc/counts || true)
endef

# The guest benchmarks against native Linux (issue 24; docs/guest.md, "Benchmarks"): one static
# i386 program, tests/guest/bench/lxbench.c, with the tiny exec targets tests/guest/bench/*.S
# (no libc, under 4 KiB) and busybox as /bin/sh, archived by Debian's cpio into
# build/lxbench/lxbench.cpio.  The same archive is the initramfs of Debian's own i386 kernel
# (make bench-native: linux-image-686:i386 fetched with apt-get download into build/native/)
# and the initrd of a guest that runs the program as init= (make bench-guest; make bench runs
# both).  make test boots it once with --quick: pseudo suite `lxbench`.
LXBENCH_ROOT    := $(BUILD)/lxbench/root
LXBENCH_BINS    := $(addprefix $(LXBENCH_ROOT)/bin/,lxbench exit0 tscexit)
LXBENCH_CPIO    := $(BUILD)/lxbench/lxbench.cpio
NATIVE_VMLINUZ  := $(BUILD)/native/vmlinuz
NATIVE_REF      ?= ../shared/bench/linux-native-icount.tsv
$(LXBENCH_ROOT)/bin/lxbench: tests/guest/bench/lxbench.c
	$(call msg,CC32,$<)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(GUEST_PROG_CFLAGS) -o $@ $<
$(LXBENCH_ROOT)/bin/%: tests/guest/bench/%.S
	$(call msg,AS32,$<)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) -m32 -nostdlib -static -no-pie -Wl,--build-id=none -Wl,-z,noseparate-code -s \
	    -o $@ $<
$(LXBENCH_CPIO): $(LXBENCH_BINS) $(GUEST_BUSYBOX)
	$(call msg,CPIO,$@)
	$(Q)cp -f $(GUEST_BUSYBOX) $(LXBENCH_ROOT)/bin/busybox
	$(Q)ln -sf busybox $(LXBENCH_ROOT)/bin/sh
	$(Q)cd $(LXBENCH_ROOT) && find . -mindepth 1 | LC_ALL=C sort | \
	    cpio -o -H newc -R 0:0 --quiet > ../lxbench.cpio.tmp
	$(Q)mv -f $@.tmp $@
$(NATIVE_VMLINUZ):
	$(Q)tools/install-deps.sh native-linux

.PHONY: bench-native bench-guest build-bench-guest
bench-native: deps
	$(Q)$(MAKE) $(SUBMAKE_FLAGS) $(LXBENCH_CPIO) $(NATIVE_VMLINUZ)
	@mkdir -p $(LOGS)/lxbench
	$(Q)$(PYTHON) tools/run-lxbench.py native --vmlinuz $(NATIVE_VMLINUZ) --initrd $(LXBENCH_CPIO) \
	    --qemu $(QEMU) --qemu-args "$(QEMU_BENCH_ARGS)" --timeout $(BENCH_TIMEOUT) \
	    --reference $(NATIVE_REF) --log $(LOGS)/lxbench/native.log \
	    --out docs/bench/native-results.csv
build-bench-guest: $(BUILD)/kernel-bench/kernel.elf $(VMM_ELF) $(GUEST_ELF) $(LXBENCH_CPIO)
bench-guest: deps
	$(Q)$(MAKE) $(SUBMAKE_FLAGS) build-bench-guest
	$(Q)[ -r docs/bench/native-results.csv ] || $(MAKE) --no-print-directory bench-native
	@mkdir -p $(LOGS)/lxbench
	$(Q)$(PYTHON) tools/run-lxbench.py guest --kernel $(BUILD)/kernel-bench/kernel.elf \
	    --vmm $(VMM_ELF) --guest $(GUEST_ELF) --initrd $(LXBENCH_CPIO) \
	    --build-dir $(BUILD)/lxbench --qemu $(QEMU) --qemu-args "$(QEMU_BENCH_ARGS)" \
	    --timeout $(BENCH_TIMEOUT) --log $(LOGS)/lxbench/guest.log \
	    --native docs/bench/native-results.csv --out docs/bench/guest-results.csv \
	    --table docs/bench/guest.md --results docs/bench/results.csv \
	    --commit "$$(git rev-parse --short HEAD 2>/dev/null)$$(git diff --quiet HEAD 2>/dev/null || echo +changes)"
# make test builds the archive too (its smoke test below boots it).
all: $(if $(GUEST_ELF),$(LXBENCH_CPIO))

LXBENCH_SMOKE := $(if $(GUEST_ELF),$(if $(SUITES),$(filter lxbench,$(SUITES)),lxbench))
SYS_COUNTS += $(if $(LXBENCH_SMOKE),$(LOGS)/lxbench-smoke/counts)
systest: $(if $(LXBENCH_SMOKE),lxbench-smoke-build)
.PHONY: lxbench-smoke-build
lxbench-smoke-build: deps
	$(Q)$(MAKE) $(SUBMAKE_FLAGS) $(BUILD)/kernel/kernel.elf $(VMM_ELF) $(GUEST_ELF) $(LXBENCH_CPIO)

define run_systests +=

	@rm -rf $(LOGS)/lxbench-smoke
	$(if $(LXBENCH_SMOKE),$(Q)$(PYTHON) tools/run-lxbench.py smoke \
	    --kernel $(BUILD)/kernel/kernel.elf --vmm $(VMM_ELF) --guest $(GUEST_ELF) \
	    --initrd $(LXBENCH_CPIO) --build-dir $(BUILD)/lxbench --log-dir $(LOGS)/lxbench-smoke \
	    --counts $(LOGS)/lxbench-smoke/counts || true)
endef

clean:
	rm -rf $(BUILD)

help:
	@echo 'make            build everything (kernels, libuser, vmm, system tests, bench, unit tests)'
	@echo 'make run        install deps, build, boot build/kernel/kernel.elf + build/vmm/vmm.elf'
	@echo 'make test       install deps, build, run unit tests, system tests on both debug kernels, sel4test'
	@echo 'make unit       host unit tests only      make systest   system tests only (SUITES=...)'
	@echo 'make sel4test   sel4test (seL4 test suite, ../shared/sel4) on kernel, kernel-nofp, kernel-bench'
	@echo 'make bench      instruction counts under -icount -> docs/bench/results.csv (and vmm-results.csv)'
	@echo 'make bench-native / bench-guest   the guest benchmark program on Debian'"'"'s i386 kernel / in a guest'
	@echo 'make debug      QEMU waiting for gdb on :1234; then `make gdb` in another shell'
	@echo 'make deps       install missing Debian packages     make clean   remove build/'
	@echo 'Variables: V=1 JOBS=$(JOBS) ROOT_CNODE_BITS=$(ROOT_CNODE_BITS) RUN_TIMEOUT=$(RUN_TIMEOUT) RUN_CONFIG=$(RUN_CONFIG) UNIT_SANITIZE=...'

# Host fuzzing, boot scenarios and the Bochs boot (make fuzz, make bochs-smoke; hooks into make test).
include mk/fuzz.mk
include mk/sysfuzz.mk
include mk/isolation.mk
include mk/replay.mk

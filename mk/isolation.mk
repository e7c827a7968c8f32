# The isolation analysis on the host: build/tools/isocheck from tools/isocheck/ and the same
# vmm/isolation/ sources the VMM links (docs/isolation.md).  Built by `make all` (and so by
# `make test`); run it on a graph description: build/tools/isocheck tests/isolation/two-guests.graph

ISOCHECK      := $(BUILD)/tools/isocheck
# It reads compiled configurations with the VMM's own reader and planner (vmm/config.c,
# vmm/plan.c, lib/elf.c), linked natively with libfdt by path as the unit tests are.
ISOCHECK_SRCS := $(sort $(wildcard tools/isocheck/*.c vmm/isolation/*.c)) vmm/plan.c \
                 vmm/config.c lib/elf.c
ISOCHECK_LIBS := $(wildcard /usr/lib/x86_64-linux-gnu/libfdt.so.1)

$(ISOCHECK): $(ISOCHECK_SRCS) $(wildcard vmm/include/vmm/*.h lib/include/lib/elf.h)
	$(call msg,HOSTLD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(HOSTCC) -std=gnu11 -O2 -g $(WARNINGS) -DHOST_TEST=1 -Ivmm/include -Ilib/include -Ikernel/include \
	    -Iarch/ia32/include -o $@ $(ISOCHECK_SRCS) $(ISOCHECK_LIBS)

all: $(ISOCHECK)
.PHONY: isocheck
isocheck: $(ISOCHECK)

# `make test` and `make systest` run it on every configuration the build compiles
# (tools/run-isocheck.py): the accepted ones against tests/isolation/configs.tsv, the refused
# ones against the VMM's refusal table. Pseudo suite `isocheck`.
ISOCHECK_RUN := $(if $(GUEST_ELF),$(if $(SUITES),$(filter isocheck,$(SUITES)),isocheck))
SYS_COUNTS += $(if $(ISOCHECK_RUN),$(LOGS)/isocheck/counts)
systest: $(if $(ISOCHECK_RUN),isocheck-build)
.PHONY: isocheck-build
isocheck-build: deps
	$(Q)$(MAKE) $(SUBMAKE_FLAGS) $(ISOCHECK) $(GUEST_ELF) $(GUEST_INITRAMFS) $(VMM_DATA)

define run_systests +=

	@rm -rf $(LOGS)/isocheck
	$(if $(ISOCHECK_RUN),$(Q)$(PYTHON) tools/run-isocheck.py --isocheck $(ISOCHECK) \
	    --build $(BUILD) --guest $(GUEST_ELF) --log-dir $(LOGS)/isocheck \
	    --counts $(LOGS)/isocheck/counts || true)
endef

# A test build of the VMM with the deliberately unsafe console command `unsafe-grant` (vmm/
# console.c under -DVMM_UNSAFE_TEST=1): the same objects but the console's. Never booted by
# `make run`; only tools/run-isolation-agreement.py uses it.
VMM_UNSAFE_ELF := $(BUILD)/vmm-unsafe/vmm.elf
VMM_UNSAFE_OBJ := $(BUILD)/uobj/unsafe/vmm/console.c.o
$(VMM_UNSAFE_OBJ): vmm/console.c $(USER_FLAGS_FILE) | $(addprefix $(FDT_INCLUDE)/,$(FDT_HEADERS))
	$(call msg,CC,$< (unsafe test build))
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(USER_CFLAGS) $(INC_VMM) -I$(FDT_INCLUDE) -DVMM_UNSAFE_TEST=1 -c $< -o $@
-include $(VMM_UNSAFE_OBJ:.o=.d)
$(eval $(call user_program,$(VMM_UNSAFE_ELF),$(filter-out %/vmm/console.c.o,$(VMM_OBJS)) \
    $(VMM_UNSAFE_OBJ),$(LIBFDT)))
all: $(VMM_UNSAFE_ELF)

# `make test` and `make systest`: the check before boot and the live audit agree on every
# example and whole test configuration, and disagree after `unsafe-grant` on the VMM's test
# build (tools/run-isolation-agreement.py). Pseudo suite `isolation-agreement`.
AGREE_RUN := $(if $(GUEST_ELF),$(if $(SUITES),$(filter isolation-agreement,$(SUITES)),agree))
SYS_COUNTS += $(if $(AGREE_RUN),$(LOGS)/isolation-agreement/counts)
systest: $(if $(AGREE_RUN),agreement-build)
.PHONY: agreement-build
agreement-build: deps
	$(Q)$(MAKE) $(SUBMAKE_FLAGS) $(BUILD)/kernel/kernel.elf $(VMM_ELF) $(VMM_UNSAFE_ELF) \
	    $(ISOCHECK) $(GUEST_ELF) $(GUEST_INITRAMFS)

define run_systests +=

	@rm -rf $(LOGS)/isolation-agreement
	$(if $(AGREE_RUN),$(Q)$(PYTHON) tools/run-isolation-agreement.py --jobs $(JOBS) \
	    --kernel $(BUILD)/kernel/kernel.elf --vmm $(VMM_ELF) --unsafe-vmm $(VMM_UNSAFE_ELF) \
	    --guest $(GUEST_ELF) --isocheck $(ISOCHECK) \
	    --build-dir $(BUILD)/tests/isolation/agreement --log-dir $(LOGS)/isolation-agreement \
	    --counts $(LOGS)/isolation-agreement/counts || true)
endef

# The isolation analysis on the host: build/tools/isocheck from tools/isocheck/ and the same
# vmm/isolation/ sources the VMM links (docs/isolation.md).  Built by `make all` (and so by
# `make test`); run it on a graph description: build/tools/isocheck tests/isolation/two-guests.graph

ISOCHECK      := $(BUILD)/tools/isocheck
# It reads compiled configurations with the VMM's own reader and planner (vmm/config.c,
# vmm/plan.c, kernel/elf.c), linked natively with libfdt by path as the unit tests are.
ISOCHECK_SRCS := $(sort $(wildcard tools/isocheck/*.c vmm/isolation/*.c)) vmm/plan.c \
                 vmm/config.c kernel/elf.c
ISOCHECK_LIBS := $(wildcard /usr/lib/x86_64-linux-gnu/libfdt.so.1)

$(ISOCHECK): $(ISOCHECK_SRCS) $(wildcard vmm/include/vmm/*.h kernel/include/kernel/elf.h)
	$(call msg,HOSTLD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(HOSTCC) -std=gnu11 -O2 -g $(WARNINGS) -DHOST_TEST=1 -Ivmm/include -Ikernel/include \
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
	$(Q)$(MAKE) $(SUBMAKE_FLAGS) $(ISOCHECK) $(GUEST_ELF) $(VMM_DATA)

define run_systests +=

	@rm -rf $(LOGS)/isocheck
	$(if $(ISOCHECK_RUN),$(Q)$(PYTHON) tools/run-isocheck.py --isocheck $(ISOCHECK) \
	    --build $(BUILD) --guest $(GUEST_ELF) --log-dir $(LOGS)/isocheck \
	    --counts $(LOGS)/isocheck/counts || true)
endef

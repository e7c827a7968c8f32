# The isolation analysis on the host: build/tools/isocheck from tools/isocheck/ and the same
# vmm/isolation/ sources the VMM links (docs/isolation.md).  Built by `make all` (and so by
# `make test`); run it on a graph description: build/tools/isocheck tests/isolation/two-guests.graph

ISOCHECK      := $(BUILD)/tools/isocheck
ISOCHECK_SRCS := $(sort $(wildcard tools/isocheck/*.c vmm/isolation/*.c))

$(ISOCHECK): $(ISOCHECK_SRCS) $(wildcard vmm/include/vmm/*.h)
	$(call msg,HOSTLD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(HOSTCC) -std=gnu11 -O2 -g $(WARNINGS) -Ivmm/include -Ikernel/include -o $@ $(ISOCHECK_SRCS)

all: $(ISOCHECK)
.PHONY: isocheck
isocheck: $(ISOCHECK)

# Host fuzzing with libFuzzer, boot-robustness scenarios and the Bochs smoke test.
#
# Included at the end of the top-level Makefile (it extends run_systests and SYS_COUNTS, so it
# must come after them).  docs/fuzzing-and-robustness.md explains all of it.
#
# Fuzz targets: tests/fuzz/<name>_fuzz.c -> build/fuzz/<name>_fuzz.  Line 1 of a target names the
# real sources it links, as unit tests do:  /* fuzz-sources: lib/elf.c */
# They are built with clang, libFuzzer, AddressSanitizer and UndefinedBehaviorSanitizer, with
# -DHOST_TEST=1 -DCONFIG_DEBUG=1 (kernel asserts are live and abort).
#
#   make fuzz [FUZZ_TIME=60] [SEED=1] [FUZZ_TARGETS="elf cspace"] [FUZZ_RUNS=N]
#       runs each target for FUZZ_TIME seconds (or exactly FUZZ_RUNS inputs), seeded with SEED,
#       keeping a growing corpus in build/fuzz/corpus/; a finding leaves its input in
#       build/fuzz/artifacts/ (replay: build/fuzz/<name>_fuzz <file>) and fails.
#   make test  runs each target FUZZ_TEST_TIME (3) seconds from the seed corpus only, one test
#       each; then the boot scenarios (tests/robust/scenarios.conf) and the Bochs boot.  These
#       run with every system-test run, as the pseudo suites `fuzz`, `robust` and `bochs`:
#       `make systest SUITES=robust` runs only that one.
#   make bochs-smoke   boot the boot and pc99_irq suites through GRUB in Bochs (tools/run-bochs.sh).

FUZZ_CC        ?= clang
FUZZ_TIME      ?= 60
FUZZ_TEST_TIME ?= 3
FUZZ_RUNS      ?=
SEED           ?= 1
FUZZ_TARGETS   ?=
BOCHS_TIMEOUT  ?= 120

FUZZ_SAN    := -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_CFLAGS := -std=gnu11 -Wall -Wextra -Werror -g -O1 -fno-omit-frame-pointer \
               -DHOST_TEST=1 -DCONFIG_DEBUG=1 -MMD -MP \
               -Ilib/include -Ikernel/include -Iarch/ia32/include -Itests/fuzz \
               -fsanitize=fuzzer-no-link $(FUZZ_SAN)
FUZZ_LDFLAGS := -fsanitize=fuzzer $(FUZZ_SAN)

FUZZ_SRCS      := $(sort $(wildcard tests/fuzz/*_fuzz.c))
FUZZ_ALL_NAMES := $(patsubst tests/fuzz/%_fuzz.c,%,$(FUZZ_SRCS))
FUZZ_NAMES     := $(if $(FUZZ_TARGETS),$(filter $(FUZZ_TARGETS),$(FUZZ_ALL_NAMES)),$(FUZZ_ALL_NAMES))
FUZZ_BINS      := $(patsubst %,$(BUILD)/fuzz/%_fuzz,$(FUZZ_NAMES))
FUZZ_FLAGS_FILE := $(BUILD)/fuzz/flags
FUZZ_SUPPORT   := tests/fuzz/fuzz_support.c
fuzz_sources    = $(shell sed -n '1{/fuzz-sources:/{s/.*fuzz-sources://;s/\*\/.*//;p;};}' $(1))

$(BUILD)/fuzz/obj/%.c.o: %.c $(FUZZ_FLAGS_FILE)
	$(call msg,FUZZCC,$<)
	$(Q)mkdir -p $(@D)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -c $< -o $@

$(FUZZ_FLAGS_FILE): FORCE
	$(call write_if_changed,$@,$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_LDFLAGS))

define fuzz_target
FZ_SRCS_$(1)    := $$(strip $$(call fuzz_sources,$(1)))
FZ_MISSING_$(1) := $$(filter-out $$(wildcard $$(FZ_SRCS_$(1))),$$(FZ_SRCS_$(1)))
FZ_OBJS_$(1)    := $$(call objs_in,fuzz,$(1) $(FUZZ_SUPPORT) $$(filter-out $$(FZ_MISSING_$(1)),$$(FZ_SRCS_$(1))))
$(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(1)): $$(FZ_OBJS_$(1))
	$$(if $$(FZ_MISSING_$(1)),@echo 'error: $(1) names missing source(s): $$(FZ_MISSING_$(1))' >&2; exit 1)
	$$(call msg,FUZZLD,$$@)
	$(Q)$$(FUZZ_CC) $$(FUZZ_LDFLAGS) -o $$@ $$(FZ_OBJS_$(1))
-include $$(FZ_OBJS_$(1):.o=.d)
endef
$(foreach t,$(FUZZ_SRCS),$(eval $(call fuzz_target,$(t))))

FUZZ_SEEDS_STAMP := $(BUILD)/fuzz/seeds/.stamp
$(FUZZ_SEEDS_STAMP): tools/fuzz-seeds.py
	$(call msg,SEEDS,$(BUILD)/fuzz/seeds)
	$(Q)$(PYTHON) tools/fuzz-seeds.py $(BUILD)/fuzz/seeds && touch $@

.PHONY: fuzz-host fuzz-build bochs-smoke bochs-smoke-build
fuzz-build: $(FUZZ_BINS) $(FUZZ_SEEDS_STAMP)

fuzz-host: deps
	$(Q)$(MAKE) $(SUBMAKE_FLAGS) fuzz-build
	$(Q)tools/run-fuzz.sh --seed $(SEED) --time $(FUZZ_TIME) $(if $(FUZZ_RUNS),--runs $(FUZZ_RUNS)) \
	    --seeds $(BUILD)/fuzz/seeds --corpus $(BUILD)/fuzz/corpus \
	    --artifacts $(BUILD)/fuzz/artifacts --log-dir $(LOGS)/fuzz-long $(FUZZ_BINS)

# ---------------------------------------------------------------------------------------------
# Boot scenarios: odd memory sizes, missing or corrupt modules, a device tree (tests/robust/).
# tools/robust-modules.py makes the corrupt modules from the boot suite's root task.

ROBUST_CONF  := tests/robust/scenarios.conf
ROBUST_ROOT  := $(BUILD)/tests/system/boot.elf
ROBUST_STAMP := $(BUILD)/robust/.stamp
$(ROBUST_STAMP): tools/robust-modules.py tests/robust/tree.dts $(ROBUST_ROOT)
	$(call msg,GEN,$(BUILD)/robust)
	$(Q)$(PYTHON) tools/robust-modules.py $(BUILD)/robust $(ROBUST_ROOT) tests/robust/tree.dts && touch $@

# ---------------------------------------------------------------------------------------------
# Bochs: the boot suite and the pc99 interrupt suite booted through GRUB (tools/run-bochs.sh),
# one Bochs each; each log must show every test passing and TESTS DONE.  The boot suite checks
# the untypeds against the BIOS memory map, pc99_irq the local APIC, the IOAPIC found through
# Bochs' own ACPI tables and the PIT: a good smoke test on a second machine model.  (pc99_msi
# needs QEMU's edu device and pc99_serial input typed into COM1; Bochs has neither.)

BOCHS_ROOTS := $(ROBUST_ROOT) $(BUILD)/tests/system/pc99_irq.elf
bochs_name = $(basename $(notdir $(1)))
bochs-smoke-build: $(BUILD)/kernel/kernel.elf $(BOCHS_ROOTS)

bochs-smoke: deps
	$(Q)$(MAKE) $(SUBMAKE_FLAGS) bochs-smoke-build
	$(Q)status=0; for root in $(BOCHS_ROOTS); do \
	    tools/run-bochs.sh --timeout $(BOCHS_TIMEOUT) --work $(BUILD)/bochs/$$(basename $$root .elf) \
	        $(BUILD)/kernel/kernel.elf $$root || status=1; \
	done; exit $$status

# ---------------------------------------------------------------------------------------------
# Hooks into `make test` and `make systest`: three pseudo suites, `fuzz`, `robust` and `bochs`,
# run when SUITES is empty or names them.  Each writes "passed failed skipped" to a counts file
# that the summary adds to the others.

# A pseudo suite exists once its files do.
PSEUDO_SUITES := fuzz $(if $(wildcard $(ROBUST_CONF)),robust) $(if $(wildcard tools/run-bochs.sh),bochs)
wants_suite = $(filter $(PSEUDO_SUITES),$(if $(SUITES),$(filter $(1),$(SUITES)),$(1)))
SYS_COUNTS += $(if $(call wants_suite,fuzz),$(LOGS)/fuzz/counts) \
              $(if $(call wants_suite,robust),$(LOGS)/robust/counts) \
              $(if $(call wants_suite,bochs),$(foreach r,$(BOCHS_ROOTS),$(LOGS)/bochs/$(call bochs_name,$(r)).counts))

# `make` builds the fuzzers too when clang is there (`make deps` installs it).
all: $(if $(shell command -v $(FUZZ_CC) 2>/dev/null),fuzz-build) \
     $(if $(call wants_suite,robust),$(ROBUST_STAMP))
systest: systest-robust-build
.PHONY: systest-robust-build
systest-robust-build: deps
	$(Q)$(MAKE) $(SUBMAKE_FLAGS) $(if $(call wants_suite,fuzz),fuzz-build) \
	    $(if $(call wants_suite,robust),$(BUILD)/kernel/kernel.elf $(ROBUST_STAMP)) \
	    $(if $(call wants_suite,bochs),bochs-smoke-build)

define run_systests +=

	@rm -rf $(LOGS)/fuzz $(LOGS)/robust $(LOGS)/bochs
	$(if $(call wants_suite,fuzz),$(Q)tools/run-fuzz.sh --seed $(SEED) --time $(FUZZ_TEST_TIME) \
	    --seeds $(BUILD)/fuzz/seeds --corpus $(BUILD)/fuzz/test-corpus --fresh \
	    --artifacts $(LOGS)/fuzz --log-dir $(LOGS)/fuzz --counts $(LOGS)/fuzz/counts \
	    $(patsubst %,$(BUILD)/fuzz/%_fuzz,$(FUZZ_ALL_NAMES)) || true)
	$(if $(call wants_suite,robust),$(Q)$(PYTHON) tools/run-boot-scenarios.py --conf $(ROBUST_CONF) \
	    --kernel $(BUILD)/kernel/kernel.elf --log-dir $(LOGS)/robust \
	    --counts $(LOGS)/robust/counts --jobs $(JOBS) || true)
	$(if $(call wants_suite,bochs),$(foreach r,$(BOCHS_ROOTS),$(Q)tools/run-bochs.sh --timeout $(BOCHS_TIMEOUT) \
	    --work $(BUILD)/bochs/$(call bochs_name,$(r)) --counts $(LOGS)/bochs/$(call bochs_name,$(r)).counts \
	    $(BUILD)/kernel/kernel.elf $(r) || true
	))
endef

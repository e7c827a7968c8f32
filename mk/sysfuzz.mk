# Long runs of the system-call fuzzer (tests/system/sysfuzz/), one QEMU boot per seed.
#
# Included from the top-level Makefile after mk/fuzz.mk (which owns `make fuzz`, the host
# fuzzers, and sets SEED ?= 1).  `make test` runs the suite's bounded build (its defaults in
# tests/system/sysfuzz/fuzz.h); this target rebuilds the suite with other defines:
#
#   make fuzz-sys [SEED=1] [SEEDS="1 2 3"] [STEPS=250000] [SYSFUZZ_TIMEOUT=7200]
#                 [SYSFUZZ_KERNEL=build/kernel-nofp/kernel.elf] [SYSFUZZ_CFLAGS=-D...]
#
# builds build/sysfuzz/<kernel>-seed-<seed>-<steps>/sysfuzz.elf per seed, boots each with
# SYSFUZZ_KERNEL (the debug kernel unless told; JOBS at once), and fails unless every boot ends
# with TEST sysfuzz/run PASS, TESTS DONE and the DebugHalt exit status.
# Logs: build/logs/sysfuzz/<kernel>-seed-<seed>-<steps>.log.
# docs/fuzzing.md records the long-run figures and how they were made.

SEED            ?= 1
SEEDS           ?= $(SEED)
STEPS           ?= 250000
SYSFUZZ_TIMEOUT ?= 7200
SYSFUZZ_KERNEL  ?= $(BUILD)/kernel/kernel.elf
SYSFUZZ_CFLAGS  ?=
# The kernel's build directory names the images and logs; a release kernel (no debug system
# calls) gets the suite built with -DSYSFUZZ_RELEASE=1.
SYSFUZZ_VARIANT  = $(notdir $(patsubst %/,%,$(dir $(SYSFUZZ_KERNEL))))
SYSFUZZ_RELEASE  = $(if $(filter kernel-bench%,$(SYSFUZZ_VARIANT)),-DSYSFUZZ_RELEASE=1)
SYSFUZZ_DIR     := $(BUILD)/sysfuzz
SYSFUZZ_SRCS     = $(call find_srcs,tests/system/sysfuzz) $(SYSTEST_COMMON_SRCS)
SYSFUZZ_ELFS     = $(foreach s,$(SEEDS),$(SYSFUZZ_DIR)/$(SYSFUZZ_VARIANT)-seed-$(s)-$(STEPS)/sysfuzz.elf)

.PHONY: fuzz-sys fuzz-sys-build
fuzz-sys-build: $(SYSFUZZ_KERNEL) $(LIBUSER) $(LIBMEMMGR)
	$(Q)set -e; for s in $(SEEDS); do \
	  case $$s in ''|*[!0-9]*) echo "fuzz-sys: seed '$$s' is not a decimal number" >&2; exit 1;; esac; \
	  d=$(SYSFUZZ_DIR)/$(SYSFUZZ_VARIANT)-seed-$$s-$(STEPS); mkdir -p $$d; objs=; \
	  for src in $(SYSFUZZ_SRCS); do \
	    o=$$d/$$(echo $$src | tr / _).o; objs="$$objs $$o"; \
	    $(CC) $(USER_CFLAGS) $(INC_SYSTEST) -DSYSFUZZ_SEED=$${s}u -DSYSFUZZ_STEPS=$(STEPS)u \
	      $(SYSFUZZ_RELEASE) $(SYSFUZZ_CFLAGS) -c $$src -o $$o; \
	  done; \
	  printf '  %-6s %s\n' LD $$d/sysfuzz.elf; \
	  $(LD) $(USER_LDFLAGS) -o $$d/sysfuzz.elf $$objs --start-group $(LIBMEMMGR) $(LIBUSER) \
	    $(LIBGCC) --end-group; \
	done

# `make fuzz` runs both kinds of fuzzing: the host fuzzers (mk/fuzz.mk) and then this one.
.PHONY: fuzz
fuzz: fuzz-host fuzz-sys

fuzz-sys: deps
	$(Q)$(MAKE) $(SUBMAKE_FLAGS) fuzz-sys-build
	$(Q)tools/run-sysfuzz.sh --kernel $(SYSFUZZ_KERNEL) --qemu $(QEMU) --jobs $(JOBS) \
	    --timeout $(SYSFUZZ_TIMEOUT) --log-dir $(LOGS)/sysfuzz \
	    $(if $(SYSFUZZ_RELEASE),--stop-at-done) $(SYSFUZZ_ELFS)

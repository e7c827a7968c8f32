# Measured non-interference (tools/run-replay.py, docs/isolation.md): guest A under each memory
# policy, and as a Linux guest with the initramfs, beside neighbours that are quiet, churn
# memory, crash, are destroyed and restarted, or attack, under -icount; A's output and the
# VMM's digest of its memory must not change, and a control guest's digest (a shared page the
# neighbour writes) must. Pseudo suite `replay` in `make test` (`make SUITES=replay systest`
# runs only it), one test per table cell.
REPLAY_RUN := $(if $(GUEST_ELF),$(if $(SUITES),$(filter replay,$(SUITES)),replay))
SYS_COUNTS += $(if $(REPLAY_RUN),$(LOGS)/replay/counts)
systest: $(if $(REPLAY_RUN),replay-build)
.PHONY: replay-build
replay-build: deps
	$(Q)$(MAKE) $(SUBMAKE_FLAGS) $(BUILD)/kernel/kernel.elf $(VMM_ELF) $(GUEST_ELF) \
	    $(GUEST_INITRAMFS)

define run_systests +=

	@rm -rf $(LOGS)/replay
	$(if $(REPLAY_RUN),$(Q)$(PYTHON) tools/run-replay.py --jobs $(JOBS) \
	    --kernel $(BUILD)/kernel/kernel.elf --vmm $(VMM_ELF) --guest $(GUEST_ELF) \
	    --initrd $(GUEST_INITRAMFS) --build-dir $(BUILD)/tests/replay --log-dir $(LOGS)/replay \
	    --counts $(LOGS)/replay/counts || true)
endef

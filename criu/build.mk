# SPDX-License-Identifier: GPL-2.0-only
# criu: CRIU 4.1.1 + criu/patches (criu/build-criu, cached in
# $OOH_CACHE/criu/<key>/) and the checkpoint workload, for the domU
# payload:
#   build/bin/ooh-ckpt-writer          the self-checking memory writer
#   build/guest/bin/criu               the patched CRIU
#   build/guest/bin/ooh-ckpt-writer
#   build/guest/bin/ooh-guest-criu     pre-dump/pre-dump/dump/restore cycles
#                                      per tracker (tests/system/ready-guest/
#                                      40-criu, scripts/compare)
CRIU_DEPS := criu/build-criu criu/patches/series $(wildcard criu/patches/*.patch) \
	     scripts/lib.sh scripts/emu-lib.sh
ALL += $(BIN)/ooh-ckpt-writer $(GUEST_PAYLOAD)/bin/ooh-ckpt-writer \
       $(GUEST_PAYLOAD)/bin/criu $(GUEST_PAYLOAD)/bin/ooh-guest-criu

$(BIN)/ooh-ckpt-writer: criu/ckpt-writer.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $<

$(GUEST_PAYLOAD)/bin/ooh-ckpt-writer: $(BIN)/ooh-ckpt-writer
	@mkdir -p $(@D)
	cp $< $@

$(GUEST_PAYLOAD)/bin/ooh-guest-criu: criu/guest/ooh-guest-criu
	@mkdir -p $(@D)
	cp $< $@

$(GUEST_PAYLOAD)/bin/criu: $(CRIU_DEPS)
	@mkdir -p $(@D)
	d=$$(criu/build-criu) && cp "$$d/sbin/criu" $@

# CRIU's zdtm suite in the guest: a payload of its own, added to the test
# boot by tests/system/guest-tests.test (python3 and the test tree cost
# the domU about 25 MB, kept out of the main job's image)
ZDTM_PAYLOAD := $(BUILD)/guest-zdtm
ALL += $(ZDTM_PAYLOAD)/tests/50-zdtm
$(ZDTM_PAYLOAD)/tests/50-zdtm: criu/zdtm-payload criu/guest/50-zdtm $(CRIU_DEPS)
	criu/zdtm-payload $(ZDTM_PAYLOAD)

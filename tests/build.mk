# SPDX-License-Identifier: GPL-2.0-only
# Compiled tests against libooh.a: tests/unit/*.c and tests/native/*.c
# become build/tests/<group>/<name>, run by tests/run.
UNIT_TESTS := $(patsubst tests/%.c,$(BUILD)/tests/%,$(wildcard tests/unit/*.c tests/native/*.c))
ALL += $(UNIT_TESTS)

$(BUILD)/tests/unit/%: tests/unit/%.c tests/include/ooh_test.h $(LIBOOH_A) include/ooh.h $(wildcard include/ooh/*.h)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Itests/include -o $@ $< $(LIBOOH_A) $(LIBOOH_LIBS)

# LIBS_<name>: libraries one test needs besides libooh's
LIBS_test_uring_fixed := -luring
$(BUILD)/tests/native/%: tests/native/%.c tests/include/ooh_test.h $(LIBOOH_A) include/ooh.h $(wildcard include/ooh/*.h)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Itests/include -o $@ $< $(LIBOOH_A) $(LIBOOH_LIBS) $(LIBS_$(notdir $@))
# the reverse map with 16384 virtual pages on one frame: fetch time
BENCH += $(BUILD)/tests/native/test_rmap_shared | tee $(BUILD)/bench-rmap-shared.txt

# Guest tests of the default domU image (tests/system/ready-guest/): in
# build/guest/tests/, so `scripts/emu-host` with no command runs them and
# tests/system/guest-tests.test reports each.
READY_GUEST_TESTS := $(patsubst tests/system/ready-guest/%,$(GUEST_PAYLOAD)/tests/%,\
	$(wildcard tests/system/ready-guest/[0-9]*))
ALL += $(READY_GUEST_TESTS)
$(GUEST_PAYLOAD)/tests/%: tests/system/ready-guest/%
	@mkdir -p $(@D)
	cp $< $@

# Test groups with their own build fragment (tests/cpu/build.mk: bare-metal
# CPU test kernels); the top-level Makefile only includes */build.mk.
include $(sort $(wildcard tests/*/build.mk))

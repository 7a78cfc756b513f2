# SPDX-License-Identifier: GPL-2.0-only
# Native unit tests: build/tests/unit/<name>, run by tests/run.
UNIT_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,$(wildcard tests/unit/*.c))
ALL += $(UNIT_TESTS)

$(BUILD)/tests/unit/%: tests/unit/%.c $(LIBOOH_A) libooh/ooh.h $(wildcard include/ooh/*.h)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $< $(LIBOOH_A) -lpthread

# Test groups with their own build fragment (tests/cpu/build.mk: bare-metal
# CPU test kernels); the top-level Makefile only includes */build.mk.
include $(sort $(wildcard tests/*/build.mk))

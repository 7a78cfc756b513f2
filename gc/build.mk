# SPDX-License-Identifier: GPL-2.0-only
# gc: Boehm GC 8.2.2 (Debian source) built stock and with OOH_VDB
# (gc/patches), the GC workloads and their input generator.
#
#   build/gc/{stock,ooh}/        installed static libgc + headers (built in
#                                $OOH_CACHE/gc by gc/build-libgc)
#   build/bin/gc-<workload>      linked with the OOH_VDB libgc + libooh
#   build/bin/gc-<workload>-stock  linked with the stock libgc
#   build/bin/gc-<workload>-checksums  linked with the single-threaded
#                                OOH_VDB CHECKSUMS libgc (Boehm's dirty-bit
#                                verifier, checksums.c): correctness runs,
#                                not timing runs
#   build/bin/gc-gen-inputs      deterministic input generator
#   make compare                 scripts/compare (the main job)
GC_WORKLOADS := $(shell awk '!/^#/ && NF { print $$1 }' gc/workloads/list)
GC_DIR       := $(BUILD)/gc
GC_LIBOOH    := $(BUILD)/lib/libooh.a
GC_WL_HDRS   := gc/workloads/wl.h gc/workloads/rng.h
GC_LIB_DEPS  := gc/build-libgc gc/patches/series $(wildcard gc/patches/*.patch) \
		scripts/lib.sh
GC_WL_CFLAGS := $(filter-out -std=gnu11,$(CFLAGS)) -std=gnu11

GC_BINS := $(foreach w,$(GC_WORKLOADS),$(BIN)/gc-$(w) $(BIN)/gc-$(w)-stock \
		$(BIN)/gc-$(w)-checksums) \
	   $(BIN)/gc-gen-inputs
ALL += $(GC_BINS) $(patsubst $(BIN)/%,$(GUEST_PAYLOAD)/bin/%,$(GC_BINS)) \
	$(GUEST_PAYLOAD)/bin/ooh-guest-compare $(GUEST_PAYLOAD)/lib/gc-workloads

# the workload list, read in the guest as /opt/ooh/lib/gc-workloads
$(GUEST_PAYLOAD)/lib/gc-workloads: gc/workloads/list
	@mkdir -p $(@D)
	cp $< $@

# the guest half of scripts/compare (every config in the emulated domU)
$(GUEST_PAYLOAD)/bin/ooh-guest-compare: gc/guest/ooh-guest-compare
	@mkdir -p $(@D)
	cp $< $@

# libgc variants; the stamp is the installed archive
$(GC_DIR)/stock/lib/libgc.a: $(GC_LIB_DEPS)
	gc/build-libgc stock $(GC_DIR)/stock >/dev/null
	@touch $@

$(GC_DIR)/ooh/lib/libgc.a: $(GC_LIB_DEPS) include/ooh.h
	gc/build-libgc ooh $(GC_DIR)/ooh >/dev/null
	@touch $@

$(GC_DIR)/ooh-checksums/lib/libgc.a: $(GC_LIB_DEPS) include/ooh.h
	gc/build-libgc ooh-checksums $(GC_DIR)/ooh-checksums >/dev/null
	@touch $@

# the CHECKSUMS libgc has no threads: its wl.o and programs say so
$(GC_DIR)/ooh-checksums/wl.o: GC_WL_CFLAGS += -DOOH_WL_NO_THREADS

$(GC_DIR)/%/wl.o: gc/workloads/wl.c $(GC_WL_HDRS) $(GC_DIR)/%/lib/libgc.a
	$(CC) $(GC_WL_CFLAGS) -I$(GC_DIR)/$*/include -c -o $@ $<

$(BIN)/gc-%-stock: gc/workloads/%.c $(GC_DIR)/stock/wl.o $(GC_WL_HDRS)
	@mkdir -p $(@D)
	$(CC) $(GC_WL_CFLAGS) -I$(GC_DIR)/stock/include -o $@ $< \
		$(GC_DIR)/stock/wl.o $(GC_DIR)/stock/lib/libgc.a -lpthread -lm

$(BIN)/gc-%-checksums: gc/workloads/%.c $(GC_DIR)/ooh-checksums/wl.o $(GC_WL_HDRS) $(GC_LIBOOH)
	@mkdir -p $(@D)
	$(CC) $(GC_WL_CFLAGS) -DOOH_WL_NO_THREADS -I$(GC_DIR)/ooh-checksums/include -o $@ $< \
		$(GC_DIR)/ooh-checksums/wl.o $(GC_DIR)/ooh-checksums/lib/libgc.a $(GC_LIBOOH) $(LIBOOH_LIBS) -lm

$(BIN)/gc-gen-inputs: gc/workloads/gen-inputs.c gc/workloads/rng.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $<

$(BIN)/gc-%: gc/workloads/%.c $(GC_DIR)/ooh/wl.o $(GC_WL_HDRS) $(GC_LIBOOH)
	@mkdir -p $(@D)
	$(CC) $(GC_WL_CFLAGS) -I$(GC_DIR)/ooh/include -o $@ $< \
		$(GC_DIR)/ooh/wl.o $(GC_DIR)/ooh/lib/libgc.a $(GC_LIBOOH) $(LIBOOH_LIBS) -lm

.PRECIOUS: $(GC_DIR)/%/wl.o

# The main job: native comparison, then the guest matrix in one boot of
# the emulated host (so everything, the guest image included, is built).
compare:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory all
	@scripts/compare

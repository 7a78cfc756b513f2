# SPDX-License-Identifier: GPL-2.0-only
# libooh: build/lib/libooh.{a,so}, build/bin/ooh-track, build/bin/ooh-oracle,
# build/lib/pkgconfig/ooh.pc
LIBOOH_SRCS := $(wildcard libooh/src/*.c)
LIBOOH_OBJS := $(patsubst libooh/src/%.c,$(BUILD)/libooh/%.o,$(LIBOOH_SRCS))
LIBOOH_A    := $(BUILD)/lib/libooh.a
LIBOOH_SO   := $(BUILD)/lib/libooh.so
LIBOOH_LIBS := -lpthread

ALL += $(LIBOOH_A) $(LIBOOH_SO)

$(BUILD)/libooh/%.o: libooh/src/%.c libooh/ooh.h $(wildcard libooh/src/*.h) $(wildcard include/ooh/*.h)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -fPIC -fvisibility=hidden -c -o $@ $<

$(LIBOOH_A): $(LIBOOH_OBJS)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(LIBOOH_SO): $(LIBOOH_OBJS) libooh/libooh.map
	@mkdir -p $(@D)
	$(CC) -shared -Wl,-soname,libooh.so.1 -Wl,--version-script=libooh/libooh.map -o $@ $(LIBOOH_OBJS) $(LIBOOH_LIBS)

# Programs linked statically against libooh so they run from build/bin and
# inside guest images without installing the library.
OOH_TOOLS := $(BIN)/ooh-oracle $(BIN)/ooh-track
ALL += $(OOH_TOOLS)

$(BIN)/ooh-oracle: libooh/tools/ooh-oracle.c $(LIBOOH_A) libooh/ooh.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $< $(LIBOOH_A) -lpthread

$(BIN)/ooh-track: libooh/tools/ooh-track.c $(LIBOOH_A) libooh/ooh.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $< $(LIBOOH_A) -lyajl -lpthread

$(BIN)/ooh-bench: libooh/tools/ooh-bench.c $(LIBOOH_A) libooh/ooh.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $< $(LIBOOH_A) -lpthread
ALL += $(BIN)/ooh-bench
BENCH += $(BIN)/ooh-bench --rounds 5 | tee $(BUILD)/bench-libooh.md

# SPDX-License-Identifier: GPL-2.0-only
# libooh: build/lib/libooh.{a,so}, build/bin/ooh-track, build/bin/ooh-oracle,
# build/lib/pkgconfig/ooh.pc
LIBOOH_SRCS := $(wildcard libooh/src/*.c)
LIBOOH_OBJS := $(patsubst libooh/src/%.c,$(BUILD)/libooh/%.o,$(LIBOOH_SRCS))
LIBOOH_A    := $(BUILD)/lib/libooh.a
LIBOOH_SO   := $(BUILD)/lib/libooh.so
LIBOOH_LIBS := -lz -lpthread

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
OOH_TOOLS := $(BIN)/ooh-oracle $(BIN)/ooh-track $(BIN)/ooh-trace
ALL += $(OOH_TOOLS) $(GUEST_PAYLOAD)/bin/ooh-oracle $(GUEST_PAYLOAD)/bin/ooh-track \
	$(GUEST_PAYLOAD)/bin/ooh-trace

$(BIN)/ooh-oracle: libooh/tools/ooh-oracle.c $(LIBOOH_A) libooh/ooh.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $< $(LIBOOH_A) $(LIBOOH_LIBS)

$(BIN)/ooh-track: libooh/tools/ooh-track.c $(LIBOOH_A) libooh/ooh.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $< $(LIBOOH_A) -lyajl $(LIBOOH_LIBS)

$(BIN)/ooh-trace: libooh/tools/ooh-trace.c $(LIBOOH_A) libooh/ooh.h libooh/src/tracefile.h include/ooh/trace.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $< $(LIBOOH_A) -lyajl $(LIBOOH_LIBS)

$(BIN)/ooh-bench: libooh/tools/ooh-bench.c $(LIBOOH_A) libooh/ooh.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $< $(LIBOOH_A) $(LIBOOH_LIBS)
ALL += $(BIN)/ooh-bench $(GUEST_PAYLOAD)/bin/ooh-bench
BENCH += $(BIN)/ooh-bench --rounds 5 | tee $(BUILD)/bench-libooh.md

# pkg-config file and installation (PREFIX=/usr/local by default).
PREFIX ?= /usr/local
ALL += $(BUILD)/lib/pkgconfig/ooh.pc $(BUILD)/lib/pkgconfig/ooh-uninstalled.pc
$(BUILD)/lib/pkgconfig/ooh.pc: libooh/ooh.pc.in libooh/build.mk
	@mkdir -p $(@D)
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBS_PRIVATE@|$(LIBOOH_LIBS)|' $< > $@

# pkg-config(1) picks ooh-uninstalled.pc over ooh.pc when build/lib/pkgconfig
# is on PKG_CONFIG_PATH: scripts and tests link the build tree's libooh.a
# (and its private libraries, from LIBOOH_LIBS above) with
# `pkg-config --static --libs ooh` (scripts/lib.sh: ooh_libooh_libs).
$(BUILD)/lib/pkgconfig/ooh-uninstalled.pc: libooh/build.mk
	@mkdir -p $(@D)
	printf '%s\n' 'libdir=$(abspath $(BUILD))/lib' \
		'includedir=$(abspath .)/libooh' \
		'' 'Name: ooh' 'Description: OoH Lib (build tree, static)' 'Version: 1.0' \
		'Libs: $${libdir}/libooh.a' 'Libs.private: $(LIBOOH_LIBS)' \
		'Cflags: -I$${includedir} -I$(abspath .)/include' > $@

.PHONY: install-libooh
install-libooh: $(LIBOOH_A) $(LIBOOH_SO) $(BUILD)/lib/pkgconfig/ooh.pc $(OOH_TOOLS)
	install -D -m 644 libooh/ooh.h $(DESTDIR)$(PREFIX)/include/ooh.h
	install -D -m 644 include/ooh/ring.h $(DESTDIR)$(PREFIX)/include/ooh/ring.h
	install -D -m 644 include/ooh/barrier.h $(DESTDIR)$(PREFIX)/include/ooh/barrier.h
	install -D -m 644 include/ooh/trace.h $(DESTDIR)$(PREFIX)/include/ooh/trace.h
	install -D -m 644 $(LIBOOH_A) $(DESTDIR)$(PREFIX)/lib/libooh.a
	install -D -m 755 $(LIBOOH_SO) $(DESTDIR)$(PREFIX)/lib/libooh.so.1
	ln -sf libooh.so.1 $(DESTDIR)$(PREFIX)/lib/libooh.so
	install -D -m 644 $(BUILD)/lib/pkgconfig/ooh.pc $(DESTDIR)$(PREFIX)/lib/pkgconfig/ooh.pc
	install -D -m 755 $(OOH_TOOLS) -t $(DESTDIR)$(PREFIX)/bin
	install -D -m 644 libooh/man/*.3 -t $(DESTDIR)$(PREFIX)/share/man/man3
	install -D -m 644 libooh/man/*.1 -t $(DESTDIR)$(PREFIX)/share/man/man1
	install -D -m 644 libooh/man/*.5 -t $(DESTDIR)$(PREFIX)/share/man/man5

# SPDX-License-Identifier: GPL-2.0-only
# libooh: build/lib/libooh.{a,so}, build/bin/ooh-track, build/bin/ooh-oracle,
# build/lib/pkgconfig/ooh.pc
LIBOOH_SRCS := $(wildcard libooh/src/*.c)
LIBOOH_OBJS := $(patsubst libooh/src/%.c,$(BUILD)/libooh/%.o,$(LIBOOH_SRCS))
LIBOOH_A    := $(BUILD)/lib/libooh.a
LIBOOH_SO   := $(BUILD)/lib/libooh.so
LIBOOH_LIBS := -lz -lpthread
# One version (top-level VERSION, MAJOR.MINOR.PATCH) for the shared
# object's file name and soname (libooh.so.MAJOR), the .pc files and the
# man pages' headers (tests/unit/version.test checks those).
OOH_VERSION := $(shell cat VERSION)
OOH_SOMAJOR := $(firstword $(subst ., ,$(OOH_VERSION)))
LIBOOH_SO_REAL := $(BUILD)/lib/libooh.so.$(OOH_VERSION)
LIBOOH_SONAME  := libooh.so.$(OOH_SOMAJOR)

ALL += $(LIBOOH_A) $(LIBOOH_SO)

$(BUILD)/libooh/%.o: libooh/src/%.c include/ooh.h $(wildcard libooh/src/*.h) $(wildcard include/ooh/*.h)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -fPIC -fvisibility=hidden -c -o $@ $<

$(LIBOOH_A): $(LIBOOH_OBJS)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(LIBOOH_SO_REAL): $(LIBOOH_OBJS) libooh/libooh.map VERSION
	@mkdir -p $(@D)
	$(CC) -shared -Wl,-soname,$(LIBOOH_SONAME) -Wl,--version-script=libooh/libooh.map -o $@ $(LIBOOH_OBJS) $(LIBOOH_LIBS)

# the soname link (what the loader opens) and the development link
$(LIBOOH_SO): $(LIBOOH_SO_REAL)
	ln -sf $(notdir $<) $(@D)/$(LIBOOH_SONAME)
	ln -sf $(LIBOOH_SONAME) $@

# Programs linked statically against libooh so they run from build/bin and
# inside guest images without installing the library.
OOH_TOOLS := $(BIN)/ooh-oracle $(BIN)/ooh-track $(BIN)/ooh-trace
ALL += $(OOH_TOOLS) $(GUEST_PAYLOAD)/bin/ooh-oracle $(GUEST_PAYLOAD)/bin/ooh-track \
	$(GUEST_PAYLOAD)/bin/ooh-trace

$(BIN)/ooh-oracle: libooh/tools/ooh-oracle.c libooh/tools/tool.h $(LIBOOH_A) include/ooh.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $< $(LIBOOH_A) $(LIBOOH_LIBS)

$(BIN)/ooh-track: libooh/tools/ooh-track.c libooh/tools/tool.h $(LIBOOH_A) include/ooh.h include/ooh/serve.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $< $(LIBOOH_A) -lyajl $(LIBOOH_LIBS)

$(BIN)/ooh-trace: libooh/tools/ooh-trace.c libooh/tools/tool.h $(LIBOOH_A) include/ooh.h include/ooh/trace.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $< $(LIBOOH_A) -lyajl $(LIBOOH_LIBS)

$(BIN)/ooh-bench: libooh/tools/ooh-bench.c libooh/tools/tool.h $(LIBOOH_A) include/ooh.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $< $(LIBOOH_A) $(LIBOOH_LIBS)
ALL += $(BIN)/ooh-bench $(GUEST_PAYLOAD)/bin/ooh-bench
BENCH += $(BIN)/ooh-bench --rounds 5 | tee $(BUILD)/bench-libooh.md

# pkg-config file and installation (PREFIX=/usr/local by default; the
# libraries go to the multiarch folder, lib/x86_64-linux-gnu on Debian, as
# Debian's own libraries do; LIBDIR= overrides).
PREFIX ?= /usr/local
MULTIARCH := $(shell $(CC) -print-multiarch 2>/dev/null)
LIBDIR ?= $(PREFIX)/lib$(if $(MULTIARCH),/$(MULTIARCH))
ALL += $(BUILD)/lib/pkgconfig/ooh.pc $(BUILD)/lib/pkgconfig/ooh-uninstalled.pc
# ooh.pc for PREFIX and LIBDIR as given now (make install writes its own,
# so `make install PREFIX=/usr` gets a matching one)
OOH_PC_SED = sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
	-e 's|@VERSION@|$(OOH_VERSION)|' -e 's|@LIBS_PRIVATE@|$(LIBOOH_LIBS)|' libooh/ooh.pc.in
$(BUILD)/lib/pkgconfig/ooh.pc: libooh/ooh.pc.in libooh/build.mk VERSION
	@mkdir -p $(@D)
	$(OOH_PC_SED) > $@

# pkg-config(1) picks ooh-uninstalled.pc over ooh.pc when build/lib/pkgconfig
# is on PKG_CONFIG_PATH: scripts and tests link the build tree's libooh.a
# (and its private libraries, from LIBOOH_LIBS above) with
# `pkg-config --static --libs ooh` (scripts/lib.sh: ooh_libooh_libs).
$(BUILD)/lib/pkgconfig/ooh-uninstalled.pc: libooh/build.mk VERSION
	@mkdir -p $(@D)
	printf '%s\n' 'libdir=$(abspath $(BUILD))/lib' \
		'includedir=$(abspath .)/libooh' \
		'' 'Name: ooh' 'Description: OoH Lib (build tree, static)' 'Version: $(OOH_VERSION)' \
		'Libs: $${libdir}/libooh.a' 'Libs.private: $(LIBOOH_LIBS)' \
		'Cflags: -I$${includedir} -I$(abspath .)/include' > $@

.PHONY: install-libooh
install-libooh: $(LIBOOH_A) $(LIBOOH_SO) $(BUILD)/lib/pkgconfig/ooh.pc $(OOH_TOOLS) $(BIN)/ooh-bench
	install -D -m 644 include/ooh.h $(DESTDIR)$(PREFIX)/include/ooh.h
	install -D -m 644 include/ooh/ring.h $(DESTDIR)$(PREFIX)/include/ooh/ring.h
	install -D -m 644 include/ooh/barrier.h $(DESTDIR)$(PREFIX)/include/ooh/barrier.h
	install -D -m 644 include/ooh/trace.h $(DESTDIR)$(PREFIX)/include/ooh/trace.h
	install -D -m 644 include/ooh/spml_uio.h $(DESTDIR)$(PREFIX)/include/ooh/spml_uio.h
	install -D -m 644 include/ooh/spml.h $(DESTDIR)$(PREFIX)/include/ooh/spml.h
	install -D -m 644 include/ooh/epml.h $(DESTDIR)$(PREFIX)/include/ooh/epml.h
	install -D -m 644 include/ooh/serve.h $(DESTDIR)$(PREFIX)/include/ooh/serve.h
	install -D -m 644 $(LIBOOH_A) $(DESTDIR)$(LIBDIR)/libooh.a
	install -D -m 755 $(LIBOOH_SO_REAL) $(DESTDIR)$(LIBDIR)/$(notdir $(LIBOOH_SO_REAL))
	ln -sf $(notdir $(LIBOOH_SO_REAL)) $(DESTDIR)$(LIBDIR)/$(LIBOOH_SONAME)
	ln -sf $(LIBOOH_SONAME) $(DESTDIR)$(LIBDIR)/libooh.so
	mkdir -p $(DESTDIR)$(LIBDIR)/pkgconfig
	$(OOH_PC_SED) > $(DESTDIR)$(LIBDIR)/pkgconfig/ooh.pc
	install -D -m 755 $(OOH_TOOLS) $(BIN)/ooh-bench -t $(DESTDIR)$(PREFIX)/bin
	install -D -m 644 libooh/man/*.3 -t $(DESTDIR)$(PREFIX)/share/man/man3
	install -D -m 644 libooh/man/*.1 -t $(DESTDIR)$(PREFIX)/share/man/man1
	install -D -m 644 libooh/man/*.5 -t $(DESTDIR)$(PREFIX)/share/man/man5
	install -D -m 644 libooh/man/*.7 -t $(DESTDIR)$(PREFIX)/share/man/man7

# the headers install-libooh installs, relative to PREFIX/include
OOH_INSTALLED_HEADERS := ooh.h ooh/ring.h ooh/barrier.h ooh/trace.h \
	ooh/spml_uio.h ooh/spml.h ooh/epml.h ooh/serve.h
.PHONY: uninstall-libooh
uninstall-libooh:
	rm -f $(addprefix $(DESTDIR)$(PREFIX)/include/,$(OOH_INSTALLED_HEADERS))
	-rmdir $(DESTDIR)$(PREFIX)/include/ooh 2>/dev/null
	rm -f $(DESTDIR)$(LIBDIR)/libooh.a $(DESTDIR)$(LIBDIR)/libooh.so \
		$(DESTDIR)$(LIBDIR)/$(LIBOOH_SONAME) \
		$(DESTDIR)$(LIBDIR)/$(notdir $(LIBOOH_SO_REAL)) \
		$(DESTDIR)$(LIBDIR)/pkgconfig/ooh.pc
	rm -f $(addprefix $(DESTDIR)$(PREFIX)/bin/,$(notdir $(OOH_TOOLS)) ooh-bench)
	rm -f $(addprefix $(DESTDIR)$(PREFIX)/share/man/man3/,$(notdir $(wildcard libooh/man/*.3))) \
		$(addprefix $(DESTDIR)$(PREFIX)/share/man/man1/,$(notdir $(wildcard libooh/man/*.1))) \
		$(addprefix $(DESTDIR)$(PREFIX)/share/man/man5/,$(notdir $(wildcard libooh/man/*.5))) \
		$(addprefix $(DESTDIR)$(PREFIX)/share/man/man7/,$(notdir $(wildcard libooh/man/*.7)))

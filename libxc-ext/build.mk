# SPDX-License-Identifier: GPL-2.0-only
# libxc-ext: xc_spml_* wrappers (build/lib/libxcspml.a) and the xen-pml CLI
# (build/bin/xen-pml, man page libxc-ext/xen-pml.8), built against Debian's
# libxenctrl/libxencall/libxenstore/libyajl (scripts/deps.d/spml.txt).
# xen-pml is also copied to build/dom0/bin/ so the emulated host's dom0
# image carries it (scripts/build-images payload).
XCSPML_A   := $(BUILD)/lib/libxcspml.a
XCSPML_CFLAGS := $(CFLAGS) -I/usr/include/yajl

ALL += $(XCSPML_A) $(BIN)/xen-pml $(BUILD)/dom0/bin/xen-pml

$(BUILD)/libxc-ext/xc_spml.o: libxc-ext/xc_spml.c libxc-ext/xc_spml.h include/ooh/spml.h include/ooh/ring.h
	@mkdir -p $(@D)
	$(CC) $(XCSPML_CFLAGS) -c -o $@ $<

$(XCSPML_A): $(BUILD)/libxc-ext/xc_spml.o
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(BIN)/xen-pml: libxc-ext/xen-pml.c $(XCSPML_A) libxc-ext/xc_spml.h VERSION
	@mkdir -p $(@D)
	$(CC) $(XCSPML_CFLAGS) -DOOH_VERSION_STRING='"$(shell cat VERSION)"' -o $@ $< \
		$(XCSPML_A) -lxenctrl -lxenstore -lxentoollog -lyajl

$(BUILD)/dom0/bin/xen-pml: $(BIN)/xen-pml
	@mkdir -p $(@D)
	cp $< $@

# xen-pml is a dom0 administration tool, like xenpm and xl: sbin and
# man section 8.
.PHONY: install-xen-pml
install-xen-pml: $(BIN)/xen-pml
	install -D -m 755 $(BIN)/xen-pml -t $(DESTDIR)$(PREFIX)/sbin
	install -D -m 644 libxc-ext/xen-pml.8 -t $(DESTDIR)$(PREFIX)/share/man/man8

.PHONY: uninstall-xen-pml
uninstall-xen-pml:
	rm -f $(DESTDIR)$(PREFIX)/sbin/xen-pml $(DESTDIR)$(PREFIX)/share/man/man8/xen-pml.8
